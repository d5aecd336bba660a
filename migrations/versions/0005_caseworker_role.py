"""the caseworker role and the sites granted to each caseworker

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_user_role"),
            "role IN ('admin', 'researcher', 'fieldworker', 'caseworker')",
        )
    op.create_table(
        "user_sites",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_user_sites_site_id_site")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_sites_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "site_id", name=op.f("pk_user_sites")),
    )


def downgrade():
    op.drop_table("user_sites")
    # The old schema has no caseworker: such accounts are kept (audit events point at them)
    # but shut, under a role that the old check allows.
    op.execute(
        "UPDATE \"user\" SET role = 'fieldworker', active = false WHERE role = 'caseworker'"
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_user_role"), "role IN ('admin', 'researcher', 'fieldworker')"
        )
