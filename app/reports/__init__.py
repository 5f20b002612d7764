"""The daily report: statistics gathered in app (no Qt), written as CSV, XLSX or PDF (#5)."""
