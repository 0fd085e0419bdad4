"""impact measures: polarity, tolerance, frequency, owners, links; append-only values; API tokens

Existing measures and values are kept. A measure that had a target becomes "higher is better" (the only
kind the old panel could add a target to, like the plan's 90% compliance measure); one without stays
context only. Quarters become periods as they were written ("2023/24 Q2"). A value recorded by nobody
came from the plan's import and says so in its source note. From here on values are never changed:
a correction is a new row pointing at the value it corrects.

Revision ID: 195b3afefeaf
Revises: fb91829e6e6f
Create Date: 2026-11-27 13:45:37.565815

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '195b3afefeaf'
down_revision = 'fb91829e6e6f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('times_used', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_token_created_by_id_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_api_token_plan_id_plan')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_api_token_revoked_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_plan_id'), ['plan_id'], unique=False)

    op.create_table('kpi_measure_area',
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_kpi_measure_area_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['kpi_measure.id'], name=op.f('fk_kpi_measure_area_measure_id_kpi_measure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', 'area_id', name=op.f('pk_kpi_measure_area'))
    )
    op.create_table('kpi_measure_owner_role',
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('owner_role_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['kpi_measure.id'], name=op.f('fk_kpi_measure_owner_role_measure_id_kpi_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_role_id'], ['owner_role.id'], name=op.f('fk_kpi_measure_owner_role_owner_role_id_owner_role'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', 'owner_role_id', name=op.f('pk_kpi_measure_owner_role'))
    )
    op.create_table('kpi_measure_outcome',
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['kpi_measure.id'], name=op.f('fk_kpi_measure_outcome_measure_id_kpi_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcome.id'], name=op.f('fk_kpi_measure_outcome_outcome_id_outcome'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', 'outcome_id', name=op.f('pk_kpi_measure_outcome'))
    )
    with op.batch_alter_table('kpi_measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('polarity', sa.String(length=20), server_default='context', nullable=False))
        batch_op.add_column(sa.Column('tolerance', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('frequency', sa.String(length=20), server_default='quarterly', nullable=False))
        batch_op.add_column(sa.Column('source', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('part_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_kpi_measure_part_of_id_kpi_measure'), 'kpi_measure', ['part_of_id'], ['id'])

    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.alter_column('quarter', new_column_name='period', existing_type=sa.String(length=12),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('source_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('quality_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('correction_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_kpi_value_measure_id'), type_='unique')
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_kpi_value_corrects_id'), ['corrects_id'])
        batch_op.create_index('uq_kpi_value_first_per_period', ['measure_id', 'period'], unique=True, sqlite_where=sa.text('corrects_id IS NULL'), postgresql_where=sa.text('corrects_id IS NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_kpi_value_corrects_id_kpi_value'), 'kpi_value', ['corrects_id'], ['id'])

    op.execute("UPDATE kpi_measure SET polarity = 'higher' WHERE target IS NOT NULL")
    op.execute("UPDATE kpi_value SET source_note = 'As printed in the plan' WHERE recorded_by_id IS NULL")


def downgrade():
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_kpi_value_corrects_id_kpi_value'), type_='foreignkey')
        batch_op.drop_index('uq_kpi_value_first_per_period', sqlite_where=sa.text('corrects_id IS NULL'), postgresql_where=sa.text('corrects_id IS NULL'))
        batch_op.drop_constraint(batch_op.f('uq_kpi_value_corrects_id'), type_='unique')
    # Back to one value per quarter: only the current value of each period is kept.
    op.execute("DELETE FROM kpi_value WHERE id IN (SELECT corrects_id FROM kpi_value WHERE corrects_id IS NOT NULL)")
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_column('correction_reason')
        batch_op.drop_column('corrects_id')
        batch_op.drop_column('quality_note')
        batch_op.drop_column('source_note')
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.alter_column('period', new_column_name='quarter', existing_type=sa.String(length=12),
                              existing_nullable=False)
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_kpi_value_measure_id'), ['measure_id', 'quarter'])

    with op.batch_alter_table('kpi_measure', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_kpi_measure_part_of_id_kpi_measure'), type_='foreignkey')
        batch_op.drop_column('version')
        batch_op.drop_column('part_of_id')
        batch_op.drop_column('source')
        batch_op.drop_column('frequency')
        batch_op.drop_column('tolerance')
        batch_op.drop_column('polarity')

    op.drop_table('kpi_measure_outcome')
    op.drop_table('kpi_measure_owner_role')
    op.drop_table('kpi_measure_area')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_plan_id'))

    op.drop_table('api_token')
