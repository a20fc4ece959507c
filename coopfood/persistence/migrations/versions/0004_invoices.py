"""invoices, credit notes, their counters; triggers keep what is issued unchanged

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# What is issued never changes: an issued invoice, its lines and what they invoiced are
# neither updated nor deleted, and an order line once invoiced keeps its delivered
# quantity, price and rate (a correction is a credit note). The services refuse first,
# with a French message; these triggers refuse whatever else writes to the base.
# A later migration that rebuilds one of these tables (batch mode on SQLite) must create
# its triggers again: tests/migrations checks that they are there at head.
ISSUED = "Une facture ou un avoir émis ne se modifie ni ne se supprime : établissez un avoir."
INVOICED = ("Cette ligne de commande est déjà facturée : sa quantité livrée, son prix et sa "
            "TVA ne changent plus (établissez un avoir).")

TRIGGER_TABLES = (
    ('invoice_issued_no_update', 'invoice'),
    ('invoice_issued_no_delete', 'invoice'),
    ('invoice_line_issued_no_update', 'invoice_line'),
    ('invoice_line_issued_no_delete', 'invoice_line'),
    ('invoiced_order_line_no_update', 'invoiced_order_line'),
    ('invoiced_order_line_no_delete', 'invoiced_order_line'),
    ('order_line_invoiced_unchanged', 'order_line'),
    ('member_order_invoiced_not_absent', 'member_order'),
)
TRIGGER_NAMES = tuple(name for name, _table in TRIGGER_TABLES)

# (The messages hold no quote: they go into SQL string literals as they are.)
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER {name} BEFORE {'UPDATE' if name.endswith('update') else 'DELETE'} "
    f"ON {table} BEGIN SELECT RAISE(ABORT, '{ISSUED}'); END"
    for name, table in TRIGGER_TABLES[:6]
) + (
    "CREATE TRIGGER order_line_invoiced_unchanged BEFORE UPDATE OF order_id, product_id, "
    "basket_type_id, quantity_delivered, unit_price_ht, vat_rate ON order_line "
    "WHEN (NEW.order_id IS NOT OLD.order_id OR NEW.product_id IS NOT OLD.product_id "
    "OR NEW.basket_type_id IS NOT OLD.basket_type_id "
    "OR NEW.quantity_delivered IS NOT OLD.quantity_delivered "
    "OR NEW.unit_price_ht IS NOT OLD.unit_price_ht OR NEW.vat_rate IS NOT OLD.vat_rate) "
    "AND EXISTS (SELECT 1 FROM invoiced_order_line WHERE order_line_id = OLD.id) "
    f"BEGIN SELECT RAISE(ABORT, '{INVOICED}'); END",
    "CREATE TRIGGER member_order_invoiced_not_absent BEFORE UPDATE OF absent ON member_order "
    "WHEN NEW.absent IS NOT OLD.absent AND EXISTS (SELECT 1 FROM order_line l JOIN "
    "invoiced_order_line i ON i.order_line_id = l.id WHERE l.order_id = OLD.id) "
    f"BEGIN SELECT RAISE(ABORT, '{INVOICED}'); END",
)

POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION coopfood_refuse_change_of_issued() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{ISSUED}' USING ERRCODE = 'restrict_violation'; END $$",
    "CREATE FUNCTION coopfood_refuse_change_of_invoiced_line() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "IF EXISTS (SELECT 1 FROM invoiced_order_line WHERE order_line_id = OLD.id) THEN "
    f"RAISE EXCEPTION '{INVOICED}' USING ERRCODE = 'restrict_violation'; "
    "END IF; RETURN NEW; END $$",
    "CREATE FUNCTION coopfood_refuse_absence_of_invoiced_order() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "IF EXISTS (SELECT 1 FROM order_line l JOIN invoiced_order_line i "
    "ON i.order_line_id = l.id WHERE l.order_id = OLD.id) THEN "
    f"RAISE EXCEPTION '{INVOICED}' USING ERRCODE = 'restrict_violation'; "
    "END IF; RETURN NEW; END $$",
    *(f"CREATE TRIGGER {name} BEFORE {'UPDATE' if name.endswith('update') else 'DELETE'} "
      f"ON {table} FOR EACH ROW EXECUTE FUNCTION coopfood_refuse_change_of_issued()"
      for name, table in TRIGGER_TABLES[:6]),
    "CREATE TRIGGER order_line_invoiced_unchanged BEFORE UPDATE ON order_line FOR EACH ROW "
    "WHEN (NEW.order_id IS DISTINCT FROM OLD.order_id "
    "OR NEW.product_id IS DISTINCT FROM OLD.product_id "
    "OR NEW.basket_type_id IS DISTINCT FROM OLD.basket_type_id "
    "OR NEW.quantity_delivered IS DISTINCT FROM OLD.quantity_delivered "
    "OR NEW.unit_price_ht IS DISTINCT FROM OLD.unit_price_ht "
    "OR NEW.vat_rate IS DISTINCT FROM OLD.vat_rate) "
    "EXECUTE FUNCTION coopfood_refuse_change_of_invoiced_line()",
    "CREATE TRIGGER member_order_invoiced_not_absent BEFORE UPDATE ON member_order "
    "FOR EACH ROW WHEN (NEW.absent IS DISTINCT FROM OLD.absent) "
    "EXECUTE FUNCTION coopfood_refuse_absence_of_invoiced_order()",
)


def upgrade() -> None:
    op.create_table('invoice_counter',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_number >= 0', name=op.f('ck_invoice_counter_last_number_not_negative')),
    sa.PrimaryKeyConstraint('series', 'year', name=op.f('pk_invoice_counter'))
    )
    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invoice', 'credit_note', name='invoice_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('type_code', sa.String(length=3), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('buyer', sa.Enum('coop', 'household', name='invoice_buyer', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('first_delivery', sa.Date(), nullable=False),
    sa.Column('last_delivery', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('self_billed', sa.Boolean(), nullable=False),
    sa.Column('mandate_date', sa.Date(), nullable=True),
    sa.Column('vat_regime', sa.Enum('normal', 'franchise', 'forfait_agricole', name='vat_regime', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('corrected_invoice_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('total_ht', sa.BigInteger(), nullable=False),
    sa.Column('total_vat', sa.BigInteger(), nullable=False),
    sa.Column('total_ttc', sa.BigInteger(), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('facturx_xml', sa.LargeBinary(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint("(buyer = 'household') = (member_id IS NOT NULL)", name=op.f('ck_invoice_household_buyer_named')),
    sa.CheckConstraint("(kind = 'credit_note') = (corrected_invoice_id IS NOT NULL)", name=op.f('ck_invoice_credit_note_cites_invoice')),
    sa.CheckConstraint('NOT self_billed OR mandate_date IS NOT NULL', name=op.f('ck_invoice_self_billed_has_mandate')),
    sa.CheckConstraint('due_date >= issue_date', name=op.f('ck_invoice_due_after_issue')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_invoice_period_in_order')),
    sa.CheckConstraint('sequence > 0', name=op.f('ck_invoice_sequence_positive')),
    sa.CheckConstraint('total_ht >= 0 AND total_vat >= 0', name=op.f('ck_invoice_totals_not_negative')),
    sa.CheckConstraint('total_ttc = total_ht + total_vat', name=op.f('ck_invoice_ttc_is_ht_plus_vat')),
    sa.ForeignKeyConstraint(['corrected_invoice_id'], ['invoice.id'], name=op.f('fk_invoice_corrected_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_invoice_member_id_member')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_invoice_producer_id_producer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice')),
    sa.UniqueConstraint('number', name=op.f('uq_invoice_number')),
    sa.UniqueConstraint('series', 'year', 'sequence', name=op.f('uq_invoice_series_year_sequence'))
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_corrected_invoice_id'), ['corrected_invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_issue_date'), ['issue_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_producer_id'), ['producer_id'], unique=False)

    op.create_table('invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('designation', sa.String(length=400), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.Enum('piece', 'kg', 'g', 'botte', 'litre', 'douzaine', 'barquette', 'pot', 'bouteille', 'panier', name='unit', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('unit_price_ht', sa.BigInteger(), nullable=False),
    sa.Column('vat_rate', sa.BigInteger(), nullable=False),
    sa.Column('total_ht', sa.BigInteger(), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=False),
    sa.Column('corrected_line_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_invoice_line_quantity_positive')),
    sa.CheckConstraint('unit_price_ht >= 0 AND total_ht >= 0', name=op.f('ck_invoice_line_amounts_not_negative')),
    sa.ForeignKeyConstraint(['corrected_line_id'], ['invoice_line.id'], name=op.f('fk_invoice_line_corrected_line_id_invoice_line')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_invoice_line_invoice_id_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_line')),
    sa.UniqueConstraint('invoice_id', 'position', name=op.f('uq_invoice_line_invoice_id_position'))
    )
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_line_corrected_line_id'), ['corrected_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_line_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('invoiced_order_line',
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('invoice_line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_line_id'], ['invoice_line.id'], name=op.f('fk_invoiced_order_line_invoice_line_id_invoice_line')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_invoiced_order_line_order_line_id_order_line')),
    sa.PrimaryKeyConstraint('order_line_id', name=op.f('pk_invoiced_order_line'))
    )
    with op.batch_alter_table('invoiced_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoiced_order_line_invoice_line_id'), ['invoice_line_id'], unique=False)

    for statement in (SQLITE_TRIGGERS if op.get_bind().dialect.name == 'sqlite'
                      else POSTGRESQL_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in TRIGGER_NAMES:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    else:
        for name, table in TRIGGER_TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
        op.execute('DROP FUNCTION IF EXISTS coopfood_refuse_change_of_issued()')
        op.execute('DROP FUNCTION IF EXISTS coopfood_refuse_change_of_invoiced_line()')
        op.execute('DROP FUNCTION IF EXISTS coopfood_refuse_absence_of_invoiced_order()')
    with op.batch_alter_table('invoiced_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoiced_order_line_invoice_line_id'))

    op.drop_table('invoiced_order_line')
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_line_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_line_corrected_line_id'))

    op.drop_table('invoice_line')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_producer_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_member_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_issue_date'))
        batch_op.drop_index(batch_op.f('ix_invoice_corrected_invoice_id'))

    op.drop_table('invoice')
    op.drop_table('invoice_counter')
