"""audience and channel kept to their enums' values by CHECK constraints, like role

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

The columns stay VARCHAR with the same strings in them (survey_app/kinds.py, stored through
models.types.enum_type): only the constraints are new. user.role has had its CHECK
(ck_user_role) since 0001, with the same values as the Role enum, so it is only verified here.

"""

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The values as of this revision, written out: a later change to an enum is a migration of its
# own, and this one must keep doing what it did.
ROLES = ("admin", "researcher", "fieldworker", "caseworker")
AUDIENCES = ("mother", "prison_staff", "practitioner", "caseworker")
CHANNELS = ("kiosk", "link")

# (table, column, values, constraint to add, or None when it is there already)
KINDS = (
    ("user", "role", ROLES, None),
    ("instrument_version", "audience", AUDIENCES, "ck_instrument_version_audience"),
    ("response", "channel", CHANNELS, "ck_response_channel"),
)


def _allowed(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _verify():
    """Refuse to go on, changing nothing, while any row holds a value outside its enum: a
    constraint added over such a row would fail with the database's own words, or (were the
    row dropped to let it pass) lose data."""
    bind = op.get_bind()
    problems = []
    for table, column, values, _name in KINDS:
        col = sa.column(column)
        rows = bind.execute(
            sa.select(col, sa.func.count())
            .select_from(sa.table(table, col))
            .where(col.not_in(values))
            .group_by(col)
            .order_by(col)
        ).all()
        problems += [
            f"{table}.{column} holds {value!r} in {count} row{'s' * (count != 1)}"
            f" (allowed: {', '.join(values)})"
            for value, count in rows
        ]
    if problems:
        raise CommandError(
            "0008 changed nothing: "
            + "; ".join(problems)
            + ". Correct those rows, then upgrade again."
        )


def upgrade():
    _verify()
    for table, column, values, name in KINDS:
        if name is None:
            continue
        # Batch mode: SQLite adds a constraint by copying the table (its other constraints
        # and indexes are reflected and kept); PostgreSQL alters it in place.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(name), _allowed(column, values))


def downgrade():
    for table, _column, _values, name in reversed(KINDS):
        if name is None:
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_="check")
