"""Data migration: runs once, so per-row queries are acceptable."""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    pass


class CookBook(Base):
    __tablename__ = "cookbook"
    id = sa.Column(sa.Integer, primary_key=True)
    tags = orm.relationship("Tag")


def upgrade() -> None:
    session = orm.Session(bind=op.get_bind())
    for cookbook in session.query(CookBook).all():
        print(cookbook.tags)
