"""What was command-line only, in the window (#16): pairing, USB, keys, purge, PIN, language."""
