"""The evaluation report rebuilt from the data: numbered tables (the report's Tables 8 to 16,
then the WAI and the paired T1-to-T2 change), their charts, and the Report sheet of the
workbook. Table builders are registered in ``tables.TABLE_BUILDERS``; the case tracker's
Tables 1 to 7 join that list when it exists."""
