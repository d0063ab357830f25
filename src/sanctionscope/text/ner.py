"""Persons in Russian text as `natasha`'s news NER model sees them (a second opinion to the gazetteer).

The model (slovnet, with navec embeddings; both ship inside the `natasha` wheel) is loaded once
per process, on the first Russian text.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _pipeline():  # type: ignore[no-untyped-def]
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def russian_person_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the person names the model finds."""
    from natasha import Doc

    segmenter, tagger = _pipeline()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(span.start, span.stop) for span in doc.spans if span.type == "PER"]
