"""The gate desk window: banner, keypad, counters, recent list, camera preview."""
