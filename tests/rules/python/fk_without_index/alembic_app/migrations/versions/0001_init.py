"""init

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "book",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("shelf_id", sa.Integer(), sa.ForeignKey("shelf.id"), index=True),
        sa.ForeignKeyConstraint(["author_id"], ["author.id"]),  # unindexed (read, not reported)
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("book_id", sa.Integer(), sa.ForeignKey("book.id")),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id")),
    )
    op.create_index(op.f("ix_review_book_id"), "review", ["book_id"], unique=False)
    op.execute("CREATE INDEX ix_review_user ON review (user_id, id)")


def downgrade() -> None:
    op.drop_index(op.f("ix_review_book_id"), table_name="review")
    op.drop_table("review")
    op.drop_table("book")
