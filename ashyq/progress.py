"""Progress per build stage on stderr; ``--quiet`` silences it. Every line is made safe for a
terminal first: text from data (a folder name, a title) never sends control codes to it."""
from __future__ import annotations

import re
import sys
import time
from contextlib import contextmanager

# C0 controls but tab and line feed, DEL, and C1 controls (ESC starts ANSI sequences; CSI is U+009B).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but tab and line feed shown as an escape (``\\x1b``)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class Progress:
    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.timings: dict[str, float] = {}
        self.current: str | None = None  # the last stage started, for an error message

    def say(self, message: str) -> None:
        if not self.quiet:
            print(terminal_safe(message), file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str):
        self.current = name
        self.say(f"[ashyq] {name} …")
        start = time.perf_counter()
        yield self
        elapsed = time.perf_counter() - start
        self.timings[name] = elapsed
        self.say(f"[ashyq] {name}: done in {elapsed:.1f} s")
