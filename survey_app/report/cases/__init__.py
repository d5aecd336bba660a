"""The case tracker's part of the report: Tables 1 to 7 (``tables.py``), Figures 1 to 14
(``figures.py``) and the slides' percentages (``slides.py``), from the cases' answers
(``answers.py``) counted by prison (``by_prison.py``)."""
