from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))  # optimus-expect: fk-without-index
    publisher_id: Mapped[int] = mapped_column(ForeignKey("publisher.id"), index=True)
    isbn_id = Column(Integer, ForeignKey("isbn.id"), unique=True)
    title = Column(String(200))


class Review(Base):
    __tablename__ = "review"
    __table_args__ = (
        Index("ix_review_book_created", "book_id", "created"),
        Index("ix_review_created_user", "created", "user_id"),
    )
    id = Column(Integer, primary_key=True)
    book_id = Column(ForeignKey("book.id"))
    user_id = Column(  # optimus-expect: fk-without-index
        Integer,
        ForeignKey("user.id"),
    )
    created = Column(Integer)


class Comment(Base):
    __tablename__ = "comment"
    id = Column(Integer, primary_key=True)
    book_id = Column(Integer, ForeignKey(Book.id))


Index("ix_comment_book_id", Comment.book_id)


class Profile(Base):
    __tablename__ = "profile"
    user_id = Column(Integer, ForeignKey("user.id"), primary_key=True)


book_tag = Table(
    "book_tag",
    metadata,
    Column("book_id", ForeignKey("book.id"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True),  # optimus-expect: fk-without-index
)

loan = Table(
    "loan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("book_id", ForeignKey("book.id")),
    Column("member_id", ForeignKey("member.id")),  # optimus-expect: fk-without-index
)

Index("ix_loan_book", loan.c.book_id)
