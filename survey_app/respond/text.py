"""The respondent pages' own words, in English and Welsh. Plain words, short sentences.
The Welsh awaits review by a qualified translator, like the instruments' Welsh."""

from __future__ import annotations

from typing import Final

TEXT: Final[dict[str, dict[str, str]]] = {
    "next": {"en": "Next", "cy": "Nesaf"},
    "back": {"en": "Back", "cy": "Yn ôl"},
    "send": {"en": "Send my answers", "cy": "Anfon fy atebion"},
    "start": {"en": "Start", "cy": "Dechrau"},
    "switch_language": {"en": "Cymraeg", "cy": "English"},
    "switch_language_label": {"en": "Newid i'r Gymraeg", "cy": "Switch to English"},
    "progress": {"en": "Page {n} of {total}", "cy": "Tudalen {n} o {total}"},
    "required": {
        "en": "Please answer this question.",
        "cy": "Atebwch y cwestiwn hwn, os gwelwch yn dda.",
    },
    "consent_required": {
        "en": "Please tick this box if you agree. If you do not agree, you do not have to take part.",
        "cy": "Ticiwch y blwch hwn os ydych chi'n cytuno. Os nad ydych chi'n cytuno, does dim rhaid i chi gymryd rhan.",
    },
    "page_has_errors": {
        "en": "Please look at the questions marked below.",
        "cy": "Edrychwch ar y cwestiynau sydd wedi'u marcio isod.",
    },
    "expired": {
        "en": "This page was open for a long time, so your answers on it were not saved yet. Please check them and press the button again.",
        "cy": "Roedd y dudalen hon ar agor am amser hir, felly nid yw eich atebion arni wedi'u cadw eto. Gwiriwch nhw a phwyswch y botwm eto.",
    },
    "read_aloud": {"en": "Read aloud", "cy": "Darllen yn uchel"},
    "decline": {"en": "I do not want to take part", "cy": "Nid wyf am gymryd rhan"},
    "agree": {"en": "Yes, I agree", "cy": "Ydw, rwy'n cytuno"},
    "finish_title": {"en": "You have reached the end", "cy": "Rydych chi wedi cyrraedd y diwedd"},
    "finish_body": {
        "en": "Thank you. Press the button to send your answers. You can still go back and change them.",
        "cy": "Diolch. Pwyswch y botwm i anfon eich atebion. Gallwch chi fynd yn ôl a'u newid o hyd.",
    },
    "thanks_title": {"en": "Thank you", "cy": "Diolch"},
    "thanks_body": {
        "en": "Your answers have been sent. Thank you for taking part.",
        "cy": "Mae eich atebion wedi'u hanfon. Diolch am gymryd rhan.",
    },
    "thanks_kiosk": {
        "en": "Please give the laptop back to the researcher. This screen will close by itself.",
        "cy": "Rhowch y gliniadur yn ôl i'r ymchwilydd. Bydd y sgrin hon yn cau ar ei phen ei hun.",
    },
    "still_there": {"en": "Are you still there?", "cy": "Ydych chi dal yno?"},
    "still_there_body": {
        "en": "This screen will close in one minute to keep your answers private. Your answers so far are kept.",
        "cy": "Bydd y sgrin hon yn cau mewn munud i gadw eich atebion yn breifat. Mae eich atebion hyd yma wedi'u cadw.",
    },
    "still_here": {"en": "I'm still here", "cy": "Rwy' dal yma"},
    "choose_all": {"en": "Choose all that apply.", "cy": "Dewiswch bob un sy'n berthnasol."},
    "characters_max": {"en": "Up to {n} characters.", "cy": "Hyd at {n} nod."},
    "optional": {"en": "You can skip this question.", "cy": "Gallwch chi hepgor y cwestiwn hwn."},
}


def t(key: str, lang: str, **values: object) -> str:
    entry = TEXT[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
