"""The seeds' suggestions, checked against the curated facts of fixtures/facts.yaml."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import yaml

from api.services.articles import parse_article
from api.services.evidence import verify_quote
from api.services.extract.dates import Published
from api.services.extract.suggest import suggest
from tests.conftest import FIXTURES

BIN = Path(__file__).resolve().parents[3] / ".venv" / "bin"


def _seeds() -> list[tuple[str, str, Published]]:
    out = []
    for s in yaml.safe_load((FIXTURES / "sources.yaml").read_text()):
        body = parse_article((FIXTURES / "articles" / s["file"]).read_text()).body
        text = s["published"]
        day = date.fromisoformat(text if len(text) == 10 else text + "-01")
        out.append((s["file"], body, Published(day, s["published_precision"])))
    return out


def test_the_seeds_suggest_most_curated_facts_with_spans_that_verify() -> None:
    facts = yaml.safe_load((FIXTURES / "facts.yaml").read_text())
    found = wanted = 0
    for name, body, pub in _seeds():
        suggestions = [x.fact for x in suggest(body, pub)]
        for fact in suggestions:
            for ev in fact["evidence"]:
                assert body[ev["start"] : ev["end"]] == ev["quote"]
                match = verify_quote(body, ev["quote"])
                assert (match.start, match.end) == (ev["start"], ev["end"])
        pairs = {(f["type"], frozenset((f["subject"], f["counterpart"]))) for f in suggestions}
        for fact in facts:
            if any(e["source"] == name for e in fact["evidence"]):
                wanted += 1
                found += (fact["type"], frozenset((fact["subject"], fact["counterpart"]))) in pairs
    assert found / wanted >= 0.8, (found, wanted)


def test_relative_dates_need_the_precision_they_name() -> None:
    for _name, body, pub in _seeds():
        for x in suggest(body, pub):
            f = x.fact
            if pub.precision != "day" and f["date_basis"] == "inferred":
                assert f["date_precision"] != "day", f  # no invented day
        undated = suggest(body, Published(None))
        assert all(s.fact["date_basis"] != "inferred" for s in undated)


def test_actors_get_the_role_they_held_on_the_fact_s_date() -> None:
    _name, body, pub = _seeds()[0]
    aid = next(x for x in suggest(body, pub) if x.fact["type"] == "aid_offer")
    assert {"actor": "haidar-al-abadi", "role": "Prime Minister"} in aid.fact["actors"]
    for cue in aid.cues:  # every cue points at the words it names
        assert cue["start"] is None or body[cue["start"] : cue["end"]] == cue["text"]


def test_facts_suggest_prints_json_for_files_and_stores_nothing(tmp_path: Path) -> None:
    article = FIXTURES / "articles" / "001_a7cf81619bdeeff9.txt"
    out = subprocess.run(
        [str(BIN / "facts"), "suggest", str(article)],
        capture_output=True,
        text=True,
        check=True,
        env={"FACTS_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}", "PATH": "/usr/bin:/bin"},
    )
    doc = json.loads(out.stdout)
    assert doc["published"] == "2015-05-21" and doc["published_precision"] == "day"
    assert any(s["type"] == "aid_offer" for s in doc["suggestions"])
    assert not (tmp_path / "none.db").exists() or (tmp_path / "none.db").stat().st_size == 0
    bad = subprocess.run(
        [str(BIN / "facts"), "suggest", "--published", "2015-13", str(article)],
        capture_output=True,
        text=True,
        env={"FACTS_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}", "PATH": "/usr/bin:/bin"},
    )
    assert bad.returncode == 2 and "month out of range" in bad.stderr


def test_the_quality_benchmark_runs_on_the_seeds_as_a_corpus(tmp_path: Path) -> None:
    """bench/suggest.py (make bench-suggest) over the seeds, laid out as a corpus."""
    from bench.suggest import measure

    (tmp_path / "articles").mkdir()
    entries, facts = [], []
    for s in yaml.safe_load((FIXTURES / "sources.yaml").read_text()):
        text = (FIXTURES / "articles" / s["file"]).read_text()
        (tmp_path / "articles" / s["file"]).write_text(text)
        entries.append({k: s[k] for k in ("file", "published", "published_precision")})
    for f in yaml.safe_load((FIXTURES / "facts.yaml").read_text()):
        for source in dict.fromkeys(e["source"] for e in f["evidence"]):
            quote = next(e["quote"] for e in f["evidence"] if e["source"] == source)
            fields = ("type", "subject", "counterpart", "date", "date_precision", "value")
            facts.append({"file": source, "quote": quote, **{k: f.get(k) for k in fields}})
            facts[-1] |= {"unit": f.get("unit"), "value_qualifier": f.get("value_qualifier")}
    (tmp_path / "articles.yaml").write_text(yaml.safe_dump(entries))
    (tmp_path / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))
    tallies = measure(tmp_path)
    assert tallies["span recall"].total == len(facts)  # every curated quote was found
    assert tallies["span recall"].share >= 0.8
    assert tallies["precision"].total > 0


def test_directions_from_where_the_parties_stand() -> None:
    pub = Published(date(2022, 7, 28), "day")  # a Thursday

    def found(body: str) -> set[tuple[str, str, str]]:
        return {
            (s.fact["type"], s.fact["subject"], s.fact["counterpart"]) for s in suggest(body, pub)
        }

    korea = (
        "South Korea and Poland signed arms deals on Wednesday, officials said.\n\n"
        "Poland plans to buy as many as 980 K2 tanks, Seoul said.\n\n"
        "Warsaw will also buy 48 FA-50 aircraft."
    )
    assert ("agreement", "KOR", "POL") in found(korea)  # two named before the verb
    assert ("arms_transfer", "KOR", "POL") in found(korea)  # a buyer named alone: counterpart
    rafale = "India signed a deal on Friday to buy 36 Rafale jets from France for $8 billion."
    assert ("arms_transfer", "FRA", "IND") in found(rafale)  # the seller is after "from"
    visit = (
        "Japanese Prime Minister Shinzo Abe arrived in New Delhi on Wednesday.\n\n"
        "Abe said India was a trusted partner of Japan."
    )
    assert ("diplomatic_visit", "JPN", "IND") in found(visit)  # the host after "arrived in"
    assert ("statement", "JPN", "IND") in found(visit)  # "Abe" introduced as Japanese


def test_what_is_read_of_a_huge_or_unpunctuated_article_is_bounded() -> None:
    """A sentence longer than any news sentence (a 10 MB line) is not quoted, and only the
    first MAX_BODY characters are read; what is suggested there still verifies."""
    from api.services.extract import suggest as module

    news = "Russia offered Iraq military aid on Thursday, the Kremlin said. "
    line = "Russia and Iraq discussed trade and energy cooperation " * 40  # one long sentence
    assert suggest(line, Published(date(2015, 5, 22))) == []
    assert len(line) > module.MAX_SENTENCE
    found = suggest(news + line, Published(date(2015, 5, 22)))
    assert [s.fact["type"] for s in found] == ["aid_offer"]
    tail = news * 10  # suggestions from beyond MAX_BODY would name this sentence
    body = "Filler text here. " * (module.MAX_BODY // 18 + 10) + tail
    assert suggest(body, Published(date(2015, 5, 22))) == []
    head = news + body
    found = suggest(head, Published(date(2015, 5, 22)))
    assert found and all(
        ev["end"] <= module.MAX_BODY and head[ev["start"] : ev["end"]] == ev["quote"]
        for s in found
        for ev in s.fact["evidence"]
    )
