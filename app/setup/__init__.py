"""The first-run wizard's state and rules (#16), without Qt: ui/setup/ shows them."""
