"""publicity: published penalty entries, redaction, take-down

Revision ID: ab0e0c000009
Revises: aa0e0b000008
Create Date: 2026-11-28 11:20:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'ab0e0c000009'
down_revision = 'aa0e0b000008'
branch_labels = None
depends_on = None

#: (index name, columns): declared in enforcement/publicity/models.py (PUBLIC_INDEXES)
INDEXES = (
    ('ix_publication_entries_public', ['status', 'decided_on', 'id']),
    ('ix_publication_entries_district', ['district', 'decided_on']),
    ('ix_publication_entries_typical', ['typical', 'decided_on']),
    ('ix_publication_entries_changed_at', ['changed_at']),
)
#: trigram indexes for LIKE '%…%' searches; GIN on PostgreSQL (pg_trgm, see a8e0a4000006),
#: plain on SQLite
TRIGRAMS = ('party_name', 'marks')


def upgrade():
    op.create_table('publication_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('decision_document_id', sa.Integer(), nullable=False),
    sa.Column('summary_document_id', sa.Integer(), nullable=True),
    sa.Column('decision_number', sa.String(length=60), nullable=False),
    sa.Column('party_name', sa.String(length=120), nullable=False),
    sa.Column('party_is_person', sa.Boolean(), nullable=False),
    sa.Column('party_identifier', sa.String(length=32), nullable=True),
    sa.Column('party_key', sa.String(length=64), nullable=True),
    sa.Column('violation_type', sa.String(length=200), nullable=False),
    sa.Column('penalty', sa.Text(), nullable=False),
    sa.Column('fine_total', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('authority', sa.String(length=120), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('marks', sa.String(length=300), nullable=False),
    sa.Column('heavier', sa.Boolean(), nullable=False),
    sa.Column('redacted_data', sa.JSON(), nullable=False),
    sa.Column('redaction_log', sa.JSON(), nullable=False),
    sa.Column('redacted_html', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('active', 'withdrawn', 'taken_down', 'removed_early', name='entrystatus', native_enum=False, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('period_months', sa.Integer(), nullable=False),
    sa.Column('period_ends_on', sa.Date(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('repair', sa.JSON(), nullable=True),
    sa.Column('revocation', sa.JSON(), nullable=True),
    sa.Column('typical', sa.Boolean(), nullable=False),
    sa.Column('typical_note', sa.Text(), nullable=True),
    sa.Column('typical_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_publication_entries_case_id_cases')),
    sa.ForeignKeyConstraint(['decision_document_id'], ['documents.id'], name=op.f('fk_publication_entries_decision_document_id_documents')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_publication_entries_ended_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_publication_entries_published_by_id_users')),
    sa.ForeignKeyConstraint(['summary_document_id'], ['documents.id'], name=op.f('fk_publication_entries_summary_document_id_documents')),
    sa.ForeignKeyConstraint(['typical_by_id'], ['users.id'], name=op.f('fk_publication_entries_typical_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_publication_entries_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_entries'))
    )
    with op.batch_alter_table('publication_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_entries_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_entries_decision_number'), ['decision_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_entries_party_identifier'), ['party_identifier'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_entries_party_key'), ['party_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_entries_unit_id'), ['unit_id'], unique=False)
    for name, columns in INDEXES:
        op.create_index(name, 'publication_entries', columns, unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for column in TRIGRAMS:
        op.create_index(f'ix_publication_entries_{column}_trgm', 'publication_entries', [column],
                        unique=False, postgresql_using='gin',
                        postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    for column in reversed(TRIGRAMS):
        op.drop_index(f'ix_publication_entries_{column}_trgm', table_name='publication_entries')
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name='publication_entries')
    with op.batch_alter_table('publication_entries', schema=None) as batch_op:
        for column in ('unit_id', 'party_key', 'party_identifier', 'decision_number', 'case_id'):
            batch_op.drop_index(batch_op.f(f'ix_publication_entries_{column}'))
    op.drop_table('publication_entries')
