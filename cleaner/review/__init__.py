"""Reviewing a run: the diff view, ledger statistics, deterministic samples and the HTML report.

`diff` renders one document and imports nothing of the package but the record and segmenter; `ledger` reads and
checks ledgers and joins them to cleaned outputs; `stats`, `sample` and `report` build on it.
"""
