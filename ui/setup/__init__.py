"""The first-run wizard in the window (#16); its state and rules are app/setup/."""
