"""The files a researcher downloads that join the export's sheets and the report's: the report
on its own as a workbook (``report_workbook.py``). Above both packages, so that ``export/``
never imports ``report/``."""
