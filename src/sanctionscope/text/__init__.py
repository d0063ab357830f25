"""Text screening: the persons and organizations a text mentions, and which of them are sanctioned.

A screener over a database (and a day), kept per process, is the service's: `service.texts.open_text_screener`.
"""

from sanctionscope.text.screen import Mention, TextReport, TextScreener

__all__ = ["Mention", "TextReport", "TextScreener"]
