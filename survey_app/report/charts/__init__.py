"""The report's charts: what a table's chart shows (``counts.py``) and its drawing as SVG
(``svg.py``)."""
