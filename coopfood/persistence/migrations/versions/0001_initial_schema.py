"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('coop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_form', sa.String(length=60), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('siren', sa.String(length=9), nullable=True),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('rna', sa.String(length=10), nullable=True),
    sa.Column('vat_number', sa.String(length=20), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('logo_png', sa.LargeBinary(), nullable=True),
    sa.Column('fee_percent', sa.BigInteger(), nullable=False),
    sa.Column('legal_texts', sa.JSON(), nullable=False),
    sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coop'))
    )
    op.create_table('cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('distribution_date', sa.Date(), nullable=False),
    sa.Column('order_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'distributed', 'invoiced', name='cycle_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('shortfall_rule', sa.Enum('pro_rata', 'order_of_arrival', 'none', name='shortfall_rule', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle'))
    )
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_distribution_date'), ['distribution_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_cycle_state'), ['state'], unique=False)

    op.create_table('distribution_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_distribution_point_weekday_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_point')),
    sa.UniqueConstraint('name', name=op.f('uq_distribution_point_name'))
    )
    op.create_table('producer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_form', sa.String(length=60), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('vat_number', sa.String(length=20), nullable=True),
    sa.Column('vat_regime', sa.Enum('normal', 'franchise', 'forfait_agricole', name='vat_regime', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('billing_mandate_date', sa.Date(), nullable=True),
    sa.Column('invoice_prefix', sa.String(length=20), nullable=False),
    sa.Column('invoice_buyer', sa.Enum('coop', 'household', name='invoice_buyer', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer')),
    sa.UniqueConstraint('invoice_prefix', name=op.f('uq_producer_invoice_prefix')),
    sa.UniqueConstraint('siret', name=op.f('uq_producer_siret'))
    )
    with op.batch_alter_table('producer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_name'), ['name'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('basket_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('price_ht', sa.BigInteger(), nullable=False),
    sa.Column('vat_rate', sa.BigInteger(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('price_ht >= 0', name=op.f('ck_basket_type_price_not_negative')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_basket_type_producer_id_producer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basket_type')),
    sa.UniqueConstraint('producer_id', 'name', name=op.f('uq_basket_type_producer_id_name'))
    )
    with op.batch_alter_table('basket_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basket_type_producer_id'), ['producer_id'], unique=False)

    op.create_table('cycle_point',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_cycle_point_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_cycle_point_point_id_distribution_point')),
    sa.PrimaryKeyConstraint('cycle_id', 'point_id', name=op.f('pk_cycle_point'))
    )
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_name', sa.String(length=200), nullable=False),
    sa.Column('first_name', sa.String(length=200), nullable=False),
    sa.Column('co_member_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('payment_reference', sa.String(length=20), nullable=False),
    sa.Column('print_phone', sa.Boolean(), nullable=False),
    sa.Column('print_email', sa.Boolean(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['member.id'], name=op.f('fk_member_partner_id_member')),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_member_point_id_distribution_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('payment_reference', name=op.f('uq_member_payment_reference'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_last_name'), ['last_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_point_id'), ['point_id'], unique=False)

    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.Enum('piece', 'kg', 'g', 'botte', 'litre', 'douzaine', 'barquette', 'pot', 'bouteille', 'panier', name='unit', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('vat_rate', sa.BigInteger(), nullable=False),
    sa.Column('variable_weight', sa.Boolean(), nullable=False),
    sa.Column('case_pack', sa.BigInteger(), nullable=True),
    sa.Column('case_rule', sa.Enum('complete', 'cut', name='case_rule', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('case_pack IS NULL OR case_pack > 0', name=op.f('ck_product_case_pack_positive')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_product_producer_id_producer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('producer_id', 'name', name=op.f('uq_product_producer_id_name'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_producer_id'), ['producer_id'], unique=False)

    op.create_table('basket_content',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('basket_type_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=True),
    sa.Column('unit', sa.Enum('piece', 'kg', 'g', 'botte', 'litre', 'douzaine', 'barquette', 'pot', 'bouteille', 'panier', name='unit', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.ForeignKeyConstraint(['basket_type_id'], ['basket_type.id'], name=op.f('fk_basket_content_basket_type_id_basket_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basket_content')),
    sa.UniqueConstraint('basket_type_id', 'week_start', 'position', name=op.f('uq_basket_content_basket_type_id_week_start_position'))
    )
    with op.batch_alter_table('basket_content', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basket_content_basket_type_id'), ['basket_type_id'], unique=False)

    op.create_table('contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('basket_type_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('season_start', sa.Date(), nullable=False),
    sa.Column('season_end', sa.Date(), nullable=False),
    sa.Column('frequency', sa.Enum('weekly', 'fortnightly', name='frequency', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('allowed_absences', sa.Integer(), nullable=False),
    sa.Column('price_per_basket', sa.BigInteger(), nullable=False),
    sa.Column('co_member_id', sa.Integer(), nullable=True),
    sa.Column('share_mode', sa.Enum('alternate', 'both', name='share_mode', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('cheque_count', sa.Integer(), nullable=False),
    sa.Column('cheque_months', sa.JSON(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('allowed_absences >= 0', name=op.f('ck_contract_absences_not_negative')),
    sa.CheckConstraint('cheque_count >= 0', name=op.f('ck_contract_cheques_not_negative')),
    sa.CheckConstraint('price_per_basket >= 0', name=op.f('ck_contract_price_not_negative')),
    sa.CheckConstraint('season_end >= season_start', name=op.f('ck_contract_season_in_order')),
    sa.ForeignKeyConstraint(['basket_type_id'], ['basket_type.id'], name=op.f('fk_contract_basket_type_id_basket_type')),
    sa.ForeignKeyConstraint(['co_member_id'], ['member.id'], name=op.f('fk_contract_co_member_id_member')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_contract_member_id_member')),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_contract_point_id_distribution_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract'))
    )
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_basket_type_id'), ['basket_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_member_id'), ['member_id'], unique=False)

    op.create_table('cycle_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('cap', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('cap IS NULL OR cap >= 0', name=op.f('ck_cycle_offer_cap_not_negative')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_cycle_offer_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_cycle_offer_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_offer')),
    sa.UniqueConstraint('cycle_id', 'product_id', name=op.f('uq_cycle_offer_cycle_id_product_id'))
    )
    with op.batch_alter_table('cycle_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_offer_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cycle_offer_product_id'), ['product_id'], unique=False)

    op.create_table('member_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('absent', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_member_order_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_order_member_id_member')),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_member_order_point_id_distribution_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_order')),
    sa.UniqueConstraint('cycle_id', 'member_id', name=op.f('uq_member_order_cycle_id_member_id'))
    )
    with op.batch_alter_table('member_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_order_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_order_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_order_point_id'), ['point_id'], unique=False)

    op.create_table('membership_fee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_membership_fee_amount_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_membership_fee_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_fee')),
    sa.UniqueConstraint('member_id', 'year', name=op.f('uq_membership_fee_member_id_year'))
    )
    with op.batch_alter_table('membership_fee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_fee_member_id'), ['member_id'], unique=False)

    op.create_table('product_price',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('price_ht', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('price_ht >= 0', name=op.f('ck_product_price_price_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_price_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_price')),
    sa.UniqueConstraint('product_id', 'valid_from', name=op.f('uq_product_price_product_id_valid_from'))
    )
    with op.batch_alter_table('product_price', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_price_product_id'), ['product_id'], unique=False)

    op.create_table('shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_shift_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_shift_member_id_member')),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_shift_point_id_distribution_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift'))
    )
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('basket_type_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.Enum('subscription', 'a_la_carte', 'import', name='line_source', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('quantity_ordered', sa.BigInteger(), nullable=False),
    sa.Column('quantity_delivered', sa.BigInteger(), nullable=True),
    sa.Column('unit_price_ht', sa.BigInteger(), nullable=False),
    sa.Column('vat_rate', sa.BigInteger(), nullable=False),
    sa.Column('member_unit_price', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('(product_id IS NULL) <> (basket_type_id IS NULL)', name=op.f('ck_order_line_product_or_basket')),
    sa.CheckConstraint('quantity_delivered IS NULL OR quantity_delivered >= 0', name=op.f('ck_order_line_delivered_not_negative')),
    sa.CheckConstraint('quantity_ordered >= 0', name=op.f('ck_order_line_ordered_not_negative')),
    sa.ForeignKeyConstraint(['basket_type_id'], ['basket_type.id'], name=op.f('fk_order_line_basket_type_id_basket_type')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_order_line_contract_id_contract')),
    sa.ForeignKeyConstraint(['order_id'], ['member_order.id'], name=op.f('fk_order_line_order_id_member_order')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_order_line_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_line'))
    )
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_line_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_line_product_id'), ['product_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_product_id'))
        batch_op.drop_index(batch_op.f('ix_order_line_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_line_contract_id'))

    op.drop_table('order_line')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_cycle_id'))

    op.drop_table('shift')
    with op.batch_alter_table('product_price', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_price_product_id'))

    op.drop_table('product_price')
    with op.batch_alter_table('membership_fee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_fee_member_id'))

    op.drop_table('membership_fee')
    with op.batch_alter_table('member_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_order_point_id'))
        batch_op.drop_index(batch_op.f('ix_member_order_member_id'))
        batch_op.drop_index(batch_op.f('ix_member_order_cycle_id'))

    op.drop_table('member_order')
    with op.batch_alter_table('cycle_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_offer_product_id'))
        batch_op.drop_index(batch_op.f('ix_cycle_offer_cycle_id'))

    op.drop_table('cycle_offer')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_member_id'))
        batch_op.drop_index(batch_op.f('ix_contract_basket_type_id'))

    op.drop_table('contract')
    with op.batch_alter_table('basket_content', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basket_content_basket_type_id'))

    op.drop_table('basket_content')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_producer_id'))

    op.drop_table('product')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_point_id'))
        batch_op.drop_index(batch_op.f('ix_member_last_name'))
        batch_op.drop_index(batch_op.f('ix_member_email'))

    op.drop_table('member')
    op.drop_table('cycle_point')
    with op.batch_alter_table('basket_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basket_type_producer_id'))

    op.drop_table('basket_type')
    op.drop_table('setting')
    with op.batch_alter_table('producer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_name'))

    op.drop_table('producer')
    op.drop_table('distribution_point')
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_state'))
        batch_op.drop_index(batch_op.f('ix_cycle_distribution_date'))

    op.drop_table('cycle')
    op.drop_table('coop')

