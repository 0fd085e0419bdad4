"""issue 15: email outbox, update requests and their links, set-password links, weekly digest choice

New tables only, and two new columns: action.update_requested_at (empty: nobody was asked yet) and
user.weekly_digest (on for every existing account, as for new ones). No row is changed.

Revision ID: 6827553420c3
Revises: 195b3afefeaf
Create Date: 2026-11-27 13:46:11.548474

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6827553420c3'
down_revision = '195b3afefeaf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_link_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_link_token_hash'))
    )
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_link_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('gave_up_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_outbox_message_plan_id_plan')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outbox_message_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)

    op.create_table('update_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('reply_by', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('filters', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['asked_by_id'], ['user.id'], name=op.f('fk_update_request_asked_by_id_user')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_update_request_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_update_request_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_update_request'))
    )
    with op.batch_alter_table('update_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_request_plan_id'), ['plan_id'], unique=False)

    op.create_table('update_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_update_link_action_id_action')),
    sa.ForeignKeyConstraint(['request_id'], ['update_request.id'], name=op.f('fk_update_link_request_id_update_request')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_update_link_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_update_link')),
    sa.UniqueConstraint('request_id', 'action_id', 'user_id', name=op.f('uq_update_link_request_id'))
    )
    with op.batch_alter_table('update_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_link_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_link_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_link_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('update_requested_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekly_digest', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('weekly_digest')

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('update_requested_at')

    with op.batch_alter_table('update_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_link_user_id'))
        batch_op.drop_index(batch_op.f('ix_update_link_request_id'))
        batch_op.drop_index(batch_op.f('ix_update_link_action_id'))

    op.drop_table('update_link')
    with op.batch_alter_table('update_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_request_plan_id'))

    op.drop_table('update_request')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_plan_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_next_attempt_at'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_link_user_id'))

    op.drop_table('account_link')
