"""coding open answers into themes: codebook, questions, codings and their marks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

LIVE_THEME = "merged_into_id IS NULL"


def upgrade():
    op.create_table(
        "coding_key_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("definition", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_key_themes")),
        sa.UniqueConstraint("name", name=op.f("uq_coding_key_themes_name")),
    )
    op.create_table(
        "coding_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_theme_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("definition", sa.String(length=500), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id",
            name=op.f("ck_coding_themes_merged_elsewhere"),
        ),
        sa.ForeignKeyConstraint(
            ["key_theme_id"],
            ["coding_key_themes.id"],
            name=op.f("fk_coding_themes_key_theme_id_coding_key_themes"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["coding_themes.id"],
            name=op.f("fk_coding_themes_merged_into_id_coding_themes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_themes")),
    )
    with op.batch_alter_table("coding_themes") as batch:
        batch.create_index(batch.f("ix_coding_themes_key_theme_id"), ["key_theme_id"])
        batch.create_index(
            "uq_coding_themes_live_name",
            ["name"],
            unique=True,
            sqlite_where=sa.text(LIVE_THEME),
            postgresql_where=sa.text(LIVE_THEME),
        )
    op.create_table(
        "coding_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=80), nullable=False),
        sa.Column("variable", sa.String(length=80), nullable=False),
        sa.Column("coder_a_id", sa.Integer(), nullable=True),
        sa.Column("coder_b_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(coder_a_id IS NULL) = (coder_b_id IS NULL)",
            name=op.f("ck_coding_questions_both_coders"),
        ),
        sa.CheckConstraint(
            "coder_a_id IS NULL OR coder_a_id <> coder_b_id",
            name=op.f("ck_coding_questions_two_coders"),
        ),
        sa.ForeignKeyConstraint(
            ["coder_a_id"], ["user.id"], name=op.f("fk_coding_questions_coder_a_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["coder_b_id"], ["user.id"], name=op.f("fk_coding_questions_coder_b_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_questions")),
        sa.UniqueConstraint("instrument_key", "variable", name="uq_coding_questions_item"),
    )
    op.create_table(
        "coding_codings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answer_ref", sa.String(length=40), nullable=False),
        sa.Column("slot", sa.String(length=10), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("coded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "slot IN ('main', 'a', 'b', 'settled')", name=op.f("ck_coding_codings_slot")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["coding_questions.id"],
            name=op.f("fk_coding_codings_question_id_coding_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["user.id"], name=op.f("fk_coding_codings_coder_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_codings")),
        sa.UniqueConstraint(
            "question_id", "answer_ref", "slot", name="uq_coding_codings_answer_slot"
        ),
    )
    with op.batch_alter_table("coding_codings") as batch:
        batch.create_index(batch.f("ix_coding_codings_question_id"), ["question_id"])
    op.create_table(
        "coding_marks",
        sa.Column("coding_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["coding_id"],
            ["coding_codings.id"],
            name=op.f("fk_coding_marks_coding_id_coding_codings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["coding_themes.id"], name=op.f("fk_coding_marks_theme_id_coding_themes")
        ),
        sa.PrimaryKeyConstraint("coding_id", "theme_id", name=op.f("pk_coding_marks")),
    )


def downgrade():
    op.drop_table("coding_marks")
    with op.batch_alter_table("coding_codings") as batch:
        batch.drop_index(batch.f("ix_coding_codings_question_id"))
    op.drop_table("coding_codings")
    op.drop_table("coding_questions")
    with op.batch_alter_table("coding_themes") as batch:
        batch.drop_index(
            "uq_coding_themes_live_name",
            sqlite_where=sa.text(LIVE_THEME),
            postgresql_where=sa.text(LIVE_THEME),
        )
        batch.drop_index(batch.f("ix_coding_themes_key_theme_id"))
    op.drop_table("coding_themes")
    op.drop_table("coding_key_themes")
