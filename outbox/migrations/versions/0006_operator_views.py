"""what the operator's dashboard shows beside the queue: workers, circuits, refused events

Workers write a heartbeat row, an open circuit is kept where every worker and the
dashboard can read it (and an operator can close it), and the listener keeps the
reason of each refused request. New tables only: nothing to fill, whatever the size.

Revision ID: 0006
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0006'
down_revision = '0009'
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')
Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('workers',
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('threads', sa.Integer(), nullable=False),
    sa.Column('started_at', Timestamp, nullable=False),
    sa.Column('heartbeat_at', Timestamp, nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_index('ix_workers_heartbeat_at', 'workers', ['heartbeat_at'], unique=False)
    op.create_table('circuits',
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('open_until', Timestamp, nullable=True),
    sa.Column('opened_at', Timestamp, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('credentials', sa.String(length=64), nullable=True),
    sa.Column('closed_at', Timestamp, nullable=True),
    sa.Column('closed_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('service')
    )
    op.create_table('refused_events',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('received_at', Timestamp, nullable=False),
    sa.Column('webhook_id', sa.String(length=128), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_refused_events_received_at', 'refused_events', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_refused_events_received_at', table_name='refused_events')
    op.drop_table('refused_events')
    op.drop_table('circuits')
    op.drop_index('ix_workers_heartbeat_at', table_name='workers')
    op.drop_table('workers')
