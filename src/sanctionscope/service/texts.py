"""Text screeners of a database, kept per process: one for each day asked about, while the data stay the same."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

import sqlalchemy as sa

from sanctionscope.match.engine import DEFAULT_THRESHOLD
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.service.matchers import current_version, open_matcher
from sanctionscope.text.screen import TextScreener

#: screeners for past days kept per process (each holds its own index: about 100 MB for every list)
SCREENERS_KEPT = 2
_screeners: OrderedDict[tuple[Any, ...], TextScreener] = OrderedDict()
_screeners_lock = threading.Lock()


def open_text_screener(
    engine: sa.Engine, *, as_of: date | None = None, threshold: float = DEFAULT_THRESHOLD, use_ner: bool = True
) -> TextScreener:
    """A screener over the lists in a database (as they stood on `as_of`).

    The last few are kept while the data stays the same: building one (the index of that day,
    the subjects, the gazetteer) takes seconds, and a day is often asked about again.
    """
    key = (engine.url.render_as_string(), current_version(engine, as_of), as_of, threshold, use_ner)
    with _screeners_lock:
        found = _screeners.get(key)
        if found is not None:
            _screeners.move_to_end(key)
            return found
    matcher = open_matcher(engine, as_of=as_of)
    screener = TextScreener(matcher, SubjectBook(engine), as_of=as_of, threshold=threshold, use_ner=use_ner)
    with _screeners_lock:
        _screeners[key] = screener
        while len(_screeners) > SCREENERS_KEPT:
            _screeners.popitem(last=False)
    return screener
