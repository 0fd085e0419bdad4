"""Impact measures: the plan's own figures, RAG against target and tolerance, values kept append-only,
who may record, the scorecard, a measure's page, and measures on an outcome's page."""
import pytest
from sqlalchemy import func, select

from board.services import kpis, periods, plans
from board.services.board_view import current_plan
from board.services.plan_import import import_plan
from board.services.scorecard import Rag, one_series, rate
from models import Area, AuditEntry, KpiMeasure, KpiValue, OwnerRole, db
from models.action import HistoryIsAppendOnly
from tests.conftest import HTMX, action_by_ref, csrf_token, user_for
from tests.pages import page_of
from tests.plans import seed_plan


def _measure(name: str) -> KpiMeasure:
    return db.session.scalars(select(KpiMeasure).where(KpiMeasure.name == name)).one()


def test_the_plans_own_measures_are_seeded_as_printed(ctx):
    series = {s.measure.name: s for s in (one_series(m) for m in kpis.plan_measures(current_plan()))}
    figures = {name: (s.measure.polarity, s.latest.period, s.latest.value) for name, s in series.items() if s.latest}
    assert figures["Children in need"] == ("context", "2023/24 Q1", 2031)
    assert figures["Cared for children: of which UASC"] == ("context", "2023/24 Q1", 55)
    assert figures["Former relevant care leavers aged 17-21: of which UASC"] == ("context", "2023/24 Q1", 58)
    assert series["Cared for children: of which UASC"].measure.part_of.name == "Cared for children"
    compliance = series["Compliance measures achieved"].measure
    assert (compliance.unit, compliance.polarity, compliance.target, series["Compliance measures achieved"].latest) \
        == ("percent", "higher", 90, None)
    audit = {name: s for name, s in series.items() if name.startswith("Audit")}
    assert [(s.measure.polarity, s.latest.period, s.latest.value) for s in audit.values()] == [
        ("higher", "2023-08", 68), ("context", "2023-08", 36), ("lower", "2023-08", 6)]
    good = series["Audit: cases graded good"].latest.quality_note
    assert "20 of 33 cases is 61%, not the 68% printed" in good and "add up to 110%" in good
    assert series["Audit: cases graded inadequate"].latest.quality_note == \
        "The printed percentages add up to 110%, not 100%."
    import_plan(seed_plan())  # a re-import adds nothing twice
    assert len(kpis.plan_measures(current_plan())) == 11
    assert db.session.scalar(select(func.count(KpiValue.id))) == 10


@pytest.mark.parametrize(("polarity", "value", "expected"), [
    ("higher", 95, Rag.GREEN), ("higher", 90, Rag.GREEN),           # past and at the target
    ("higher", 87.5, Rag.AMBER), ("higher", 85, Rag.AMBER),         # inside and at the edge of the tolerance
    ("higher", 84.9, Rag.RED),                                      # outside it
    ("lower", 10, Rag.GREEN), ("lower", 12, Rag.GREEN),
    ("lower", 13, Rag.AMBER), ("lower", 15, Rag.AMBER), ("lower", 15.1, Rag.RED),
    ("context", 1_000_000, Rag.CONTEXT), ("context", 0, Rag.CONTEXT),
])
def test_rag_for_each_polarity_at_inside_and_outside_the_tolerance(polarity, value, expected):
    target, tolerance = (90, 5) if polarity == "higher" else (12, 3)
    assert rate(polarity, target, tolerance, value) is expected


def test_rag_without_tolerance_or_target():
    assert rate("higher", 90, None, 89.99) is Rag.RED and rate("higher", 90, 0, 90) is Rag.GREEN
    assert rate("lower", None, None, 5) is Rag.NO_TARGET
    assert rate("higher", 0.3, 0.1, 0.1 + 0.1) is Rag.AMBER  # 0.2 is on the band's edge despite floating point


