"""Import the roster as grid staff keep it: CSV (UTF-8, BOM, GBK) or XLSX, messy headers and all.

read.py turns a file into rows (bounded: a hostile workbook is refused before it is
inflated); plan.py reads, maps and checks every row without writing (the GUI preview and
--dry-run stop here); apply.py writes the planned rows in short batches, each resident with
its change row and outbox event. Nothing is dropped silently: every refused row has a
reason in the error report written next to the file.
"""
