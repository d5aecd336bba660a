"""Exports of the collected data: one row builder (``dataset.py``), several writers (xlsx,
csv, sav, dta, redcap_data, datapackage), as Indico shares one base for its CSV and Excel
results."""
