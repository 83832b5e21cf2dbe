"""Progress reporting shared by commands (a terminal progress bar) and jobs (polled by pages).

Long operations take a ``progress`` argument with ``start(total, message)``, ``advance(n)`` and
``finish()``; they never know whether a person watches a terminal or a web page.
"""

from __future__ import annotations

import time
from typing import Protocol

from django.core.cache import cache


class Progress(Protocol):
    def start(self, total: int | None, message: str = "") -> None: ...
    def advance(self, n: int = 1, message: str | None = None) -> None: ...
    def finish(self, message: str = "") -> None: ...


class NullProgress:
    """Reports nowhere (tests, nested calls)."""

    def start(self, total: int | None, message: str = "") -> None:
        pass

    def advance(self, n: int = 1, message: str | None = None) -> None:
        pass

    def finish(self, message: str = "") -> None:
        pass


class TerminalProgress:
    """A rich progress bar on stderr with rate and time remaining."""

    def __init__(self, description: str = "") -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress,
                                   TaskProgressColumn, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                                 transient=False)
        self._description = description
        self._task = None

    def start(self, total: int | None, message: str = "") -> None:
        """Begin a phase; a later phase gets a line of its own under the finished ones."""
        if self._task is None:
            self._bar.start()
        else:
            task = self._bar.tasks[-1]
            if task.total is not None:
                self._bar.update(self._task, completed=task.total)
            else:
                self._bar.update(self._task, total=1, completed=1)
        self._task = self._bar.add_task(message or self._description, total=total)

    def advance(self, n: int = 1, message: str | None = None) -> None:
        if self._task is not None:
            self._bar.update(self._task, advance=n,
                             **({"description": message} if message else {}))

    def finish(self, message: str = "") -> None:
        if self._task is not None:
            total = self._bar.tasks[-1].total
            self._bar.update(self._task, total=total or 1, completed=total or 1,
                             **({"description": message} if message else {}))
            self._bar.stop()
            self._task = None


def job_progress_key(job_id: int) -> str:
    return f"kechuang:job-progress:{job_id}"


class JobProgress:
    """Publishes a job's progress to the cache at most every ``interval`` seconds, so a page can
    poll it while the job's own database transaction is still open."""

    def __init__(self, job_id: int, interval: float = 0.5) -> None:
        self.job_id = job_id
        self.interval = interval
        self.done = 0
        self.total: int | None = None
        self.message = ""
        self._last = 0.0

    def _publish(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            cache.set(job_progress_key(self.job_id),
                      {"done": self.done, "total": self.total, "message": self.message}, 24 * 3600)
            self._last = now

    def start(self, total: int | None, message: str = "") -> None:
        self.total, self.done, self.message = total, 0, message
        self._publish(force=True)

    def advance(self, n: int = 1, message: str | None = None) -> None:
        self.done += n
        if message is not None:
            self.message = message
        self._publish()

    def finish(self, message: str = "") -> None:
        if message:
            self.message = message
        if self.total is not None:
            self.done = self.total
        self._publish(force=True)
