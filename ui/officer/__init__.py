"""Officer-only actions in the window: PIN dialog, unmask and void in the recent list."""
