"""judicial referral: packets, receivers' records, supervision opinions

Revision ID: aa0e0b000008
Revises: a9e0a5000007
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'aa0e0b000008'
down_revision = 'a9e0a5000007'
branch_labels = None
depends_on = None

_TIMES = ('forwarded_at', 'supplement_requested_at', 'supplement_supplied_at', 'accepted_at',
          'declined_at', 'reconsideration_requested_at', 'ruled_at')


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forwarded_from_id', sa.Integer(), nullable=True))
        for name in _TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('supplement_request', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column(
            'decline_ground',
            sa.Enum('no_crime', 'below_threshold', 'time_barred', 'other_exemption',
                    name='declineground', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('decline_reasons', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('hears_parties', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column(
            'ruling', sa.Enum('enforce', 'refuse', name='courtruling', native_enum=False,
                              length=32), nullable=True))
        batch_op.add_column(sa.Column('ruling_reasons', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_referrals_forwarded_from_id_referrals'),
                                    'referrals', ['forwarded_from_id'], ['id'])


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_forwarded_from_id_referrals'),
                                 type_='foreignkey')
        for name in ('ruling_reasons', 'ruling', 'hears_parties', 'decline_reasons',
                     'decline_ground', 'supplement_request', *_TIMES, 'forwarded_from_id'):
            batch_op.drop_column(name)
