"""Work split over the machine's cores by forking: the children inherit
everything already computed (no re-import, no re-reading), and send back
only their results, pickled through a pipe. Results come back in the order
of the chunks, so output does not depend on which process finished first.
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class WorkerError(RuntimeError):
    """A forked worker failed; the message holds its traceback."""


def fork_map(work: Callable[[Sequence[T]], R], chunks: Sequence[Sequence[T]]) -> list[R]:
    """`work` over each chunk: the first in this process, each other in a
    forked child, at the same time. Without fork, one after another."""
    if len(chunks) <= 1 or not hasattr(os, "fork"):
        return [work(chunk) for chunk in chunks]
    children = []
    for chunk in chunks[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            os.close(read)
            try:
                blob = pickle.dumps((True, work(chunk)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                blob = pickle.dumps((False, traceback.format_exc()))
            try:
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(blob)
            finally:
                os._exit(0)
        os.close(write)
        children.append((pid, read))
    results: list[R] = []
    failure = None
    try:
        results.append(work(chunks[0]))
    finally:  # always reap the children, also when this process's own share failed
        for pid, read in children:
            with os.fdopen(read, "rb") as pipe:
                blob = pipe.read()
            os.waitpid(pid, 0)
            try:
                ok, value = pickle.loads(blob)  # our own child's bytes, over a pipe only it held
            except Exception:
                ok, value = False, "the worker ended without a result (killed, or out of memory?)"
            if ok:
                results.append(value)
            elif failure is None:
                failure = value
    if failure is not None:
        raise WorkerError(failure)
    return results


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


def split(items: Sequence[T], parts: int) -> list[list[T]]:
    """`items` in `parts` runs of consecutive items, about equal in number."""
    size = -(-len(items) // parts) if parts else 0
    return [list(items[i:i + size]) for i in range(0, len(items), size)] if items else []
