"""The import graph: the engine (names, index, match) stands alone; the store and the surfaces build on it.

Spark, a worker or a notebook can use the engine without a database: whatever opens a matcher for a
database and a day, keeps process caches or orchestrates batches is the service's (`service/`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import sanctionscope

PACKAGE = Path(sanctionscope.__file__).resolve().parent

#: what the engine must never import: the store, subjects, the service and every surface
NOT_FOR_THE_ENGINE = {"store", "resolve", "service", "api", "cli", "monitor", "track", "text", "session", "spark"}
#: what each engine package may import from sanctionscope (its own modules, stdlib and third parties aside)
ALLOWED = {
    "names": {"model"},
    "match": {"names", "index", "model"},
}


def imported_packages(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level sanctionscope package or module) of every import in a file, lazy ones included."""
    module = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = module if path.name == "__init__.py" else module[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "sanctionscope" and len(parts) > 1:
                yield node.lineno, parts[1].removesuffix(".py")


def package_files(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def test_the_import_reader_sees_relative_absolute_and_lazy_imports() -> None:
    found = {p for _, p in imported_packages(PACKAGE / "service" / "matchers.py")}
    assert {"index", "match", "resolve", "store"} <= found
    cli = {p for f in package_files("cli") for _, p in imported_packages(f)}
    assert "service" in cli  # cli/serving.py opens the matcher inside a function


@pytest.mark.parametrize("engine", ["names", "index", "match"])
def test_the_engine_imports_no_store_service_or_surface(engine: str) -> None:
    wrong = [
        f"{f.relative_to(PACKAGE)}:{line} imports {target}"
        for f in package_files(engine)
        for line, target in imported_packages(f)
        if target in NOT_FOR_THE_ENGINE
    ]
    assert wrong == []


@pytest.mark.parametrize("engine", sorted(ALLOWED))
def test_an_engine_package_imports_only_what_it_builds_on(engine: str) -> None:
    wrong = [
        f"{f.relative_to(PACKAGE)}:{line} imports {target}"
        for f in package_files(engine)
        for line, target in imported_packages(f)
        if target != engine and target not in ALLOWED[engine]
    ]
    assert wrong == []


def test_the_service_is_one_package_the_engine_has_no_composition_left() -> None:
    assert not (PACKAGE / "match" / "database.py").exists()
    assert not (PACKAGE / "match" / "batch.py").exists()
    assert {"matchers.py", "assemble.py", "analyses.py", "batch.py", "batch_jobs.py", "texts.py"} <= {
        f.name for f in package_files("service")
    }
