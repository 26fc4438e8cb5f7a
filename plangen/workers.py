"""Work split over the machine's cores by forking: the children inherit
everything already computed (no re-import, no re-reading), and send back
only their results, pickled through a pipe. Results come back in the order
of the chunks, so output does not depend on which process finished first.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


MAX_WORKERS = 8  # a container may show more cores than its share of them


def cores() -> int:
    """How many processes to share work over: PLANGEN_WORKERS if set (1 for
    none), else the cores this process may run on, at most MAX_WORKERS."""
    chosen = os.environ.get("PLANGEN_WORKERS", "").strip()
    if chosen.isdigit() and int(chosen) >= 1:
        return int(chosen)
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        count = os.cpu_count() or 1
    return max(1, min(count, MAX_WORKERS))


class WorkerError(RuntimeError):
    """A forked worker failed; the message holds its traceback."""


class _Child:
    """A forked child working on one chunk; `result` waits for what it sends back."""

    def __init__(self, work: Callable[[Sequence[T]], R], chunk: Sequence[T]) -> None:
        sys.stdout.flush()  # else the child could print what this process had not yet written
        sys.stderr.flush()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: whatever happens, it ends here, never in the caller's code
            try:
                os.close(read)
                try:
                    blob = pickle.dumps((True, work(chunk)), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:
                    blob = pickle.dumps((False, traceback.format_exc()))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(blob)
            finally:
                os._exit(0)
        os.close(write)
        self.pid, self.read = pid, read

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def result(self) -> tuple[bool, Any]:
        """(True, its result) or (False, its traceback); the child is reaped."""
        with os.fdopen(self.read, "rb") as pipe:
            blob = pipe.read()
        os.waitpid(self.pid, 0)
        try:
            return pickle.loads(blob)  # type: ignore[no-any-return]  # our own child's bytes, over a pipe only it held
        except Exception:
            return False, "the worker ended without a result (killed, or out of memory?)"


def fork_map(work: Callable[[Sequence[T]], R], chunks: Sequence[Sequence[T]]) -> list[R]:
    """`work` over each chunk: the first in this process, each other in a
    forked child, at the same time. Without fork, one after another."""
    if len(chunks) <= 1 or not hasattr(os, "fork"):
        return [work(chunk) for chunk in chunks]
    children = [_Child(work, chunk) for chunk in chunks[1:]]
    results: list[R] = []
    failure = None
    try:
        results.append(work(chunks[0]))
    except BaseException:  # this process's share failed (or Ctrl+C): the others' work is moot
        for child in children:
            child.kill()
        raise
    finally:  # always reap the children
        for child in children:
            ok, value = child.result()
            if ok:
                results.append(value)
            elif failure is None:
                failure = value
    if failure is not None:
        raise WorkerError(failure)
    return results


class Started:
    """Work started in a forked child (see fork_start)."""

    def __init__(self, work: Callable[[Sequence[T]], R], chunk: Sequence[T]) -> None:
        self._child: _Child | None = _Child(work, chunk)
        self._value: Any = None

    def result(self) -> Any:
        """The child's result, waited for (a failure raises WorkerError)."""
        if self._child is not None:
            ok, value = self._child.result()
            self._child = None
            if not ok:
                raise WorkerError(value)
            self._value = value
        return self._value

    def cancel(self) -> None:
        """Stop the child and reap it (when its result will not be asked for)."""
        if self._child is not None:
            self._child.kill()
            self._child.result()
            self._child = None


def fork_start(work: Callable[[Sequence[T]], R], chunk: Sequence[T]) -> Started | None:
    """`work` over `chunk` in a forked child started now, while this process
    goes on; None where processes cannot be forked."""
    return Started(work, chunk) if hasattr(os, "fork") else None


def balanced(items: Sequence[T], parts: int, cost: Callable[[T], int]) -> list[list[T]]:
    """`items` in `parts` chunks of about equal total cost (the costliest
    first, each to the chunk with the least so far); each chunk keeps the
    items' order."""
    totals = [0] * parts
    chunks: list[list[tuple[int, T]]] = [[] for _ in range(parts)]
    for n, item in sorted(enumerate(items), key=lambda pair: -cost(pair[1])):
        least = totals.index(min(totals))
        totals[least] += cost(item)
        chunks[least].append((n, item))
    return [[item for _, item in sorted(chunk, key=lambda pair: pair[0])] for chunk in chunks if chunk]


def split(items: Sequence[T], parts: int, first: float = 1.0) -> list[list[T]]:
    """`items` in `parts` runs of consecutive items, about equal in number;
    the first run (this process's, see fork_map) `first` times as long as
    each other, when this process has more to do with each result than a
    child has (unpickling what the children send)."""
    if parts > 1 and first != 1.0 and items:
        head = max(1, round(len(items) * first / (first + parts - 1)))
        return [list(items[:head]), *split(items[head:], parts - 1)]
    size = -(-len(items) // parts) if parts else 0
    return [list(items[i:i + size]) for i in range(0, len(items), size)] if items else []


def share_done(done: int, share: int, total: int) -> int:
    """Progress of the whole from this process's share (the workers go at
    about the same pace); short of `total`, which the caller reports once
    every worker is back."""
    return min(total - 1, done * total // share) if share else 0
