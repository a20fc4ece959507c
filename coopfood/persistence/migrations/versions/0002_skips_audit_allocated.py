"""skips, audit trail, allocated quantities, coop version

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_entity'), ['entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_member_id'), ['member_id'], unique=False)

    op.create_table('contract_skip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('postponed_to_cycle_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_contract_skip_contract_id_contract')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_contract_skip_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_contract_skip_member_id_member')),
    sa.ForeignKeyConstraint(['postponed_to_cycle_id'], ['cycle.id'], name=op.f('fk_contract_skip_postponed_to_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_skip')),
    sa.UniqueConstraint('contract_id', 'member_id', 'cycle_id', name=op.f('uq_contract_skip_contract_id_member_id_cycle_id'))
    )
    with op.batch_alter_table('contract_skip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_skip_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_skip_cycle_id'), ['cycle_id'], unique=False)

    with op.batch_alter_table('coop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quantity_allocated', sa.BigInteger(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('quantity_allocated')

    with op.batch_alter_table('coop', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('contract_skip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_skip_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_contract_skip_contract_id'))

    op.drop_table('contract_skip')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_member_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_entity_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_entity'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))

    op.drop_table('audit_entry')
