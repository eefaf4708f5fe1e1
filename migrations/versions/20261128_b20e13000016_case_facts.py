"""statistics: one summary row per case, kept by the actions

Revision ID: b20e13000016
Revises: b10e12000015
Create Date: 2026-11-28 14:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b20e13000016'
down_revision = 'b10e12000015'
branch_labels = None
depends_on = None

COUNTS = ('received', 'filed', 'major', 'closed')
FLAGS = ('seized', 'destroyed', 'transferred', 'police_filed', 'police_declined', 'published',
         'overdue', 'repeat')


def upgrade():
    op.create_table('case_stats',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('dim', sa.Enum('c', 'm', 'g', name='factdim', native_enum=False, length=1), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.SmallInteger(), nullable=False) for name in COUNTS),
    sa.Column('case_value', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('penalties', sa.Numeric(precision=16, scale=2), nullable=True),
    *(sa.Column(name, sa.SmallInteger(), nullable=False) for name in FLAGS),
    sa.Column('days_total', sa.Float(), nullable=True),
    sa.Column('days_cases', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_stats_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_stats'))
    )
    with op.batch_alter_table('case_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_stats_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_stats_quarter_dim', ['quarter', 'dim'], unique=False)

    op.create_table('case_stats_pending',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_stats_pending'))
    )
    # every existing case is computed by the first refresh (the sweep, or the first reading
    # of the statistics; a full rebuild when there are many — or `flask stats rebuild`)
    op.execute("INSERT INTO case_stats_pending (case_id) SELECT id FROM cases")


def downgrade():
    op.drop_table('case_stats_pending')
    with op.batch_alter_table('case_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_case_stats_quarter_dim')
        batch_op.drop_index(batch_op.f('ix_case_stats_case_id'))
    op.drop_table('case_stats')
