"""The database (SQLAlchemy 2 models, Alembic migrations, repository functions), the blob store and the audit log.

Callers open a session with `store.db.session_scope(engine)` and pass it to the repository modules
(`store.documents`, `store.quotes`, `store.review`, ...); nothing outside `store/` writes SQL.
"""
