"""Near-duplicate detection with MinHash and banded LSH kept in the database.

Each source stores its MinHash signature and one bucket per LSH band
(``source_band``). A new text is compared only with the sources that share at
least one bucket, found through an index, so the cost does not grow with the
number of pairs; candidates are then ranked by estimated Jaccard similarity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import numpy as np

# numpy and datasketch (which pulls in SciPy) are imported where they are used: together
# they would add about 90 MB to every reading worker that never imports an article.

from ..models import Source, SourceBand
from .text import words

NUM_PERM = 128
SHINGLE = 3  # words per shingle
_SEED = 1


@dataclass(frozen=True)
class Signature:
    """A text's MinHash signature and its LSH band buckets."""

    hashvalues: np.ndarray
    buckets: tuple[int, ...]

    def to_bytes(self) -> bytes:
        """Serialize the signature for storage."""
        return self.hashvalues.astype("<u8").tobytes()


@cache
def _bands(threshold: float) -> tuple[int, int]:
    """Return (bands, rows per band) that suit ``threshold`` (datasketch's optimum)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def shingles(text: str) -> set[bytes]:
    """Word n-grams of the normalized, lower-cased text."""
    tokens = words(text)
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


def signature(text: str, threshold: float) -> Signature:
    """Compute the MinHash signature of ``text`` and its band buckets."""
    import numpy as np
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=_SEED)
    mh.update_batch(list(shingles(text)))
    values = mh.hashvalues.astype(np.uint64)
    b, r = _bands(threshold)
    buckets = tuple(
        int.from_bytes(
            hashlib.blake2b(values[i * r : (i + 1) * r].tobytes(), digest_size=8).digest(),
            "little",
            signed=True,
        )
        for i in range(b)
    )
    return Signature(values, buckets)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimate the Jaccard similarity of two texts from their signatures."""
    import numpy as np

    return float(np.count_nonzero(a == b)) / len(a)


def find_near_duplicate(
    session: Session, sig: Signature, threshold: float
) -> tuple[int, int | None, float] | None:
    """Return (id, canonical_id, similarity) of the closest source at or above ``threshold``."""
    # An OR of (band, bucket) equalities, each one a seek on ix_source_band_bucket: a
    # row-value IN list is not matched to that index by SQLite and scans the whole table.
    candidate_ids = session.scalars(
        select(SourceBand.source_id)
        .where(
            or_(
                *(
                    and_(SourceBand.band == band, SourceBand.bucket == bucket)
                    for band, bucket in enumerate(sig.buckets)
                )
            )
        )
        .distinct()
    ).all()
    import numpy as np

    best: tuple[int, int | None, float] | None = None
    for chunk_start in range(0, len(candidate_ids), 500):
        chunk = candidate_ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(Source.id, Source.canonical_id, Source.minhash).where(Source.id.in_(chunk))
        )
        for source_id, canonical_id, minhash in rows:
            score = jaccard(sig.hashvalues, np.frombuffer(minhash, dtype="<u8"))
            # Highest similarity wins; ties go to the earliest source.
            if score >= threshold and (best is None or (score, -source_id) > (best[2], -best[0])):
                best = (source_id, canonical_id, score)
    return best


def index_source(session: Session, source_id: int, sig: Signature) -> None:
    """Store the band buckets of a source so later imports can find it."""
    session.add_all(
        SourceBand(source_id=source_id, band=band, bucket=bucket)
        for band, bucket in enumerate(sig.buckets)
    )
