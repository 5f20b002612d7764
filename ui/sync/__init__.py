"""Sync status bar, USB bundles, pairing."""
