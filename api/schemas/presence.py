"""Which fields of a documented answer are always there (OpenAPI ``required``).

The output schemas only document what the views send, so ``required`` means "always in the
answer" (a generated client then types those fields as present). Fields are copied before
they are marked, so a subclass never changes what its parent documents.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TypeVar

from marshmallow import Schema

S = TypeVar("S", bound=type[Schema])


def _mark(schema: S, present: Callable[[str], bool]) -> S:
    for name, field in list(schema._declared_fields.items()):
        marked = copy.copy(field)
        marked.required = present(name)
        schema._declared_fields[name] = marked
    return schema


def always(*optional: str) -> Callable[[S], S]:
    """Document every field of the schema as always present, except those in ``optional``."""
    return lambda schema: _mark(schema, lambda name: name not in optional)


def sparse(keep: str) -> Callable[[S], S]:
    """Document a list item: a sparse fieldset (``fields=``) always keeps ``keep`` only."""
    return lambda schema: _mark(schema, lambda name: name == keep)
