"""drift reports and their findings, transfer-in batches and items, and shared rate slots

Revision ID: 0009
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0009'
down_revision = '0005'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table('drift_reports',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('started_at', Timestamp, nullable=False),
    sa.Column('finished_at', Timestamp, nullable=True),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('whmcs_domains', sa.Integer(), nullable=False),
    sa.Column('account_domains', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.Column('mailed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_drift_reports_started_at', 'drift_reports', ['started_at'], unique=False)
    op.create_table('drift_findings',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('report_id', Id, nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('whmcs_value', sa.String(length=255), nullable=True),
    sa.Column('op_value', sa.String(length=255), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('whmcs_domain_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['drift_reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_drift_findings_report', 'drift_findings', ['report_id', 'kind'], unique=False)
    op.create_table('transfer_batches',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('domains', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('transfer_items',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('batch_id', Id, nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('nameservers', sa.String(length=16), nullable=False),
    sa.Column('command_id', Id, nullable=False),
    sa.Column('whmcs_command_id', Id, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['transfer_batches.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_transfer_items_batch_id', 'transfer_items', ['batch_id'], unique=False)
    op.create_index('ix_transfer_items_domain', 'transfer_items', ['domain'], unique=False)
    op.create_table('rate_slots',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('next_at', Timestamp, nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; MariaDB refuses to drop one a foreign key needs.
    for table in ('rate_slots', 'transfer_items', 'transfer_batches', 'drift_findings', 'drift_reports'):
        op.drop_table(table)
