"""Residents roster, passes, visitor passes, keys."""
