"""Field laptops: a bundle from the server, answers sealed with the study's public key at
the moment of sending, batches carried back and merged once (issue 16)."""


def register_hooks() -> None:
    """A laptop's drafts get a clock and its sent responses are sealed: the response services
    call these through survey_app/services/hooks.py (on the server they do nothing)."""
    from ..services.hooks import response_hooks
    from . import sending

    response_hooks.add(draft_started=sending.note_draft_started, sent=sending.seal_if_field)
