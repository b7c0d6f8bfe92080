"""Curators' pages: add an article, decide on its suggested facts (highlighted in its
text), start a fact from any selected words, publish a draft. Who is signed in, and the
checks every form passes, are ``session.py``'s. Writes go through the same services, in
one transaction each, as the API's writes do: all or nothing.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from ..db import session, write_transaction
from ..errors import Problem
from ..models import Fact, Source
from ..schemas.source_input import SourceQueryMetadataSchema
from ..services import (
    catalog,
    fact_reads,
    fact_writes,
    history,
    importer,
    passages,
    source_reads,
    suggestions,
)
from ..services.facts import KeyTaken, create_fact
from ..vocabulary import FACT_TYPES, VALUE_QUALIFIERS, attribute_fields
from . import bp, page
from .session import writer

ALL = ["draft", "published", "retracted"]
MAX_ARTICLE_BYTES = 1_000_000
# Fields a curator may change when accepting a suggestion or starting a fact.
EDITABLE = (
    "type",
    "subject",
    "counterpart",
    "date",
    "date_basis",
    "summary",
    "value",
    "unit",
    "value_qualifier",
)


# -- writes ------------------------------------------------------------------------------


class FormError(Exception):
    def __init__(self, status: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def _write(work: Callable[[Any], Any]) -> Any:
    """Run ``work`` in one write transaction; a refusal becomes a FormError, nothing kept."""
    try:
        with write_transaction() as s:
            return work(s)
    except ValidationError as err:
        raise FormError(422, "Not saved: some fields are not valid.", err.messages) from None
    except suggestions.AlreadyDecided as err:
        raise FormError(409, str(err)) from None
    except (fact_writes.Conflict, KeyTaken) as err:
        raise FormError(409, str(err)) from None
    except importer.ArticleError as err:
        raise FormError(422, err.problem) from None


# -- pages -------------------------------------------------------------------------------


def _drafts(limit: int = 50) -> list[dict[str, Any]]:
    s = session()
    ids = list(
        s.scalars(
            Fact.__table__.select()
            .with_only_columns(Fact.id)
            .where(Fact.status == "draft")
            .order_by(Fact.updated_at.desc(), Fact.id.desc())
            .limit(limit)
        )
    )
    return fact_reads.facts_by_ids(s, ids)


def _recent_sources(limit: int = 20) -> list[dict[str, Any]]:
    s = session()
    ids = list(
        s.scalars(
            Source.__table__.select()
            .with_only_columns(Source.id)
            .order_by(Source.id.desc())
            .limit(limit)
        )
    )
    return source_reads.sources_by_ids(s, ids)


@bp.get("/curate")
def curate() -> Response:
    return page(
        "curate/index.html", drafts=_drafts(), sources=_recent_sources(), error=None, form={}
    )


def _article_text() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read(MAX_ARTICLE_BYTES + 1)
        if len(data) > MAX_ARTICLE_BYTES:
            raise RequestEntityTooLarge()
        try:
            return importer.decode_article(data, upload.filename)
        except importer.ArticleError as err:
            raise FormError(422, err.problem) from None
    return request.form.get("body", "")


@bp.post("/curate/articles")
def curate_article() -> Response | Any:
    author = writer()
    meta = {
        k: v.strip()
        for k in ("title", "outlet", "url", "published")
        if (v := request.form.get(k, "")).strip()
    }
    try:
        text = _article_text()
        if not text.strip():
            raise FormError(422, "Paste the article's text or choose a file.")
        metadata = SourceQueryMetadataSchema().load(meta)
        result = _write(
            lambda s: importer.import_text(
                s,
                text,
                name="explorer",
                metadata=metadata,
                author=author,
                threshold=_threshold(),
            )
        )
    except ValidationError as err:
        return _index_error(422, "Not saved: some details are not valid.", err.messages)
    except FormError as err:
        return _index_error(err.status, err.message, err.errors)
    if not result.created:
        flash("This text was stored already; here it is.")
    return redirect(url_for("web.curate_source", source_id=result.source.id), 303)


def _threshold() -> float:
    from flask import current_app

    return float(current_app.config["NEAR_DUPLICATE_THRESHOLD"])


def _index_error(status: int, message: str, errors: Any) -> Response:
    return page(
        "curate/index.html",
        status=status,
        drafts=_drafts(),
        sources=_recent_sources(),
        error={"message": message, "errors": errors},
        form=request.form,
    )


def _source_page(source_id: int, status: int = 200, error: Any = None) -> Response:
    s = session()
    data = source_reads.get_source(s, source_id, include_raw=False)
    if data is None:
        raise Problem(404, f"No source with id {source_id}.", slug="not-found")
    found = suggestions.source_suggestions(s, source_id)
    spans = [
        passages.Span(e["start"], e["end"], {"id": f"s{sg['id']}-{i}", "suggestion": sg["id"]})
        for sg in found
        if sg["status"] == "open"
        for i, e in enumerate(sg["fact"]["evidence"])
    ]
    return page(
        "curate/source.html",
        status=status,
        source=data,
        suggestions=found,
        passages=passages.passages(data["body"], spans),
        types=FACT_TYPES,
        attribute_help={t: attribute_fields(t) for t in FACT_TYPES},
        qualifiers=VALUE_QUALIFIERS,
        error=error,
    )


@bp.get("/curate/sources/<int(max=2147483647):source_id>")
def curate_source(source_id: int) -> Response:
    return _source_page(source_id)


def _edited(base: dict[str, Any]) -> dict[str, Any]:
    """The fields of the form that differ from ``base`` (a suggested fact)."""
    changes: dict[str, Any] = {}
    for name in EDITABLE:
        if name not in request.form:
            continue
        raw = request.form[name].strip()
        value: Any = raw or None
        old = base.get(name)
        if name == "value" and value is not None:
            try:
                same = old is not None and Decimal(str(old)) == Decimal(raw)
            except ArithmeticError:
                same = False
            if same:
                continue
        if name in ("subject", "counterpart") and value is not None:
            # Any code the API's filters read (alpha-2, numeric, any case) names the party.
            value = catalog.resolve_party(session(), value) or value
        if (old if old != "" else None) != value:
            changes[name] = value
    return changes


@bp.post(
    "/curate/sources/<int(max=2147483647):source_id>/suggestions/"
    "<int(max=2147483647):suggestion_id>/accept"
)
def curate_accept(source_id: int, suggestion_id: int) -> Response | Any:
    author = writer()
    row = suggestions.find(session(), source_id, suggestion_id)
    if row is None:
        abort(404)
    overrides = _edited(suggestions.suggested_input(row))

    def work(s: Any) -> int:
        fresh = suggestions.find(s, source_id, suggestion_id)
        assert fresh is not None
        return suggestions.accept(s, fresh, overrides, author).id

    try:
        fact_id = _write(work)
    except FormError as err:
        return _source_page(
            source_id,
            err.status,
            {"suggestion": suggestion_id, "message": err.message, "errors": err.errors},
        )
    flash(f"Draft fact {fact_id} created from suggestion {suggestion_id}.")
    return redirect(url_for("web.curate_fact", fact_id=fact_id), 303)


@bp.post(
    "/curate/sources/<int(max=2147483647):source_id>/suggestions/"
    "<int(max=2147483647):suggestion_id>/reject"
)
def curate_reject(source_id: int, suggestion_id: int) -> Response | Any:
    author = writer()
    reason = request.form.get("reason", "").strip() or None

    def work(s: Any) -> None:
        row = suggestions.find(s, source_id, suggestion_id)
        if row is None:
            abort(404)
        suggestions.reject(s, row, reason, author)

    try:
        _write(work)
    except FormError as err:
        return _source_page(
            source_id, err.status, {"suggestion": suggestion_id, "message": err.message}
        )
    flash(f"Suggestion {suggestion_id} rejected.")
    return redirect(url_for("web.curate_source", source_id=source_id), 303)


def _int(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@bp.post("/curate/sources/<int(max=2147483647):source_id>/facts")
def curate_new_fact(source_id: int) -> Response | Any:
    """A draft fact from words a curator selected in the article."""
    author = writer()
    start, end = _int("start"), _int("end")
    data: dict[str, Any] = {k: v for k, v in _edited({}).items() if v is not None}
    data["status"] = "draft"
    attributes = request.form.get("attributes", "").strip()
    try:
        data["attributes"] = json.loads(attributes) if attributes else {}
    except ValueError:
        return _source_page(
            source_id,
            422,
            {"suggestion": None, "message": 'Attributes are JSON: {"aid_kind": "military"}.'},
        )
    if start is None or end is None:
        return _source_page(
            source_id, 422, {"suggestion": None, "message": "Select the words of the quote first."}
        )
    data["evidence"] = [
        {"source_id": source_id, "start": start, "end": end, "quote": request.form.get("quote", "")}
    ]
    try:
        fact_id = _write(lambda s: create_fact(s, data, author).id)
    except FormError as err:
        return _source_page(
            source_id,
            err.status,
            {"suggestion": None, "message": err.message, "errors": err.errors},
        )
    flash(f"Draft fact {fact_id} created from your selection.")
    return redirect(url_for("web.curate_fact", fact_id=fact_id), 303)


@bp.get("/curate/facts/<int(max=2147483647):fact_id>")
def curate_fact(fact_id: int) -> Response:
    return _fact_page(fact_id)


def _fact_page(fact_id: int, status: int = 200, **extra: Any) -> Response:
    s = session()
    data = fact_reads.get_fact(s, fact_id, ALL)
    if data is None:
        raise Problem(404, f"No fact with id {fact_id}.", slug="not-found")
    row = s.get(Fact, fact_id)
    assert row is not None
    return page(
        "curate/fact.html",
        status=status,
        fact=data,
        etag=fact_writes.fact_etag(s, row),
        **extra,
    )


@bp.post("/curate/facts/<int(max=2147483647):fact_id>/publish")
def curate_publish(fact_id: int) -> Response | Any:
    """Publish a draft if it is still the version the curator saw (If-Match, from the form)."""
    author = writer()
    seen_tag = request.form.get("if_match", "")
    seen_version = _int("version")

    def work(s: Any) -> str | None:
        fact = s.get(Fact, fact_id)
        if fact is None:
            abort(404)
        if not hmac.compare_digest(fact_writes.fact_etag(s, fact).encode(), seen_tag.encode()):
            return None
        fact_writes.patch_fact(s, fact, {"status": "published"}, author)
        return "published"

    try:
        done = _write(work)
    except FormError as err:
        return _fact_page(fact_id, err.status, error={"message": err.message, "errors": err.errors})
    if done is None:
        seen = None
        if seen_version is not None:
            for r in history.fact_revisions(session(), fact_id):
                if r.version == seen_version:
                    seen = r.snapshot
        return _fact_page(fact_id, 412, conflict={"seen": seen})
    flash(f"Fact {fact_id} is published.")
    return redirect(url_for("web.fact", fact_id=fact_id), 303)
