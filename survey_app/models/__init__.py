"""The data model, one module per entity family."""

from ..kinds import Audience, Channel, Role
from . import erasure as _erasure  # noqa: F401 - registers the after-commit wipe
from . import field as _field  # noqa: F401 - field laptop tables (survey_app/field)
from .audit import AuditEvent, record_audit
from .cases import Case, CaseCorrection, CaseForm, CaseFormRevision, CaseTransfer, UserSite
from .declines import Decline
from .demo import DemoStudy
from .instruments import InstrumentVersion
from .keys import SecurityKey
from .links import Link
from .participants import Participant
from .responses import COMPLETE, IN_PROGRESS, Response
from .study import Site, Wave
from .users import User

__all__ = [
    "COMPLETE",
    "IN_PROGRESS",
    "Audience",
    "AuditEvent",
    "Case",
    "CaseCorrection",
    "CaseForm",
    "CaseFormRevision",
    "CaseTransfer",
    "Channel",
    "Decline",
    "DemoStudy",
    "InstrumentVersion",
    "Link",
    "Participant",
    "Response",
    "Role",
    "SecurityKey",
    "Site",
    "User",
    "UserSite",
    "Wave",
    "record_audit",
]
