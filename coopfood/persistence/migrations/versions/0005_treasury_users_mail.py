"""treasury: ledger, cheques, cash, bank; users; mail log; member anonymised

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 05:42:56.858634
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The ledger is never edited nor deleted: a correction is a new entry. The services
# refuse first; these triggers refuse whatever else writes to the base.
LEDGER = "Une écriture du grand livre ne se modifie ni ne se supprime : passez une correction."
LEDGER_TRIGGERS = (('ledger_entry_no_update', 'UPDATE'), ('ledger_entry_no_delete', 'DELETE'))
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER {name} BEFORE {event} ON ledger_entry "
    f"BEGIN SELECT RAISE(ABORT, '{LEDGER}'); END"
    for name, event in LEDGER_TRIGGERS
)
POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION coopfood_refuse_change_of_ledger() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{LEDGER}' USING ERRCODE = 'restrict_violation'; END $$",
    *(f"CREATE TRIGGER {name} BEFORE {event} ON ledger_entry FOR EACH ROW "
      "EXECUTE FUNCTION coopfood_refuse_change_of_ledger()"
      for name, event in LEDGER_TRIGGERS),
)


def upgrade() -> None:
    op.create_table('bank_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=40), nullable=False),
    sa.Column('format', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('opening_balance', sa.BigInteger(), nullable=True),
    sa.Column('closing_balance', sa.BigInteger(), nullable=True),
    sa.Column('lines_read', sa.Integer(), nullable=False),
    sa.Column('lines_new', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement'))
    )
    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statement_account'), ['account'], unique=False)

    op.create_table('payout_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('execution_date', sa.Date(), nullable=False),
    sa.Column('transfer_count', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('debtor_iban', sa.String(length=34), nullable=False),
    sa.Column('xml', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batch')),
    sa.UniqueConstraint('message_id', name=op.f('uq_payout_batch_message_id'))
    )
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=60), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.Enum('admin', 'coordinator', 'treasurer', 'producer', name='user_role', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_app_user_producer_id_producer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('login', name=op.f('uq_app_user_login'))
    )
    op.create_table('bank_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=40), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('booking_date', sa.Date(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('counterparty_name', sa.String(length=200), nullable=True),
    sa.Column('counterparty_iban', sa.String(length=34), nullable=True),
    sa.Column('reference', sa.String(length=300), nullable=True),
    sa.Column('bank_id', sa.String(length=100), nullable=True),
    sa.Column('ignored_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statement.id'], name=op.f('fk_bank_line_statement_id_bank_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_line')),
    sa.UniqueConstraint('account', 'fingerprint', name=op.f('uq_bank_line_account_fingerprint'))
    )
    with op.batch_alter_table('bank_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_line_booking_date'), ['booking_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_line_statement_id'), ['statement_id'], unique=False)

    op.create_table('cash_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.Enum('eur', 'local', name='cash_currency', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('opening_float', sa.BigInteger(), nullable=False),
    sa.Column('expected', sa.BigInteger(), nullable=True),
    sa.Column('counted', sa.BigInteger(), nullable=True),
    sa.Column('difference', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('counted IS NULL OR counted >= 0', name=op.f('ck_cash_session_counted_not_negative')),
    sa.CheckConstraint('opening_float >= 0', name=op.f('ck_cash_session_float_not_negative')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_cash_session_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_cash_session_point_id_distribution_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_session')),
    sa.UniqueConstraint('cycle_id', 'point_id', 'currency', name=op.f('uq_cash_session_cycle_id_point_id_currency'))
    )
    with op.batch_alter_table('cash_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_session_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('cheque_remittance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('deposit', 'handover', name='remittance_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('remittance_date', sa.Date(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.String(length=7), nullable=True),
    sa.Column('cheque_count', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('cheque_count > 0', name=op.f('ck_cheque_remittance_count_positive')),
    sa.CheckConstraint('total > 0', name=op.f('ck_cheque_remittance_total_positive')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_cheque_remittance_producer_id_producer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cheque_remittance')),
    sa.UniqueConstraint('number', name=op.f('uq_cheque_remittance_number'))
    )
    with op.batch_alter_table('cheque_remittance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cheque_remittance_remittance_date'), ['remittance_date'], unique=False)

    op.create_table('mail_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('dedup_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('sent', 'failed', name='mail_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_mail_message_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message'))
    )
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_message_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_dedup_key'), ['dedup_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_kind'), ['kind'], unique=False)

    op.create_table('app_user_point',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_app_user_point_point_id_distribution_point')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_app_user_point_user_id_app_user')),
    sa.PrimaryKeyConstraint('user_id', 'point_id', name=op.f('pk_app_user_point'))
    )
    op.create_table('cheque',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('bank', sa.String(length=100), nullable=False),
    sa.Column('drawer', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('planned_month', sa.String(length=7), nullable=True),
    sa.Column('status', sa.Enum('promised', 'received', 'handed_over', 'deposited', 'cashed', 'rejected', 'returned', name='cheque_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('status_date', sa.Date(), nullable=True),
    sa.Column('remittance_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_cheque_amount_positive')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_cheque_contract_id_contract')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_cheque_member_id_member')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_cheque_producer_id_producer')),
    sa.ForeignKeyConstraint(['remittance_id'], ['cheque_remittance.id'], name=op.f('fk_cheque_remittance_id_cheque_remittance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cheque'))
    )
    with op.batch_alter_table('cheque', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cheque_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cheque_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cheque_planned_month'), ['planned_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_cheque_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cheque_remittance_id'), ['remittance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cheque_status'), ['status'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('order', 'contract', 'fee', 'payment', 'refund', 'invoice', 'credit_note', 'payout', 'adjustment', 'reversal', name='entry_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('producer_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('means', sa.Enum('cash', 'cheque', 'transfer', 'card', 'direct_debit', 'local_currency', name='payment_means', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('point_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('fee_id', sa.Integer(), nullable=True),
    sa.Column('cheque_id', sa.Integer(), nullable=True),
    sa.Column('payout_batch_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name=op.f('ck_ledger_entry_reversal_names_entry')),
    sa.CheckConstraint('(member_id IS NULL) <> (producer_id IS NULL)', name=op.f('ck_ledger_entry_one_account')),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_ledger_entry_amount_not_zero')),
    sa.ForeignKeyConstraint(['cheque_id'], ['cheque.id'], name=op.f('fk_ledger_entry_cheque_id_cheque')),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], name=op.f('fk_ledger_entry_contract_id_contract')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_ledger_entry_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['fee_id'], ['membership_fee.id'], name=op.f('fk_ledger_entry_fee_id_membership_fee')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_ledger_entry_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_ledger_entry_member_id_member')),
    sa.ForeignKeyConstraint(['payout_batch_id'], ['payout_batch.id'], name=op.f('fk_ledger_entry_payout_batch_id_payout_batch')),
    sa.ForeignKeyConstraint(['point_id'], ['distribution_point.id'], name=op.f('fk_ledger_entry_point_id_distribution_point')),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_ledger_entry_producer_id_producer')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_entry.id'], name=op.f('fk_ledger_entry_reverses_id_ledger_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_entry_reverses_id'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_cheque_id'), ['cheque_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_entry_date'), ['entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_producer_id'), ['producer_id'], unique=False)

    op.create_table('bank_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_line_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('remittance_id', sa.Integer(), nullable=True),
    sa.Column('payout_batch_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('matched_by', sa.String(length=200), nullable=False),
    sa.CheckConstraint('(CASE WHEN entry_id IS NULL THEN 0 ELSE 1 END + CASE WHEN remittance_id IS NULL THEN 0 ELSE 1 END + CASE WHEN payout_batch_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_bank_match_one_target')),
    sa.ForeignKeyConstraint(['bank_line_id'], ['bank_line.id'], name=op.f('fk_bank_match_bank_line_id_bank_line')),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entry.id'], name=op.f('fk_bank_match_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['payout_batch_id'], ['payout_batch.id'], name=op.f('fk_bank_match_payout_batch_id_payout_batch')),
    sa.ForeignKeyConstraint(['remittance_id'], ['cheque_remittance.id'], name=op.f('fk_bank_match_remittance_id_cheque_remittance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_match')),
    sa.UniqueConstraint('bank_line_id', 'entry_id', name=op.f('uq_bank_match_bank_line_id_entry_id'))
    )
    with op.batch_alter_table('bank_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_match_bank_line_id'), ['bank_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_match_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_match_payout_batch_id'), ['payout_batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_match_remittance_id'), ['remittance_id'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


    for statement in (SQLITE_TRIGGERS if op.get_bind().dialect.name == 'sqlite'
                      else POSTGRESQL_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name, _event in LEDGER_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    else:
        for name, _event in LEDGER_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON ledger_entry')
        op.execute('DROP FUNCTION IF EXISTS coopfood_refuse_change_of_ledger()')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('bank_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_match_remittance_id'))
        batch_op.drop_index(batch_op.f('ix_bank_match_payout_batch_id'))
        batch_op.drop_index(batch_op.f('ix_bank_match_entry_id'))
        batch_op.drop_index(batch_op.f('ix_bank_match_bank_line_id'))

    op.drop_table('bank_match')
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_producer_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_member_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_kind'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_entry_date'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_contract_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_cheque_id'))

    op.drop_table('ledger_entry')
    with op.batch_alter_table('cheque', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cheque_status'))
        batch_op.drop_index(batch_op.f('ix_cheque_remittance_id'))
        batch_op.drop_index(batch_op.f('ix_cheque_producer_id'))
        batch_op.drop_index(batch_op.f('ix_cheque_planned_month'))
        batch_op.drop_index(batch_op.f('ix_cheque_member_id'))
        batch_op.drop_index(batch_op.f('ix_cheque_contract_id'))

    op.drop_table('cheque')
    op.drop_table('app_user_point')
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_message_kind'))
        batch_op.drop_index(batch_op.f('ix_mail_message_dedup_key'))
        batch_op.drop_index(batch_op.f('ix_mail_message_cycle_id'))

    op.drop_table('mail_message')
    with op.batch_alter_table('cheque_remittance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cheque_remittance_remittance_date'))

    op.drop_table('cheque_remittance')
    with op.batch_alter_table('cash_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cash_session_cycle_id'))

    op.drop_table('cash_session')
    with op.batch_alter_table('bank_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_line_statement_id'))
        batch_op.drop_index(batch_op.f('ix_bank_line_booking_date'))

    op.drop_table('bank_line')
    op.drop_table('app_user')
    op.drop_table('payout_batch')
    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_statement_account'))

    op.drop_table('bank_statement')
