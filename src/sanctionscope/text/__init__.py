"""Text screening: the persons and organizations a text mentions, and which of them are sanctioned."""

from sanctionscope.text.screen import Mention, TextReport, TextScreener, open_text_screener

__all__ = ["Mention", "TextReport", "TextScreener", "open_text_screener"]
