"""the mirror keeps each domain's nameservers and lock

The registrar module's domain pages (GetDomainInformation) read them live at Openprovider
on every view; with them in the mirror, a page costs no call while the mirror is current.

Revision ID: 0005
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('domains') as batch:
        batch.add_column(sa.Column('op_nameservers', sa.Text(), nullable=True))
        batch.add_column(sa.Column('op_locked', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('domains') as batch:
        batch.drop_column('op_locked')
        batch.drop_column('op_nameservers')
