"""The respondent side: the kiosk for mothers and anonymous links for staff and
practitioners. Kept apart from the research side, as SecureDrop keeps its source app apart."""
