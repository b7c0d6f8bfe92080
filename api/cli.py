"""Command line: ``facts …`` (also ``flask --app wsgi …``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click
from flask import Config, Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from . import __version__, cli_dump, db, migrate


@click.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    engine = current_app.extensions["db_engine"]
    migrate.upgrade(engine, revision)
    click.echo(f"database at {migrate.stamp_info(engine)['current']}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (``base`` empties it)."""
    engine = current_app.extensions["db_engine"]
    migrate.downgrade(engine, revision)
    click.echo(f"database at {migrate.stamp_info(engine)['current'] or 'base'}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the schema's revision and the code's head."""
    info = migrate.stamp_info(current_app.extensions["db_engine"])
    click.echo(f"current: {info['current'] or 'none'}\nhead:    {info['head']}")


@db_group.command("touch")
@with_appcontext
def db_touch() -> None:
    """After changing data by hand in SQL: bump the data version, so ETags, the pages the
    API keeps and the index see the change at once, and build the fact documents the change
    left empty (as every write through the API does)."""
    with db.write_transaction() as s:
        s.info["data_changed"] = True
    click.echo(f"data version {db.data_version()[0]}")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (review it before committing)."""
    from alembic import command

    with current_app.extensions["db_engine"].begin() as conn:
        command.revision(
            migrate.alembic_config(connection=conn), message=message, autogenerate=True
        )


@click.command("load-fixtures")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Also overwrite fixture facts a person has changed since they were loaded "
    "(recorded as revisions; a retracted fact is never republished).",
)
@with_appcontext
def load_fixtures_command(directory: Path | None, force: bool) -> None:
    """Load parties, actors, sources and facts from fixtures/ (a seed: safe to run again).

    Creates what is missing and updates what nobody has changed since it was loaded; facts
    a person has edited, published or retracted are left as they are and listed as skipped.
    All or nothing.
    """
    from .services.fixtures import FixtureError, load_fixtures

    directory = directory or (
        Path(current_app.config["FIXTURES_DIR"]) if current_app.config["FIXTURES_DIR"] else None
    )
    try:
        with db.write_transaction() as s:
            report = load_fixtures(
                s, directory, threshold=current_app.config["NEAR_DUPLICATE_THRESHOLD"], force=force
            )
    except FixtureError as err:
        raise click.ClickException(f"nothing loaded: {err}") from None
    for line in report.lines():
        click.echo(line)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title")
@click.option("--outlet")
@click.option("--url")
@click.option("--published", help="YYYY, YYYY-MM or YYYY-MM-DD")
@click.option("--language")
@with_appcontext
def import_command(files: tuple[Path, ...], **metadata: Any) -> None:
    """Import article files (all or nothing); print each source's id and duplicate link."""
    from .services.importer import ArticleError, import_files

    meta = {k: v for k, v in metadata.items() if v is not None}
    try:
        with db.write_transaction() as s:
            results = import_files(
                s,
                files,
                metadata=meta,
                threshold=current_app.config["NEAR_DUPLICATE_THRESHOLD"],
                author="cli",
            )
            lines = []
            for path, r in zip(files, results, strict=True):
                what = "new" if r.created else "exists"
                link = (
                    f", near-duplicate of {r.near_duplicate_of} (similarity {r.similarity})"
                    if r.created and r.near_duplicate_of
                    else ""
                )
                lines.append(f"{path}: source {r.source.id} ({what}{link})")
    except (ArticleError, OSError) as err:
        raise click.ClickException(f"nothing imported: {err}") from None
    for line in lines:
        click.echo(line)


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Re-check every evidence quote against its source; exit 1 on any failure."""
    from .models import Evidence, Source
    from .services.evidence import QuoteNotFound, verify_quote

    s = db.session()
    failures = checked = 0
    rows = s.execute(select(Evidence, Source.body).join(Source, Evidence.source_id == Source.id))
    for ev, body in rows:
        checked += 1
        try:
            match = verify_quote(body, ev.quote, near=ev.start)
        except QuoteNotFound as err:
            failures += 1
            click.echo(f"evidence {ev.id} (fact {ev.fact_id}, source {ev.source_id}): {err}")
            continue
        if (match.start, match.end) != (ev.start, ev.end):
            failures += 1
            click.echo(
                f"evidence {ev.id} (fact {ev.fact_id}): stored offsets {ev.start}-{ev.end}, "
                f"quote found at {match.start}-{match.end}"
            )
    click.echo(f"{checked} evidence checked, {failures} failed")
    if failures:
        sys.exit(1)


@click.group("tokens")
def tokens_group() -> None:
    """Create, list and revoke API tokens."""


@tokens_group.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["read", "write", "admin"]),
    help="read: see drafts and retracted facts; write: also curate; admin: everything.",
)
@with_appcontext
def tokens_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a token NAME and print its secret (shown this once, never stored)."""
    from .services.tokens import create_token

    try:
        with db.write_transaction() as s:
            secret = create_token(s, name, list(scopes))
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    click.echo(secret)
    click.echo(
        f"token {name!r} ({', '.join(sorted(set(scopes)))}): keep the secret above; "
        "it cannot be shown again.",
        err=True,
    )


@tokens_group.command("list")
@with_appcontext
def tokens_list() -> None:
    """List tokens: name, scopes, created, last used, revoked."""
    from .services.tokens import list_tokens

    def ts(value: Any) -> str:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"

    for t in list_tokens(db.session()):
        state = f"revoked {ts(t.revoked_at)}" if t.revoked_at else "active"
        click.echo(
            f"{t.name}\t{','.join(t.scopes)}\tcreated {ts(t.created_at)}\t"
            f"last used {ts(t.last_used_at)}\t{state}"
        )


@tokens_group.command("revoke")
@click.argument("name")
@with_appcontext
def tokens_revoke(name: str) -> None:
    """Revoke the token NAME; it stops working at once."""
    from .services.tokens import revoke_token

    with db.write_transaction() as s:
        done = revoke_token(s, name)
    if not done:
        raise click.ClickException(f"no active token named {name!r}")
    click.echo(f"token {name!r} revoked")


@click.command("suggest")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--published",
    help="Publication date, YYYY, YYYY-MM or YYYY-MM-DD (default: the wire header's, if any).",
)
@click.option("--pretty", is_flag=True, help="Indented JSON instead of one line per file.")
def suggest_command(files: tuple[Path, ...], published: str | None, pretty: bool) -> None:
    """Print the facts the extractor suggests for article files; nothing is stored.

    One JSON document per file: the stored body's length, the publication date used, and
    the suggestions (offsets are into the body as `facts import` would store it).
    """
    import json

    from .dates import parse_date
    from .services.articles import parse_article
    from .services.extract.dates import Published
    from .services.extract.suggest import suggest

    try:
        given = parse_date(published) if published else None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--published") from None
    for path in files:
        try:
            parsed = parse_article(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            raise click.ClickException(f"{path}: {err}") from None
        if given is not None:
            pub = Published(given.start, given.precision)
        elif parsed.published is not None:
            pub = Published(parsed.published, "day")
        else:
            pub = Published(None)
        out = {
            "file": str(path),
            "published": pub.day.isoformat()[: {"day": 10, "month": 7, "year": 4}[pub.precision]]
            if pub.day
            else None,
            "published_precision": pub.precision,
            "body_length": len(parsed.body),
            "suggestions": [x.as_dict() for x in suggest(parsed.body, pub)],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2 if pretty else None))


