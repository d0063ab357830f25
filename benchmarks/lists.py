"""Where the benchmarks find the official list snapshots, and which folders they load.

All lists: the folders the tests load as "every list" (tests/support.py); quick: one snapshot of
three sources.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support import FOUNDATION_FOLDERS

SHARED = Path(os.environ.get("SANCTIONSCOPE_SHARED", ROOT.parent / "shared"))
LISTS = SHARED / "data" / "lists"
FOLDERS = list(FOUNDATION_FOLDERS)
QUICK_FOLDERS = ["un/un-sc-consolidated-xml/2026-02-27", "ca/sema-consolidated-xml", "au/dfat-consolidated-xlsx"]
