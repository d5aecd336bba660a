"""two factors without a phone: security keys and platform authenticators (WebAuthn)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "security_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(length=1024), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=2048), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_security_keys_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_keys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_security_keys_credential_id")),
    )
    with op.batch_alter_table("security_keys") as batch:
        batch.create_index(batch.f("ix_security_keys_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("key_challenge_at", sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("key_challenge_at")
    with op.batch_alter_table("security_keys") as batch:
        batch.drop_index(batch.f("ix_security_keys_user_id"))
    op.drop_table("security_keys")
