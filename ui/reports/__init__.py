"""Daily report: export dialog, statistics, the PDF."""
