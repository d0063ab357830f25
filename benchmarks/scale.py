"""Scale: the real lists plus 30 k … 1 M synthetic FollowTheMoney persons and companies, run as a user runs them.

    python benchmarks/scale.py                         # 30k, 100k, 300k and 1M (hours)
    python benchmarks/scale.py --sizes 30000,100000    # some sizes
    python benchmarks/scale.py --quick                 # 30k, small query counts (CI)
    python benchmarks/scale.py --json --work DIR       # JSON; generated data and databases under DIR

Data: the shared generator (`shared/tools/synthetic_ftm.py`, its default seed) writes the largest
size once into the work folder (default ~/.cache/sanctionscope-bench/scale, with the generator's
names cache and its `--pairs` file); a smaller size is the first N lines of it (`head -n N`). Per
size, a fresh SQLite database gets the current snapshot of each real list (the newest dated
folder of each folder in benchmarks/lists.py's FOLDERS: OFAC SDN CSV 2024-05-03, OFAC
consolidated XML 2026-01-08 and CSV 2025-12-19, UN 2026-02-27, the EU journal, Canada 2025-05-25,
Australia) and then the synthetic file (`load FILE --source ftm --date 2026-01-01`).

Every stage is a real `sanctionscope` process: wall time, and peak memory (MB) as the larger of
the largest process's peak RSS (wait4) and its process tree's summed PSS (sampled). Columns:

  size          synthetic entities
  records       records loaded: the real lists' current records + the synthetic entities
  load s/MB     `load` of the real lists + `load` of the synthetic file: total seconds, larger peak
  resolve s/MB  the first full `resolve`
  build s       the first `match` after it: builds and saves the name index
  open s        a fresh `match` once everything is built (median of three): process start + index open
  update s      after loading a second synthetic snapshot (2026-01-02) in which 1 % of the entities
                changed (a third removed, a third amended: an alias added or a birth date moved, a
                third new, generator indexes beyond N): `resolve` + the first `match` (index refresh)
  serve1 s/MB   `serve --no-auth`, 1 worker: seconds to /readyz, then RSS of the process tree after
                40 warm-up queries
  serve4 s/MB   `serve --workers 4` on a throwaway PostgreSQL server holding the same data (several
                workers need PostgreSQL): seconds until all four workers answered /readyz, and the
                PSS summed over the process tree after warm-up (shared pages counted once); the
                JSON also has the summed RSS and the largest worker's RSS. "n/a" without PostgreSQL
  text s/MB     `screen-text` of the seed article (the second run; the first in the JSON)
  q/s           name-only queries per second on one core (a process pinned with sched_setaffinity,
                `Sanctionscope(db).matcher()`): 30 % listed, 70 % unlisted, median of three passes
  recall        listed persons (half synthetic, half real lists) queried by one name with one
                perturbation (a typo, reordered parts, the patronymic or a middle name dropped, another
                romanization): the share whose record is among the top 10 results with `match` true
  FPR           unlisted given/family pairs from the generator's own name pools, of which the
                canonical pair is on no synthetic person in either order (the `--pairs` file) and whose
                two words are together in no synthetic person's name and no real listed name, in either
                order and in any common spelling (Fisher / FISCHER, Dimitriy / Dmytro: the keys
                matching.py's negatives use): the share with any `match` true

A time marked "!" is of a stage that should only have opened the saved index but wrote it (it
resolved or indexed again: the data or the engine's code changed under it); the lines under the
table say which. Queries are seeded (2,000 listed and 2,000 unlisted by default; 200 each with
--quick). The floors at 1 M are printed under the table; the JSON has every stage's pieces.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from api import free_port
from lists import FOLDERS, LISTS, SHARED
from matching import (
    CACHE,
    Case,
    Outcome,
    drop_patronymic,
    family_position,
    initials,
    is_arabic,
    listed_together,
    listed_word_pairs,  # fmt: skip
    reorder,
    romanize,
    score_outcome,
    speed,
    spelling_free,
    typo,
)
from postgres import server_binaries, throwaway_postgres

GENERATOR = SHARED / "tools" / "synthetic_ftm.py"
ARTICLE = SHARED / "seed" / "article-2021-02-09.txt"
SIZES = [30_000, 100_000, 300_000, 1_000_000]
FIRST, SECOND = "2026-01-01", "2026-01-02"  # the dates of the two synthetic snapshots
SEED = 7
LIMIT = 10  # results per recall query
PROBE = "Alexander Bastrykin"  # the name of every timed `match`
#: the issue's floors at 1 M synthetic entities + the real lists
FLOORS = {"load_s": 360, "resolve_s": 900, "resolve_mb": 8000, "update_s": 60, "open_s": 1.5, "serve1_ready_s": 30,
          "serve1_mb": 1500, "serve4_mb": 3000, "text_s": 10, "text_mb": 1500, "qps": 800, "recall": 0.985,
          "fpr": 0.005}  # fmt: skip


# --- processes ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One finished process: wall seconds, peak memory (MB, see `run`), exit code, standard output."""

    seconds: float
    peak_mb: float
    code: int
    stdout: str


