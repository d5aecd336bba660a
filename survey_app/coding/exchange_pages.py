"""The codebook's download and upload as a REFI-QDA codebook (.qdc)."""

from __future__ import annotations

from flask import Response, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth.roles import role_required
from ..extensions import db
from ..models import Role, record_audit
from . import bp, exchange
from .forms import ImportForm


@bp.route("/codebook.qdc")
@role_required(Role.RESEARCHER)
def codebook_export() -> ResponseReturnValue:
    record_audit(db.session, "coding.codebook_exported", actor_id=current_user.id)
    return Response(
        exchange.export_qdc(db.session),
        mimetype="application/xml",
        headers={"Content-Disposition": 'attachment; filename="codebook.qdc"'},
    )


@bp.route("/codebook", methods=["POST"])
@role_required(Role.RESEARCHER)
def codebook_import() -> ResponseReturnValue:
    form = ImportForm()
    if not form.validate():
        raise exchange.CodebookFileError("Please choose a codebook file (.qdc) to import.", 422)
    data = form.codebook.data.read(exchange.MAX_BYTES + 1)
    keys, themes = exchange.import_qdc(db.session, data, actor_id=current_user.id)
    record_audit(
        db.session,
        "coding.codebook_imported",
        actor_id=current_user.id,
        detail={"key_themes": keys, "themes": themes},
    )
    flash(
        f"Codebook imported: {keys} key theme{'' if keys == 1 else 's'} and "
        f"{themes} theme{'' if themes == 1 else 's'} added.",
        "status",
    )
    return redirect(url_for("coding.index") + "#codebook")
