"""Progress for long runs: a bar on a terminal, plain lines when piped or logged."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO, label: str = "handouts") -> None:
        self.stream, self.label = stream, label
        self.tty = stream.isatty()
        self.done = 0
        self.written = 0
        self.started = time.monotonic()
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()

    def count(self, done: int, total: int) -> None:
        """Progress as a count, for work that reports in groups (a library's sheets)."""
        previous, self.done = self.done, done
        if self.tty:
            self._draw(total)
        elif done == total or done * 10 // total > previous * 10 // total:
            self.stream.write(f"[{done}/{total}] {self.label}\n")
            self.stream.flush()

    def _draw(self, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.05 and self.done < total:
            return  # redraw at most 20 times a second
        self._last = now
        width = 30
        filled = int(width * self.done / max(total, 1))
        rate = self.done / max(now - self.started, 1e-6)
        bar = "█" * filled + "·" * (width - filled)
        self.stream.write(f"\r{self.label} {bar} {self.done}/{total}  {rate:.0f}/s ")
        self.stream.flush()

    def update(self, result, total: int) -> None:
        self.done += 1
        self.written += result.error is None
        if self.tty:
            self._draw(total)
            return
        what = f"wrote {result.path}" if result.error is None else "failed"
        self.stream.write(f"[{self.done}/{total}] row {result.number}: {what}\n")
        self.stream.flush()
