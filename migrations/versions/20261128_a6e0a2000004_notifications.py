"""notifications: outbox delivery state, holder requests, mediation

Revision ID: a6e0a2000004
Revises: a5e0a1000003
Create Date: 2026-11-28 08:15:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'a6e0a2000004'
down_revision = 'a5e0a1000003'
branch_labels = None
depends_on = None


def upgrade():
    # delivery state of each outbox message: claimed, retried with backoff, sent or failed;
    # messages queued before this revision are delivered like new ones
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=40), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column(
            'status', sa.Enum('pending', 'sending', 'sent', 'failed', name='messagestatus',
                              native_enum=False, length=16),
            nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_messages_status_next_attempt_at',
                              ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_recipient'), ['recipient'],
                              unique=False)
    # a message already sent before delivery was tracked keeps its state
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE sent_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_recipient'))
        batch_op.drop_index('ix_outbox_messages_status_next_attempt_at')
        batch_op.drop_column('read_at')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
        batch_op.drop_column('topic')
