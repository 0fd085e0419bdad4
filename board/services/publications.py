"""Committee papers: the plan owner drafts a highlight report's narrative, then publishes it.

Publishing freezes it: the report as at the period's end (rebuilt from history) and the narrative are
stored whole, numbered per plan, dated and signed; nothing on the board changes it afterwards. A
correction is a new version of the same number with its reason; every version stays readable. A draft
save names the version it saw, so two people editing never overwrite each other unseen.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from board import clock
from board.services import audit
from board.services.people import role_title
from board.services.report import build_report
from board.services.report_model import Narrative, ReportSnapshot
from models import Plan, Publication, PublicationPdf, ReportDraft, User, db

NARRATIVE_FIELDS = ("summary", "achievements", "concerns", "decisions")


class DraftRefused(ValueError):
    """The draft cannot be saved or published as asked; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class DraftConflict(DraftRefused):
    """Someone saved or published the draft since it was loaded; `draft` is what it holds now."""

    def __init__(self, message: str, draft: ReportDraft):
        super().__init__(message)
        self.draft = draft


def start_draft(plan: Plan, start: date, end: date, user: User) -> ReportDraft:
    """A new draft for the period `start`..`end`, with no narrative yet."""
    draft = ReportDraft(plan_id=plan.id, period_start=start, period_end=end, area_commentary={},
                        created_by_id=user.id, updated_by_id=user.id)
    db.session.add(draft)
    db.session.commit()
    return draft


def correction_draft(publication: Publication, user: User) -> ReportDraft:
    """A draft correcting publication N: its period and narrative, ready to change, with a reason to give."""
    narrative = snapshot_of(publication).narrative
    draft = ReportDraft(plan_id=publication.plan_id, period_start=publication.period_start,
                        period_end=publication.period_end, corrects_number=publication.number,
                        area_commentary=dict(narrative.area_commentary), created_by_id=user.id,
                        updated_by_id=user.id, **{name: getattr(narrative, name) for name in NARRATIVE_FIELDS})
    db.session.add(draft)
    db.session.commit()
    return draft


def narrative_of(draft: ReportDraft) -> Narrative:
    return Narrative(area_commentary={k: v for k, v in (draft.area_commentary or {}).items() if v.strip()},
                     **{name: getattr(draft, name) for name in NARRATIVE_FIELDS})


def _claim(draft: ReportDraft, expected_version: int) -> None:
    """Take the draft's next version if it is still the one the person saw and still a draft."""
    claimed = db.session.execute(
        update(ReportDraft).where(ReportDraft.id == draft.id, ReportDraft.version == expected_version,
                                  ReportDraft.published_id.is_(None))
        .values(version=ReportDraft.version + 1).execution_options(synchronize_session=False)).rowcount
    db.session.expire(draft)
    if claimed != 1:
        db.session.rollback()
        if draft.published_id:
            raise DraftConflict("This draft was published meanwhile: it can no longer change.", draft)
        raise DraftConflict(f"{draft.updated_by.name} saved this draft at "
                            f"{clock.local_time(draft.updated_at)} while you were editing it: their words are "
                            "shown beside yours, which are still in the form. Save again to replace theirs.", draft)


def save_draft(draft: ReportDraft, user: User, expected_version: int, *, start: date, end: date,
               words: dict[str, str], area_commentary: dict[str, str],
               correction_reason: str | None = None) -> ReportDraft:
    """Save the narrative (and the period, unless it corrects a publication, whose period is fixed)."""
    if start > end:
        raise DraftRefused("The period starts after it ends.", "start")
    _claim(draft, expected_version)
    if draft.corrects_number is None:
        draft.period_start, draft.period_end = start, end
    for name in NARRATIVE_FIELDS:
        setattr(draft, name, words.get(name, "").strip())
    draft.area_commentary = {number: text.strip() for number, text in area_commentary.items() if text.strip()}
    draft.correction_reason = (correction_reason or "").strip() or None
    draft.updated_at, draft.updated_by_id = clock.now(), user.id
    db.session.commit()
    return draft


