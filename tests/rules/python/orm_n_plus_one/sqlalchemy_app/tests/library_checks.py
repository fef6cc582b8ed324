from sqlalchemy import select
from sqlalchemy.orm import relationship


class Thing:
    parent = relationship("Parent")


def test_loop(session):
    for t in session.scalars(select(Thing)):
        assert t.parent
