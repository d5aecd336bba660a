"""Receipts: the server's word to one laptop that it holds (or has deliberately dropped)
these responses and declines. Authenticated with the batch's secret, which only a server that opened the
batch knows, so a receipt from another laptop or a forged one deletes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from ..models import Decline
from ..models.erasure import erase_after_commit
from ..models.field import FieldExport, FieldInstance, SealedResponse
from ..models.types import DbSession, utcnow
from ..user_errors import UserError
from . import jsonfile

FORMAT = "survey_app-field-receipt"


class ReceiptError(UserError, ValueError):
    """A receipt refused; the message says why in one line."""


def _mac(secret: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True).encode()
    return hmac.new(bytes.fromhex(secret), canonical, hashlib.sha256).hexdigest()


def make_receipt(header: dict[str, Any], secret: str, settled: list[str]) -> dict[str, Any]:
    body = {
        "format": FORMAT,
        "study_id": header["study_id"],
        "laptop_id": header["laptop_id"],
        "batch_id": header["batch_id"],
        "settled": sorted(settled),
    }
    return {**body, "mac": _mac(secret, body)}


@dataclass(frozen=True)
class Confirmed:
    responses: int  # sealed copies deleted
    declines: int


def confirm(session: DbSession, instance: FieldInstance, raw: bytes) -> Confirmed:
    """Delete the sealed copies and the declines the receipt settles (the server holds them),
    and only those."""
    try:
        receipt = jsonfile.loads(raw)
        if not isinstance(receipt, dict) or receipt.get("format") != FORMAT:
            raise ValueError
        body = {k: receipt[k] for k in ("format", "study_id", "laptop_id", "batch_id", "settled")}
        settled = [str(k) for k in body["settled"]]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ReceiptError("This file is not a field receipt: nothing deleted.") from None
    if body["study_id"] != instance.study_id or body["laptop_id"] != instance.laptop_id:
        raise ReceiptError("This receipt is for another laptop: nothing deleted.")
    export = session.get(FieldExport, str(body["batch_id"]))
    if export is None:
        raise ReceiptError("This laptop wrote no batch with this receipt's id: nothing deleted.")
    if not hmac.compare_digest(_mac(export.secret, body), str(receipt.get("mac", ""))):
        raise ReceiptError("This receipt is damaged or was altered: nothing deleted.")
    held = set(
        session.scalars(
            select(SealedResponse.submission_key).where(SealedResponse.submission_key.in_(settled))
        )
    )
    session.execute(delete(SealedResponse).where(SealedResponse.submission_key.in_(held)))
    declines = set(session.scalars(select(Decline.sync_key).where(Decline.sync_key.in_(settled))))
    session.execute(delete(Decline).where(Decline.sync_key.in_(declines)))
    if export.confirmed_at is None:
        export.confirmed_at = utcnow()
    session.flush()
    erase_after_commit(session)
    return Confirmed(len(held), len(declines))