def publish(draft: ReportDraft, user: User, expected_version: int) -> Publication:
    """Freeze the draft as a publication: the next number, or the next version of the one it corrects."""
    if draft.corrects_number is not None and not (draft.correction_reason or "").strip():
        raise DraftRefused("Say why the publication is corrected: the corrected version shows it.",
                           "correction_reason")
    _claim(draft, expected_version)
    plan = db.session.get(Plan, draft.plan_id)
    if draft.corrects_number is None:
        number = (db.session.scalar(select(func.max(Publication.number)).where(Publication.plan_id == plan.id))
                  or 0) + 1
        version = 1
    else:
        number = draft.corrects_number
        version = db.session.scalar(select(func.max(Publication.version)).where(
            Publication.plan_id == plan.id, Publication.number == number)) + 1
    snapshot = build_report(plan, draft.period_start, draft.period_end, narrative_of(draft))
    publication = Publication(
        plan_id=plan.id, number=number, version=version, period_start=draft.period_start,
        period_end=draft.period_end, published_at=clock.now(), published_by_id=user.id,
        published_by_name=user.name, published_by_role=role_title(user), correction_reason=draft.correction_reason,
        snapshot=snapshot.model_dump(mode="json"))
    db.session.add(publication)
    try:
        db.session.flush()
    except IntegrityError:  # another publication took this number (or version) at the same moment
        db.session.rollback()
        raise DraftRefused("Another publication was made at the same moment: publish again.") from None
    draft.published_id = publication.id
    audit.record("publication", f"Publication {number}, version {version}", by=user,
                 to_value=f"{draft.period_start.isoformat()} to {draft.period_end.isoformat()}")
    db.session.commit()
    return publication


def discard_draft(draft: ReportDraft, user: User) -> None:
    """Drop a draft never published (drafts are working papers, not history)."""
    if draft.published_id is None:
        audit.record("draft_discarded", f"Draft for {draft.period_start.isoformat()} to "
                                        f"{draft.period_end.isoformat()}", by=user)
        db.session.delete(draft)
        db.session.commit()


def open_drafts(plan: Plan) -> list[ReportDraft]:
    return list(db.session.scalars(select(ReportDraft).where(
        ReportDraft.plan_id == plan.id, ReportDraft.published_id.is_(None)).order_by(ReportDraft.id.desc())))


def find_draft(plan: Plan, draft_id: int) -> ReportDraft | None:
    return db.session.scalars(select(ReportDraft).where(ReportDraft.plan_id == plan.id,
                                                        ReportDraft.id == draft_id)).first()


@dataclass
class PublicationEntry:
    """A publication number with all its versions, newest first."""

    number: int
    versions: list[Publication]

    @property
    def latest(self) -> Publication:
        return self.versions[0]

    @property
    def first(self) -> Publication:
        return self.versions[-1]


def publications(plan: Plan) -> list[PublicationEntry]:
    """Every publication of the plan, newest number first."""
    rows = db.session.scalars(select(Publication).where(Publication.plan_id == plan.id)
                              .order_by(Publication.number.desc(), Publication.version.desc())).all()
    entries: dict[int, PublicationEntry] = {}
    for row in rows:
        entries.setdefault(row.number, PublicationEntry(row.number, [])).versions.append(row)
    return list(entries.values())


def versions_of(plan_id: int, number: int) -> list[Publication]:
    """Every version of publication `number`, oldest first."""
    return list(db.session.scalars(select(Publication).where(
        Publication.plan_id == plan_id, Publication.number == number).order_by(Publication.version)))


def find_publication(plan: Plan, number: int, version: int | None = None) -> Publication | None:
    """Publication `number` of the plan: that version, else its latest."""
    versions = versions_of(plan.id, number)
    if version is None:
        return versions[-1] if versions else None
    return next((row for row in versions if row.version == version), None)


def publication_by_id(publication_id: int) -> Publication | None:
    return db.session.get(Publication, publication_id)


def snapshot_of(publication: Publication) -> ReportSnapshot:
    return ReportSnapshot.model_validate(publication.snapshot)


def kept_pdf(publication: Publication, with_names: bool) -> bytes | None:
    found = db.session.get(PublicationPdf, (publication.id, with_names))
    return found.pdf if found else None


def keep_pdf(publication: Publication, with_names: bool, pdf: bytes) -> bytes:
    """Keep a publication's PDF the first time it is made; afterwards it is always that one."""
    db.session.add(PublicationPdf(publication_id=publication.id, with_names=with_names, pdf=pdf))
    try:
        db.session.commit()
    except IntegrityError:  # made at the same moment by another request: theirs is the one kept
        db.session.rollback()
        return kept_pdf(publication, with_names)
    return pdf
