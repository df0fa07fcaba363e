"""Progress per build stage on stderr; ``--quiet`` silences it."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager


class Progress:
    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.timings: dict[str, float] = {}

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str):
        self.say(f"[ashyq] {name} …")
        start = time.perf_counter()
        yield self
        elapsed = time.perf_counter() - start
        self.timings[name] = elapsed
        self.say(f"[ashyq] {name}: done in {elapsed:.1f} s")
