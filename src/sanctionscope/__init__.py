"""sanctionscope: sanctions lists, tracked and screened.

    from sanctionscope import Sanctionscope
    scope = Sanctionscope()                       # the default database (or a path / PostgreSQL URL)
    scope.match("Alexander Bastrykin")           # ranked results with scores and explanations

See `sanctionscope.session` for the whole Python API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sanctionscope.match.engine import Matcher, Result
    from sanctionscope.match.query import Query
    from sanctionscope.session import Sanctionscope

__all__ = ["Matcher", "Query", "Result", "Sanctionscope", "__version__"]

_LAZY = {
    "Sanctionscope": "sanctionscope.session",
    "Matcher": "sanctionscope.match.engine",
    "Result": "sanctionscope.match.engine",
    "Query": "sanctionscope.match.query",
}


def __getattr__(name: str) -> Any:
    """Import on first use, so `import sanctionscope` (and the CLI's --version) stays fast."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sanctionscope' has no attribute {name!r}")
