"""Flask-WTF forms: auth, kiosk, participant and link forms; the respondent form is built
from an instrument version."""
