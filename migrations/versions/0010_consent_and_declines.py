"""consent kept: a researcher's record that a mother who declined recontact asked to take part
again; declines counted (site, wave or link, date; no answers)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participant") as batch:
        batch.add_column(sa.Column("recontact_restored_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("recontact_restored_reason", sa.Text(), nullable=True))
    op.create_table(
        "decline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("declined_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "(channel = 'kiosk' AND site_id IS NOT NULL AND wave_id IS NOT NULL"
            " AND link_id IS NULL)"
            " OR (channel = 'link' AND link_id IS NOT NULL AND participant_id IS NULL)",
            name=op.f("ck_decline_channel_owner"),
        ),
        sa.CheckConstraint(
            "channel IN ('kiosk', 'link')", name=op.f("ck_decline_channel")
        ),
        sa.ForeignKeyConstraint(["link_id"], ["link.id"], name=op.f("fk_decline_link_id_link")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_decline_participant_id_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_decline_site_id_site")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name=op.f("fk_decline_wave_id_wave")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decline")),
    )
    with op.batch_alter_table("decline") as batch:
        batch.create_index(batch.f("ix_decline_link_id"), ["link_id"], unique=False)
        batch.create_index(batch.f("ix_decline_participant_id"), ["participant_id"], unique=False)
        batch.create_index(batch.f("ix_decline_site_id"), ["site_id"], unique=False)


def downgrade():
    op.drop_table("decline")
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("recontact_restored_reason")
        batch.drop_column("recontact_restored_at")