def test_periods_by_frequency():
    assert periods.check("monthly", "aug 2023") == "2023-08" and periods.label("2023-08") == "Aug 2023"
    assert periods.check("quarterly", "Q3 2023/24") == "2023/24 Q3"
    assert periods.bounds("2023/24 Q4") == (periods.date(2024, 1, 1), periods.date(2024, 3, 31))
    assert periods.bounds("2023/24") == (periods.date(2023, 4, 1), periods.date(2024, 3, 31))
    for frequency, bad in (("quarterly", "2023/25 Q2"), ("monthly", "2023-13"), ("yearly", "2023")):
        with pytest.raises(periods.PeriodRefused, match="Write the period like"):
            periods.check(frequency, bad)


def _compliance_owned_by(role_name: str) -> KpiMeasure:
    measure = _measure("Compliance measures achieved")
    role = db.session.scalars(select(OwnerRole).where(OwnerRole.name == role_name)).one()
    measure.owner_roles = [role]
    measure.tolerance = 5
    db.session.commit()
    return measure


def test_corrections_keep_the_earlier_value_and_say_why(ctx):
    measure = _compliance_owned_by("Principal Social Worker")
    admin = user_for("admin")
    first = kpis.record_value(measure, "2023/24 Q2", 84, admin, "Monthly compliance report")
    with pytest.raises(kpis.KpiConflict, match="already has the value 84"):
        kpis.record_value(measure, "2023/24 Q2", 86, admin, "Monthly compliance report")  # did not see 84
    with pytest.raises(kpis.KpiRefused, match="Say why"):
        kpis.record_value(measure, "2023/24 Q2", 86, admin, "Corrected report", replaces=first.id)
    second = kpis.record_value(measure, "2023/24 Q2", 86, admin, "Corrected report", replaces=first.id,
                               reason="Two teams were counted twice")
    with pytest.raises(kpis.KpiConflict):  # a correction of a value already corrected is refused
        kpis.record_value(measure, "2023/24 Q2", 88, admin, "x", replaces=first.id, reason="again")
    kpis.record_value(measure, "Q3 2023/24", 92, admin, "Monthly compliance report")
    series = one_series(measure)
    assert [(v.period, v.value) for v in series.points] == [("2023/24 Q2", 86), ("2023/24 Q3", 92)]
    assert [v.value for v in series.earlier(second)] == [84]
    assert (second.corrects_id, second.correction_reason) == (first.id, "Two teams were counted twice")
    assert [series.rag(v) for v in series.points] == [Rag.AMBER, Rag.GREEN]
    assert str(series.travel) == "Improving: up 6 points since 2023/24 Q2"
    with pytest.raises(HistoryIsAppendOnly):
        first.value = 1
        db.session.commit()
    db.session.rollback()
    for bad, field in ((101, "value"), (-1, "value")):
        with pytest.raises(kpis.KpiRefused) as refused:
            kpis.record_value(measure, "2023/24 Q4", bad, admin, "x")
        assert refused.value.field == field


def test_a_contributor_records_only_their_own_measures(ctx):
    measure = _compliance_owned_by("Principal Social Worker")
    contributor, viewer = user_for("contributor"), user_for("viewer")
    assert not kpis.may_record(contributor, measure)
    with pytest.raises(kpis.NotAnOwner):
        kpis.record_value(measure, "2023/24 Q2", 80, contributor, "Report")
    role = measure.owner_roles[0]
    contributor.owner_roles = [role]
    viewer.owner_roles = [role]
    db.session.commit()
    assert kpis.may_record(contributor, measure) and not kpis.may_record(viewer, measure)
    assert kpis.record_value(measure, "2023/24 Q2", 80, contributor, "Report").recorded_by == contributor
    assert [m.name for m in kpis.recordable_measures(current_plan(), contributor)] == ["Compliance measures achieved"]
    with pytest.raises(kpis.NotAnOwner):
        kpis.record_value(_measure("Children in need"), "2023/24 Q2", 2100, contributor, "Report")


def _ids(app, *names):
    with app.app_context():
        return [_measure(name).id for name in names]


