"""The real app, with article imports slowed down after their first write (fault tests).

Used by tests/test_faults.py to SIGKILL a worker while an import's transaction is open.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from api import create_app
from api.services import importer

_index = importer.index_source


def _slow_index(session: Any, source_id: int, sig: Any) -> None:
    _index(session, source_id, sig)
    session.flush()  # the source row and its buckets are written, not committed
    Path(os.environ["SLOW_IMPORT_MARKER"]).write_text(str(source_id))
    time.sleep(30)


importer.index_source = _slow_index  # type: ignore[assignment]
app = create_app()
