"""The KPI panel: baselines from the plan, quarterly values, trends."""
import pytest
from sqlalchemy import select

from board.services.board_view import current_plan
from board.services.kpis import KpiConflict, KpiRefused, add_measure, kpi_panel, record_value
from board.services.plan_import import import_plan
from models import AuditEntry, KpiMeasure, db
from tests.conftest import csrf_token, user_for
from tests.pages import page_of
from tests.plans import seed_plan


def test_the_plans_q1_figures_are_the_baselines(ctx):
    panel = kpi_panel(current_plan())
    assert [(s.measure.name, s.points[0].quarter, s.points[0].value) for s in panel] == [
        ("Children and young people with early help assessments or plans", "2023/24 Q1", 1179),
        ("Children in need", "2023/24 Q1", 2031),
        ("Children and young people on a child protection plan", "2023/24 Q1", 190),
        ("Cared for children", "2023/24 Q1", 576),
        ("Former relevant care leavers aged 17-21", "2023/24 Q1", 259),
    ]
    import_plan(seed_plan())  # a re-import adds nothing twice
    assert len(kpi_panel(current_plan())) == 5


def test_values_trends_and_corrections_are_audited(ctx):
    measure = db.session.scalars(select(KpiMeasure).where(KpiMeasure.name == "Children in need")).one()
    record_value(measure, "2023/24 Q2", 2100, user_for("admin"))
    with pytest.raises(KpiConflict, match="already has the value 2100"):
        record_value(measure, "2023/24 Q2", 2120, user_for("editor"))  # did not see 2100
    record_value(measure, "2023/24 Q2", 2110, user_for("admin"), replaces=2100)  # a correction
    series = next(s for s in kpi_panel(current_plan()) if s.measure.id == measure.id)
    assert [(p.quarter, p.value) for p in series.points] == [("2023/24 Q1", 2031), ("2023/24 Q2", 2110)]
    assert series.change == "up 79 (4%) since 2023/24 Q1"
    assert series.polyline().startswith("4.0,32.0") and series.polyline().endswith("156.0,4.0")
    corrections = db.session.scalars(select(AuditEntry).where(AuditEntry.kind == "kpi_value")).all()
    assert [(a.from_value, a.to_value) for a in corrections] == [(None, "2100"), ("2100", "2110")]
    with pytest.raises(KpiRefused, match="like 2023/24 Q2"):
        record_value(measure, "2023/25 Q2", 1, user_for("admin"))
    compliance = add_measure(current_plan(), "% of compliance measures achieved", "percent", 90, user_for("admin"))
    with pytest.raises(KpiRefused, match="between 0 and 100"):
        record_value(compliance, "2023/24 Q2", 130, user_for("admin"))
    record_value(compliance, "2023/24 Q2", 72, user_for("admin"))
    record_value(compliance, "2023/24 Q3", 81, user_for("admin"))
    series = next(s for s in kpi_panel(current_plan()) if s.measure.id == compliance.id)
    assert series.change == "up 9 points since 2023/24 Q2" and series.target_y() == 4.0


def test_kpi_page_admin_forms_and_panels(seeded_app, client_for):
    admin = client_for("admin")
    token = csrf_token(admin)
    with seeded_app.app_context():
        measure_id = db.session.scalars(select(KpiMeasure.id).where(KpiMeasure.name == "Children in need")).one()
    bad = admin.post("/kpis", data={"value-measure": measure_id, "value-quarter": "Q2", "value-value": "2100",
                                    "value-submit": "1", "csrf_token": token})
    assert bad.status_code == 422 and "Write the quarter like 2023/24 Q2." in bad.get_data(as_text=True)
    ok = admin.post("/kpis", data={"value-measure": measure_id, "value-quarter": "2023/24 Q2",
                                   "value-value": "2100", "value-submit": "1", "csrf_token": token})
    assert ok.status_code == 303
    added = admin.post("/kpis", data={"measure-name": "% of compliance measures achieved", "measure-unit": "percent",
                                      "measure-target": "90", "measure-submit": "1", "csrf_token": token})
    assert added.status_code == 303
    for path in ("/kpis", "/overview", "/report"):
        page = page_of(client_for("viewer").get(path))
        assert "2023/24 Q2: 2100" in page.text() and "up 69 (3%) since 2023/24 Q1" in page.image_names()
        assert "% of compliance measures achieved" in page.text()
    viewer = client_for("viewer")
    assert viewer.post("/kpis", data={"measure-name": "x", "measure-submit": "1",
                                      "csrf_token": csrf_token(viewer)}).status_code == 403


def test_a_second_value_for_a_quarter_is_a_conflict_not_an_overwrite(seeded_app, client_for):
    admin = client_for("admin")
    token = csrf_token(admin)
    with seeded_app.app_context():
        measure_id = db.session.scalars(select(KpiMeasure.id).where(KpiMeasure.name == "Children in need")).one()
    data = {"value-measure": measure_id, "value-quarter": "2023/24 Q2", "value-submit": "1", "csrf_token": token}
    assert admin.post("/kpis", data={**data, "value-value": "2100"}).status_code == 303
    second = admin.post("/kpis", data={**data, "value-value": "2200"})
    page = page_of(second)
    assert second.status_code == 409
    assert any("already has the value 2100" in error for error in page.form_errors())
    assert page.field_value("value-replaces") == "2100" and page.field_value("value-value") == "2200"
    assert admin.post("/kpis", data={**data, "value-value": "2200", "value-replaces": "2100"}).status_code == 303
    with seeded_app.app_context():
        series = next(s for s in kpi_panel(current_plan()) if s.measure.id == measure_id)
        assert [(p.quarter, p.value) for p in series.points][-1] == ("2023/24 Q2", 2200)