def init_app(app: Flask) -> None:
    """Attach the commands to the app's CLI (and drop those extensions add)."""
    app.cli.commands.pop("openapi", None)  # flask-smorest's; the API serves openapi.json
    app.cli.add_command(suggest_command)
    for cmd in (db_group, load_fixtures_command, import_command, verify_command, tokens_group):
        app.cli.add_command(cmd)
    cli_dump.register(app.cli)


# Operator commands (migrations, dumps, imports) may rightly run for minutes, and a person
# watches them: no statement deadline. The connect and TCP timeouts still apply.
CLI_SETTINGS = {"DATABASE_TIMEOUT": 0, "DATABASE_STATEMENT_TIMEOUT": 0}


def _create_app() -> Flask:
    from . import create_app
    from .config import Defaults

    config = Config(str(Path.cwd()))
    config.from_object(Defaults)
    config.from_prefixed_env("FACTS")
    config.update(CLI_SETTINGS)
    return create_app(dict(config))


def missing_table(err: OperationalError | ProgrammingError) -> str | None:
    """The table an error says does not exist (SQLite or PostgreSQL), if that is the error."""
    text = str(err.orig)
    found = re.search(r"no such table: (\S+)", text)
    if found is None and getattr(err.orig, "sqlstate", None) == "42P01":
        found = re.search(r'relation "([^"]+)" does not exist', text)
    return found.group(1) if found else None


class FactsGroup(FlaskGroup):
    """``facts``: the project's commands only, and one line for a database without schema."""

    def _load_plugin_commands(self) -> None:
        # Commands other installed packages publish (Flask-Limiter's `limiter`) are not ours.
        self._loaded_plugin_commands = True

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a missing table is a one-line error naming the database."""
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as err:
            table = missing_table(err)
            if table is None:
                raise
            engine = ctx.ensure_object(ScriptInfo).load_app().extensions["db_engine"]
            url = engine.url.render_as_string(hide_password=True)
            raise click.ClickException(
                f"the database {url} has no table {table!r}: run `facts db upgrade` first"
            ) from None


main = FactsGroup(
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,  # Flask's would show Flask's version
    help="bilateral-facts: manage the database, its data and API tokens.",
)
main = click.version_option(__version__, "--version", prog_name="facts")(main)