def test_contributors_record_their_measures_on_the_web_and_no_others(seeded_app, client_for):
    with seeded_app.app_context():
        _compliance_owned_by("Principal Social Worker")
        user_for("contributor").owner_roles = list(_measure("Compliance measures achieved").owner_roles)
        db.session.commit()
    compliance, need = _ids(seeded_app, "Compliance measures achieved", "Children in need")
    contributor = client_for("contributor")
    token = csrf_token(contributor)
    scorecard = page_of(contributor.get("/kpis"))
    assert "Record a value for Compliance measures achieved" in scorecard.text()
    assert "Record a value for Children in need" not in scorecard.text()
    data = {"period": "2023/24 Q2", "value": "83", "source_note": "Compliance report", "csrf_token": token}
    assert contributor.post(f"/kpis/{need}/values", data=data).status_code == 403
    viewer = client_for("viewer")
    assert viewer.post(f"/kpis/{compliance}/values", data={**data, "csrf_token": csrf_token(viewer)}).status_code == 403
    bad = contributor.post(f"/kpis/{compliance}/values", data={**data, "period": "Q2"})
    assert bad.status_code == 422 and "Write the period like 2023/24 Q2." in page_of(bad).form_errors()[0]
    assert page_of(bad).field_value("value") == "83"
    done = contributor.post(f"/kpis/{compliance}/values", data=data)
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/kpis/{compliance}#values")
    again = contributor.post(f"/kpis/{compliance}/values", data={**data, "value": "86"}, headers=HTMX)
    page = page_of(again)
    assert again.status_code == 409 and "<html" not in again.get_data(as_text=True)
    assert any("already has the value 83" in error for error in page.form_errors())
    assert page.field_value("value") == "86"
    corrected = contributor.post(f"/kpis/{compliance}/values", headers=HTMX, data={
        **data, "value": "86", "replaces": page.field_value("replaces"), "reason": "Late returns added"})
    assert corrected.status_code == 200 and "corrected" in corrected.headers["HX-Trigger-After-Settle"]
    measure_page = page_of(client_for("viewer").get(f"/kpis/{compliance}"))
    assert measure_page.table_rows("#values table")[1][:4] == [
        "2023/24 Q2", "86%", "Amber (within tolerance)", "Compliance report"]
    assert "Corrected: “Late returns added”" in measure_page.text()
    assert "83% by Contributor Person" in measure_page.text() and "Amber" in measure_page.text()
    with seeded_app.app_context():
        assert [(v.value, v.corrects_id is not None) for v in one_series(_measure("Compliance measures achieved"))
                .values] == [(83, False), (86, True)]


def test_admins_add_and_change_measures_and_a_stale_change_is_refused(seeded_app, client_for):
    admin = client_for("admin")
    token = csrf_token(admin)
    with seeded_app.app_context():
        area = db.session.scalars(select(Area.id).where(Area.number == 7)).one()
        outcome = action_by_ref("7.4").outcome_id
        role = db.session.scalars(select(OwnerRole.id).where(OwnerRole.name == "Principal Social Worker")).one()
    refused = admin.post("/kpis/measures", data={"measure-name": "", "csrf_token": token})
    assert refused.status_code == 422 and "Name the measure." in page_of(refused).form_errors()
    added = admin.post("/kpis/measures", data={
        "measure-name": "Supervision within 6 weeks", "measure-unit": "percent", "measure-polarity": "higher",
        "measure-target": "95", "measure-tolerance": "5", "measure-frequency": "monthly",
        "measure-source": "Supervision audit", "measure-owner_roles": role, "measure-areas": area,
        "measure-outcomes": outcome, "csrf_token": token})
    assert added.status_code == 303
    measure_id = int(added.headers["Location"].rsplit("/", 1)[1])
    form = {"name": "Supervision within 6 weeks", "unit": "percent", "polarity": "higher", "target": "90",
            "tolerance": "5", "frequency": "monthly", "source": "Supervision audit", "owner_roles": role,
            "areas": area, "outcomes": outcome, "version": "1", "csrf_token": token}
    assert admin.post(f"/kpis/{measure_id}", data=form).status_code == 303
    stale = admin.post(f"/kpis/{measure_id}", data={**form, "target": "80"})
    assert stale.status_code == 409 and any("Someone changed this measure" in e for e in page_of(stale).form_errors())
    assert page_of(stale).field_value("version") == "2" and page_of(stale).field_value("target") == "80"
    with seeded_app.app_context():
        measure = db.session.get(KpiMeasure, measure_id)
        assert (measure.target, measure.frequency, [a.number for a in measure.areas]) == (90, "monthly", [7])
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.kind.like("kpi_measure%"))) == 2
    outcome_page = page_of(client_for("viewer").get(f"/outcomes/{outcome}"))
    assert "Measures: Supervision within 6 weeks (no values yet)" in outcome_page.text()
    assert "Impact rating: not rated yet" in outcome_page.text()
    assert page_of(client_for("viewer").get("/kpis?area=7")).text().count("Supervision within 6 weeks") >= 1
    assert "Children in need" not in page_of(client_for("viewer").get("/kpis?area=7")).text()


