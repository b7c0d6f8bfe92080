"""Importing articles: layouts, exact and near duplicates, bad files, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Change, Revision, Source, SourceBand
from api.services.importer import ArticleError, decode_article, import_files, import_text
from api.services.text import content_hash
from tests.conftest import ARTICLES, read_seed


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_keeps_raw_and_records_what_the_wire_layout_tells(bare_session: Session) -> None:
    raw = read_seed("001_")
    result = import_text(bare_session, raw, name="001.txt")
    src = result.source
    assert result.created
    assert src.raw == raw
    assert src.body != raw and src.body in raw
    assert src.sha256 == content_hash(src.body)
    assert (str(src.published_start), src.published_precision, src.published_basis) == (
        "2015-05-21",
        "day",
        "stated",
    )
    assert src.dateline == "MOSCOW May 21"
    assert [a["name"] for a in src.authors] == ["Denis Dyomkin", "Gareth Jones", "Andrew Heavens"]
    assert _count(bare_session, SourceBand) > 0
    revision = bare_session.scalar(select(Revision).where(Revision.entity_id == src.id))
    assert revision is not None and revision.action == "create" and revision.entity == "source"
    assert _count(bare_session, Change) == 1


def test_each_seed_layout_imports(bare_session: Session) -> None:
    results = import_files(bare_session, sorted(ARTICLES.glob("*.txt")))
    titles = [r.source.title for r in results]
    assert titles == [
        None,
        None,
        "Russia is Making a Huge Effort to Challenge US Influence in Iraq",
        "Putin, Iraqi PM discuss multifaceted cooperation, regional stability in phone call",
    ]
    assert [a["name"] for a in results[3].source.authors] == ["Khagan Isayev"]
    assert "Reading Time" not in results[2].source.body


def test_same_text_again_returns_the_existing_source(bare_session: Session) -> None:
    first = import_text(bare_session, read_seed("002_"), name="a.txt")
    # Same article with other whitespace and line endings: still the same text.
    again = import_text(
        bare_session, read_seed("002_").replace("\n", "\r\n") + "\n\n", name="b.txt"
    )
    assert not again.created
    assert again.source.id == first.source.id
    assert _count(bare_session, Source) == 1


@pytest.mark.parametrize("order", [("000_", "001_"), ("001_", "000_")])
def test_near_duplicate_links_to_whichever_came_first(
    bare_session: Session, order: tuple[str, str]
) -> None:
    first = import_text(bare_session, read_seed(order[0]), name=order[0])
    second = import_text(bare_session, read_seed(order[1]), name=order[1])
    assert second.created
    assert first.source.canonical_id is None
    assert second.source.canonical_id == first.source.id
    assert second.similarity is not None and second.similarity >= 0.9


def test_other_stories_are_not_linked(bare_session: Session) -> None:
    import_text(bare_session, read_seed("000_"), name="000")
    other = import_text(bare_session, read_seed("002_"), name="002")
    third = import_text(bare_session, read_seed("003_"), name="003")
    assert other.source.canonical_id is None and third.source.canonical_id is None


def test_third_copy_links_to_the_original_not_to_the_copy(bare_session: Session) -> None:
    original = import_text(bare_session, read_seed("000_"), name="000")
    import_text(bare_session, read_seed("001_"), name="001")
    third = import_text(
        bare_session, read_seed("000_").replace("Thursday", "Thursday,"), name="copy"
    )
    assert third.source.canonical_id == original.source.id


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "is empty"),
        (b"  \n\t ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is binary"),
        ("Caf\u00e9 Russia".encode("latin-1"), "is not valid UTF-8"),
        (b"text with a bell \x07 in it", "control character U+0007"),
    ],
)
def test_bad_files_are_refused_with_their_name(data: bytes, problem: str) -> None:
    with pytest.raises(ArticleError) as err:
        decode_article(data, "incoming/bad.txt")
    assert str(err.value).startswith("incoming/bad.txt: ")
    assert problem in str(err.value)


def test_one_bad_file_writes_nothing(bare_session: Session, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(read_seed("000_"), encoding="utf-8")
    bad = tmp_path / "zz_bad.txt"
    bad.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ArticleError, match=r"zz_bad\.txt"):
        import_files(bare_session, [good, bad])
    assert _count(bare_session, Source) == 0


def test_explicit_metadata_wins_over_the_text(bare_session: Session) -> None:
    result = import_text(
        bare_session,
        read_seed("003_"),
        name="003",
        metadata={"outlet": "Caliber.Az", "published": "2024-11", "published_basis": "inferred"},
    )
    src = result.source
    assert src.outlet == "Caliber.Az"
    assert (src.published_precision, src.published_basis) == ("month", "inferred")
    assert (str(src.published_start), str(src.published_end)) == ("2024-11-01", "2024-11-30")


def test_bad_metadata_is_refused(bare_session: Session) -> None:
    with pytest.raises(ArticleError, match="published"):
        import_text(bare_session, read_seed("003_"), name="x", metadata={"published": "Nov 2024"})
    with pytest.raises(ArticleError, match="unknown metadata field"):
        import_text(bare_session, read_seed("003_"), name="x", metadata={"colour": "red"})
    assert _count(bare_session, Source) == 0


def test_near_duplicate_candidates_are_found_by_index_seeks(db_session: Session) -> None:
    """The band lookup must seek ix_source_band_bucket, never scan every band row."""
    from api.services import similarity

    sig = similarity.signature(read_seed("002_"), 0.7)
    captured: list[object] = []

    class Spy:
        def scalars(self, stmt: object) -> object:
            captured.append(stmt)
            return db_session.scalars(stmt)  # type: ignore[call-overload]

        def execute(self, stmt: object) -> object:
            return db_session.execute(stmt)  # type: ignore[call-overload]

    assert similarity.find_near_duplicate(Spy(), sig, 0.7) is not None  # type: ignore[arg-type]
    conn = db_session.connection()
    sql = str(
        captured[0].compile(  # type: ignore[attr-defined]
            dialect=conn.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    # SQLite's planner ignores the index for a row-value IN list even on a big table;
    # PostgreSQL chooses by size (a tiny test table is rightly scanned), so SQLite is checked.
    if conn.dialect.name == "sqlite":
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        assert "ix_source_band_bucket" in plan and "SCAN source_band" not in plan, plan


@pytest.mark.parametrize("text", ["{}", "1234 5678", "--- * ---", "[]"])
def test_a_body_without_a_single_letter_is_no_article(bare_session: Session, text: str) -> None:
    with pytest.raises(ArticleError, match="no article text"):
        import_text(bare_session, text, name="junk")
