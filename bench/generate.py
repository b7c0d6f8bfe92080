"""Generate the benchmark dataset: deterministic, skewed, loaded through the real schema.

    python bench/generate.py --url sqlite:///bench/data/bench.db            # 1,000,000 facts
    python bench/generate.py --url postgresql+psycopg://postgres@127.0.0.1/test?options=-csearch_path%3Dbench
    python bench/generate.py --url sqlite:///tmp/tiny.db --facts 2000 --sources 300   # smoke size

The schema comes from the project's Alembic migrations (never create_all). Rows are bulk
inserted (executemany on SQLite, COPY on PostgreSQL) with the full-text and fact-document
triggers dropped during the load and the index and documents rebuilt once at the end, as
one would for any bulk load.
Every evidence quote is a real slice of its source body, so `facts verify` passes.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.db import make_engine  # noqa: E402
from api.migrate import upgrade  # noqa: E402
from api.services import fact_docs  # noqa: E402
from api.services.similarity import jaccard, signature  # noqa: E402
from api.services.text import content_hash  # noqa: E402

SEED = 20150521
THRESHOLD = 0.7
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
TYPES = {
    "statement": 30,
    "diplomatic_visit": 12,
    "trade_volume": 10,
    "agreement": 8,
    "military_cooperation": 8,
    "energy_cooperation": 8,
    "aid_offer": 7,
    "phone_call": 7,
    "arms_transfer": 4,
    "opec_coordination": 3,
    "intelligence_sharing": 3,
}
ATTRIBUTES = {
    "trade_volume": {"flow": "total"},
    "aid_offer": {"aid_kind": "military"},
    "military_cooperation": {"area": "general"},
    "arms_transfer": {"item": "equipment", "stage": "offered"},
    "energy_cooperation": {"sector": "oil"},
    "opec_coordination": {"framework": "OPEC+", "form": "consultation"},
    "diplomatic_visit": {"level": "minister"},
    "phone_call": {"topics": ["trade"]},
    "agreement": {"agreement_kind": "memorandum"},
    "intelligence_sharing": {},
    "statement": {"kind": "position"},
}
WORDS = [
    "minister",
    "president",
    "talks",
    "agreement",
    "trade",
    "oil",
    "gas",
    "pipeline",
    "security",
    "cooperation",
    "aid",
    "military",
    "energy",
    "billion",
    "dollars",
    "visit",
    "officials",
    "said",
    "would",
    "support",
    "deal",
    "sanctions",
    "investment",
    "exports",
    "imports",
    "delegation",
    "capital",
    "summit",
    "border",
    "defense",
    "council",
    "economy",
    "market",
    "prices",
    "production",
    "reserves",
    "frontier",
    "railway",
    "port",
    "treaty",
    "signed",
    "ceasefire",
    "reconstruction",
    "loan",
    "credit",
    "wheat",
    "grain",
    "electricity",
    "nuclear",
    "reactor",
    "helicopters",
    "training",
    "advisers",
    "intelligence",
    "embassy",
    "envoy",
    "parliament",
    "vote",
    "election",
]


def parties() -> list[str]:
    """About 200 countries, always including those of the seed articles."""
    must = ["RUS", "IRQ", "IRN", "SYR", "USA", "CHN", "TUR", "SAU", "EGY", "IND"]
    rest = [c.alpha_3 for c in sorted(pycountry.countries, key=lambda c: c.alpha_3)]
    return must + [c for c in rest if c not in must][: 200 - len(must)]


def dyads(codes: list[str], rng: random.Random, n: int = 2000) -> list[tuple[str, str]]:
    """Pairs in order of weight; RUS-IRQ first."""
    seen = {("IRQ", "RUS")}
    out = [("RUS", "IRQ")]
    while len(out) < n:
        a, b = rng.sample(codes, 2)
        key = tuple(sorted((a, b)))
        if key not in seen:
            seen.add(key)  # type: ignore[arg-type]
            out.append((a, b))
    return out


def body(rng: random.Random, i: int) -> str:
    """An article-like text of 100-150 words in a few paragraphs."""
    words = [
        rng.choice(WORDS) + (str(rng.randrange(1000)) if rng.random() < 0.3 else "")
        for _ in range(rng.randint(100, 150))
    ]
    words[0] = f"Article{i}"
    lines, line = [], []
    for n, w in enumerate(words, 1):
        line.append(w)
        if n % 25 == 0:
            lines.append(" ".join(line) + ".")
            line = []
    if line:
        lines.append(" ".join(line) + ".")
    return "\n".join(lines)


def source_rows(
    n: int, rng: random.Random
) -> Iterator[tuple[dict[str, Any], list[tuple[int, int]]]]:
    """Sources with their LSH buckets; about 5% are near-duplicates of an earlier one."""
    bodies: list[str] = []
    sigs: list[Any] = []
    roots: list[int] = []
    for i in range(1, n + 1):
        canonical_id, similarity = None, None
        if i > 10 and rng.random() < 0.05:
            original = rng.randrange(1, i)
            text_ = bodies[original - 1].replace("\n", " ", 2) + f" Copy{i}."
            sig = signature(text_, THRESHOLD)
            score = jaccard(sig.hashvalues, sigs[original - 1].hashvalues)
            if score >= THRESHOLD:
                canonical_id, similarity = roots[original - 1], round(score, 4)
        else:
            text_ = body(rng, i)
            sig = signature(text_, THRESHOLD)
        bodies.append(text_)
        sigs.append(sig)
        roots.append(canonical_id or i)
        day = date(1991, 1, 1) + timedelta(days=rng.randrange(12_800))
        row = {
            "id": i,
            "title": f"Synthetic article {i}",
            "outlet": rng.choice(["Reuters", "AP", "TASS", "AFP"]),
            "url": f"https://news.example/{i}",
            "published_start": day,
            "published_end": day,
            "published_precision": "day",
            "published_basis": "stated",
            "authors": "[]",
            "dateline": None,
            "language": "en",
            "file_name": f"synthetic-{i}.txt",
            "body": text_,
            "raw": text_,
            "sha256": content_hash(text_),
            "minhash": sig.to_bytes(),
            "canonical_id": canonical_id,
            "similarity": similarity,
            "version": 1,
            "created_at": BASE_TIME,
            "updated_at": BASE_TIME,
            "created_by": "bench",
        }
        yield row, list(enumerate(sig.buckets))
    _BODIES.extend(bodies)


_BODIES: list[str] = []


def fact_rows(
    n: int, n_sources: int, rng: random.Random
) -> Iterator[
    tuple[dict[str, Any], list[dict[str, Any]], list[tuple[int, int, str]], list[tuple[int, str]]]
]:
    """Facts with their evidence, actors and other parties."""
    codes = parties()
    pairs = dyads(codes, rng)
    weights = [1 / (k + 1) ** 1.1 for k in range(len(pairs))]
    types, type_weights = list(TYPES), list(TYPES.values())
    chosen_pairs = rng.choices(pairs, weights=weights, k=n)
    chosen_types = rng.choices(types, weights=type_weights, k=n)
    for i in range(1, n + 1):
        a, b = chosen_pairs[i - 1]
        subject, counterpart = (a, b) if rng.random() < 0.6 else (b, a)
        kind = chosen_types[i - 1]
        roll = rng.random()
        year = rng.randint(1991, 2025)
        if roll < 0.005:
            start = end = None
            precision, basis = "unknown", None
        elif roll < 0.10:
            start, end, precision = date(year, 1, 1), date(year, 12, 31), "year"
        elif roll < 0.30:
            month = rng.randint(1, 12)
            start = date(year, month, 1)
            end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
            precision = "month"
        else:
            start = end = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            precision = "day"
        basis = None if start is None else ("stated" if rng.random() < 0.8 else "inferred")
        value = unit = qualifier = None
        if kind == "trade_volume" or (kind == "aid_offer" and rng.random() < 0.3):
            value, unit = rng.randrange(1_000_000, 100_000_000_000, 1000), "USD"
            qualifier = rng.choice(["exact", "approximately", "at_least"])
        status = "published" if rng.random() < 0.98 else rng.choice(["draft", "retracted"])
        created = BASE_TIME + timedelta(seconds=i)
        fact = {
            "id": i,
            "key": None,
            "type": kind,
            "subject": subject,
            "counterpart": counterpart,
            "date_start": start,
            "date_end": end,
            "date_precision": precision,
            "date_basis": basis,
            "value": value,
            "unit": unit,
            "value_qualifier": qualifier,
            "summary": f"{subject} and {counterpart}: {kind.replace('_', ' ')} number {i} "
            f"about {rng.choice(WORDS)} and {rng.choice(WORDS)}.",
            "attributes": json.dumps(ATTRIBUTES[kind]),
            "status": status,
            "version": 1,
            "created_at": created,
            "updated_at": created,
            "created_by": "bench",
            "updated_by": "bench",
        }
        evidence = []
        for _ in range(rng.choice((1, 2, 2, 2, 3))):
            source_id = rng.randint(1, n_sources)
            text_ = _BODIES[source_id - 1]
            start_at = rng.randrange(0, max(1, len(text_) - 120))
            start_at = text_.rfind(" ", 0, start_at) + 1
            stop = text_.find(" ", start_at + 60)
            stop = len(text_) if stop < 0 else stop
            evidence.append(
                {
                    "fact_id": i,
                    "source_id": source_id,
                    "quote": text_[start_at:stop],
                    "start": start_at,
                    "end": stop,
                    "verified": True,
                    "verified_at": created,
                }
            )
        actors = [(i, rng.randint(1, 500), "Minister")] if rng.random() < 0.3 else []
        others = [(i, rng.choice(codes))] if rng.random() < 0.05 else []
        others = [(f, c) for f, c in others if c not in (subject, counterpart)]
        yield fact, evidence, actors, others


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _migration(number: str) -> Any:
    """A migration module, for the trigger DDL a bulk load drops and restores."""
    path = next((ROOT / "migrations" / "versions").glob(f"{number}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{number}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


class Loader:
    """Bulk writes for one backend."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sqlite = make_url(url).get_backend_name() == "sqlite"

    def reset(self) -> None:
        if self.sqlite:
            path = Path(make_url(self.url).database or "")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.engine.dispose()
        else:
            schema = self._pg_schema()
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        upgrade(self.engine)

    def _pg_schema(self) -> str:
        options = make_url(self.url).query.get("options", "")
        assert isinstance(options, str) and "search_path=" in options, (
            "give ?options=-csearch_path=NAME"
        )
        return options.split("search_path=")[1].split()[0]

    def insert(
        self, table: str, rows: list[dict[str, Any]] | list[tuple[Any, ...]], columns: list[str]
    ) -> None:
        if not rows:
            return
        values = [tuple(r[c] for c in columns) if isinstance(r, dict) else r for r in rows]
        if self.sqlite:  # store dates and times as SQLAlchemy does on SQLite
            values = [tuple(_sqlite_value(v) for v in row) for row in values]
        raw = self.engine.raw_connection()
        try:
            if self.sqlite:
                quoted = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                raw.cursor().executemany(
                    f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', values
                )
            else:
                cur = raw.cursor()
                quoted = ", ".join(f'"{c}"' for c in columns)
                with cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:  # type: ignore[attr-defined]
                    for v in values:
                        copy.write_row(v)
            raw.commit()
        finally:
            raw.close()

    def sql(self, statement: str) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(statement)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    loader = Loader(args.url)
    loader.reset()
    ddl = _migration("0002")
    docs = _migration("0005")
    dialect = "sqlite" if loader.sqlite else "postgresql"
    docs.drop_triggers(loader.sql, dialect)  # documents are computed once, after the load
    if loader.sqlite:
        for name in (
            "fact_fts_insert",
            "fact_fts_update",
            "fact_fts_delete",
            "evidence_fts_insert",
            "evidence_fts_update",
            "evidence_fts_delete",
        ):
            loader.sql(f"DROP TRIGGER {name}")
    else:
        loader.sql("DROP TRIGGER fact_search_fact ON fact")
        loader.sql("DROP TRIGGER fact_search_evidence ON evidence")

    codes = parties()
    names = {c.alpha_3: c.name for c in pycountry.countries}
    loader.insert(
        "party",
        [(c, names[c], None, None, "country", None, None) for c in codes],
        ["code", "name", "official_name", "common_name", "kind", "alpha2", "numeric"],
    )
    loader.insert(
        "actor",
        [
            (i, f"actor-{i}", f"Actor {i}", "person", "[]", BASE_TIME, BASE_TIME)
            for i in range(1, 501)
        ],
        ["id", "key", "name", "kind", "aliases", "created_at", "updated_at"],
    )
    source_cols = [
        "id",
        "title",
        "outlet",
        "url",
        "published_start",
        "published_end",
        "published_precision",
        "published_basis",
        "authors",
        "dateline",
        "language",
        "file_name",
        "body",
        "raw",
        "sha256",
        "minhash",
        "canonical_id",
        "similarity",
        "version",
        "created_at",
        "updated_at",
        "created_by",
    ]
    for chunk in _chunks(source_rows(args.sources, rng), 5000):
        loader.insert("source", [row for row, _ in chunk], source_cols)
        loader.insert(
            "source_band",
            [(row["id"], band, bucket) for row, buckets in chunk for band, bucket in buckets],
            ["source_id", "band", "bucket"],
        )
    t_sources = time.perf_counter()
    print(f"sources: {args.sources} in {t_sources - t0:.0f} s", flush=True)

    fact_cols = [
        "id",
        "key",
        "type",
        "subject",
        "counterpart",
        "date_start",
        "date_end",
        "date_precision",
        "date_basis",
        "value",
        "unit",
        "value_qualifier",
        "summary",
        "attributes",
        "status",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ]
    ev_cols = ["fact_id", "source_id", "quote", "start", "end", "verified", "verified_at"]
    evidence_count = 0
    for chunk in _chunks(fact_rows(args.facts, args.sources, rng), 20_000):
        loader.insert("fact", [c[0] for c in chunk], fact_cols)
        evidence = [e for c in chunk for e in c[1]]
        evidence_count += len(evidence)
        loader.insert("evidence", evidence, ev_cols)
        loader.insert(
            "fact_actor", [a for c in chunk for a in c[2]], ["fact_id", "actor_id", "role"]
        )
        loader.insert(
            "fact_party", list({o for c in chunk for o in c[3]}), ["fact_id", "party_code"]
        )
    t_facts = time.perf_counter()
    print(
        f"facts: {args.facts} with {evidence_count} evidence in {t_facts - t_sources:.0f} s",
        flush=True,
    )

    if loader.sqlite:
        loader.sql("INSERT INTO fact_fts(rowid, content) " + ddl._SQLITE_DOC.format(fid="f.id"))
        for statement in ddl.SQLITE_TRIGGERS:
            loader.sql(statement)
    else:
        loader.sql(
            "INSERT INTO fact_search (fact_id, document) SELECT f.id, to_tsvector('english', "
            "f.summary || ' ' || coalesce((SELECT string_agg(e.quote, ' ' ORDER BY e.id) FROM "
            "evidence e WHERE e.fact_id = f.id), '')) FROM fact f"
        )
        loader.sql(
            "CREATE TRIGGER fact_search_fact AFTER INSERT OR UPDATE OF summary ON fact "
            "FOR EACH ROW EXECUTE FUNCTION fact_search_on_fact()"
        )
        loader.sql(
            "CREATE TRIGGER fact_search_evidence AFTER INSERT OR UPDATE OR DELETE ON "
            "evidence FOR EACH ROW EXECUTE FUNCTION fact_search_on_evidence()"
        )
        for table in ("source", "fact", "evidence", "actor"):
            loader.sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    docs.backfill(loader.sql, dialect)
    docs.create_triggers(loader.sql, dialect)
    with loader.engine.begin() as conn:  # each fact's stored document (migration 0008)
        fact_docs.refresh(conn)
    loader.sql("UPDATE data_state SET version = version + 1")
    loader.sql("ANALYZE")
    digest = hashlib.sha256(f"{args.facts}/{args.sources}/{SEED}".encode()).hexdigest()[:12]
    print(
        f"index and analyze in {time.perf_counter() - t_facts:.0f} s; total "
        f"{time.perf_counter() - t0:.0f} s (dataset {digest})",
        flush=True,
    )


if __name__ == "__main__":
    main()
