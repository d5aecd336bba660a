"""field laptops enrolled with signing keys, bundles pinned, batches known by laptop too

Laptops are enrolled on the server with their signing keys; a laptop pins the study's signing
key at init and keeps its own; batches are known by laptop and batch id together.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

A laptop set up before this revision has no signing key: it is set up again with
`field init` (after sending what it holds), as a new study key would need.

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "field_laptop",
        sa.Column("laptop_id", sa.String(length=36), nullable=False),
        sa.Column("verify_key", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=40), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("laptop_id", name=op.f("pk_field_laptop")),
    )
    with op.batch_alter_table("field_instance") as batch:
        batch.add_column(sa.Column("server_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("signing_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("field_batch") as batch:
        batch.drop_constraint("pk_field_batch", type_="primary")
        batch.create_primary_key("pk_field_batch", ["laptop_id", "batch_id"])


def downgrade():
    with op.batch_alter_table("field_batch") as batch:
        batch.drop_constraint("pk_field_batch", type_="primary")
        batch.create_primary_key("pk_field_batch", ["batch_id"])
    with op.batch_alter_table("field_instance") as batch:
        batch.drop_column("signing_key")
        batch.drop_column("server_key")
    op.drop_table("field_laptop")
