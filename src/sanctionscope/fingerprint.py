"""A fingerprint of parts of sanctionscope's own code: derived data (analyses, subjects, the index)
is tied to the code that made it, so an upgrade never reads what another version made."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@cache
def code_fingerprint(*parts: str) -> str:
    """Hash of the `.py` and `.txt` files of these folders or files (relative to the package)."""
    digest = hashlib.sha1()
    for part in parts:
        path = PACKAGE / part
        for file in sorted(path.glob("*")) if path.is_dir() else [path]:
            if file.suffix in (".py", ".txt"):
                digest.update(file.name.encode() + file.read_bytes())
    return digest.hexdigest()[:12]
