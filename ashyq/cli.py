"""Command line: parse arguments and run the stages in order; the last line of defence.

Exit codes: 0 done; 1 refused (bad input, or the site cannot be written: a lock held, a full disk, a
read-only folder), with a message naming the file and what to do; 2 a wrong command line (argparse);
3 an internal error (a bug): one line naming the stage, the input and the file holding the full
trace; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM). No traceback reaches the terminal.
"""
from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .problems import InputError, Refusal
from .progress import Progress, terminal_safe

ROOT = Path(__file__).resolve().parent.parent
EXIT_REFUSED = 1
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(BaseException):
    """SIGTERM (a cancelled CI job, ``kill``): unwinds like Ctrl-C, so the staging folder is removed."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    progress = Progress(quiet=args.quiet)
    previous = _on_sigterm()
    try:
        return args.run(args, progress) or 0
    except Terminated:
        _tell("ashyq: terminated; the published site was left as it was")
        return EXIT_TERMINATED
    except (InputError, Refusal) as error:
        _tell(f"ashyq: {error}")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _tell("ashyq: interrupted; the published site was left as it was")
        return EXIT_INTERRUPTED
    except OSError as error:
        _tell(f"ashyq: {os_refusal(error)}")
        return EXIT_REFUSED
    except Exception as error:  # a bug: say so in one line, keep the trace for the report
        trace = write_trace(error)
        where = f"full trace written to {trace}" if trace else "the trace could not be written anywhere"
        _tell(f"ashyq: internal error while running {progress.current or 'the command'}{_input(args)}: "
              f"{type(error).__name__}: {_one_line(error)}; {where}")
        return EXIT_INTERNAL_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _on_sigterm():
    """Turn SIGTERM into ``Terminated`` while a command runs; the previous handler (None: not the
    main thread, where Python cannot set one)."""
    def terminate(signum, frame):
        raise Terminated()
    try:
        return signal.signal(signal.SIGTERM, terminate)
    except ValueError:
        return None


def os_refusal(error: OSError) -> str:
    """A plain refusal for a failed file operation: which path, why, what to do."""
    path = error.filename if error.filename is not None else "a file"
    if error.filename2 is not None:
        path = f"{path} → {error.filename2}"
    what = {
        errno.ENOSPC: "no space left on the device: free some space (a build needs room for the old and "
                      "the new site side by side) or build into another disk with --site",
        errno.EDQUOT: "disk quota exceeded: free some space or build into another disk with --site",
        errno.EROFS: "the file system is read-only: build into a folder you can write with --site",
        errno.EACCES: "permission denied: build into a folder you can write with --site, or fix its permissions",
        errno.EPERM: "operation not permitted: build into a folder you can write with --site",
        errno.ENOTDIR: "a part of this path is a file, not a folder: choose another path",
        errno.EISDIR: "this is a folder, a file was expected",
        errno.ENOENT: "no such file or folder",
        errno.ENAMETOOLONG: "the path is too long: choose a shorter one",
    }.get(error.errno, error.strerror or str(error))
    return f"cannot use {path}: {what}"


def write_trace(error: BaseException) -> Path | None:
    """Write the error's full trace to a file (the system's temp folder, else ~/.cache, else the
    current folder); return its path, or None when nowhere can be written."""
    text = "".join(traceback.format_exception(error))
    name = f"ashyq-error-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}.txt"
    for folder in (Path(tempfile.gettempdir()), Path.home() / ".cache" / "ashyq", Path.cwd()):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            target.write_text(text, encoding="utf-8")
            return target
        except OSError:
            continue
    return None


def _tell(message: str) -> None:
    print(terminal_safe(message), file=sys.stderr, flush=True)


def _input(args) -> str:
    for name in ("table", "datasets"):
        value = getattr(args, name, None)
        if value is not None:
            return f" on {value}"
    return ""


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:297] + "…"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the Ashyq election results site.")
    _add_common_options(parser, defaults=True)
    parser.set_defaults(run=_build)
    commands = parser.add_subparsers(dest="command")

    build = commands.add_parser("build", help="validate, check and render the site (the default)")
    _add_common_options(build, defaults=False)
    build.set_defaults(run=_build)
    validate = commands.add_parser("validate", help="only validate the Data Packages")
    _add_common_options(validate, defaults=False)
    validate.set_defaults(run=_validate)
    importer = commands.add_parser("import", help="turn a CEC-style wide table (CSV/XLSX) into a Data Package")
    importer.add_argument("table", type=Path, help="the table: .csv, .xlsx, .xls or .ods")
    importer.add_argument("--mapping", type=Path, required=True, help="the mapping (YAML, see docs/import.md)")
    importer.add_argument("--out", type=Path, required=True, help="package folder, datasets/<election-id>")
    mode = importer.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="replace the package already in --out (only its files)")
    mode.add_argument("--append", action="store_true", help="add the table's contests to the package in --out")
    importer.set_defaults(run=_import)
    return parser


def _add_common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The options every command takes, before or after its name; only the top level sets defaults
    (a subcommand's default would overwrite what was given before it)."""
    default = (lambda value: value) if defaults else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--datasets", type=Path, default=default(ROOT / "datasets"), help="folder of election Data Packages")
    parser.add_argument("--site", type=Path, default=default(ROOT / "site"), help="output folder (replaced only on success)")
    parser.add_argument("--quiet", action="store_true", default=default(False), help="no progress output")


def _validate(args, progress: Progress) -> int:
    from . import load, validate

    with progress.stage("load"):
        packages = load.load_packages(args.datasets)
    with progress.stage("validate"):
        validate.validate_packages(packages, progress)
    progress.say(f"[ashyq] {len(packages)} package(s) valid")
    return 0


def _import(args, progress: Progress) -> int:
    from .importer import import_table

    result = import_table(args.table, args.mapping, args.out, progress, replace=args.force, append=args.append)
    progress.say(f"[ashyq] {result.stations} stations, {result.units} units, {result.choices} choices "
                 f"written to {result.out_dir}")
    return 0


def _build(args, progress: Progress) -> int:
    from . import checks, load, model, publish, render, validate

    # The site's lock and folder checks come first: a refusal to write --site costs no validation.
    with publish.staging(args.site) as staging:
        with progress.stage("load"):
            packages = load.load_packages(args.datasets)
        with progress.stage("validate"):
            validate.validate_packages(packages, progress)
        with progress.stage("model"):
            db = model.build_model(packages)
        with progress.stage("checks"):
            checks.run_checks(db)
        with progress.stage("render"):
            render.render_site(db, packages, staging, progress)
        # Publish reads only the files render wrote: the model's memory (DuckDB's, most of the build's
        # peak) is given back before publish forks its workers (docs/benchmarks.md, run of 2026-12-01).
        db.con.close()
        with progress.stage("publish"):
            publish.finish(packages, staging, progress)
    progress.say(f"[ashyq] site written to {args.site}")
    return 0
