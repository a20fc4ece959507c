"""fortnight weeks, audit point

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('point_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entry_point_id'), ['point_id'], unique=False)

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fortnight_offset', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint('fortnight_offset_0_or_1', 'fortnight_offset IN (0, 1)')


def downgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint('ck_contract_fortnight_offset_0_or_1', type_='check')
        batch_op.drop_column('fortnight_offset')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_point_id'))
        batch_op.drop_column('point_id')

