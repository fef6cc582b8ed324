"""add editor

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("book", sa.Column("editor_id", sa.Integer(), nullable=True))
    op.create_foreign_key(  # unindexed (read, not reported)
        "fk_book_editor", "book", "editor", ["editor_id"], ["id"]
    )
    # publisher_id was created (and indexed) by an earlier migration
    op.create_foreign_key("fk_book_publisher", "book", "publisher", ["publisher_id"], ["id"])
    with op.batch_alter_table("chapter") as batch_op:
        batch_op.add_column(sa.Column("book_id", sa.Integer(), sa.ForeignKey("book.id")))  # unindexed (read, not reported)
        batch_op.add_column(sa.Column("volume_id", sa.Integer(), sa.ForeignKey("volume.id")))
        batch_op.create_index("ix_chapter_volume_id", ["volume_id"])


def downgrade() -> None:
    op.drop_constraint("fk_book_editor", "book", type_="foreignkey")
    op.drop_column("book", "editor_id")
    op.add_column("book", sa.Column("old_id", sa.Integer(), sa.ForeignKey("old.id")))


def upgrade_messages() -> None:
    """Not named upgrade: ignored (only upgrade() runs forward)."""
    op.create_table("ignored", sa.Column("x_id", sa.Integer(), sa.ForeignKey("x.id")))
