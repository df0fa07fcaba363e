"""Faults while building and publishing, and what every CSV the site ships may hold.

Each case is named after the fault. The rule: a fault gives a plain refusal (exit 1, the path and
what to do) or, for a bug, one line naming the stage, the input and the trace file (exit 3); never a
traceback, never a lost site. The swap is killed (SIGKILL, in a child process) at every file-system
step it takes; the published site must be the complete old one or the complete new one each time.
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ashyq import cli
from ashyq.problems import Refusal
from ashyq.progress import Progress, terminal_safe
from ashyq.publish import manifest, swap

ROOT = Path(__file__).resolve().parent.parent
SMALL = "kz-2011-presidential"
PYTHON = sys.executable


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fake_build(site: Path, version: str) -> None:
    """A build through the real staging and swap, with three pages and our manifest as the render."""
    with swap.staging(site) as stage:
        stage.site_dir.mkdir()
        for i in range(3):
            (stage.site_dir / f"page{i}.html").write_text(f"{version} page {i}", encoding="utf-8")
        manifest.write_manifest(stage.site_dir, [])


def expected_tree(tmp_path: Path, version: str) -> dict[str, bytes]:
    site = tmp_path / f"expected-{version}" / "site"
    fake_build(site, version)
    return tree(site)


@pytest.fixture(scope="module")
def small(tmp_path_factory, datasets_dir) -> Path:
    """A datasets folder holding one small bundled package (a copy)."""
    target = tmp_path_factory.mktemp("small") / "datasets"
    shutil.copytree(datasets_dir / SMALL, target / SMALL)
    return target


def run_cli(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(ROOT / "build.py"), *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1", **(env or {})})


# --- the swap, killed at every step ----------------------------------------------------------------

KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from test_hostile_faults import fake_build
    from ashyq.publish import swap

    kill_at, calls = int(sys.argv[3]), 0

    def counted(function):
        def call(*args, **kwargs):
            global calls
            calls += 1
            if calls == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)
        return call

    # Every call that changes the file system, in the staging, the render, the swap and the clean-up.
    for name in ("mkdir", "open", "rename", "replace", "unlink", "rmdir", "ftruncate", "write", "scandir"):
        setattr(os, name, counted(getattr(os, name)))
    swap._rename_exchange = counted(swap._rename_exchange)
    fake_build(Path(sys.argv[1]), sys.argv[2])
    print(calls)
""")


