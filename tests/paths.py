"""Where tests find things: the repository, and the real source data in ../shared (or $ASHYQ_SHARED).

CI runs on a fresh clone with shared/ beside it; tests that need it skip with a reason when it is absent.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASHYQ_SHARED", ROOT.parent / "shared"))
REALDATA = SHARED / "realdata"