def cli(db: str, *args: str) -> list[str]:
    """The `sanctionscope --db DB ...` command line (this interpreter's installation)."""
    return [sys.executable, "-m", "sanctionscope.cli", "--db", db, *args]


def environment(home: Path) -> dict[str, str]:
    """The environment of every stage: the data folder (index files of PostgreSQL databases) under the run's folder."""
    env = {k: v for k, v in os.environ.items() if k != "SANCTIONSCOPE_DB"}
    return {**env, "SANCTIONSCOPE_HOME": str(home), "COLUMNS": "200"}


def run(command: list[str], home: Path, ok: tuple[int, ...] = (0,)) -> Run:
    """Run a command to its end. Its peak memory is the larger of its largest process's peak RSS
    (wait4) and the PSS summed over its process tree, sampled every half second (for stages
    that start worker processes). Fails unless the exit code is in `ok`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=environment(home))
        tree_peak, sampled = 0.0, 0.0
        while not (finished := os.wait4(process.pid, os.WNOHANG))[0]:
            if time.perf_counter() - sampled >= 0.5:
                sampled = time.perf_counter()
                tree_peak = max(tree_peak, sum(memory_mb(pid)["Pss"] for pid in process_tree(process.pid)))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        _pid, status, usage = finished
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code not in ok:
        raise RuntimeError(f"{' '.join(command[3:])} exited {code}:\n{stderr[-3000:]}")
    return Run(seconds, max(usage.ru_maxrss / 1024, tree_peak), code, stdout)


def process_tree(root: int) -> list[int]:
    """The process and all its descendants (from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def memory_mb(pid: int) -> dict[str, float]:
    """Rss and Pss of one process (/proc/PID/smaps_rollup), in MB; zeros if it is gone."""
    values = {"Rss": 0.0, "Pss": 0.0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in values:
                values[key] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return values


# --- data ------------------------------------------------------------------------------------


def generator_module() -> ModuleType:
    """The shared generator as a module: its pools, romanizations and entity(i) for new entities."""
    spec = importlib.util.spec_from_file_location("synthetic_ftm", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated(work: Path, count: int) -> tuple[Path, Path]:
    """A generated file of at least `count` entities and its pairs file: a cached one, else generated now."""
    for path in sorted(work.glob("synthetic-*.ftm.json"), key=lambda p: int(p.name.split("-")[1].split(".")[0])):
        size = int(path.name.split("-")[1].split(".")[0])
        pairs = path.with_name(f"synthetic-{size}.pairs.gz")
        if size >= count and pairs.exists():
            return path, pairs
    path, pairs = work / f"synthetic-{count}.ftm.json", work / f"synthetic-{count}.pairs.gz"
    print(f"generating {count} synthetic entities into {path} …", file=sys.stderr)
    partial = path.with_name(path.name + ".partial")
    subprocess.run([sys.executable, str(GENERATOR), str(count), "-o", str(partial), "--pairs", str(pairs),
                    "--cache", str(work / "names_cache.json")], check=True)  # fmt: skip
    partial.replace(path)
    return path, pairs


def first_lines(source: Path, count: int, target: Path) -> Path:
    """`head -n count source > target` (kept if it is already there)."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as lines, target.open("wb") as out:
            out.writelines(itertools.islice(lines, count))
    return target


def amend(entity: dict, rng: random.Random) -> dict:
    """One change a list makes: a birth date moved by a year where there is one, else an alias added."""
    props = entity["properties"]
    if "birthDate" in props and rng.random() < 0.5:
        year, rest = props["birthDate"][0][:4], props["birthDate"][0][4:]
        props["birthDate"] = [f"{int(year) + 1}{rest}"]
    else:
        alias = initials(entity["caption"], rng) if entity["schema"] == "Person" else None
        props["alias"] = [*props.get("alias", []), alias or entity["caption"].upper() + " (FORMERLY)"]
    return entity


def changed_snapshot(first: Path, count: int, target: Path, generator: Any) -> dict[str, int]:
    """The second snapshot: 1 % of the entities changed, a third each removed, amended and new (indexes ≥ count)."""
    changes = max(3, count // 100)
    rng = random.Random(f"{SEED}-changes-{count}")
    picked = rng.sample(range(count), 2 * (changes // 3))
    removed, amended = set(picked[: changes // 3]), set(picked[changes // 3 :])
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with first.open("rb") as lines, target.open("wb") as out:
            for i, line in enumerate(lines):
                if i in amended:
                    line = json.dumps(amend(json.loads(line), rng), ensure_ascii=False).encode() + b"\n"
                if i not in removed:
                    out.write(line)
            for i in range(count, count + changes // 3):
                out.write(json.dumps(generator.entity(i)[0], ensure_ascii=False).encode() + b"\n")
    return {"removed": len(removed), "amended": len(amended), "added": changes // 3}


def current_folders() -> list[Path]:
    """The current snapshot of each real list: the newest dated subfolder of each of FOLDERS, else the folder."""
    out = []
    for folder in FOLDERS:
        dated = sorted(p for p in (LISTS / folder).iterdir() if p.is_dir() and p.name[:4].isdigit())
        out.append(dated[-1] if dated else LISTS / folder)
    return out


# --- queries ---------------------------------------------------------------------------------


def drop_middle(name: str, rng: random.Random) -> str | None:
    """The name without one middle name: a word that is neither the family name nor the first given name."""
    words = name.split()
    family = family_position(words)
    given = [i for i in range(len(words)) if i != family]
    if len(given) < 2:
        return None
    dropped = rng.choice(given[1:])
    return " ".join(w for i, w in enumerate(words) if i != dropped)


PERTURBATIONS = {"typo": typo, "order": reorder, "no_patronymic": drop_patronymic, "no_middle": drop_middle,
                 "romanization": romanize}  # fmt: skip


def perturbed(name: str, rng: random.Random) -> tuple[str, str] | None:
    """The name with one perturbation (tried in a random order until one changes it), and which."""
    kinds = list(PERTURBATIONS)
    rng.shuffle(kinds)
    for kind in kinds:
        query = PERTURBATIONS[kind](name, rng)
        if query and query.lower() != name.lower():
            return query, kind
    return None


def synthetic_persons(path: Path, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(primary name, record id) of about `count` persons among the file's entities."""
    wanted = set(rng.sample(range(sum(1 for _ in path.open("rb"))), count * 2))
    persons = []
    with path.open("rb") as lines:
        for i, line in enumerate(lines):
            if i in wanted:
                entity = json.loads(line)
                if entity["schema"] == "Person":
                    persons.append((entity["caption"], f"ftm:{entity['id']}"))
    return persons[:count]


def real_persons(records: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """(first Latin name of two words or more, record id) of the real lists' persons."""
    out = []
    for record in records:
        names = [n.full for n in record.names if n.full.isascii() and len(n.full.split()) >= 2]
        if record.kind.value == "person" and names:
            out.append((names[0], record.id))
    return out


def listed_cases(persons: list[tuple[str, str]], count: int, rng: random.Random) -> list[dict]:
    """Up to `count` perturbed-name queries of the given persons: query, expected record id, perturbation."""
    cases: list[dict] = []
    for name, record_id in rng.sample(persons, len(persons)):
        if len(cases) >= count:
            break
        found = perturbed(name, rng)
        if found:
            cases.append({"query": found[0], "expected": record_id, "perturbation": found[1]})
    return cases


def canonical_pair(module: ModuleType, style: str, given: str, family: str) -> tuple[str, str]:
    """The generator's `--pairs` form of a given and family name drawn from a pool of this style."""
    if style in ("ar", "ir"):
        canon = module.ARABIC_CANON
        return canon.get(given.lower(), module.fold(given)), (canon.get(family.lower(), module.fold(family))
                                                              if style == "ar" else module.fold(family))  # fmt: skip
    if style == "cn":
        return given.lower(), family.lower()
    return module.fold(given), module.fold(family)


def written(module: ModuleType, style: str, given: str, family: str, female: bool, rng: random.Random) -> tuple[str, str]:
    """How a list would write them: Russian names in Cyrillic or BGN Latin, Ukrainian ones romanized the Ukrainian way."""
    if style in ("ru", "kz"):
        family = module.ru_feminine(family) if female else family
        if rng.random() < 0.5:
            return given, family
        return module.romanize(given, module.RU_BGN, "bgn"), module.romanize(family, module.RU_BGN, "bgn")
    if style == "ua":
        given, family = module.RU_TO_UA.get(given, given), module.ua_surname(family)
        family = module.ua_feminine(family) if female else family
        return module.romanize(given, module.UA_NATIONAL, "ua"), module.romanize(family, module.UA_NATIONAL, "ua")
    return given, family


def unlisted_cases(module: ModuleType, generator: Any, pairs: set[tuple[str, str]], listed: set[tuple[str, str]],
                   synthetic: Path, count: int, rng: random.Random) -> list[str]:  # fmt: skip
    """Given/family names from the generator's pools that no synthetic person and no real listed name has together.

    Drawn in a surplus; then a scan of every synthetic name (of the largest file: the same
    negatives at every size) drops those whose two words a synthetic name writes together in any
    common spelling, as `listed_together` drops those of a real listed name.
    """
    drawn: dict[str, tuple[str, str]] = {}
    for _attempt in range(count * 100):
        if len(drawn) >= 2 * count:
            break
        code = generator.country(rng)
        style, female = generator.styles[code], rng.random() < 0.3
        given = generator.pools[code]["F" if female else "M"].pick(rng)
        family = generator.pools[code]["L"].pick(rng)
        # in either order: a list writes "HASSAN, Ahmad" for the Ahmad Hassan another writes the other way
        # round, so a person with the same two names swapped has this name (as for the real lists' pairs)
        if canonical_pair(module, style, given, family) in pairs or canonical_pair(module, style, family, given) in pairs:
            continue
        shown_given, shown_family = written(module, style, given, family, female, rng)
        name = module.Generator._format((shown_given, "", shown_family), rng)
        if name not in drawn and not listed_together(shown_given, shown_family, listed):
            drawn[name] = (shown_given, shown_family)
    together = synthetic_pairs_among(synthetic, [pair for given, family in drawn.values() for pair in
                                                 word_key_pairs(given, family)])  # fmt: skip
    return [name for name, (given, family) in drawn.items()
            if not together.intersection(word_key_pairs(given, family))][:count]  # fmt: skip


def word_key_pairs(given: str, family: str) -> set[tuple[str, str]]:
    """The spelling-free key pairs `listed_together` looks up for a given and a family name."""
    arabic = is_arabic(given + family)
    given_keys = spelling_free(set(given.split()), arabic=arabic)
    family_keys = spelling_free(set(family.split()), arabic=arabic)
    return {(x, y) for x in given_keys for y in family_keys}


def synthetic_pairs_among(path: Path, wanted: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of the `wanted` key pairs that some name of a synthetic entity writes together (in either order)."""
    wanted_set, found = set(wanted), set()
    words = {word for pair in wanted_set for word in pair}
    keys: dict[str, set[str]] = {}
    with path.open("rb") as lines:
        for line in lines:
            properties = json.loads(line)["properties"]
            for prop in ("name", "alias", "weakAlias", "previousName"):
                for name in properties.get(prop, ()):
                    present = set()
                    for word in name.replace(",", " ").split():
                        known = keys.get(word)
                        if known is None:
                            known = keys[word] = spelling_free({word}, listed=True) & words
                        present |= known
                    if len(present) >= 2:
                        found.update((x, y) for x in present for y in present if (x, y) in wanted_set)
    return found


def read_pairs(path: Path) -> set[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return {tuple(line.rstrip("\n").split("\t", 1)) for line in lines}  # type: ignore[misc]


# --- the one-core probe (a child process) ------------------------------------------------------


def probe(db: str, cases_path: str) -> dict:
    """In this process, pinned to one core: open the matcher, score recall and false positives, time queries."""
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    from sanctionscope import Sanctionscope
    from sanctionscope.match.query import Query

    cases = json.loads(Path(cases_path).read_text())
    started = time.perf_counter()
    matcher = Sanctionscope(db).matcher()
    opened = time.perf_counter() - started
    listed, unlisted = Outcome(), Outcome()
    per_kind: dict[str, Outcome] = {}
    for case in cases["listed"]:
        kind = per_kind.setdefault(case["perturbation"], Outcome())
        results = [(set(r.entry.referents), r.score, r.match)
                   for r in matcher.match(Query([case["query"]], kind="person"), limit=LIMIT)]  # fmt: skip
        for outcome in (listed, kind):
            score_outcome(outcome, Case(case["query"], frozenset({case["expected"]}), None), results)
    for name in cases["unlisted"]:
        results = [(set(r.entry.referents), r.score, r.match) for r in matcher.match(Query([name], kind="person"))]
        score_outcome(unlisted, Case(name, frozenset(), None), results)
    slices = {"listed": [Case(c["query"], frozenset(), None) for c in cases["listed"]],
              "negatives": [Case(n, frozenset(), None) for n in cases["unlisted"]]}  # fmt: skip
    fast = speed(matcher, slices, random.Random(SEED), cases["speed_queries"])
    return {"open_s": opened, "qps": fast["qps"], "median_ms": fast["median_ms"], "p99_ms": fast["p99_ms"],
            "recall": listed.hits / max(1, listed.cases), "listed": listed.cases,
            "fpr": unlisted.false_positive / max(1, unlisted.cases), "unlisted": unlisted.cases,
            "recall_by_perturbation": {k: round(o.hits / o.cases, 4) for k, o in per_kind.items()}}  # fmt: skip


# --- servers ---------------------------------------------------------------------------------


def wait_ready(url: str, server: subprocess.Popen, workers: int, timeout: float = 1200) -> float:
    """Seconds until `workers` distinct processes have answered /readyz with 200 (new connection each time)."""
    started, ready = time.perf_counter(), set()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            response = httpx.get(url + "/readyz", timeout=120)
            if response.status_code == 200:
                ready.add(response.json().get("process"))
                if len(ready) >= workers:
                    return time.perf_counter() - started
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not become ready")


@contextmanager
def serving(db: str, workers: int, home: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`sanctionscope serve --no-auth` on a free loopback port; stopped on exit."""
    port = free_port()
    server = subprocess.Popen(cli(db, "serve", "--no-auth", "--port", str(port), "--workers", str(workers)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment(home))  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


def measure_server(db: str, workers: int, home: Path, names: list[str]) -> dict:
    """Time to ready, then memory of the process tree after warm-up /match requests spread over the workers."""
    with serving(db, workers, home) as (url, server):
        ready = wait_ready(url, server, workers)
        for name in names:
            body = {"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}}
            httpx.post(url + "/match/default", json=body, timeout=120).raise_for_status()
        memory = {pid: memory_mb(pid) for pid in process_tree(server.pid)}
    rss = [m["Rss"] for pid, m in memory.items() if pid != server.pid or workers == 1]
    return {"ready_s": ready, "pss_mb": sum(m["Pss"] for m in memory.values()),
            "rss_mb": sum(m["Rss"] for m in memory.values()), "worker_max_rss_mb": max(rss, default=0.0),
            "processes": len(memory)}  # fmt: skip


# --- one size --------------------------------------------------------------------------------


def load_all(db: str, home: Path, synthetic: Path) -> dict:
    """Load the real lists and the synthetic file: total seconds and the larger peak."""
    lists = run(cli(db, "load", *map(str, current_folders()), "--json"), home)
    ftm = run(cli(db, "load", str(synthetic), "--source", "ftm", "--date", FIRST, "--json"), home)
    records = sum(r["records"] for r in json.loads(lists.stdout)["loaded"] + json.loads(ftm.stdout)["loaded"])
    return {"s": lists.seconds + ftm.seconds, "mb": max(lists.peak_mb, ftm.peak_mb), "lists_s": lists.seconds,
            "synthetic_s": ftm.seconds, "records": records}  # fmt: skip


def timed_matches(db: str, home: Path, times: int) -> list[Run]:
    """`times` fresh `match PROBE` processes (exit 3, no match, is fine)."""
    return [run(cli(db, "match", PROBE), home, ok=(0, 3)) for _ in range(times)]


def index_files(folder: Path) -> dict[str, float]:
    """Modification times of the saved name indexes under a run's folder (SQLite's and, in home/, PostgreSQL's)."""
    return {str(p): p.stat().st_mtime for p in folder.rglob("*index*") if p.is_file()}


@contextmanager
def read_only(folder: Path, row: dict, stage: str) -> Iterator[None]:
    """Notes in row["rewrote"][stage] the indexes a stage wrote that should only have opened them (the
    data or the code changed: it resolved or indexed again, and its time says so)."""
    before = index_files(folder)
    yield
    changed = sorted(Path(p).name for p, mtime in index_files(folder).items() if before.get(p) != mtime)
    if changed:
        row.setdefault("rewrote", {})[stage] = changed


def postgres_row(home: Path, synthetic: Path, names: list[str]) -> dict:
    """The same data in a throwaway PostgreSQL server, resolved and indexed; then 4 workers served."""
    if server_binaries() is None:
        return {"na": "no PostgreSQL server installed (Debian package postgresql)"}
    try:
        with throwaway_postgres() as url:
            loaded = load_all(url, home, synthetic)
            resolved = run(cli(url, "resolve", "--json"), home)
            built = timed_matches(url, home, 1)[0]
            marks: dict = {}
            with read_only(home, marks, "serve4"):
                served = measure_server(url, 4, home, names)
    except (RuntimeError, OSError, subprocess.CalledProcessError, httpx.HTTPError) as error:
        return {"na": f"failed: {str(error)[-300:]}"}
    return {**served, "load_s": loaded["s"], "resolve_s": resolved.seconds, "build_s": built.seconds, **marks}


def measure_size(size: int, work: Path, args: argparse.Namespace, module: ModuleType, generator: Any) -> dict:
    """Every stage at one size, in a fresh database under work/run-SIZE."""
    source, pairs_path = generated(work, max(args.sizes))
    folder = work / f"run-{size}"
    for stale in folder.glob("*.db*"):
        stale.unlink()
    home = folder / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    first = first_lines(source, size, folder / "snapshot-1" / "synthetic.ftm.json")
    changes = changed_snapshot(first, size, folder / "snapshot-2" / "synthetic.ftm.json", generator)
    db = str(folder / "scale.db")
    row: dict[str, Any] = {"size": size, "changes": changes}
    say = lambda stage: print(f"[{size}] {stage} …", file=sys.stderr)
    say("load")
    row["load"] = load_all(db, home, first)
    say("resolve")
    resolved = run(cli(db, "resolve", "--json"), home)
    row["resolve"] = {"s": resolved.seconds, "mb": resolved.peak_mb, **json.loads(resolved.stdout)}
    say("index build and open")
    build = timed_matches(db, home, 1)[0]
    row["build"] = {"s": build.seconds, "mb": build.peak_mb}
    with read_only(folder, row, "open"):
        opens = timed_matches(db, home, 3)
    row["open"] = {"s": statistics.median(r.seconds for r in opens), "mb": max(r.peak_mb for r in opens)}
    say("screen-text")
    with read_only(folder, row, "text"):
        texts = [run(cli(db, "screen-text", str(ARTICLE)), home, ok=(0, 3)) for _ in range(2)]
    row["text"] = {"s": texts[1].seconds, "mb": texts[1].peak_mb, "first_s": texts[0].seconds}
    say("queries")
    cases = query_cases(db, first, pairs_path, module, generator, args)
    cases_path = folder / "queries.json"
    cases_path.write_text(json.dumps(cases, ensure_ascii=False))
    with read_only(folder, row, "q/s"):
        probed = run([sys.executable, __file__, "--probe", db, str(cases_path)], home)
    row["probe"] = {**json.loads(probed.stdout.strip().splitlines()[-1]), "mb": probed.peak_mb}
    warm = [c["query"] for c in cases["listed"][:20]] + cases["unlisted"][:20]
    say("serve, 1 worker")
    with read_only(folder, row, "serve1"):
        row["serve1"] = measure_server(db, 1, home, warm)
    if args.no_postgres:
        row["serve4"] = {"na": "--no-postgres"}
    else:
        say("serve, 4 workers on PostgreSQL")
        row["serve4"] = postgres_row(home, first, warm)
    say("1 % change")
    second = run(cli(db, "load", str(folder / "snapshot-2" / "synthetic.ftm.json"), "--source", "ftm", "--date",
                     SECOND, "--json"), home)  # fmt: skip
    reresolved = run(cli(db, "resolve", "--json"), home)
    refreshed = timed_matches(db, home, 1)[0]
    row["update"] = {"s": reresolved.seconds + refreshed.seconds, "load_s": second.seconds,
                     "resolve_s": reresolved.seconds, "resolve_mb": reresolved.peak_mb, "index_s": refreshed.seconds,
                     "loaded": json.loads(second.stdout)["loaded"]}  # fmt: skip
    if not args.keep:
        for path in folder.glob("scale.db*"):
            path.unlink()
    return row


_REAL: dict[str, Any] = {}


def query_cases(db: str, first: Path, pairs_path: Path, module: ModuleType, generator: Any,
                args: argparse.Namespace) -> dict:  # fmt: skip
    """The seeded queries of one size: listed (half synthetic, half real) and unlisted names."""
    if not _REAL:  # the real lists are the same at every size
        from sanctionscope.store import db as store
        from sanctionscope.store import queries

        records = [r for r in queries.current_records(store.connect(db)) if r.source != "ftm"]
        _REAL.update(persons=real_persons(records), listed=listed_word_pairs(records), pairs=read_pairs(pairs_path))
    rng = random.Random(f"{SEED}-queries")
    half = args.queries // 2
    listed = listed_cases(synthetic_persons(first, half + half // 2, rng), half, rng)
    listed += listed_cases(_REAL["persons"], args.queries - len(listed), rng)
    largest = pairs_path.with_name(pairs_path.name.replace(".pairs.gz", ".ftm.json"))  # the generated file itself
    unlisted = unlisted_cases(module, generator, _REAL["pairs"], _REAL["listed"], largest, args.queries, rng)
    return {"listed": listed, "unlisted": unlisted, "speed_queries": args.speed_queries}


# --- report ----------------------------------------------------------------------------------

COLUMNS = ["size", "records", "load s", "MB", "resolve s", "MB", "build s", "open s", "update s", "serve1 s", "MB",
           "serve4 s", "PSS MB", "text s", "MB", "q/s", "recall", "FPR"]  # fmt: skip


def cells(row: dict) -> list[str]:
    """One table row of a measured size; '!' marks a stage that resolved or indexed again instead of opening."""
    s4, p = row["serve4"], row["probe"]
    mark = {stage: "!" for stage in {**row.get("rewrote", {}), **s4.get("rewrote", {})}}
    serve4 = ["n/a", "n/a"] if "na" in s4 else [f"{s4['ready_s']:.1f}" + mark.get("serve4", ""), f"{s4['pss_mb']:.0f}"]
    return [f"{row['size']:,}", f"{row['load']['records']:,}", f"{row['load']['s']:.0f}", f"{row['load']['mb']:.0f}",
            f"{row['resolve']['s']:.0f}", f"{row['resolve']['mb']:.0f}", f"{row['build']['s']:.1f}",
            f"{row['open']['s']:.2f}" + mark.get("open", ""), f"{row['update']['s']:.0f}",
            f"{row['serve1']['ready_s']:.1f}" + mark.get("serve1", ""), f"{row['serve1']['rss_mb']:.0f}", *serve4,
            f"{row['text']['s']:.1f}" + mark.get("text", ""), f"{row['text']['mb']:.0f}",
            f"{p['qps']:.0f}", f"{p['recall']:.3f}", f"{p['fpr']:.4f}"]  # fmt: skip


def print_table(rows: list[dict]) -> None:
    widths = [max(len(c), 6) for c in COLUMNS]
    print(" ".join(c.rjust(w) for c, w in zip(COLUMNS, widths)))
    for row in rows:
        print(" ".join(c.rjust(w) for c, w in zip(cells(row), widths)))
    floors = FLOORS
    print(f"floors at 1 M: load ≤ {floors['load_s']} s; resolve ≤ {floors['resolve_s']} s and ≤ {floors['resolve_mb']} MB;"
          f" update ≤ {floors['update_s']} s; open ≤ {floors['open_s']} s; serve1 ≤ {floors['serve1_ready_s']} s and"
          f" ≤ {floors['serve1_mb']} MB; serve4 ≤ {floors['serve4_mb']} MB; text ≤ {floors['text_s']} s and"
          f" ≤ {floors['text_mb']} MB; ≥ {floors['qps']} q/s; recall ≥ {floors['recall']}; FPR ≤ {floors['fpr']}")  # fmt: skip
    for row in rows:
        for stage, files in {**row.get("rewrote", {}), **row["serve4"].get("rewrote", {})}.items():
            print(f"  {row['size']:,}: {stage} wrote {', '.join(files)}: it resolved or indexed again instead of"
                  " only opening the index (the data or the engine's code changed)")  # fmt: skip
        s4 = row["serve4"]
        if "na" in s4:
            print(f"  {row['size']:,}: serve4 n/a ({s4['na']})")
        else:
            print(f"  {row['size']:,}: serve4 RSS summed {s4['rss_mb']:.0f} MB, largest worker {s4['worker_max_rss_mb']:.0f} MB,"
                  f" {s4['processes']} processes; PostgreSQL load {s4['load_s']:.0f} s, resolve {s4['resolve_s']:.0f} s")  # fmt: skip
        print(f"  {row['size']:,}: update = re-resolve {row['update']['resolve_s']:.0f} s + index {row['update']['index_s']:.1f} s"
              f" (load of the changed snapshot {row['update']['load_s']:.0f} s); recall by perturbation"
              f" {row['probe']['recall_by_perturbation']}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=SIZES)
    parser.add_argument("--quick", action="store_true", help="30k only, 200 queries of each kind (CI)")
    parser.add_argument("--queries", type=int, default=None, help="listed and unlisted queries, each (default 2000)")
    parser.add_argument("--work", type=Path, default=CACHE / "scale", help="generated data and databases")
    parser.add_argument("--no-postgres", action="store_true", help="skip the 4-worker row (it loads everything again)")
    parser.add_argument("--keep", action="store_true", help="keep each size's database")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--probe", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(*args.probe)))
        return 0
    if args.quick:
        args.sizes = [30_000]
    args.queries = args.queries or (200 if args.quick else 2000)
    args.speed_queries = 500 if args.quick else 3000
    args.work.mkdir(parents=True, exist_ok=True)
    module = generator_module()
    generated(args.work, max(args.sizes))  # the names cache exists from here on
    generator = module.Generator(args.work / "names_cache.json")
    rows = []
    for size in sorted(args.sizes):  # each size's row also goes to work/rows.jsonl as soon as it is measured
        rows.append(measure_size(size, args.work, args, module, generator))
        with (args.work / "rows.jsonl").open("a") as saved:
            saved.write(json.dumps(rows[-1], default=str) + "\n")
    if args.json:
        print(json.dumps({"floors": FLOORS, "rows": rows}, indent=2, default=str))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
