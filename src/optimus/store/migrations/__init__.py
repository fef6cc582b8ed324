"""Alembic migrations of the history database, shipped inside the package.

``optimus.store.db.Database.upgrade()`` runs them with a programmatic configuration; no
alembic.ini is needed. One file per revision in ``versions/``.
"""
