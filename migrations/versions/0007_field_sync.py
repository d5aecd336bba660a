"""field laptops: laptop identity, sealed responses, draft clocks, batches, duplicates

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "field_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("laptop_id", sa.String(length=36), nullable=False),
        sa.Column("study_id", sa.String(length=36), nullable=False),
        sa.Column("site_code", sa.String(length=40), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("bundle_created", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_field_instance_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_instance")),
    )
    op.create_table(
        "field_draft",
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("submission_key", name=op.f("pk_field_draft")),
    )
    op.create_table(
        "sealed_response",
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("pseudonym", sa.String(length=20), nullable=False),
        sa.Column("wave_code", sa.String(length=20), nullable=False),
        sa.Column("instrument_key", sa.String(length=80), nullable=False),
        sa.Column("instrument_version", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("submission_key", name=op.f("pk_sealed_response")),
    )
    op.create_table(
        "field_export",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_field_export")),
    )
    op.create_table(
        "field_batch",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("laptop_id", sa.String(length=36), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("counts", JSONType, nullable=False),
        sa.Column("receipt", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_field_batch")),
    )
    op.create_table(
        "response_conflict",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("answers", JSONType, nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("flags", JSONType, nullable=False),
        sa.Column("laptop_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["instrument_version.id"],
            name=op.f("fk_response_conflict_instrument_version_id_instrument_version"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_response_conflict_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_response_conflict_wave_id_wave")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_conflict")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_response_conflict_submission_key")),
    )
    with op.batch_alter_table("response_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_conflict_participant_id"), ["participant_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("response_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_conflict_participant_id"))
    for table in (
        "response_conflict",
        "field_batch",
        "field_export",
        "sealed_response",
        "field_draft",
        "field_instance",
    ):
        op.drop_table(table)
