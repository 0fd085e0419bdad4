"""The scorecard page and a measure's page: template contexts and the forms' choices."""
from __future__ import annotations

from sqlalchemy import select

from board.reports.forms import KpiValueForm, MeasureChangeForm, MeasureForm, ScorecardForm
from board.services import kpis
from board.services.periods import example as period_example
from board.services.scorecard import one_series, scorecard
from board.views.viewer import Viewer
from models import Area, KpiMeasure, Outcome, OwnerRole, Plan, Role, db


def _outcomes(plan: Plan) -> list[Outcome]:
    return list(db.session.scalars(select(Outcome).join(Area).where(Area.plan_id == plan.id)
                                   .order_by(Area.number, Outcome.position)))


def with_choices(form: MeasureForm, plan: Plan) -> MeasureForm:
    """The owner roles, areas and outcomes of this plan, as the form's choices."""
    form.owner_roles.choices = [(role.id, role.name) for role in plan.owner_roles]
    form.areas.choices = [(area.id, f"{area.number}. {area.title}") for area in plan.areas]
    form.outcomes.choices = [(o.id, f"Area {o.area.number}: {o.text if len(o.text) < 110 else o.text[:107] + '…'}")
                             for o in _outcomes(plan)]
    return form


def measure_form(plan: Plan, posted: bool = False) -> MeasureForm:
    form = MeasureForm(prefix="measure") if posted else MeasureForm(prefix="measure", formdata=None)
    return with_choices(form, plan)


def change_form(plan: Plan, measure: KpiMeasure, posted: bool = False) -> MeasureChangeForm:
    """The definition as posted, or as it is now (naming the version it was shown at)."""
    if posted:
        return with_choices(MeasureChangeForm(), plan)
    form = MeasureChangeForm(formdata=None, obj=measure)
    form.owner_roles.data = [role.id for role in measure.owner_roles]
    form.areas.data = [area.id for area in measure.areas]
    form.outcomes.data = [outcome.id for outcome in measure.outcomes]
    return with_choices(form, plan)


def definition(plan: Plan, form: MeasureForm) -> kpis.MeasureDefinition:
    """The form's answers, with ids turned into this plan's rows (the choices allowed nothing else)."""
    def rows(model, ids):
        return list(db.session.scalars(select(model).where(model.id.in_(ids or [])))) if ids else []

    return kpis.MeasureDefinition(
        name=form.name.data or "", unit=form.unit.data, polarity=form.polarity.data, target=form.target.data,
        tolerance=form.tolerance.data, frequency=form.frequency.data, source=form.source.data or "",
        owner_roles=rows(OwnerRole, form.owner_roles.data), areas=rows(Area, form.areas.data),
        outcomes=rows(Outcome, form.outcomes.data))


def scorecard_page(plan: Plan, viewer: Viewer, query: ScorecardForm, form: MeasureForm | None = None) -> dict:
    area_id = None
    area_number = query.cleaned("area")
    if area_number:
        area_id = next((area.id for area in plan.areas if area.number == area_number), -1)
    return {"plan": plan, "groups": scorecard(plan, area_id), "query": query,
            "measure_form": (form or measure_form(plan)) if viewer.may(Role.ADMIN) else None,
            "recordable": {m.id for m in kpis.recordable_measures(plan, viewer.user)}
            if viewer.may(Role.CONTRIBUTOR) else set()}


def value_form(measure: KpiMeasure, correcting=None, posted: bool = False) -> KpiValueForm:
    """The form as posted, a blank one, or one correcting `correcting` (its period and value filled in)."""
    if posted:
        form = KpiValueForm()
    elif correcting is not None:
        form = KpiValueForm(formdata=None, period=correcting.period, value=correcting.value, replaces=correcting.id,
                            source_note=correcting.source_note)
    else:
        form = KpiValueForm(formdata=None)
    form.period.description = f"Like {period_example(measure.frequency)}."
    return form


def measure_page(plan: Plan, measure: KpiMeasure, viewer: Viewer, *, value_form_=None, change_form_=None,
                 correcting_id: int | None = None) -> dict:
    series = one_series(measure)
    correcting = next((v for v in series.current.values() if v.id == correcting_id), None)
    # Never on a share link or an archived plan (`viewer.may`), else the measure's owners and admins.
    may_record = viewer.may(Role.CONTRIBUTOR) and kpis.may_record(viewer.user, measure)
    return {"plan": plan, "series": series, "measure": measure,
            "may_record": may_record,
            "value_form": (value_form_ or value_form(measure, correcting)) if may_record else None,
            "correcting": correcting if value_form_ is None else None,
            "change_form": (change_form_ or change_form(plan, measure)) if viewer.may(Role.ADMIN) else None}
