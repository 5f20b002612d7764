"""Volunteer shifts: sign-in, handover, shift log."""
