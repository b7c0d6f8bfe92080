"""Command line for the logical dump: ``facts export`` and ``facts import-dump``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from . import db


def _report(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{total} rows: " + ", ".join(f"{name} {n}" for name, n in counts.items())


@click.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the dump to FILE (default: standard output).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson"]),
    default="ndjson",
    show_default=True,
    help="Dump format (NDJSON is the only one).",
)
@with_appcontext
def export_command(output: Path | None, fmt: str) -> None:
    """Write a complete, versioned dump of every table (restore it with `facts import-dump`)."""
    from .services.dump import export_dump

    session = db.session()
    try:
        if output is None:
            counts = export_dump(session, sys.stdout)
            sys.stdout.flush()
        else:
            # Written beside the target and renamed at the end: a failed export leaves no
            # file that could be mistaken for a complete dump.
            partial = output.with_name(output.name + ".partial")
            try:
                with partial.open("w", encoding="utf-8", newline="\n") as out:
                    counts = export_dump(session, out)
                os.replace(partial, output)
            finally:
                partial.unlink(missing_ok=True)
    except (ValueError, OSError, SQLAlchemyError) as err:
        raise click.ClickException(f"export failed: {err}") from None
    finally:
        session.rollback()
    click.echo(f"exported {_report(counts)}", err=True)


@click.command("import-dump")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def import_dump_command(file: TextIO) -> None:
    """Restore a dump (FILE, or - for standard input) into an empty database; all or nothing."""
    from .services.dump import import_dump

    try:
        with db.write_transaction() as s:
            counts = import_dump(s, file)
    except (ValueError, OSError, SQLAlchemyError) as err:
        raise click.ClickException(f"nothing restored: {err}") from None
    click.echo(f"restored {_report(counts)}")


COMMANDS = (export_command, import_dump_command)


def register(group: click.Group) -> None:
    """Add the dump commands to ``group`` (the app's CLI)."""
    for command in COMMANDS:
        group.add_command(command)
