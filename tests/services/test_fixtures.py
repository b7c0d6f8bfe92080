"""The curated fixtures: content, idempotent load, all-or-nothing failure."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Actor, Evidence, Fact, PartyMembership, Revision, Source
from api.services.evidence import verify_quote
from api.services.fact_writes import patch_fact, retract_fact
from api.services.fixtures import FixtureError, load_fixtures
from api.services.text import normalize
from api.vocabulary import FACT_TYPES
from tests.conftest import FIXTURES, SEEDS


def _counts(session: Session) -> dict[str, int]:
    return {
        m.__name__: session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Fact, Evidence, Source, Actor, Revision, PartyMembership)
    }


def test_fixtures_cover_every_fact_type_with_enough_facts(db_session: Session) -> None:
    types = Counter(db_session.scalars(select(Fact.type)))
    assert sum(types.values()) >= 20
    assert set(types) == set(FACT_TYPES)


def test_every_fixture_fact_is_published_with_verified_evidence(db_session: Session) -> None:
    for fact in db_session.scalars(select(Fact)):
        assert fact.status == "published"
        assert fact.evidence and all(ev.verified for ev in fact.evidence)
        for ev in fact.evidence:
            body = db_session.get(Source, ev.source_id).body  # type: ignore[union-attr]
            assert normalize(body[ev.start : ev.end]) == normalize(ev.quote)
            assert (verify_quote(body, ev.quote).start, ev.end) == (ev.start, ev.end)


def test_facts_stated_in_both_copies_carry_evidence_from_both(db_session: Session) -> None:
    original, copy = db_session.scalars(
        select(Source).where(Source.file_name.in_(SEEDS[:2])).order_by(Source.id)
    ).all()
    assert copy.canonical_id == original.id
    for fact in db_session.scalars(select(Fact)):
        sources = {ev.source_id for ev in fact.evidence}
        if sources & {original.id, copy.id}:
            assert {original.id, copy.id} <= sources, fact.key


def test_examples_named_by_the_brief(db_session: Session) -> None:
    trade = db_session.scalar(select(Fact).where(Fact.type == "trade_volume"))
    assert trade is not None
    assert (trade.subject, trade.counterpart, trade.value, trade.unit, trade.value_qualifier) == (
        "RUS",
        "IRQ",
        2_000_000_000,
        "USD",
        "approximately",
    )
    assert (trade.date_precision, str(trade.date_start)) == ("year", "2015-01-01")
    centre = db_session.scalar(select(Fact).where(Fact.type == "intelligence_sharing"))
    assert centre is not None
    assert sorted(p.party_code for p in centre.other_parties) == ["IRN", "SYR"]
    aid = db_session.scalar(select(Fact).where(Fact.type == "aid_offer", Fact.subject == "RUS"))
    assert aid is not None and str(aid.date_start) == "2015-05-21"
    assert aid.attributes["aid_kind"] == "military"


def test_memberships_are_loaded(db_session: Session) -> None:
    pairs = set(
        db_session.execute(select(PartyMembership.organization_code, PartyMembership.member_code))
    )
    assert {("OPEC", "IRQ"), ("OPEC+", "RUS")} <= pairs


def test_loading_again_changes_nothing(db_session: Session) -> None:
    before = _counts(db_session)
    report = load_fixtures(db_session, FIXTURES)
    assert _counts(db_session) == before
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values())


def test_a_changed_fact_is_updated_with_a_revision(db_session: Session, tmp_path: Path) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    facts = yaml.safe_load((copy / "facts.yaml").read_text())
    facts[0]["summary"] = "A corrected summary."
    (copy / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))
    report = load_fixtures(db_session, copy)
    assert report.counts["facts"].updated == 1
    fact = db_session.scalar(select(Fact).where(Fact.key == facts[0]["key"]))
    assert fact is not None and fact.summary == "A corrected summary." and fact.version == 2
    revision = db_session.scalar(
        select(Revision).where(Revision.entity_id == fact.id, Revision.version == 2)
    )
    assert revision is not None and revision.changes is not None
    assert revision.changes["summary"]["to"] == "A corrected summary."


@pytest.mark.parametrize(
    ("breakage", "where"),
    [
        (lambda f: f[-1]["evidence"][0].update(quote="words that are not there at all"), "quote"),
        (lambda f: f[-1].update(subject="XXX"), "Unknown party"),
        (lambda f: f[-1].update(date="2015-05", date_precision="day"), "precision"),
        (lambda f: f[-1].update(attributes={"nonsense": 1}), "attributes"),
        (lambda f: f[-1].update(colour="red"), "Unknown field"),
    ],
)
def test_one_bad_fact_fails_the_whole_load_naming_it(
    bare_session: Session, tmp_path: Path, breakage: object, where: str
) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    facts = yaml.safe_load((copy / "facts.yaml").read_text())
    breakage(facts)  # type: ignore[operator]
    (copy / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))
    before = _counts(bare_session)
    savepoint = bare_session.begin_nested()
    with pytest.raises(FixtureError) as err:
        load_fixtures(bare_session, copy)
    savepoint.rollback()
    assert err.value.file == "facts.yaml"
    assert err.value.entry == facts[-1]["key"]
    assert where in str(err.value)
    assert _counts(bare_session) == before


def _fixture_fact(session: Session, key: str | None = None) -> Fact:
    fact = session.scalar(select(Fact).where(Fact.key == key) if key else select(Fact).limit(1))
    assert fact is not None
    return fact


def _revisions(session: Session, fact: Fact) -> int:
    found = select(func.count()).select_from(Revision).where(Revision.entity_id == fact.id)
    return session.scalar(found.where(Revision.entity == "fact")) or 0


def test_loading_again_keeps_a_curators_edit_and_reports_it(db_session: Session) -> None:
    fact = _fixture_fact(db_session)
    patch_fact(db_session, fact, {"summary": "A curator's wording."}, "curator")
    revisions = _revisions(db_session, fact)
    report = load_fixtures(db_session, FIXTURES)
    assert fact.summary == "A curator's wording." and fact.updated_by == "curator"
    assert _revisions(db_session, fact) == revisions
    assert report.counts["facts"].skipped == [fact.key]
    assert f"facts: 1 skipped: changed since they were loaded: {fact.key}" in report.lines()


def test_loading_again_never_republishes_a_retracted_fact_even_with_force(
    db_session: Session,
) -> None:
    fact = _fixture_fact(db_session)
    retract_fact(db_session, fact, "curator")
    for force in (False, True):
        report = load_fixtures(db_session, FIXTURES, force=force)
        assert fact.status == "retracted" and report.counts["facts"].skipped == [fact.key]


def test_force_overwrites_an_edited_fact_with_a_revision(
    db_session: Session, tmp_path: Path
) -> None:
    fact = _fixture_fact(db_session)
    original = fact.summary
    patch_fact(db_session, fact, {"summary": "A curator's wording."}, "curator")
    report = load_fixtures(db_session, FIXTURES, force=True)
    assert fact.summary == original and fact.updated_by == "fixtures"
    assert report.counts["facts"].updated == 1 and not report.counts["facts"].skipped
    last = db_session.scalar(
        select(Revision)
        .where(Revision.entity == "fact", Revision.entity_id == fact.id)
        .order_by(Revision.id.desc())
        .limit(1)
    )
    assert last is not None and last.author == "fixtures"
    assert last.changes is not None and last.changes["summary"]["to"] == original


def test_an_untouched_fact_follows_the_fixture_file_but_an_edited_one_does_not(
    db_session: Session, tmp_path: Path
) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    facts = yaml.safe_load((copy / "facts.yaml").read_text())
    facts[0]["summary"] = "The fixture file's new wording."
    facts[1]["summary"] = "Another new wording."
    (copy / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))
    edited = _fixture_fact(db_session, facts[1]["key"])
    patch_fact(db_session, edited, {"summary": "A curator's wording."}, "curator")
    report = load_fixtures(db_session, copy)
    assert _fixture_fact(db_session, facts[0]["key"]).summary == "The fixture file's new wording."
    assert edited.summary == "A curator's wording."
    assert report.counts["facts"].updated == 1 and report.counts["facts"].skipped == [edited.key]


def test_a_fact_a_person_published_under_a_fixture_key_is_left_alone(
    db_session: Session, tmp_path: Path
) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    facts = yaml.safe_load((copy / "facts.yaml").read_text())
    fact = _fixture_fact(db_session, facts[0]["key"])
    fact.updated_by = fact.created_by = "curator"  # as if a person had written it
    facts[0]["summary"] = "The fixture file's new wording."
    (copy / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))
    report = load_fixtures(db_session, copy)
    assert fact.summary != "The fixture file's new wording."
    assert report.counts["facts"].skipped == [fact.key]
