"""command counts by status and type, kept up by every change of status

``/metrics`` and the dashboard counted the whole commands table on every read. This
creates the counters and fills them from one last count.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('command_tallies',
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('status', 'type', 'slot')
    )
    op.execute("INSERT INTO command_tallies (status, type, slot, n)"
               " SELECT status, type, 0, count(*) FROM commands GROUP BY status, type")


def downgrade() -> None:
    op.drop_table('command_tallies')
