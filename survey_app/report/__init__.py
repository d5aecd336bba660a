"""The evaluation report rebuilt from the data: numbered tables (the case tracker's Tables 1
to 7, Figures 1 to 14 and the slides' percentages; the questionnaires' Tables 8 to 16, then
the WAI and the paired T1-to-T2 change), their charts, and the Report sheet of the workbook.
Table builders are registered in ``tables.TABLE_BUILDERS``."""
