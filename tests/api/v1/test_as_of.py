"""``as_of`` lists run the fact query over the history of facts (models.FactVersion).

The reference is what the revisions say: for each fact its latest revision at or before the
time, filtered and sorted in Python. The API must give the same facts in the same order,
page by page, for times between edits, with filters that read the fact's columns and its
lists (parties, actors, sources, words).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import FactVersion, Revision
from tests.api.v1.test_writes import NEW_FACT, evidence
from tests.factories import make_token


def _at(moment: datetime) -> str:
    return quote(moment.astimezone(UTC).isoformat())


def _reference(s: Session, when: datetime, keep: Any) -> list[int]:
    latest: dict[int, dict[str, Any]] = {}
    for r in s.scalars(select(Revision).where(Revision.entity == "fact").order_by(Revision.id)):
        if r.created_at <= when:
            latest[r.entity_id] = r.snapshot
    shown = [x for x in latest.values() if x["status"] == "published" and keep(x)]
    shown.sort(key=lambda x: (x["date_start"] or "0001-01-01", x["id"]), reverse=True)
    return [x["id"] for x in shown]


def _listed(client: FlaskClient, query: str) -> list[int]:
    ids: list[int] = []
    url: str | None = f"/api/v1/facts?limit=3&{query}"
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.get_data(as_text=True)
        body = r.get_json()
        ids += [x["id"] for x in body["data"]]
        url = body["links"]["next"]
    return ids


@pytest.fixture
def edited(client: FlaskClient, db_session: Session) -> list[datetime]:
    """Times between a series of edits: publish, change parties and text, retract."""
    auth = {"Authorization": make_token(db_session)}
    times = [datetime.now(UTC)]

    def write(method: str, url: str, **body: Any) -> Any:
        headers = dict(auth)
        if method != "post":
            headers["If-Match"] = client.get(url, headers=auth).headers["ETag"]
        r = getattr(client, method)(url, json=body or None, headers=headers)
        assert r.status_code in (200, 201), r.get_data(as_text=True)
        times.append(datetime.now(UTC))
        return r.get_json()

    made = write("post", "/api/v1/facts", **NEW_FACT, evidence=evidence(db_session))
    url = f"/api/v1/facts/{made['id']}"
    write("patch", url, status="published")
    write("patch", url, other_parties=["SYR"], summary="Russia offered Iraq tanks.")
    write("patch", url, date="2016")
    write("delete", url)
    return times


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("", lambda x: True),
        ("dyad=IRQ,RUS", lambda x: {x["subject"], x["counterpart"]} == {"RUS", "IRQ"}),
        ("party=SYR", lambda x: "SYR" in {x["subject"], x["counterpart"], *x["other_parties"]}),
        ("type=aid_offer", lambda x: x["type"] == "aid_offer"),
        (
            "q=tanks",
            lambda x: (
                "tanks" in (x["summary"] + " ".join(e["quote"] for e in x["evidence"])).lower()
            ),
        ),
        ("actor=vladimir-putin", lambda x: "vladimir-putin" in {a["key"] for a in x["actors"]}),
        ("from=2016", lambda x: (x["date_end"] or "") >= "2016-01-01"),
    ],
)
def test_a_past_list_is_what_the_revisions_said(
    client: FlaskClient, db_session: Session, edited: list[datetime], query: str, keep: Any
) -> None:
    for moment in edited:
        expected = _reference(db_session, moment, keep)
        assert _listed(client, f"as_of={_at(moment)}&{query}") == expected, (moment, query)


def test_history_rows_tile_time_without_gaps(db_session: Session, edited: list[datetime]) -> None:
    rows = db_session.scalars(select(FactVersion).order_by(FactVersion.fact_id, FactVersion.id))
    by_fact: dict[int, list[FactVersion]] = {}
    for row in rows:
        by_fact.setdefault(row.fact_id, []).append(row)
    revisions = db_session.scalars(select(Revision).where(Revision.entity == "fact")).all()
    assert sum(len(v) for v in by_fact.values()) == len(revisions)
    for versions in by_fact.values():
        for before, after in pairwise(versions):
            assert before.valid_to == after.valid_from
        assert versions[-1].valid_to is None


def test_a_past_fact_and_a_time_before_it(
    client: FlaskClient, db_session: Session, edited: list[datetime]
) -> None:
    fact_id = db_session.scalar(select(FactVersion.fact_id).order_by(FactVersion.id.desc()))
    before = edited[0] - timedelta(seconds=1)
    assert client.get(f"/api/v1/facts/{fact_id}?as_of={_at(before)}").status_code == 404
    published = client.get(f"/api/v1/facts/{fact_id}?as_of={_at(edited[2])}").get_json()
    assert published["status"] == "published" and published["other_parties"] == []
    changed = client.get(f"/api/v1/facts/{fact_id}?as_of={_at(edited[3])}").get_json()
    assert changed["other_parties"] == ["SYR"]
    assert client.get(f"/api/v1/facts/{fact_id}?as_of={_at(edited[5])}").status_code == 410
