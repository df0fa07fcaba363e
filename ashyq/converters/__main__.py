"""``python -m ashyq.converters all --shared /work/shared --out datasets``;
``python -m ashyq.converters boundaries --shared /work/shared`` (map boundaries, into ashyq/geo/boundaries/)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import BOUNDARIES, CONVERTERS, convert
from .tables import SourceError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ashyq.converters",
                                     description="Regenerate the bundled Data Packages from the source files.")
    parser.add_argument("names", nargs="+", metavar="NAME", help=f"'all' or any of: {', '.join([*CONVERTERS, BOUNDARIES])}")
    parser.add_argument("--shared", type=Path, required=True, help="the shared folder (holds realdata/ and seeds/)")
    parser.add_argument("--out", type=Path, help="folder to write the packages into (e.g. datasets); "
                        f"not needed for '{BOUNDARIES}'")
    args = parser.parse_args(argv)
    try:
        for path in convert(args.names, args.shared, args.out):
            print(f"wrote {path}")
    except (SourceError, ValueError) as error:
        print(f"ashyq.converters: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
