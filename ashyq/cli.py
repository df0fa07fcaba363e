"""Command line: parse arguments and run the stages in order. No logic of its own."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .problems import InputError
from .progress import Progress

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    progress = Progress(quiet=args.quiet)
    try:
        return args.run(args, progress) or 0
    except InputError as error:
        print(f"ashyq: {error}", file=sys.stderr)
        return 1


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

    with progress.stage("load"):
        packages = load.load_packages(args.datasets)
    with progress.stage("validate"):
        validate.validate_packages(packages, progress)
    with progress.stage("model"):
        db = model.build_model(packages)
    with progress.stage("checks"):
        checks.run_checks(db)
    with publish.staging(args.site) as staging:
        with progress.stage("render"):
            render.render_site(db, packages, staging, progress)
        with progress.stage("publish"):
            publish.finish(db, packages, staging, progress)
    progress.say(f"[ashyq] site written to {args.site}")
    return 0
