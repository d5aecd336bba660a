"""The questionnaires' part of the report: the links' and the practitioners' Tables 8 to 16
(``link_tables.py``, ``practitioner_tables.py``), the mothers' tables and the WAI
(``mother_tables.py``) and the paired T1-to-T2 change (``paired.py``)."""
