"""Stage 2, validate: refuse any package that does not meet the contract, reporting every problem.

Each problem names the package, file, row (record number, header = 1), field, value and what is wrong;
``InputError`` carries them all and ``format_problems`` groups and caps them.

How a package is checked, in order:

0. **Load** (``load``, before this stage) has refused unsafe resource paths and descriptors beyond the
   size, nesting and resource-count limits of ``limits`` (docs/limits.md), before parsing them.
1. **Descriptor** (``validation.descriptor``): required resources present, none unknown, each with
   exactly the contract's Table Schema (``contract.table_schema``), plain UTF-8 comma-separated CSV,
   every file present. Resource paths leaving the package were already refused by ``load``. If this
   fails, no file is read.
2. **Files** (``validation.files``): size and line limits, encoding (UTF-8; BOM accepted; cp1251
   named as such), well-formed quoting, one kind of line end, cell length, delimiter, header, cells
   per row, blank rows.
3. **Fast path** (``validation.fast``, Polars): types, required, minimum/maximum/enum/pattern, primary
   keys, foreign keys (composite ones across resources included); plus what a Table Schema cannot say:
   no control characters, figures within ``limits.MAX_FIGURE``, ids unique ignoring case
   (``validation.fast``), one root, no cycle and at most ``limits.MAX_HIERARCHY_DEPTH`` levels in the
   unit hierarchy, web-only links (``validation.integrity``). About a second for a national election
   (~1M rows), and it lists every bad row.
4. **Frictionless** (``validation.frictionless_run``) on every resource the fast path found clean,
   with the contract's schemas and keys, in parallel worker processes (largest file first) when the
   package is large. A package passes only when Frictionless has validated every published resource.

Why this combination: Frictionless is the reference, but costs ~20 s for a national election, and
stops at 1,000 errors per file. Running the fast path first gives a complete report in seconds when
the data is bad (Frictionless then adds nothing but time on that resource, and it would cascade
errors through foreign-key look-ups into resources that read it); when the data is good, Frictionless
still confirms every resource. The tests hold the two paths to the same problems on malformed files.

A package that passed is remembered by the content hash of its files, the contract and this code
(``validation.cache``, in ``.cache/validation/``), so an unchanged package is not validated again. Its
rows are remembered too (``validation.rows``): when a new batch of protocols changes a few rows of a
package, Frictionless validates those rows (its keys looking up the whole package) instead of every
row again; the fast path still checks every row and every key of the package.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import contract
from .load import DESCRIPTOR, ElectionPackage
from .problems import InputError, Problem
from .processes import die_with_parent
from .progress import Progress
from .validation import cache, descriptor, divisions, fast, files, frictionless_run, integrity, rows

# Below this many bytes in all, Frictionless runs in this process: starting workers would cost more.
PARALLEL_MIN_BYTES = 1_000_000


@dataclass
class FastResult:
    """What the checks before Frictionless found in one package."""

    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # resource → file path inside the package
    frictionless_ready: list[str] = field(default_factory=list)  # resources for Frictionless to confirm
    row_digests: dict[str, list[bytes] | None] = field(default_factory=dict)  # resource → its lines' digests


def validate_packages(packages: list[ElectionPackage], progress: Progress, *, use_cache: bool = True,
                      cache_dir: Path | None = None) -> None:
    """Raise ``InputError`` with every problem in ``packages``; return quietly when all are valid."""
    cache_dir = (cache_dir or cache.default_dir()) if use_cache else None
    problems: list[Problem] = []
    tasks: list[Task] = []
    to_remember: dict[str, tuple[str, ElectionPackage]] = {}
    confirmed: dict[str, list[tuple[str, list[bytes]]]] = {}  # package → (row-cache entry, digests) to remember
    for package in packages:
        try:
            key = cache.package_key(package) if cache_dir else None
        except (OSError, ValueError):
            key = None  # a file that cannot be read, text that is not Unicode: the checks below say which
        if key and cache.is_known_valid(cache_dir, key):
            progress.say(f"[ashyq]   {package.id}: unchanged since it last passed (cached)")
            continue
        result = check_fast(package)
        problems.extend(result.problems)
        entries = _row_entries(package, result) if cache_dir else {}
        mine = [_task(package, result, name, entries.get(name), cache_dir) for name in result.frictionless_ready]
        tasks.extend(task for task in mine if task.rows != [])
        confirmed[package.id] = [(entries[name], result.row_digests[name]) for name in entries]
        if key and not result.problems:
            to_remember[package.id] = (key, package)
        partly = sum(task.rows is not None for task in mine)
        progress.say(f"[ashyq]   {package.id}: fast path found {len(result.problems)} problem(s); "
                     f"Frictionless to check {len(result.frictionless_ready)} resource(s)"
                     + (f", {partly} of them only in their new rows" if partly else ""))

    problems.extend(_run_frictionless(tasks, progress))
    problems = _in_report_order(problems, packages)
    failed = {p.package for p in problems}
    if cache.remember_all(cache_dir, [entry for package_id, entry in to_remember.items() if package_id not in failed],
                          progress):  # where it could not be written, it said so once
        cache.remember_rows(cache_dir, [entry for package_id, entries in confirmed.items()
                                        if package_id not in failed for entry in entries], progress)
    if problems:
        raise InputError(problems)


@dataclass
class Task:
    """One resource for Frictionless: whole (``rows`` None) or only its new records (0-based)."""

    package: ElectionPackage
    result: FastResult
    name: str
    rows: list[int] | None = None

    @property
    def bytes(self) -> int:
        """What Frictionless reads: the resource, or its share that is new rows (which it reads alone:
        validation/frictionless_run.py)."""
        size = self.package.resource_paths[self.name].stat().st_size
        if self.rows is None:
            return size
        return size * len(self.rows) // max(1, len(self.result.row_digests[self.name] or ()))


def _row_entries(package: ElectionPackage, result: FastResult) -> dict[str, str]:
    """The row-cache entry of each resource whose records are one line each (validation/rows.py)."""
    descriptor = frictionless_run.package_descriptor(result.files, contract.extra_lines(package.descriptor))
    code = cache.code_fingerprint()
    return {resource["name"]: rows.entry_name(code, package.id, resource["name"], resource)
            for resource in descriptor["resources"] if result.row_digests.get(resource["name"]) is not None}


def _task(package: ElectionPackage, result: FastResult, name: str, entry: str | None, cache_dir: Path | None) -> Task:
    """Frictionless's task for one resource: the rows it did not confirm before (none: nothing to do),
    or the whole resource when it confirmed none."""
    known = rows.remembered(cache_dir, entry) if entry else set()
    if not known:
        return Task(package, result, name)
    return Task(package, result, name, [i for i, digest in enumerate(result.row_digests[name]) if digest not in known])


def check_fast(package: ElectionPackage) -> FastResult:
    """Descriptor, files, fast path and integrity checks of one package."""
    result = FastResult()
    result.problems.extend(descriptor.descriptor_problems(package))
    if any(problem.kind != "metadata" for problem in result.problems):
        return result  # the files cannot be read as the contract's resources
    result.files = {name: path.relative_to(package.directory).as_posix()
                    for name, path in package.resource_paths.items()}
    tables: dict[str, files.Table] = {}
    extra = contract.extra_lines(package.descriptor)  # the package's own protocol lines
    for name in _contract_order(package.resource_paths):
        table = files.read_table(package.id, result.files[name], package.resource_paths[name],
                                 contract.field_names(name, extra))
        tables[name] = table
        result.row_digests[name] = table.row_digests
    own: dict[str, list[Problem]] = {}
    for name, table in tables.items():
        schema = contract.table_schema(name, extra)
        found = list(table.problems)
        if table.readable:
            found += fast.cell_problems(package.id, table, schema)
            found += fast.primary_key_problems(package.id, table, schema)
            found += fast.case_key_problems(package.id, table, schema,
                                            [f["name"] for f in contract.fields(name) if f.get("id")])
            found += fast.foreign_key_problems(package.id, table, schema, name, tables)
            found += integrity.link_problems(package.id, table, schema)
            if name == "units":
                found += integrity.hierarchy_problems(package.id, table)
        own[name] = found
        result.problems.extend(found)
    if "units" in tables and not own["units"]:
        result.problems.extend(divisions.division_problems(package, tables["units"]))  # the map joins
    for name, table in tables.items():
        references = {fk["reference"]["resource"] or name for fk in contract.table_schema(name).get("foreignKeys", [])}
        if not own[name] and all(tables[r].readable for r in references if r in tables):
            result.frictionless_ready.append(name)
    return result


def fast_problems(package: ElectionPackage) -> list[Problem]:
    """Everything the checks before Frictionless find (for tests and the benchmark)."""
    return check_fast(package).problems


def frictionless_problems(package: ElectionPackage, resources: list[str] | None = None,
                          progress: Progress | None = None) -> list[Problem]:
    """What Frictionless alone finds in ``resources`` (default: all) of ``package``."""
    result = FastResult(files={name: path.relative_to(package.directory).as_posix()
                               for name, path in package.resource_paths.items()})
    names = resources or _contract_order(package.resource_paths)
    return _run_frictionless([Task(package, result, name) for name in names], progress or Progress(quiet=True))


def _run_frictionless(tasks: list[Task], progress: Progress) -> list[Problem]:
    if not tasks:
        return []
    # Largest first, so the longest file starts at once and the others fill the other workers.
    tasks = sorted(tasks, key=lambda t: -t.bytes)
    arguments = [(t.package.id, str(t.package.directory), t.result.files, t.name, t.rows) for t in tasks]
    total = sum(t.bytes for t in tasks)
    workers = min(os.cpu_count() or 1, len(tasks))
    new = sum(len(t.rows) for t in tasks if t.rows is not None)
    progress.say(f"[ashyq]   Frictionless: {len(tasks)} resource(s), {total / 1e6:.1f} MB"
                 + (f" ({new:,} new rows of {sum(t.rows is not None for t in tasks)})" if new else "")
                 + (f", {workers} workers" if total >= PARALLEL_MIN_BYTES and workers > 1 else ""))
    if total < PARALLEL_MIN_BYTES or workers < 2:
        return [p for args in arguments for p in frictionless_run.validate_resource(*args)]
    # "spawn": a fresh interpreter per worker, never a fork of a process holding threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(frictionless_run.validate_resource, *args) for args in arguments]
        return [p for future in futures for p in future.result()]


def _contract_order(resources) -> list[str]:
    known = [name for name in contract.resource_names() if name in resources]
    return known + sorted(name for name in resources if name not in known)


def _in_report_order(problems: list[Problem], packages: list[ElectionPackage]) -> list[Problem]:
    """Duplicates dropped (both paths may name the same cell); by package, file, row, field."""
    package_order = {p.id: i for i, p in enumerate(packages)}
    file_order = {DESCRIPTOR: -1}
    for package in packages:
        for i, name in enumerate(_contract_order(package.resource_paths)):
            file_order.setdefault(package.resource_paths[name].name, i)
    unique = {}
    for problem in problems:
        unique.setdefault((problem.package, problem.file, problem.row, problem.field, problem.kind), problem)
    return sorted(unique.values(), key=lambda p: (package_order.get(p.package, len(package_order)),
                                                  file_order.get(Path(p.file).name, 99), p.file,
                                                  p.row or 0, p.field or "", p.kind))
