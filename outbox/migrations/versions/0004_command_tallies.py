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

from outbox.migrations.batches import id_slices, key_range, key_slices, update_from

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


TALLY_SLICE = """
INSERT INTO command_tallies (status, type, slot, n)
SELECT status, type, :slot, count(*) FROM commands WHERE id >= :start AND id < :end GROUP BY status, type
"""
RUNNING_OF_SLICE = """
SELECT c.aggregate_key AS aggregate_key, count(*) AS running FROM commands c
WHERE c.status = 'running' AND {keys} GROUP BY c.aggregate_key
"""


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
    bind = op.get_bind()
    # A slice of ids a statement, each counted into a slot of its own: readers sum the
    # slots, so the counts add up without an upsert.
    for slot, start, end in id_slices(bind, "commands"):
        bind.execute(sa.text(TALLY_SLICE), {"slot": slot, "start": start, "end": end})
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('running', sa.Integer(), server_default=sa.text('0'), nullable=False))
    for bounds in key_slices(bind):
        source = RUNNING_OF_SLICE.format(keys=key_range("c.aggregate_key", bounds))
        bind.execute(sa.text(update_from(bind, "aggregate_locks", "r", source, "running = r.running",
                                         "aggregate_locks.aggregate_key = r.aggregate_key")), bounds)
    if _has_pending_index():
        op.drop_index('ix_commands_pending', table_name='commands')


def downgrade() -> None:
    if _has_pending_index():
        pending = sa.text("status = 'pending'")
        op.create_index('ix_commands_pending', 'commands', ['id'], postgresql_where=pending, sqlite_where=pending)
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.drop_column('running')
    op.drop_table('command_tallies')
