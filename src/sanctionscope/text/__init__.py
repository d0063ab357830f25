"""Text screening: the persons and organizations a text mentions, and which of them are sanctioned.

A screener over a database (and a day), kept per process, is the service's: `service.texts.open_text_screener`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanctionscope.text.screen import Mention, TextReport, TextScreener

__all__ = ["Mention", "TextReport", "TextScreener"]


def __getattr__(name: str) -> Any:
    """The screener's classes, imported on first use: a submodule such as `text.render` loads alone."""
    if name in __all__:
        from sanctionscope.text import screen

        return getattr(screen, name)
    raise AttributeError(f"module 'sanctionscope.text' has no attribute {name!r}")
