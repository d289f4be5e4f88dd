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

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')

# Every domain with commands has its row already (enqueue upserts it); this covers rows
# written by hand. Then each row's open commands and, when none of them runs, the time
# its oldest pending command is due: one index seek per domain on ix_commands_aggregate.
MISSING_QUEUES = """
INSERT INTO aggregate_locks (aggregate_key, enqueued, unfinished, version)
SELECT DISTINCT c.aggregate_key, 0, 0, 0 FROM commands c
WHERE NOT EXISTS (SELECT 1 FROM aggregate_locks q WHERE q.aggregate_key = c.aggregate_key)
"""
FILL_QUEUES = """
UPDATE aggregate_locks SET
    unfinished = (SELECT count(*) FROM commands c
                  WHERE c.aggregate_key = aggregate_locks.aggregate_key AND c.status IN ('pending', 'running')),
    ready_at = CASE WHEN EXISTS (SELECT 1 FROM commands r
                                 WHERE r.aggregate_key = aggregate_locks.aggregate_key AND r.status = 'running')
               THEN NULL
               ELSE (SELECT p.next_attempt_at FROM commands p
                     WHERE p.aggregate_key = aggregate_locks.aggregate_key AND p.status = 'pending'
                     ORDER BY p.id LIMIT 1)
               END
"""


def upgrade() -> None:
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unfinished', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('ready_at', Timestamp, nullable=True))
        batch_op.add_column(sa.Column('version', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
    op.execute(MISSING_QUEUES)
    op.execute(FILL_QUEUES)
    op.create_index('ix_aggregate_locks_ready_at', 'aggregate_locks', ['ready_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_aggregate_locks_ready_at', table_name='aggregate_locks')
    with op.batch_alter_table('aggregate_locks', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('ready_at')
        batch_op.drop_column('unfinished')