def kill_build_at(site: Path, version: str, step: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([PYTHON, "-c", KILLER, str(site), version, str(step), str(Path(__file__).parent)],
                          capture_output=True, text=True, env=env)


def test_swap_killed_at_every_step_leaves_a_complete_site_and_the_next_build_cleans_up(tmp_path):
    site = tmp_path / "out" / "site"
    fake_build(site, "v0")
    versions = {v: expected_tree(tmp_path, v) for v in ("v0", "killed", "v1")}
    steps = int(kill_build_at(site, "v0", 0).stdout)  # a run that is never killed counts its steps
    assert steps > 20
    outcomes = set()
    for step in range(1, steps + 1):
        before = tree(site)
        assert before in (versions["v0"], versions["v1"])
        result = kill_build_at(site, "killed", step)
        assert result.returncode == -signal.SIGKILL, (step, result.stderr)
        after = tree(site)  # the site is there, whole: the one before, or the new one
        assert after in (before, versions["killed"]), f"killed at step {step} of {steps}: site damaged"
        outcomes.add("old" if after == before else "new")
        fake_build(site, "v1" if step % 2 else "v0")  # the next build succeeds and removes the leftovers
        assert sorted(p.name for p in site.parent.iterdir()) == ["site"], f"leftovers after step {step}"
    assert outcomes == {"old", "new"}


def test_swap_replaces_an_empty_site_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    fake_build(site, "v1")
    assert tree(site) == expected_tree(tmp_path, "v1")


def test_leftovers_of_killed_builds_are_removed_and_lookalike_folders_kept(tmp_path):
    site = tmp_path / "site"
    fake_build(site, "v0")
    left = tmp_path / ".site.building-abcd1234"
    (left / "site" / "deep").mkdir(parents=True)
    (left / "site" / "deep" / "big.html").write_bytes(b"x" * 1000)
    mine = [tmp_path / ".site.building-notours", tmp_path / ".site-config", tmp_path / ".other.building-abcd1234"]
    for folder in mine:
        folder.mkdir()
    fake_build(site, "v1")
    assert not left.exists()
    assert all(folder.is_dir() for folder in mine)


# --- the lock ---------------------------------------------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from ashyq.publish import swap
    with swap.site_lock(Path(sys.argv[1]).absolute()):
        print("locked", flush=True)
        time.sleep(600)
""")


@pytest.fixture()
def lock_holder(tmp_path):
    site = tmp_path / "site"
    holder = subprocess.Popen([PYTHON, "-c", HOLDER, str(site)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert holder.stdout.readline().strip() == "locked"
    yield site, holder
    if holder.poll() is None:
        holder.kill()
    holder.wait()


def test_second_build_into_the_same_site_is_refused_naming_the_first(lock_holder, small, capsys):
    site, holder = lock_holder
    code = cli.main(["--datasets", str(small), "--site", str(site), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"another build is writing {site} (pid {holder.pid})" in err and "--site" in err
    assert "Traceback" not in err and not site.exists()


def test_lock_of_a_killed_build_is_free_for_the_next_one(lock_holder):
    site, holder = lock_holder
    with pytest.raises(Refusal):
        fake_build(site, "v1")
    holder.kill()
    holder.wait()
    fake_build(site, "v1")  # the kernel released the flock with the process
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]


def test_lock_file_replaced_meanwhile_is_not_trusted(tmp_path, monkeypatch):
    """A build that opened the lock file just before its holder removed it must lock the new one."""
    site = tmp_path / "site"
    real_flock, replaced = swap.fcntl.flock, []

    def flock_then_replace(fd, operation):
        real_flock(fd, operation)
        if not replaced:  # the holder finishes: its file goes, another build makes a new one
            replaced.append(True)
            swap.lock_path(site).unlink()
            swap.lock_path(site).write_text("999\n")
    monkeypatch.setattr(swap.fcntl, "flock", flock_then_replace)
    with swap.site_lock(site) as path:
        assert path.read_text() == f"{os.getpid()}\n"


# --- what --site may point at ---------------------------------------------------------------------

def test_site_folder_holding_a_users_file_is_refused_naming_it(tmp_path, small, capsys):
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.docx").write_bytes(b"years of work")
    code = cli.main(["--datasets", str(small), "--site", str(documents), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "not an Ashyq site" in err and str(documents) in err and "Traceback" not in err
    assert "it holds 'thesis.docx')" in err
    assert (documents / "thesis.docx").read_bytes() == b"years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents"]


def test_earlier_site_with_a_file_the_build_did_not_write_is_refused(tmp_path):
    site = tmp_path / "site"
    fake_build(site, "v0")
    (site / "notes").mkdir()
    (site / "notes" / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(Refusal, match=r"files the build did not write \('notes/mine.txt'\)"):
        fake_build(site, "v1")
    assert (site / "notes" / "mine.txt").read_text(encoding="utf-8") == "keep"


def test_site_whose_parent_is_a_file_is_refused(tmp_path, small):
    (tmp_path / "plain-file").write_text("x")
    result = run_cli("--datasets", str(small), "--site", str(tmp_path / "plain-file" / "site"), "--quiet")
    assert result.returncode == 1, result.stderr
    assert "plain-file is a file, not a folder" in result.stderr and "Traceback" not in result.stderr


def test_site_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "site").write_text("x")
    with pytest.raises(Refusal, match="exists and is not a folder"):
        fake_build(tmp_path / "site", "v1")


@pytest.mark.parametrize("code, says", [
    (errno.EROFS, "read-only: build into a folder you can write with --site"),
    (errno.EACCES, "permission denied"),
    (errno.ENOSPC, "no space left on the device"),
])
def test_unwritable_site_parent_is_a_plain_refusal(tmp_path, small, monkeypatch, capsys, code, says):
    """Root ignores chmod, so the kernel's answer for a read-only or full disk is injected where the
    staging folder is made."""
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path / ".site.building-x"))
    monkeypatch.setattr(swap.tempfile, "mkdtemp", refuse)
    site = tmp_path / "site"
    assert cli.main(["--datasets", str(small), "--site", str(site), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and str(tmp_path / ".site.building-x") in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the lock is gone too


def test_disk_full_while_publishing_keeps_the_old_site(built_site, tmp_path, small, monkeypatch, capsys):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    before = tree(site)
    from ashyq import publish

    def full(packages, staging, progress):
        raise OSError(errno.ENOSPC, "No space left on device", str(staging.site_dir / "downloads" / "x.zip"))
    monkeypatch.setattr(publish, "finish", full)
    assert cli.main(["--datasets", str(small), "--site", str(site), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "no space left on the device" in err and "x.zip" in err and "Traceback" not in err
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# --- the command line's last line of defence -------------------------------------------------------

def test_internal_error_is_one_line_naming_stage_input_and_trace_file(tmp_path, small, monkeypatch, capsys):
    from ashyq import checks

    def bug(db):
        raise ZeroDivisionError("division by zero in a check")
    monkeypatch.setattr(checks, "run_checks", bug)
    monkeypatch.setattr(cli.tempfile, "tempdir", str(tmp_path))
    code = cli.main(["--datasets", str(small), "--site", str(tmp_path / "site"), "--quiet"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INTERNAL_ERROR == 3
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"ashyq: internal error while running checks on {small}: "
                          "ZeroDivisionError: division by zero in a check; full trace written to ")
    trace = Path(err.rsplit("full trace written to ", 1)[1].strip())
    assert trace.parent == tmp_path and "Traceback" in trace.read_text() and "def bug" not in err
    assert "raise ZeroDivisionError" in trace.read_text()


def test_trace_goes_elsewhere_when_the_temp_folder_is_unwritable(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setattr(cli.tempfile, "tempdir", str(tmp_path / "a-file" / "tmp"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    try:
        raise ValueError("boom")
    except ValueError as error:
        written = cli.write_trace(error)
    assert written.parent == tmp_path / "home" / ".cache" / "ashyq" and "boom" in written.read_text()


def test_ctrl_c_exits_130_without_a_traceback(tmp_path, small, monkeypatch, capsys):
    from ashyq import model

    def interrupted(packages):
        raise KeyboardInterrupt
    monkeypatch.setattr(model, "build_model", interrupted)
    assert cli.main(["--datasets", str(small), "--site", str(tmp_path / "site"), "--quiet"]) == 130
    assert capsys.readouterr().err == "ashyq: interrupted; the published site was left as it was\n"


def test_control_codes_from_a_folder_name_never_reach_the_terminal(tmp_path, capsys):
    hostile = tmp_path / "evil\x1b[31mred\x07\x9b"
    hostile.write_text("x")
    assert cli.main(["validate", "--datasets", str(hostile)]) == 1  # a file, not a folder: refused, naming it
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\x9b" not in err
    assert terminal_safe("a\x1b[2Jb\tc\nd\x00") == "a\\x1b[2Jb\tc\nd\\x00"
    progress = Progress()
    progress.say(f"[ashyq] reading {hostile}")
    assert "\\x1b[31mred\\x07\\x9b" in capsys.readouterr().err


# --- the validation cache is an optimisation --------------------------------------------------------

def test_unwritable_validation_cache_validates_anyway_and_says_so_once(tmp_path, small, monkeypatch):
    (tmp_path / "not-a-folder").write_text("x")  # writes fail under it even for root
    result = run_cli("validate", "--datasets", str(small),
                     env={"ASHYQ_VALIDATION_CACHE": str(tmp_path / "not-a-folder" / "validation")})
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("validation cache not written") == 1
    assert "1 package(s) valid" in result.stderr and "Traceback" not in result.stderr


def test_read_only_checkout_builds(tmp_path, small, monkeypatch, capsys):
    """A read-only checkout: writing the cache fails with EROFS (injected: root ignores chmod)."""
    from ashyq.validation import cache

    def read_only(cache_dir, key, package):
        raise OSError(errno.EROFS, "Read-only file system", str(cache_dir / f"{key}.json"))
    monkeypatch.setattr(cache, "default_dir", lambda: tmp_path / ".cache" / "validation")
    monkeypatch.setattr(cache, "remember_valid", read_only)
    code = cli.main(["--datasets", str(small), "--site", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert err.count("validation cache not written") == 1 and "Read-only file system" in err
    assert (tmp_path / "site" / "index.html").is_file()


# --- workers die with the build -------------------------------------------------------------------

ORPHANS = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from ashyq.publish import offline

    def stuck(paths):
        os.write(1, f"{os.getpid()}\\n".encode())  # one write: the two workers' lines never mix
        time.sleep(600)

    offline._process_chunk = stuck
    site = Path(sys.argv[1])
    list(offline._process(site, [f"p{i}" for i in range(200)], set(), workers=2))
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_build_leaves_no_orphan_workers(tmp_path):
    build = subprocess.Popen([PYTHON, "-c", ORPHANS, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    workers = set()
    try:
        workers = {int(build.stdout.readline()), int(build.stdout.readline())}
        assert all(_alive(pid) for pid in workers)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 30  # the kernel kills them; give a loaded machine time to do it
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), "workers outlived the build"
    finally:
        build.kill()
        for pid in workers:  # only if the test failed: do not leave them to the machine
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_mkdocs_child_dies_with_the_build(tmp_path):
    parent = subprocess.Popen([PYTHON, "-c", textwrap.dedent("""
        import os, subprocess, sys
        from ashyq.processes import mkdocs_preexec
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                                 preexec_fn=mkdocs_preexec(os.getpid()))
        print(child.pid, flush=True)
        child.wait()
    """)], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _alive(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "mkdocs outlived the build"


# --- CSV safety: every CSV the site ships -----------------------------------------------------------

FORMULAS = {
    "equals": "=HYPERLINK(\"http://x\",\"y\")",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "tab": "\tlabel",
    "carriage_return": "\rlabel",
    "space_then_equals": "  =1+1",
    "nbsp_then_equals": "\u00a0=1+1",
    "line_feed_then_plus": "\n+1",
    "ideographic_space_then_at": "\u3000@x",
    "zero_width_space_then_equals": "\u200b=1",
    "bom_then_minus": "\ufeff-1",
    "fullwidth_equals": "＝1+1",
    "fullwidth_plus": "＋1",
    "fullwidth_minus": "－1",
    "fullwidth_at": "＠x",
    "small_equals": "﹦1",
}
HARMLESS = ["Almaty", "10-1", "a=b", "", "Алматы", "1 592", "’=quoted"]


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_formula_cell_is_neutralised_the_same_in_python_and_polars(name):
    import polars as pl

    from ashyq import downloads

    cell = FORMULAS[name]
    frame = downloads._neutralise_formulas(pl.DataFrame({"name": [cell]}))
    assert downloads.formula_safe(cell) == "'" + cell == frame["name"][0]


def test_harmless_text_and_numbers_are_left_alone():
    import polars as pl

    from ashyq import downloads

    frame = pl.DataFrame({"name": HARMLESS, "votes": list(range(len(HARMLESS)))})
    safe = downloads._neutralise_formulas(frame)
    assert safe.to_dicts() == frame.to_dicts()
    assert [downloads.formula_safe(cell) for cell in HARMLESS] == HARMLESS


def test_integrity_csv_neutralises_and_drops_control_characters():
    from ashyq.render.integrity import csv_bytes

    out = csv_bytes(("unit", "detail", "difference"),
                    [dict(unit="\u00a0=cmd()", detail="a\x00b\x1b[31mc", difference=-5)]).decode("utf-8")
    assert out == "\ufeffunit,detail,difference\n'\u00a0=cmd(),ab[31mc,-5\n"


@pytest.fixture(scope="module")
def hostile_downloads(tmp_path_factory):
    """The downloads of a package whose names hold formulas and control characters (not validated:
    this is the last guard, whatever validation lets through)."""
    import polars as pl
    import synthetic

    from ashyq import downloads, load, model
    from ashyq.package_writer import write_package

    tables = synthetic.tables()
    names = {"r1": " =1+1", "r1.d1": "District\x00 1\x1b[2J", "r1.d2": "＠SUM(1)"}
    tables["units"] = tables["units"].with_columns(
        pl.col("unit_id").replace_strict(names, default=pl.col("name_en")).alias("name_en"))
    root = tmp_path_factory.mktemp("hostile")
    write_package(root / "datasets" / "test-election", synthetic.METADATA, tables)
    packages = load.load_packages(root / "datasets")
    out = root / "downloads"
    return packages[0], out, downloads.write_downloads(model.build_model(packages), packages, out)


def test_no_control_character_reaches_any_download(hostile_downloads):
    import re

    _, out, result = hostile_downloads
    control = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    for d in result:
        if d.format in ("csv", "json"):
            data = (out / d.path).read_bytes()
            assert not control.search(data), d.path
            assert b"\\u0000" not in data and b"\\u001b" not in data, d.path
    import polars as pl
    names = pl.read_parquet(out / "test-election/pres/district.parquet")["name_en"].to_list()
    assert names == ["District 1[2J", "＠SUM(1)"]


def test_download_csv_neutralises_formulas_after_whitespace_and_in_full_width(hostile_downloads):
    import csv
    import io

    _, out, _ = hostile_downloads
    rows = list(csv.DictReader(io.StringIO((out / "test-election/pres/region.csv").read_text(encoding="utf-8-sig"))))
    assert [r["name_en"] for r in rows] == ["' =1+1"]
    rows = list(csv.DictReader(io.StringIO((out / "test-election/pres/district.csv").read_text(encoding="utf-8-sig"))))
    assert [r["name_en"] for r in rows] == ["District 1[2J", "'＠SUM(1)"]
    assert [r["voters_on_list"] for r in rows] == ["2000", "2000"]  # numbers stay numbers


def test_package_zip_holds_safe_csv_copies_and_says_so(hostile_downloads):
    import zipfile

    package, out, result = hostile_downloads
    (d,) = [d for d in result if d.format == "zip"]
    assert "3 text cells made spreadsheet-safe" in d.description
    with zipfile.ZipFile(out / d.path) as archive:
        units = archive.read("test-election/units.csv").decode("utf-8")
        readme = archive.read("test-election/README.txt").decode("utf-8")
        for name in ("votes.csv", "protocols.csv", "datapackage.json"):
            assert archive.read(f"test-election/{name}") == (package.directory / name).read_bytes(), name
    assert "' =1+1" in units and "'＠SUM(1)" in units and "District 1[2J" in units
    assert "\x00" not in units and "\x1b" not in units
    original = (package.directory / "units.csv").read_text(encoding="utf-8")
    assert units.replace("' =1+1", " =1+1").replace("'＠", "＠") == original.replace("\x00", "").replace("\x1b", "")
    assert "units.csv: 3 cell(s)" in readme and "apostrophe" in readme and "datasets/test-election/" in readme


# --- headings, offline zip names -------------------------------------------------------------------

@pytest.mark.parametrize("name, shown", [
    ("Almaty: Medeu", "Almaty: Medeu"),
    ("a=b ~c^ d", "a=b ~c^ d"),
    ("*Bold* _x_ [l](javascript:alert(1)) #1.", "*Bold* _x_ [l](javascript:alert(1)) #1."),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("Name { #id .cls }", "Name { #id .cls }"),
])
def test_heading_shows_the_name_as_is_and_still_escaped(name, shown):
    import markdown

    from ashyq.render.escape import md

    html = markdown.markdown("# " + md(name), extensions=["attr_list", "md_in_html", "admonition", "tables", "toc"])
    assert html.split(">", 1)[1].rsplit("</h1>", 1)[0] == shown


def test_offline_zip_refuses_two_names_that_differ_only_in_case(tmp_path):
    from ashyq.publish import offline

    with pytest.raises(ValueError, match="differ only in case"):
        with offline._RawZip(tmp_path / "x.zip") as archive:
            archive.add("ashyq-site/stations/A1/index.html", offline._entry("a", b"one"))
            archive.add("ashyq-site/stations/a1/index.html", offline._entry("b", b"two"))


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, pending = set(), [pid]
    while pending:
        parent = pending.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found.add(child)
                pending.append(child)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_real_build_killed_mid_render_keeps_the_site_and_leaves_nothing_behind(built_site, small, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    before = tree(site)
    build = subprocess.Popen([PYTHON, str(ROOT / "build.py"), "--datasets", str(small), "--site", str(site), "--quiet"],
                             env={**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"})
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and build.poll() is None:
            staging = list(tmp_path.glob(".site.building-*/site"))  # MkDocs is writing the new site
            children = _children(build.pid)
            if staging and children:
                break
            time.sleep(0.02)
        assert build.poll() is None and children, "the build ended before it could be killed mid-render"
        assert (tmp_path / ".site.lock").read_text() == f"{build.pid}\n"
        build.kill()
        build.wait()
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in children), "MkDocs or a worker outlived the build"
    finally:
        build.kill()
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert tree(site) == before
    assert list(tmp_path.glob(".site.building-*"))  # what the killed build left …
    result = run_cli("--datasets", str(small), "--site", str(site), "--quiet")
    assert result.returncode == 0, result.stderr
    # … the next one removed (and wrote release/ beside the site, publish/release.py, and the pages
    # MkDocs built, render/page_cache.py)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.pages", "release", "site"]
    assert (site / "en" / "elections" / SMALL / "index.html").is_file() and not (site / "en" / "elections" / "spb-2021").exists()


def test_sigterm_unwinds_the_build_removing_its_staging_folder_and_lock(tmp_path, small):
    site = tmp_path / "site"
    fake_build(site, "v0")
    before = tree(site)
    script = textwrap.dedent("""
        import sys, time
        from ashyq import cli, load

        def slow(datasets):
            print("ready", flush=True)
            time.sleep(600)
        load.load_packages = slow
        sys.exit(cli.main(["--datasets", sys.argv[1], "--site", sys.argv[2], "--quiet"]))
    """)
    build = subprocess.Popen([PYTHON, "-c", script, str(small), str(site)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert build.stdout.readline().strip() == "ready"
        assert len(list(tmp_path.glob(".site.building-*"))) == 1
        build.terminate()
        _, err = build.communicate(timeout=60)
    finally:
        build.kill()
    assert build.returncode == cli.EXIT_TERMINATED == 143
    assert err == "ashyq: terminated; the published site was left as it was\n"
    assert tree(site) == before and sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_site_at_the_file_system_root_is_refused_before_anything_is_written():
    with pytest.raises(Refusal, match="name a folder for it"):
        fake_build(Path("/"), "v1")
    assert not Path("/..lock").exists()


def test_package_csv_is_made_safe_alike_by_polars_and_by_the_row_reader(monkeypatch):
    from ashyq import downloads

    data = "unit_id,parent_id,level,name_en\nr1,,region, =1+1\nr2,r1,district,\"＠x, y\"\nr3,r1,district,Plain\n"
    row_reader = downloads._safe_csv_by_rows(data.encode(), set())
    monkeypatch.setattr(downloads, "_safe_csv_by_rows", lambda *args: pytest.fail("Polars did not read it"))
    by_polars = downloads.safe_package_csv("units", data.encode())
    assert by_polars == row_reader == (data.replace(" =1", "' =1").replace('"＠', "\"'＠").encode(), 2)
