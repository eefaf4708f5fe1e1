"""referral packets: built packets and their downloads

Revision ID: ae0e0f000012
Revises: ad0e0e000011
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'ae0e0f000012'
down_revision = 'ad0e0e000011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('packet_builds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('started', 'completed', 'failed', name='buildstatus', native_enum=False, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_count', sa.Integer(), nullable=True),
    sa.Column('total_bytes', sa.BigInteger(), nullable=True),
    sa.Column('key_id', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_packet_builds_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_packet_builds_referral_id_referrals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_packet_builds_unit_id_org_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_packet_builds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packet_builds'))
    )
    with op.batch_alter_table('packet_builds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packet_builds_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_packet_builds_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_packet_builds_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('packet_builds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packet_builds_user_id'))
        batch_op.drop_index(batch_op.f('ix_packet_builds_referral_id'))
        batch_op.drop_index(batch_op.f('ix_packet_builds_case_id'))

    op.drop_table('packet_builds')