def test_the_scorecard_shows_rag_in_words_direction_trend_and_the_data_quality_note(seeded_app, client_for):
    with seeded_app.app_context():
        measure = _compliance_owned_by("Principal Social Worker")
        for period, value in (("2023/24 Q2", 80), ("2023/24 Q3", 88)):
            kpis.record_value(measure, period, value, user_for("admin"), "Compliance report")
    for path in ("/kpis", "/overview", "/report"):
        page = page_of(client_for("viewer").get(path))
        text = page.text()
        assert "80% Red (outside tolerance)" in text and "88% Amber (within tolerance)" in text, path
        assert "Improving: up 8 points since 2023/24 Q2" in text, path
        assert "Trend of Compliance measures achieved: 2023/24 Q2 80%, 2023/24 Q3 88%; target 90%" in page.image_names()
        assert "2,031 Context (not rated)" in text and "Data quality" in text, path
        assert "Audit: cases graded good, Aug 2023 (68% as printed): 20 of 33 cases is 61%, not the 68% printed." in text


def test_each_plan_has_its_own_measures_and_an_archived_plans_measures_are_read_only(two_years, client_for):
    """2023-24 (archived) keeps its measures and values, readable at its address; 2024-25 (live) has its own;
    a measure is found only under its own plan; nothing is recorded or added on the archived plan."""
    with two_years.app_context():
        old, new = (plans.plan_by_slug(slug) for slug in ("2023-24", "2024-25"))
        need = db.session.scalars(select(KpiMeasure).where(KpiMeasure.plan_id == old.id,
                                                           KpiMeasure.name == "Children in need")).one().id
        new_names = [m.name for m in kpis.plan_measures(new)]
        values_before = db.session.scalar(select(func.count(KpiValue.id)))
    admin = client_for("admin")
    token = csrf_token(admin)
    assert "Children in need" not in new_names
    live = page_of(admin.get("/kpis"))
    assert "Children in need" not in live.text() and "Add a measure" in live.text()
    archived = page_of(admin.get("/plans/2023-24/kpis"))
    assert "2,031 Context (not rated)" in archived.text() and "Add a measure" not in archived.text()
    assert archived.link("Children in need") == f"/plans/2023-24/kpis/{need}"
    assert admin.get(f"/kpis/{need}").status_code == 404  # not a measure of the live plan
    page = page_of(admin.get(f"/plans/2023-24/kpis/{need}"))
    assert "2023/24 Q1" in page.text() and "Record a value" not in page.text() and "Change this measure" not in page.text()
    refused = [admin.post(f"/plans/2023-24/kpis/{need}/values", data={
                   "period": "2023/24 Q2", "value": "2100", "source_note": "CIN census", "csrf_token": token}),
               admin.post("/plans/2023-24/kpis/measures", data={"measure-name": "Late", "csrf_token": token})]
    assert [response.status_code for response in refused] == [403, 403]
    with two_years.app_context():
        assert db.session.scalar(select(func.count(KpiValue.id))) == values_before
        assert [m.name for m in kpis.plan_measures(plans.plan_by_slug("2023-24"))][:1] == [
            "Children and young people with early help assessments or plans"]
