"""administrative procedure: structured records, worksheet, surcharge, supplier referrals

Revision ID: a7e0a3000005
Revises: a6e0a2000004
Create Date: 2026-11-28 08:15:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'a7e0a3000005'
down_revision = 'a6e0a2000004'
branch_labels = None
depends_on = None


def upgrade():
    # a seller's supplier sent to the bureau where it is (商标法 Art. 60 ¶2)
    op.create_table(
        'supplier_leads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=True),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('region', sa.String(length=120), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('letter_id', sa.Integer(), nullable=True),
        sa.Column('lead_case_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_supplier_leads_case_id_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lead_case_id'], ['cases.id'],
                                name=op.f('fk_supplier_leads_lead_case_id_cases')),
        sa.ForeignKeyConstraint(['letter_id'], ['documents.id'],
                                name=op.f('fk_supplier_leads_letter_id_documents')),
        sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'],
                                name=op.f('fk_supplier_leads_unit_id_org_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_leads')),
    )
    with op.batch_alter_table('supplier_leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_leads_case_id'), ['case_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_leads_lead_case_id'), ['lead_case_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_leads_unit_id'), ['unit_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('supplier_leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_leads_unit_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_leads_lead_case_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_leads_case_id'))
    op.drop_table('supplier_leads')
