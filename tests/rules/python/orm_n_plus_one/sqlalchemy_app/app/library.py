from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    WriteOnlyMapped,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(back_populates="author")
    awards: Mapped[list["Award"]] = relationship(lazy="selectin")
    letters: WriteOnlyMapped["Letter"] = relationship()


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship(back_populates="books")
    publisher = relationship("Publisher", backref="catalogue")
    editor = relationship("Editor", lazy="raise")


class Award(Base):
    __tablename__ = "award"
    id: Mapped[int] = mapped_column(primary_key=True)


def titles_with_authors(session: Session) -> list[str]:
    out = []
    for book in session.scalars(select(Book).where(Book.id > 0)):
        out.append(f"{book.title} by {book.author.name}")  # optimus-expect: orm-n-plus-one
        out.append(book.author.name)  # second read of the same relation: one finding
        out.append(str(book.author_id))  # a column, not a relation
    return out


def loaded(session: Session) -> list[str]:
    stmt = select(Book).options(joinedload(Book.author))
    return [b.author.name for b in session.scalars(stmt)]


def loaded_chain(session: Session) -> list[str]:
    books = session.execute(
        select(Book).options(selectinload(Book.author).selectinload(Author.books))
    ).scalars().all()
    return [b.author.name for b in books]


def rows_not_models(session: Session) -> list[str]:
    return [row.author for row in session.execute(select(Book))]


def author_pages(session: Session) -> None:
    authors = session.query(Author).order_by(Author.name).all()
    for i, author in enumerate(authors):
        print(i, author.name, len(author.books))  # optimus-expect: orm-n-plus-one
        print(author.awards, author.letters)  # selectin and write-only: no extra query per row


def publishers(session: Session) -> set[str]:
    return {b.publisher.name for b in session.scalars(select(Book)).all()}  # optimus-expect: orm-n-plus-one


def catalogues(session: Session):
    for publisher in session.scalars(select(Publisher)):
        yield publisher.catalogue  # optimus-expect: orm-n-plus-one


def raising(session: Session) -> list[str]:
    return [b.editor.name for b in session.scalars(select(Book))]


def unknown_options(session: Session, opts) -> list[str]:
    return [b.author.name for b in session.scalars(select(Book).options(*opts))]


async def async_titles(session: AsyncSession) -> list[str]:
    result = await session.scalars(select(Book))
    return [b.author.name for b in result]


def rebound(session: Session, eager: bool) -> list[str]:
    stmt = select(Book)
    if eager:
        stmt = stmt.options(selectinload(Book.author))
    return [b.author.name for b in session.scalars(stmt)]


class Publisher(Base):
    __tablename__ = "publisher"
    id: Mapped[int] = mapped_column(primary_key=True)
