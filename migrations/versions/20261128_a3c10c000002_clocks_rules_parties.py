"""clocks, calendar and rules: holiday table, clock events, dated rule data, party flags

Revision ID: a3c10c000002
Revises: a4d0c5000001
Create Date: 2026-11-28 06:00:01

"""
from alembic import op
import sqlalchemy as sa

revision = 'a3c10c000002'
down_revision = 'a4d0c5000001'
branch_labels = None
depends_on = None


#: (kind, length, unit, extension) of the clocks that existed before this revision
EXISTING_KINDS = [
    ('verification', 15, 'working_days', 15), ('inform_reporter', 5, 'working_days', 0),
    ('decision', 90, 'days', 30), ('legal_review', 10, 'working_days', 0),
    ('statement', 5, 'working_days', 0), ('hearing_notice', 7, 'working_days', 0),
    ('decision_service', 7, 'working_days', 0), ('publication', 20, 'working_days', 0),
    ('payment', 15, 'days', 0), ('review_period', 60, 'days', 0),
    ('litigation_period', 6, 'months', 0), ('seizure', 30, 'days', 30),
    ('transfer_decision', 3, 'days', 0), ('transfer_delivery', 24, 'hours', 0),
    ('police_decision', 3, 'days', 0), ('reconsideration', 3, 'days', 0),
    ('goods_handover', 3, 'days', 0), ('court_application', 3, 'months', 0),
    ('closing', 15, 'working_days', 0), ('publication_period', 36, 'months', 0),
]


def upgrade():
    # the holiday table an admin keeps from each year's State Council notice
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('notice', sa.String(length=200), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_calendar_years_entered_by_id_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('holiday_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('holiday', 'workday', name='holidaykind', native_enum=False, length=32), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['calendar_years.year'], name=op.f('fk_holiday_days_year_calendar_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday_days')),
    sa.UniqueConstraint('day', name=op.f('uq_holiday_days_day'))
    )
    with op.batch_alter_table('holiday_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_days_year'), ['year'], unique=False)

    # clocks: the period as started, hour periods, periods counted back, unknown years
    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('length', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('unit', sa.String(length=20), nullable=False, server_default='days'))
        batch_op.add_column(sa.Column('extended', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('anchor_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unknown_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('estimated_due_on', sa.Date(), nullable=True))
    # clocks started before this revision: their period as the kinds table then gave it
    clocks = sa.table('clocks', sa.column('kind', sa.String), sa.column('length', sa.Integer),
                      sa.column('unit', sa.String), sa.column('extended', sa.Integer),
                      sa.column('extensions', sa.Integer))
    for kind, length, unit, extension in EXISTING_KINDS:
        op.execute(clocks.update().where(clocks.c.kind == kind).values(
            length=length, unit=unit, extended=clocks.c.extensions * extension))
    with op.batch_alter_table('clocks', schema=None) as batch_op:
        # the defaults only filled the rows that existed; the application always sets them
        batch_op.alter_column('length', server_default=None)
        batch_op.alter_column('unit', server_default=None)
        batch_op.alter_column('extended', server_default=None)

    op.create_table('clock_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clock_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('start', 'pause', 'resume', 'extend', 'stop', 'cancel', 'overdue', 'lapse', 'recompute', name='clockeventkind', native_enum=False, length=32), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.String(length=300), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('case_event_id', sa.Integer(), nullable=True),
    sa.Column('due_before', sa.Date(), nullable=True),
    sa.Column('due_after', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_clock_events_actor_id_users')),
    sa.ForeignKeyConstraint(['case_event_id'], ['case_events.id'], name=op.f('fk_clock_events_case_event_id_case_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['clock_id'], ['clocks.id'], name=op.f('fk_clock_events_clock_id_clocks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_events'))
    )
    with op.batch_alter_table('clock_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_events_case_event_id'), ['case_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clock_events_clock_id'), ['clock_id'], unique=False)

    # one row per reminder: the unique key is what keeps concurrent sweeps from repeating it
    op.create_table('clock_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clock_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['clock_id'], ['clocks.id'], name=op.f('fk_clock_reminders_clock_id_clocks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_reminders')),
    sa.UniqueConstraint('clock_id', 'kind', 'due_on', name='uq_clock_reminders_clock_kind_due')
    )

    # rule data with effective dates, and what each case applied
    op.create_table('rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('confidence', sa.String(length=1), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_rules_entered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules')),
    sa.UniqueConstraint('code', 'effective_from', name='uq_rules_code_effective_from')
    )
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_code'), ['code'], unique=False)

    op.create_table('rule_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_event_id', sa.Integer(), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_event_id'], ['case_events.id'], name=op.f('fk_rule_applications_case_event_id_case_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_rule_applications_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_rule_applications_rule_id_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_applications'))
    )
    with op.batch_alter_table('rule_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_applications_case_event_id'), ['case_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rule_applications_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rule_applications_rule_id'), ['rule_id'], unique=False)

    # parties: normalised keys for recognising the same party without an identifier
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('address_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('shop_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('seller_key', sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f('ix_parties_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_parties_seller_key'), ['seller_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_parties_shop_key'), ['shop_key'], unique=False)


def downgrade():
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parties_shop_key'))
        batch_op.drop_index(batch_op.f('ix_parties_seller_key'))
        batch_op.drop_index(batch_op.f('ix_parties_name_key'))
        batch_op.drop_column('seller_key')
        batch_op.drop_column('shop_key')
        batch_op.drop_column('address_key')
        batch_op.drop_column('name_key')

    with op.batch_alter_table('rule_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rule_applications_rule_id'))
        batch_op.drop_index(batch_op.f('ix_rule_applications_case_id'))
        batch_op.drop_index(batch_op.f('ix_rule_applications_case_event_id'))
    op.drop_table('rule_applications')
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_code'))
    op.drop_table('rules')

    op.drop_table('clock_reminders')
    with op.batch_alter_table('clock_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clock_events_clock_id'))
        batch_op.drop_index(batch_op.f('ix_clock_events_case_event_id'))
    op.drop_table('clock_events')

    with op.batch_alter_table('clocks', schema=None) as batch_op:
        batch_op.drop_column('estimated_due_on')
        batch_op.drop_column('unknown_year')
        batch_op.drop_column('due_at')
        batch_op.drop_column('anchor_on')
        batch_op.drop_column('extended')
        batch_op.drop_column('unit')
        batch_op.drop_column('length')

    with op.batch_alter_table('holiday_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_days_year'))
    op.drop_table('holiday_days')
    op.drop_table('calendar_years')
