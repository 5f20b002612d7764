"""What a gate record is made of, below both the desk (app.gate) and the roster (app.roster)."""
