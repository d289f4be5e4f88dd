"""command counts by status and type, and each queue's running commands

``/metrics`` and the dashboard counted the whole commands table on every read: this
creates the counters and fills them from one last count. The claim asked the commands
whether a due queue's domain had one running, which a planner with old statistics
answered by walking every running command: each queue now counts its own. The partial
index of pending commands served the old claim only; the queues replace it.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _has_pending_index() -> bool:
    return op.get_bind().dialect.name in ("postgresql", "sqlite")  # where 0002 made it


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
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('running', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.execute("UPDATE aggregate_locks SET running = (SELECT count(*) FROM commands c"
               " WHERE c.aggregate_key = aggregate_locks.aggregate_key AND c.status = 'running')")
    if _has_pending_index():
        op.drop_index('ix_commands_pending', table_name='commands')


def downgrade() -> None:
    if _has_pending_index():
        pending = sa.text("status = 'pending'")
        op.create_index('ix_commands_pending', 'commands', ['id'], postgresql_where=pending, sqlite_where=pending)
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.drop_column('running')
    op.drop_table('command_tallies')
