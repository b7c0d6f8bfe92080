"""The extractor behind suggested facts (issue 12): rules over news text, no model.

Each module reads one kind of thing from text and says where it found it (offsets into the
stored body), so every field of a suggestion can show its cue:

* ``sentences``: sentence spans of a stored body, across hard line wraps and site furniture;
* ``dates``: dates stated or relative to the publication date, with precision and basis;
* ``values``: amounts with scale, unit and qualifier.
"""
