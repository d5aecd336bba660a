"""``flask --app survey_app demo load``: the demo study, into an empty database only."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from ..study import current_study
from .loading import DEFAULT_SEED, DemoRefused, load_demo

demo = AppGroup("demo", help="A synthetic study to try the app with (never with real data).")


@demo.command("load")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="The same seed gives the same study.")  # fmt: skip
def demo_load(seed: int) -> None:
    """Fill an empty database with the demo study; every page then says it is made up."""
    try:
        loaded = load_demo(db.session, current_study(), seed=seed)
    except DemoRefused as exc:
        db.session.rollback()
        click.echo(f"Refused: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Demo study loaded (seed {seed}):")
    for line in loaded.lines():
        click.echo(f"  {line}")
    click.echo("Every page now says that the data is made up. Open the Report page to see it.")
