"""Alembic environment, run through Flask-Migrate (``flask db upgrade``)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url",
    db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # An autogenerate run with no changes writes no empty revision file.
        if getattr(config.cmd_opts, "autogenerate", False):
            if directives[0].upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(connection=connection, target_metadata=db.metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                _sqlite_check_foreign_keys(connection)
        finally:
            if sqlite:
                connection.rollback()
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection, on):
    """Batch mode changes a SQLite table by copying it and dropping the old one. With foreign
    keys enforced, that drop deletes (ON DELETE CASCADE) or refuses (any other key) for every
    row pointing at the table, so enforcement is off while migrations run (SQLite's own
    procedure for altering a table), and checked afterwards. The pragma is ignored inside a
    transaction, hence the check that it took."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    took = connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == int(on)
    connection.commit()  # ends the autobegun transaction: Alembic begins its own per migration
    if not took:
        raise RuntimeError(f"could not turn SQLite's foreign keys {'on' if on else 'off'}")


def _sqlite_check_foreign_keys(connection):
    """Said, not raised: the migrations are committed by now, and a row left pointing nowhere
    (which only a database written with foreign keys off could hold) is for a person to mend."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, rowid, parent, _fk = broken[0]
        logger.warning(
            "%d row(s) point at rows that do not exist (first: %s row %s -> %s); "
            "PRAGMA foreign_key_check lists them",
            len(broken),
            table,
            rowid,
            parent,
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
