"""What another package adds to a response's life, without services importing it.

A field laptop starts a draft's clock and seals a sent response (survey_app/field/sending.py);
services call the hooks here and know nothing of laptops. ``create_app`` registers the field
package's hooks, so that every app (pages, CLI, tests) has them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import Response
from ..models.types import DbSession

Hook = Callable[[DbSession, Response], object]


@dataclass
class ResponseHooks:
    draft_started: list[Hook] = field(default_factory=list)
    sent: list[Hook] = field(default_factory=list)

    def add(self, *, draft_started: Hook, sent: Hook) -> None:
        """Register a pair once (create_app runs once per app, and tests make many apps)."""
        if draft_started not in self.draft_started:
            self.draft_started.append(draft_started)
        if sent not in self.sent:
            self.sent.append(sent)


response_hooks = ResponseHooks()


def draft_started(session: DbSession, response: Response) -> None:
    for hook in response_hooks.draft_started:
        hook(session, response)


def sent(session: DbSession, response: Response) -> None:
    for hook in response_hooks.sent:
        hook(session, response)
