"""clinic notes, actions arising, chairs with accounts

Clinic notes, actions arising and their updates are append-only tables. A clinic's chair becomes an
account (the chair or an admin ends it); a clinic started before keeps its chair's name, and is linked
to the account whose name matches it exactly (ignoring case) when exactly one does, else only an
admin can end it.

Revision ID: d19f197e8bce
Revises: 9e87ba06e9c9
Create Date: 2026-11-27 12:16:43.355711

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd19f197e8bce'
down_revision = '9e87ba06e9c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_arising',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_action_arising_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_action_arising_owner_id_user')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], name=op.f('fk_action_arising_raised_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_arising'))
    )
    with op.batch_alter_table('action_arising', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_arising_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('clinic_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('written_at', sa.DateTime(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_clinic_note_author_id_user')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_clinic_note_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['corrects_id'], ['clinic_note.id'], name=op.f('fk_clinic_note_corrects_id_clinic_note')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_note'))
    )
    with op.batch_alter_table('clinic_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinic_note_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinic_note_corrects_id'), ['corrects_id'], unique=False)

    op.create_table('arising_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('arising_id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('what', sa.Text(), nullable=True),
    sa.Column('owner_name', sa.String(length=200), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['arising_id'], ['action_arising.id'], name=op.f('fk_arising_update_arising_id_action_arising')),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_arising_update_by_id_user')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_arising_update_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_arising_update_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arising_update'))
    )
    with op.batch_alter_table('arising_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arising_update_arising_id'), ['arising_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_arising_update_clinic_id'), ['clinic_id'], unique=False)

    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chair_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_clinic_chair_user_id_user'), 'user', ['chair_user_id'], ['id'])

    op.execute(sa.text(
        'UPDATE clinic SET chair_user_id = (SELECT u.id FROM "user" u WHERE lower(u.name) = lower(clinic.chair)) '
        'WHERE (SELECT count(*) FROM "user" u WHERE lower(u.name) = lower(clinic.chair)) = 1'))


def downgrade():
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_clinic_chair_user_id_user'), type_='foreignkey')
        batch_op.drop_column('chair_user_id')

    with op.batch_alter_table('arising_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arising_update_clinic_id'))
        batch_op.drop_index(batch_op.f('ix_arising_update_arising_id'))

    op.drop_table('arising_update')
    with op.batch_alter_table('clinic_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinic_note_corrects_id'))
        batch_op.drop_index(batch_op.f('ix_clinic_note_clinic_id'))

    op.drop_table('clinic_note')
    with op.batch_alter_table('action_arising', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_arising_clinic_id'))

    op.drop_table('action_arising')
