"""workspace: search indexes, evidence thumbnails

Revision ID: a8e0a4000006
Revises: a7e0a3000005
Create Date: 2026-11-28 08:15:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = 'a8e0a4000006'
down_revision = 'a7e0a3000005'
branch_labels = None
depends_on = None

#: (table, index name, columns, partial predicate): declared in enforcement/cases/queries.py
#: (SEARCH_INDEXES); the partial ones hold only open cases and running clocks
OPEN_CASES = "state NOT IN ('closed', 'not_filed', 'transferred_out')"
RUNNING_CLOCKS = "status IN ('running', 'overdue')"
INDEXES = (
    ('cases', 'ix_cases_open_unit', ['unit_id', 'id'], OPEN_CASES),
    ('cases', 'ix_cases_unit_updated', ['unit_id', 'updated_at'], None),
    ('cases', 'ix_cases_unit_created', ['unit_id', 'created_at'], None),
    ('cases', 'ix_cases_updated_at', ['updated_at'], None),
    ('cases', 'ix_cases_created_at', ['created_at'], None),
    ('case_inspectors', 'ix_case_inspectors_user', ['user_id', 'case_id'], None),
    ('case_marks', 'ix_case_marks_reg_no', ['reg_no'], None),
    ('case_marks', 'ix_case_marks_name', ['name'], None),
    ('clocks', 'ix_clocks_running', ['case_id', 'kind', 'due_on', 'estimated_due_on'],
     RUNNING_CLOCKS),
)


#: (table, column): trigram indexes for LIKE '%…%' searches; GIN on PostgreSQL, plain on SQLite
TRIGRAMS = (('cases', 'report_no'), ('cases', 'case_no'), ('cases', 'cause'),
            ('parties', 'name'))


def upgrade():
    op.create_table('evidence_thumbnails',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_thumbnails_evidence_id_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evidence_id', name=op.f('pk_evidence_thumbnails')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_evidence_thumbnails_storage_key'))
    )
    for table, name, columns, where in INDEXES:
        # CREATE INDEX needs no table rebuild, on SQLite either
        partial = {} if where is None else {'postgresql_where': sa.text(where),
                                            'sqlite_where': sa.text(where)}
        op.create_index(name, table, columns, unique=False, **partial)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, column in TRIGRAMS:
        op.create_index(f'ix_{table}_{column}_trgm', table, [column], unique=False,
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    for table, column in reversed(TRIGRAMS):
        op.drop_index(f'ix_{table}_{column}_trgm', table_name=table)
    for table, name, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table('evidence_thumbnails')
