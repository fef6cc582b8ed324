"""findings (project_id, id): one project's findings page in id order straight from an index.

Without it the page read every finding of the project through the (project_id, state,
severity) index and sorted them; with it the database reads the page's rows in order and
stops at the limit, for both ``sort=id`` and ``sort=-id`` and for cursors.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_findings_project_id_id", "findings", ["project_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_findings_project_id_id", table_name="findings")
