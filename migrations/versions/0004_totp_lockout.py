"""two-step login lockout: wrong codes in a row, and the lock's end

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("totp_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("totp_locked_until", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("totp_locked_until")
        batch_op.drop_column("totp_failures")
