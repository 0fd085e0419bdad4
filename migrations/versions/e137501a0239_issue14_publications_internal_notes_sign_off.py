"""issue 14: committee papers (drafts, frozen publications and their PDFs), links pinned to them,
internal evidence notes, sign-off of completions

Publications and their PDFs are append-only tables. Existing notes stay visible to committees
(internal is off), existing links show the live board by role (no names), and no plan requires
sign-off until its owner says so.

Revision ID: e137501a0239
Revises: 6827553420c3
Create Date: 2026-11-27 13:46:52.410532

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e137501a0239'
down_revision = '6827553420c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by_name', sa.String(length=120), nullable=False),
    sa.Column('published_by_role', sa.String(length=300), nullable=False),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_publication_plan_id_plan')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_publication_published_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('plan_id', 'number', 'version', name=op.f('uq_publication_plan_id'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_plan_id'), ['plan_id'], unique=False)

    op.create_table('publication_pdf',
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('with_names', sa.Boolean(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['publication_id'], ['publication.id'], name=op.f('fk_publication_pdf_publication_id_publication')),
    sa.PrimaryKeyConstraint('publication_id', 'with_names', name=op.f('pk_publication_pdf'))
    )
    op.create_table('report_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('achievements', sa.Text(), server_default='', nullable=False),
    sa.Column('concerns', sa.Text(), server_default='', nullable=False),
    sa.Column('decisions', sa.Text(), server_default='', nullable=False),
    sa.Column('area_commentary', sa.JSON(), nullable=False),
    sa.Column('corrects_number', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('published_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_report_draft_created_by_id_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_report_draft_plan_id_plan')),
    sa.ForeignKeyConstraint(['published_id'], ['publication.id'], name=op.f('fk_report_draft_published_id_publication')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_report_draft_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_draft'))
    )
    with op.batch_alter_table('report_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_draft_plan_id'), ['plan_id'], unique=False)

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_off_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('evidence_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('internal', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_sign_off', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('show_names', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_share_link_publication_id_publication'), 'publication', ['publication_id'], ['id'])



def downgrade():
    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_share_link_publication_id_publication'), type_='foreignkey')
        batch_op.drop_column('show_names')
        batch_op.drop_column('publication_id')

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('require_sign_off')

    with op.batch_alter_table('evidence_note', schema=None) as batch_op:
        batch_op.drop_column('internal')

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('signed_off_at')

    with op.batch_alter_table('report_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_draft_plan_id'))

    op.drop_table('report_draft')
    op.drop_table('publication_pdf')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_plan_id'))

    op.drop_table('publication')
