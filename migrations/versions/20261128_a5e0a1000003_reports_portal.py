"""public report portal: idempotency keys, rate limits, agent mandates, report links

Revision ID: a5e0a1000003
Revises: a3c10c000002
Create Date: 2026-11-28 08:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a5e0a1000003'
down_revision = 'a3c10c000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mandates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agent_user_id', sa.Integer(), nullable=False),
        sa.Column('principal_name', sa.String(length=120), nullable=False),
        sa.Column('principal_credit_code', sa.String(length=18), nullable=True),
        sa.Column('mark_numbers', sa.JSON(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agent_user_id'], ['users.id'],
                                name=op.f('fk_mandates_agent_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_mandates_storage_key')),
    )
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandates_agent_user_id'), ['agent_user_id'],
                              unique=False)

    op.create_table(
        'reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tracking_no', sa.String(length=32), nullable=False),
        sa.Column('access_code_hash', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('linked', sa.Boolean(), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('reporter_name', sa.String(length=80), nullable=True),
        sa.Column('reporter_phone', sa.String(length=20), nullable=True),
        sa.Column('reporter_email', sa.String(length=120), nullable=True),
        sa.Column('submitted_by_user_id', sa.Integer(), nullable=True),
        sa.Column('mandate_id', sa.Integer(), nullable=True),
        sa.Column('principal_name', sa.String(length=120), nullable=True),
        sa.Column('principal_contact', sa.String(length=80), nullable=True),
        sa.Column('filed_by_unit_id', sa.Integer(), nullable=True),
        sa.Column('idempotency_key', sa.String(length=100), nullable=True),
        sa.Column('request_hash', sa.String(length=64), nullable=True),
        sa.Column('ip', sa.String(length=45), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_reports_case_id_cases'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['filed_by_unit_id'], ['org_units.id'],
                                name=op.f('fk_reports_filed_by_unit_id_org_units')),
        sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'],
                                name=op.f('fk_reports_mandate_id_mandates')),
        sa.ForeignKeyConstraint(['submitted_by_user_id'], ['users.id'],
                                name=op.f('fk_reports_submitted_by_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_reports_idempotency_key')),
        sa.UniqueConstraint('tracking_no', name=op.f('uq_reports_tracking_no')),
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for column in ('case_id', 'filed_by_unit_id', 'mandate_id', 'submitted_by_user_id'):
            batch_op.create_index(batch_op.f(f'ix_reports_{column}'), [column], unique=False)

    op.create_table(
        'rate_windows',
        sa.Column('bucket', sa.String(length=160), nullable=False),
        sa.Column('window_start', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('bucket', 'window_start', name=op.f('pk_rate_windows')),
    )


def downgrade():
    op.drop_table('rate_windows')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for column in ('submitted_by_user_id', 'mandate_id', 'filed_by_unit_id', 'case_id'):
            batch_op.drop_index(batch_op.f(f'ix_reports_{column}'))
    op.drop_table('reports')
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandates_agent_user_id'))
    op.drop_table('mandates')
