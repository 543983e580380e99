"""Alembic environment: the connection comes from the app (``survey db upgrade``)."""

from alembic import context

import survey.admin.models  # noqa: F401  (registers the tables)
import survey.core.audit  # noqa: F401
import survey.distribution.models  # noqa: F401
import survey.respond.models  # noqa: F401
from survey.core.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
