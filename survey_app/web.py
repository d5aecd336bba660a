"""Request hooks shared by both sides: the one place that commits, and security headers.

Forged forms, and why no page sends a Referer. Every page sends ``Referrer-Policy:
no-referrer``: an anonymous link's token is its address (/s/<token>) and must travel in no
Referer, not even to us, our proxy or its logs. Flask-WTF's extra check over HTTPS
(``WTF_CSRF_SSL_STRICT``) wants a same-origin Referer on every form, so it refused every form
posted over HTTPS; it is off (config.py). A form is still guarded three ways:

1. its CSRF token, signed and tied to the session (CSRFProtect; respondent forms check theirs
   themselves, to keep her answers on an expired page);
2. the session cookie is ``SameSite=Strict`` (and ``Secure`` in production): a page on another
   site cannot make the browser send it, so a forged form arrives with no session to match;
3. ``refuse_cross_site_writes``: browsers say where a request comes from in ``Sec-Fetch-Site``
   whatever the referrer policy, and a form from any other origin is refused. This is the
   same-origin proof the Referer check gave, without the Referer.

The other way out, ``Referrer-Policy: same-origin``, would send the link token in the Referer
of every request a link page makes, and would refuse every form to a browser, extension or
network filter that strips Referer headers."""

from __future__ import annotations

from flask import Response, abort, g, request
from flask_wtf.csrf import CSRFError

from .config import current_settings
from .extensions import db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# "none" is a request the person started (typed address, bookmark); an absent header is an
# older browser or a script, left to the token and the SameSite cookie.
OWN_ORIGIN = frozenset({"same-origin", "none"})


def refuse_cross_site_writes() -> None:
    """A form sent from another origin (another site, or http:// beside https://) is refused
    as CSRFProtect refuses a bad token: a 400 with the page that explains."""
    if request.method in SAFE_METHODS:
        return
    source = request.headers.get("Sec-Fetch-Site")
    if source is not None and source not in OWN_ORIGIN:
        raise CSRFError("The form was sent from another site.")


def reject_nul_bytes() -> None:
    """No text we keep may hold a NUL byte (PostgreSQL refuses it in text and JSON): refuse
    such a request up front with a 400, whatever form or page it was sent to."""
    values = (
        [*request.args.values(), *request.form.values()]
        if request.method != "GET"
        else [*request.args.values()]
    )
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404)  # a path part with a NUL byte names nothing here
    if any("\x00" in value for value in values):
        abort(
            400, description="The request held a character that is not allowed. Nothing was saved."
        )


def commit_or_rollback(response: Response) -> Response:
    """Views and operations only flush; the request commits here when it succeeded."""
    # A refused request keeps nothing, unless the view asked to record its refusal (an audit
    # event of a failed second step, say).
    if response.status_code < 400 or g.get("commit_on_error"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")  # see the module's docstring
    headers.setdefault("X-Frame-Options", "DENY")
    if current_settings().is_production:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not request.path.startswith("/static/"):
        # Respondent and research pages carry answers or pseudonyms: never cache them.
        headers["Cache-Control"] = "no-store"
    return response
