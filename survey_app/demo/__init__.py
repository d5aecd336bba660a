"""The demo study: ``flask --app survey_app demo load`` fills an empty database with a
synthetic study of the real one's shape (both prisons, about 80 cases, the mothers' T1 and T2
questionnaires, the staff and practitioner links), entered through the services the pages
use, so that a newcomer's Report page has something in every table. Every page then says
that the data is made up (marker.py); a database holding real data is refused."""

from .loading import DemoRefused, load_demo
from .marker import is_demo

__all__ = ["DemoRefused", "is_demo", "load_demo"]
