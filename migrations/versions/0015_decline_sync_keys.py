"""declines carried from field laptops: each decline gets a random key, so that a laptop's
batch carries it and a second import of it is recognised (issue 25)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("decline") as batch:
        batch.add_column(sa.Column("sync_key", sa.String(length=64), nullable=True))
    # Declines made before this (a laptop's included) get a key each, so that they travel too.
    decline = sa.table("decline", sa.column("id", sa.Integer), sa.column("sync_key", sa.String))
    connection = op.get_bind()
    for (row_id,) in connection.execute(sa.select(decline.c.id)).all():
        connection.execute(
            decline.update()
            .where(decline.c.id == row_id)
            .values(sync_key=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("decline") as batch:
        batch.create_index(batch.f("ix_decline_sync_key"), ["sync_key"], unique=True)


def downgrade():
    with op.batch_alter_table("decline") as batch:
        batch.drop_index(batch.f("ix_decline_sync_key"))
        batch.drop_column("sync_key")
