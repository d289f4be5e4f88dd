"""the TLD catalogue, premium renewal prices and the margin audit's findings

Openprovider's TLDs with their reseller prices, periods, grace and quarantine, DNSSEC
facts and registry data (``tlds``), read by the catalogue refresh; the renewal price of
each premium domain held, so a change is told before its renewal invoice; and what the
margin audit last found (TLDs sold below cost, premium renewals that changed).

Revision ID: 0007
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    price = sa.Numeric(precision=12, scale=2)
    op.create_table('tlds',
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('create_price', price, nullable=True),
    sa.Column('renew_price', price, nullable=True),
    sa.Column('transfer_price', price, nullable=True),
    sa.Column('restore_price', price, nullable=True),
    sa.Column('soft_restore_price', price, nullable=True),
    sa.Column('trade_price', price, nullable=True),
    sa.Column('min_period', sa.Integer(), nullable=False),
    sa.Column('max_period', sa.Integer(), nullable=False),
    sa.Column('epp_required', sa.Boolean(), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('quarantine_days', sa.Integer(), nullable=False),
    sa.Column('dnssec', sa.JSON(), nullable=False),
    sa.Column('handles', sa.JSON(), nullable=False),
    sa.Column('registry_fields', sa.JSON(), nullable=False),
    sa.Column('changed_at', TIMESTAMP, nullable=False),
    sa.Column('refreshed_at', TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_index('ix_tlds_refreshed_at', 'tlds', ['refreshed_at'], unique=False)
    op.create_table('premium_renewals',
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('renew_price', price, nullable=False),
    sa.Column('previous_price', price, nullable=True),
    sa.Column('checked_at', TIMESTAMP, nullable=False),
    sa.Column('changed_at', TIMESTAMP, nullable=True),
    sa.PrimaryKeyConstraint('domain')
    )
    op.create_index('ix_premium_renewals_changed_at', 'premium_renewals', ['changed_at'], unique=False)
    op.create_table('margin_findings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('sell_price', price, nullable=True),
    sa.Column('cost_price', price, nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.Column('first_seen_at', TIMESTAMP, nullable=False),
    sa.Column('checked_at', TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_margin_findings_first_seen_at', 'margin_findings', ['first_seen_at'], unique=False)
    op.create_index('ux_margin_findings_subject', 'margin_findings', ['kind', 'subject', 'operation'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_margin_findings_subject', table_name='margin_findings')
    op.drop_index('ix_margin_findings_first_seen_at', table_name='margin_findings')
    op.drop_table('margin_findings')
    op.drop_index('ix_premium_renewals_changed_at', table_name='premium_renewals')
    op.drop_table('premium_renewals')
    op.drop_index('ix_tlds_refreshed_at', table_name='tlds')
    op.drop_table('tlds')
