"""demo study: one row when `flask demo load` filled this database with synthetic data, read
by every page's banner

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "demo_study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_study")),
    )


def downgrade():
    op.drop_table("demo_study")
