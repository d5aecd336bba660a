"""the due lists' partial index (PostgreSQL only): each participant's complete, live response
at a wave with its completion date, read without the wide rows that hold the answers

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08

"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The due lists and the dashboard's due counts outer-join the complete, live response at each
# wave for every participant. On PostgreSQL this index answers those joins by an index-only scan
# (INCLUDE needs PostgreSQL 11) instead of reading the response table, whose rows carry the
# answers. SQLite has no INCLUDE, and its planner already walks the unique partial index
# uq_response_participant_wave_live for these joins: nothing to do there.
NAME = "ix_response_complete_live"


def upgrade():
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX {NAME} ON response (wave_id, participant_id) INCLUDE (completed_on)"
        " WHERE status = 'complete' AND voided_at IS NULL"
    )


def downgrade():
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX {NAME}")
