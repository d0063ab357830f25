"""Persons in Russian text as `natasha`'s news NER model sees them (a second opinion to the gazetteer).

The model (slovnet, with navec embeddings; both ship inside the `natasha` wheel) is loaded once
per process, on the first Russian text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=1)
def _pipeline():  # type: ignore[no-untyped-def]
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def russian_person_spans(text: str, parts: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """(start, end) character offsets of the person names the model finds in `text`, or only in
    its `parts` (start, end), which are read in one call: the model's cost is largely per call."""
    from natasha import Doc

    parts = list(parts) if parts is not None else [(0, len(text))]
    pieces, joined_starts, at = [], [], 0
    for start, end in parts:
        pieces.append(text[start:end])
        joined_starts.append(at)
        at += end - start + 1  # one line break between pieces
    segmenter, tagger = _pipeline()
    doc = Doc("\n".join(pieces))
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    found = []
    for span in doc.spans:
        if span.type != "PER":
            continue
        piece = bisect_right(joined_starts, span.start) - 1
        shift = parts[piece][0] - joined_starts[piece]
        found.append((span.start + shift, span.stop + shift))
    return found
