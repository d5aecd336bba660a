"""the case tracker as social workers use it: a case's transfers to another prison, and the
reason given for each correction of a form

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_site_id", sa.Integer(), nullable=False),
        sa.Column("to_site_id", sa.Integer(), nullable=False),
        sa.Column("transferred_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "from_site_id <> to_site_id", name=op.f("ck_case_transfers_other_site")
        ),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"], name=op.f("fk_case_transfers_by_id_user")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_transfers_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_site_id"], ["site.id"], name=op.f("fk_case_transfers_from_site_id_site")
        ),
        sa.ForeignKeyConstraint(
            ["to_site_id"], ["site.id"], name=op.f("fk_case_transfers_to_site_id_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfers")),
    )
    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_transfers_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("case_form_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("case_form_revisions", schema=None) as batch_op:
        batch_op.drop_column("reason")
    with op.batch_alter_table("case_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_transfers_case_id"))
    op.drop_table("case_transfers")
