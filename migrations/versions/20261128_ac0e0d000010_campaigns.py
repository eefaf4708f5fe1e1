"""campaigns and field-work figures for the quarterly statistics

Revision ID: ac0e0d000010
Revises: ab0e0c000009
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'ac0e0d000010'
down_revision = 'ab0e0c000009'
branch_labels = None
depends_on = None

#: (table, index name, columns): declared in enforcement/campaigns/models.py (STATS_INDEXES)
INDEXES = (
    ('cases', 'ix_cases_filed_at', ['filed_at']),
    ('cases', 'ix_cases_decided_at', ['decided_at']),
    ('cases', 'ix_cases_closed_at', ['closed_at']),
    ('case_events', 'ix_case_events_action_at', ['action', 'at']),
)


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=False),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('nice_classes', sa.JSON(), nullable=False),
    sa.Column('mark_ids', sa.JSON(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['org_units.id'], name=op.f('fk_campaigns_lead_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_lead_unit_id'), ['lead_unit_id'], unique=False)

    op.create_table('campaign_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('joined_by', sa.Enum('rule', 'hand', name='joinedby', native_enum=False, length=32), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_campaign_cases_added_by_id_users')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_cases_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_campaign_cases_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_campaign_cases_removed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_cases')),
    sa.UniqueConstraint('campaign_id', 'case_id', name=op.f('uq_campaign_cases_campaign_id'))
    )
    with op.batch_alter_table('campaign_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_cases_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_cases_case_id'), ['case_id'], unique=False)

    op.create_table('field_work',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('officers', sa.Integer(), nullable=False),
    sa.Column('businesses', sa.Integer(), nullable=False),
    sa.Column('markets', sa.Integer(), nullable=False),
    sa.Column('online_shops', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_field_work_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_field_work_entered_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_field_work_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_work')),
    sa.UniqueConstraint('unit_id', 'campaign_id', 'year', 'quarter', name=op.f('uq_field_work_unit_id'))
    )
    with op.batch_alter_table('field_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_work_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_work_unit_id'), ['unit_id'], unique=False)

    op.create_table('trademark_districts',
    sa.Column('trademark_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['trademark_id'], ['trademarks.id'], name=op.f('fk_trademark_districts_trademark_id_trademarks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trademark_id', name=op.f('pk_trademark_districts'))
    )
    with op.batch_alter_table('trademark_districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trademark_districts_district'), ['district'], unique=False)

    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table('trademark_districts')
    op.drop_table('field_work')
    op.drop_table('campaign_cases')
    op.drop_table('campaigns')
