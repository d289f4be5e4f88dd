"""each domain's queue says when its head may run, so a claim reads only due queues

The claim used to test every pending command against its domain's older and running
work, so its cost grew with the backlog behind running or backed-off heads. The claim
now range-scans ``aggregate_locks.ready_at``. This fills the new columns from the
commands of a live database.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from outbox.migrations.batches import id_slices, key_range, key_slices, update_from

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')

# Every domain with commands has its row already (enqueue upserts it); this covers rows
# written by hand, a slice of command ids at a time. Then, a slice of keys at a time, each
# row's open commands and, when none of them runs, the time its oldest pending command is
# due: one grouped read of the slice's open commands (ix_commands_aggregate), joined to the
# heads by primary key. Both are set-wise; see outbox.migrations.batches.
MISSING_QUEUES = """
INSERT INTO aggregate_locks (aggregate_key, enqueued, unfinished, version)
SELECT DISTINCT c.aggregate_key, 0, 0, 0 FROM commands c
WHERE c.id >= :start AND c.id < :end
  AND NOT EXISTS (SELECT 1 FROM aggregate_locks q WHERE q.aggregate_key = c.aggregate_key)
"""
QUEUES_OF_SLICE = """
SELECT o.aggregate_key AS aggregate_key, o.unfinished AS unfinished,
       CASE WHEN o.running > 0 THEN NULL ELSE h.next_attempt_at END AS ready_at
FROM (SELECT c.aggregate_key AS aggregate_key, count(*) AS unfinished,
             sum(CASE WHEN c.status = 'running' THEN 1 ELSE 0 END) AS running,
             min(CASE WHEN c.status = 'pending' THEN c.id END) AS head
      FROM commands c WHERE c.status IN ('pending', 'running') AND {keys}
      GROUP BY c.aggregate_key) o
LEFT JOIN commands h ON h.id = o.head
"""


def fill_queues(bind) -> None:  # noqa: ANN001
    for _, start, end in id_slices(bind, "commands"):
        bind.execute(sa.text(MISSING_QUEUES), {"start": start, "end": end})
    for bounds in key_slices(bind):
        source = QUEUES_OF_SLICE.format(keys=key_range("c.aggregate_key", bounds))
        bind.execute(sa.text(update_from(bind, "aggregate_locks", "f", source,
                                         "unfinished = f.unfinished, ready_at = f.ready_at",
                                         "aggregate_locks.aggregate_key = f.aggregate_key")), bounds)


def upgrade() -> None:
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unfinished', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('ready_at', Timestamp, nullable=True))
        batch_op.add_column(sa.Column('version', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
    fill_queues(op.get_bind())
    op.create_index('ix_aggregate_locks_ready_at', 'aggregate_locks', ['ready_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_aggregate_locks_ready_at', table_name='aggregate_locks')
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('ready_at')
        batch_op.drop_column('unfinished')
