"""The files a researcher downloads that join the export's sheets and the report's: the export's
workbook of every sheet (``export_workbook.py``) and the report on its own
(``report_workbook.py``). Above both packages, so that ``export/`` never imports ``report/``."""
