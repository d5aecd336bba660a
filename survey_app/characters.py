"""Characters that no stored or exported text may hold.

XML 1.0, and so every .xlsx file, allows only ``#x9 | #xA | #xD | [#x20-#xD7FF] |
[#xE000-#xFFFD] | [#x10000-#x10FFFF]``: one U+FFFE or a lone surrogate in a cell makes the
whole workbook unreadable. DEL (U+007F) is allowed there but goes too: terminals and
spreadsheets misread it, and nobody types it into an answer."""

from __future__ import annotations

import re

# Everything outside the XML 1.0 character ranges, lone surrogates included, plus DEL.
FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x80-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def strip_forbidden(value: str) -> str:
    return FORBIDDEN.sub("", value)
