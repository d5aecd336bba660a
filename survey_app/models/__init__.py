"""The data model, one module per entity family."""

from ..kinds import (
    Audience,
    CaseFormKind,
    CaseFormStatus,
    CaseStatus,
    Channel,
    ResponseStatus,
    Role,
    SiteKind,
)
from . import erasure as _erasure  # noqa: F401 - registers the after-commit wipe
from . import field as _field  # noqa: F401 - field laptop tables (survey_app/field)
from .api_tokens import ApiToken
from .audit import AuditEvent, record_audit
from .cases import Case, CaseCorrection, CaseForm, CaseFormRevision, CaseTransfer, UserSite
from .coding import Coding, CodingMark, CodingQuestion, KeyTheme, Theme
from .declines import Decline
from .demo import DemoStudy
from .instruments import InstrumentVersion
from .keys import SecurityKey
from .links import Link
from .participants import Participant
from .responses import Response
from .study import Site, Wave
from .users import User

__all__ = [
    "ApiToken",
    "Audience",
    "AuditEvent",
    "Case",
    "CaseCorrection",
    "CaseForm",
    "CaseFormKind",
    "CaseFormRevision",
    "CaseFormStatus",
    "CaseStatus",
    "CaseTransfer",
    "Channel",
    "Coding",
    "CodingMark",
    "CodingQuestion",
    "Decline",
    "DemoStudy",
    "InstrumentVersion",
    "KeyTheme",
    "Link",
    "Participant",
    "Response",
    "ResponseStatus",
    "Role",
    "SecurityKey",
    "Site",
    "SiteKind",
    "Theme",
    "User",
    "UserSite",
    "Wave",
    "record_audit",
]
