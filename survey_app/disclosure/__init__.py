"""Disclosure control of a publication release: every count a release shows (tables, charts,
the Summary sheet) goes through here.

- ``marks``: the one mark, ``[c]``, its one note, and percentages of hidden counts.
- ``audit``: the attacker's interval of each hidden cell, as two linear programmes over every
  relation a reader knows (lines and their totals, counts two tables share, a whole and its
  periods), with counts not negative.
- ``protect``: primary suppression under the threshold, then secondary cells chosen greedily
  until the audit passes; a grid that cannot be protected is hidden throughout.
- ``release``: the grids of one release gathered in a first pass, protected together, and the
  decision handed back to the builders in a second pass."""
