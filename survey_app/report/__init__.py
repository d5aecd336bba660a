"""The evaluation report rebuilt from the data: numbered tables (``cases/``: the case tracker's
Tables 1 to 7, Figures 1 to 14 and the slides' percentages; ``questionnaires/``: Tables 8 to
16, then the WAI and the paired T1-to-T2 change), their charts (``charts/``), and the Report
and Summary sheets of the workbook (``sheet.py``). It reads the export's rows; the export never
imports it. Table builders are registered in ``tables.TABLE_BUILDERS``."""
