"""The report's charts: the one percentage chart (``percent.py``), its points read from a table's
cells (``counts.py``), and the drawing of any chart as SVG (``svg.py``)."""
