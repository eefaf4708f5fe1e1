"""documents: rendering, storage, revocation, verification codes, number formats

Revision ID: a4d0c5000001
Revises: b8e6dedae192
Create Date: 2026-11-28 06:00:00

"""
import base64
import secrets
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = 'a4d0c5000001'
down_revision = 'b8e6dedae192'
branch_labels = None
depends_on = None

#: the default 文号 format for every unit and type, e.g. 临市监立〔2026〕3号
DEFAULT_FORMAT = {
    'unit_id': None,
    'doc_type': None,
    'pattern': '{short}市监{word}〔{year}〕{n}号',
    'effective_from': date(2012, 7, 1),
    'source': 'GB/T 9704-2012 7.2.4 发文字号（机关代字、年份、发文顺序号，年份用六角括号〔〕）',
}


def upgrade():
    formats = op.create_table('document_number_formats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('doc_type', sa.String(length=40), nullable=True),
    sa.Column('pattern', sa.String(length=120), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_document_number_formats_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_number_formats'))
    )
    with op.batch_alter_table('document_number_formats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_number_formats_unit_id'), ['unit_id'], unique=False)
    op.bulk_insert(formats, [{**DEFAULT_FORMAT, 'created_at': datetime.now(timezone.utc)}])

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verify_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.Text(), nullable=True))
    _backfill()
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('verify_code', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index(batch_op.f('ix_documents_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_documents_verify_code'), ['verify_code'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_unit_id_org_units'), 'org_units', ['unit_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_corrects_id_documents'), 'documents', ['corrects_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'])


def _backfill():
    """Documents issued before this revision: their case's unit, and a verification code."""
    bind = op.get_bind()
    bind.execute(sa.text(
        'UPDATE documents SET unit_id = '
        '(SELECT cases.unit_id FROM cases WHERE cases.id = documents.case_id)'))
    ids = bind.execute(sa.text('SELECT id FROM documents WHERE verify_code IS NULL')).scalars()
    for doc_id in list(ids):
        code = base64.b32encode(secrets.token_bytes(15)).decode()
        bind.execute(sa.text('UPDATE documents SET verify_code = :code WHERE id = :id'),
                     {'code': code, 'id': doc_id})


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_documents_corrects_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_documents_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_documents_verify_code'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_documents_corrects_id'))
        batch_op.drop_index(batch_op.f('ix_documents_unit_id'))
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('corrects_id')
        batch_op.drop_column('verify_code')
        batch_op.drop_column('page_count')
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('document_number_formats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_number_formats_unit_id'))
    op.drop_table('document_number_formats')
