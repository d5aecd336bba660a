"""Who may reach each route: one table, printed by ``make routes`` and checked against the app by
tests/auth/test_route_roles.py (every route, every role). A route without an entry here fails that test.

The checks themselves stay where they act (``auth.roles.role_required``, the kiosk blueprint's
before_request, Flask-Login's ``login_required``): this table says what they must add up to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask

from .kinds import Role

# A rule: who passes it, in words, and the roles that pass it ('' for the rules not about roles).
RULE_WORDS: dict[str, str] = {
    "public": "anyone",
    "password-step": "between password and code (else back to /login)",
    "login": "any logged-in user",
    "kiosk": "inside kiosk mode only (else back to its set-up page)",
    "fieldworker": "fieldworker, researcher, admin",
    "caseworker": "caseworker, researcher, admin (read)",
    "caseworker-only": "caseworker (writes case forms)",
    "researcher": "researcher, admin",
    "admin": "admin",
    # The API (/api/v1/): a Bearer token, never a session; a token reads as its owner's role.
    "api-fieldworker": "API token of a fieldworker, researcher, admin",
    "api-caseworker": "API token of a caseworker, researcher, admin (a caseworker: her sites)",
    "api-researcher": "API token of a researcher, admin",
}
ALLOWED: dict[str, frozenset[Role]] = {
    "fieldworker": frozenset({Role.FIELDWORKER, Role.RESEARCHER, Role.ADMIN}),
    "caseworker": frozenset({Role.CASEWORKER, Role.RESEARCHER, Role.ADMIN}),
    "caseworker-only": frozenset({Role.CASEWORKER}),
    "researcher": frozenset({Role.RESEARCHER, Role.ADMIN}),
    "admin": frozenset({Role.ADMIN}),
    "api-fieldworker": frozenset({Role.FIELDWORKER, Role.RESEARCHER, Role.ADMIN}),
    "api-caseworker": frozenset({Role.CASEWORKER, Role.RESEARCHER, Role.ADMIN}),
    "api-researcher": frozenset({Role.RESEARCHER, Role.ADMIN}),
}

ROUTE_ACCESS: dict[str, str] = {
    "main.index": "public",
    "main.healthz": "public",
    "static": "public",
    "auth.login": "public",
    "auth.enrol": "password-step",  # only after the password: otherwise back to /login
    "auth.code": "password-step",
    "auth.logout": "public",
    "auth.password": "login",
    "auth.keys": "login",
    "auth.key_add": "login",
    "auth.key_finish": "login",
    "auth.key_confirm": "login",
    "auth.key_remove": "login",
    "auth.key_login": "password-step",
    "auth.enrol_key": "password-step",  # a first login's key instead of the app
    "auth.enrol_key_finish": "password-step",
    "link.landing": "public",
    "link.page": "public",
    "link.finish": "public",
    "link.submit": "public",
    "link.thanks": "public",
    "link.declined": "public",
    "link.stop": "public",
    "link.stopped": "public",
    "link.decline": "public",
    "kiosk.setup": "fieldworker",
    "kiosk.lock": "kiosk",
    "kiosk.start": "kiosk",
    "kiosk.notice": "kiosk",
    "kiosk.stop": "kiosk",
    "kiosk.resume": "kiosk",
    "kiosk.page": "kiosk",
    "kiosk.finish": "kiosk",
    "kiosk.exit_kiosk": "kiosk",
    "kiosk.submit": "public",  # answers by submission key only; unknown keys go to the lock screen
    "kiosk.thanks": "public",  # shows nothing but thanks
    "kiosk.ended": "public",  # says that kiosk mode has ended; shows nothing else
    "kiosk.decline": "kiosk",
    "speech.clip_audio": "public",  # a published question's wording as sound; nothing of anyone
    "research.dashboard": "login",  # a caseworker is sent on to her cases
    "research.participants": "fieldworker",
    "research.participant": "fieldworker",
    "research.register_participants": "fieldworker",
    "research.registered": "fieldworker",
    "research.withdraw": "researcher",
    "research.void_response": "researcher",
    "research.response": "researcher",
    "research.links": "researcher",
    "research.close_link": "researcher",
    "research.reopen_link": "researcher",
    "research.link_qr": "researcher",
    "research.link_responses": "researcher",
    "research.instruments": "researcher",
    "research.instrument_preview": "researcher",
    "research.instrument_diff": "researcher",
    "research.instrument_export": "researcher",
    "research.export": "researcher",
    "research.report": "researcher",
    "research.report_download": "researcher",
    "research.audit": "researcher",
    "research.field_duplicates": "researcher",
    "research.resolve_duplicate": "researcher",
    "research.users": "admin",
    "cases.index": "caseworker",
    "cases.case": "caseworker",
    "cases.form_view": "caseworker",
    "cases.new_case": "caseworker-only",
    "cases.start_form": "caseworker-only",
    "cases.form_page": "caseworker-only",
    "cases.send_form": "caseworker-only",
    "cases.discard_form": "caseworker-only",
    "cases.correct_form": "caseworker-only",
    "cases.correction_page": "caseworker-only",
    "cases.send_correction": "caseworker-only",
    "cases.rebase_correction": "caseworker-only",
    "cases.transfer": "caseworker",
    "research.user_action": "admin",
    "research.restore_recontact": "researcher",
    "research.user_sites": "admin",
    "auth.tokens": "login",
    "auth.token_add": "login",
    "auth.token_revoke": "login",
    "api.openapi": "public",  # the API's description: nothing of anyone
    "api.participants": "api-fieldworker",
    "api.participant": "api-fieldworker",
    "api.due": "api-fieldworker",
    "api.responses": "api-researcher",
    "api.cases": "api-caseworker",
    "api.case": "api-caseworker",
    "api.codebook": "api-researcher",
    "api.export": "api-researcher",
    "api.report": "api-researcher",
    # Coding open answers into themes (survey_app/coding): researchers and admins only.
    "coding.index": "researcher",
    "coding.add_key_theme": "researcher",
    "coding.key_theme": "researcher",
    "coding.delete_key_theme": "researcher",
    "coding.add_theme": "researcher",
    "coding.theme": "researcher",
    "coding.merge_theme": "researcher",
    "coding.delete_theme": "researcher",
    "coding.question": "researcher",
    "coding.code": "researcher",
    "coding.agreement_page": "researcher",
    "coding.settle": "researcher",
    "coding.counts_page": "researcher",
    "coding.codebook_export": "researcher",
    "coding.codebook_import": "researcher",
}


@dataclass(frozen=True)
class RouteLine:
    methods: str
    url: str
    endpoint: str
    rule: str

    @property
    def who(self) -> str:
        return RULE_WORDS.get(self.rule, "NO RULE: add it to survey_app/access.py")


def route_lines(app: Flask) -> Iterator[RouteLine]:
    """Every URL of the app with its methods and the rule for who may reach it, by URL."""
    for url_rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        methods = ",".join(sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}))
        rule = ROUTE_ACCESS.get(url_rule.endpoint, "")
        yield RouteLine(methods, url_rule.rule, url_rule.endpoint, rule)
