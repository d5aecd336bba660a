"""the case tracker: cases, their forms, the forms' revisions and corrections in progress

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_on IS NOT NULL)", name=op.f("ck_cases_closed_on")
        ),
        sa.CheckConstraint(
            "status = 'new' OR opened_on IS NOT NULL", name=op.f("ck_cases_opened_on")
        ),
        sa.CheckConstraint("status IN ('new', 'open', 'closed')", name=op.f("ck_cases_status")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_cases_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_cases_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_cases_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cases_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_site_id"), ["site_id"], unique=False)
        batch_op.create_index(
            "uq_cases_participant_live",
            ["participant_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('new', 'open')"),
            postgresql_where=sa.text("status IN ('new', 'open')"),
        )

    op.create_table(
        "case_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("form_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status = 'submitted') = (revision >= 1)", name=op.f("ck_case_forms_revision")
        ),
        sa.CheckConstraint(
            "kind IN ('referral', 'update', 'closure', 'reopening')",
            name=op.f("ck_case_forms_kind"),
        ),
        sa.CheckConstraint(
            "status = 'draft' OR (form_date IS NOT NULL AND submitted_at IS NOT NULL)",
            name=op.f("ck_case_forms_submitted"),
        ),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_case_forms_status")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_forms_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_case_forms_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["instrument_version.id"],
            name=op.f("fk_case_forms_instrument_version_id_instrument_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_forms")),
    )
    with op.batch_alter_table("case_forms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_forms_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "uq_case_forms_draft",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.create_index(
            "uq_case_forms_referral",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("kind = 'referral'"),
            postgresql_where=sa.text("kind = 'referral'"),
        )

    op.create_table(
        "case_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["case_forms.id"],
            name=op.f("fk_case_corrections_form_id_case_forms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_case_corrections_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_corrections")),
        sa.UniqueConstraint("form_id", "user_id", name="uq_case_corrections_form_user"),
    )
    op.create_table(
        "case_form_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("form_date", sa.Date(), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_case_form_revisions_revision")),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["user.id"], name=op.f("fk_case_form_revisions_changed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["case_forms.id"],
            name=op.f("fk_case_form_revisions_form_id_case_forms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_form_revisions")),
        sa.UniqueConstraint("form_id", "revision", name="uq_case_form_revisions_form_revision"),
    )


def downgrade():
    op.drop_table("case_form_revisions")
    op.drop_table("case_corrections")
    with op.batch_alter_table("case_forms", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_case_forms_referral",
            sqlite_where=sa.text("kind = 'referral'"),
            postgresql_where=sa.text("kind = 'referral'"),
        )
        batch_op.drop_index(
            "uq_case_forms_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(batch_op.f("ix_case_forms_case_id"))

    op.drop_table("case_forms")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_cases_participant_live",
            sqlite_where=sa.text("status IN ('new', 'open')"),
            postgresql_where=sa.text("status IN ('new', 'open')"),
        )
        batch_op.drop_index(batch_op.f("ix_cases_site_id"))
        batch_op.drop_index(batch_op.f("ix_cases_participant_id"))

    op.drop_table("cases")
