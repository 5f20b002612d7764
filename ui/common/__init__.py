"""Shared window parts: style, sound, QR display (and the background runner)."""
