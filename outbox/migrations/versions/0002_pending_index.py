"""a partial index of pending commands for the claim

Without it PostgreSQL may walk the primary key past every finished command to reach the
pending ones, and a long drain slows down as it goes.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def _has_partial_indexes() -> bool:
    return op.get_bind().dialect.name in ("postgresql", "sqlite")


def upgrade() -> None:
    if _has_partial_indexes():
        op.create_index('ix_commands_pending', 'commands', ['id'], postgresql_where=PENDING, sqlite_where=PENDING)


def downgrade() -> None:
    if _has_partial_indexes():
        op.drop_index('ix_commands_pending', table_name='commands')
