"""A long list scanned by two processes: the walk is cut at a top-level heading near the middle,
a forked worker walks from the heading on while this process walks up to it.

Why this gives the one-process result exactly:
- the parse is the same: the chunks are the one-process walk's, and the cut falls between two
  top-level blocks of a chunk's own parse. The cut is chosen as a line that opens like a heading;
  each process parses that chunk itself (the parser is deterministic: the same blocks) and from its
  parse decides whether a top-level heading starts on that line. If not (a `#` line in a fence),
  both see it, and this process walks on alone;
- the walk's state at a top-level heading is the heading stack alone: no list item is open (a
  top-level block is visited after the blocks before it have closed), and a heading ends the run
  of notes after a paper (`last_draft`). The worker starts with a stand-in heading at each level
  above the cut heading's (`stand_in_headings`); popping goes by level, so each stand-in leaves
  the stack exactly when the real heading of its level would have, and `real_sections` puts the
  real texts in (or drops a stand-in for a level the stack did not hold). The walk reads only a
  section's last heading, which after the cut heading is never a stand-in;
- the rest is per draft (confirming provisional drafts looks only at drafts under them, in the
  same list item), and duplicates are marked over all entries, in order, in this process.
A worker that fails in any way gives no result, and this process walks its part itself.

Forking is used only where it is safe and can pay: Linux, the main thread, no other thread running
(a thread holding a lock at the fork would leave it held forever in the worker), and at least two
CPUs this process may run on.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import queue
import signal
import sys
import threading
from typing import Any, Callable, Iterable, Iterator

MIN_LINES = 2000  # smaller lists scan in well under 0.1 s: a worker's start would not pay
# Of the lines, the share this process walks. It also builds every entry (the worker's from their
# fields), the worker pays the pages it copies on write: at 0.5 this process runs 11% more
# instructions than the worker (callgrind, 20,000 entries; at 0.55, 28% more).
PARENT_SHARE = 0.5
CUT_WINDOW = (0.3, 0.7)  # a cut heading outside this share of the lines would balance too badly

_STAND_IN = "\x00heading level {}"  # (scan_text turns every NUL of the input into U+FFFD: never a real heading)


def can_fork() -> bool:
    # (with one CPU to run on, a second process only adds its start and the pickling)
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and len(os.sched_getaffinity(0)) > 1
            and threading.current_thread() is threading.main_thread() and threading.active_count() == 1)


def _produce(work: Callable[[], Iterable[Any]], write_end: int) -> int:
    """In the worker: pickle each item of `work()` and hand it to a writer thread; 0 once the end
    frame is written."""
    frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    done = []

    def write() -> None:
        try:
            with open(write_end, "wb") as out:
                while (frame := frames.get()) is not None:
                    out.write(frame)
                    out.flush()
                    if frame == _END:
                        done.append(True)
        except OSError:  # (this process stopped reading: it no longer wants the result; no traceback)
            pass

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for item in work():
            data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            frames.put(len(data).to_bytes(8, "little") + data)
        frames.put(_END)
    finally:
        frames.put(None)
        writer.join()
    return 0 if done else 1


_END = bytes(8)


def stand_in_headings(level: int) -> list[tuple[int, str]]:
    """The worker's heading stack before the cut heading (of `level`): one stand-in per level above it."""
    return [(k, _STAND_IN.format(k)) for k in range(1, level)]


def real_sections(headings: list[tuple[int, str]], level: int) -> Callable[[tuple[str, ...]], tuple[str, ...]]:
    """Section paths of the worker's entries -> the real ones, given this process's heading stack
    at the cut (before the cut heading of `level` pops its levels)."""
    by_stand_in = {_STAND_IN.format(k): text for k, text in headings if k < level}
    done: dict[tuple[str, ...], tuple[str, ...]] = {}

    def real(section: tuple[str, ...]) -> tuple[str, ...]:
        if (out := done.get(section)) is None:
            out = done[section] = tuple(by_stand_in[t] if t in by_stand_in else t for t in section
                                        if not t.startswith("\x00") or t in by_stand_in)
        return out

    return real


class WorkerFailed(Exception):
    """The worker stopped before its end frame (it failed, was killed, or ran out of memory)."""


class Worker:
    """`work()` run in a forked process; `stream()` gives back the items it yields, as they come.

    The worker pickles its items on its main thread while a thread of its own writes them to the
    pipe, so it never waits on this process while it works, and this process unpickles a batch
    while the worker still pickles the next. The output ends with an empty frame, so a worker
    that stopped early (killed, out of memory) is told apart from one that finished.
    """

    def __init__(self, work: Callable[[], Iterable[Any]]) -> None:
        read_end, write_end = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:  # (no process to be had: the caller walks alone)
            os.close(read_end)
            os.close(write_end)
            raise
        if self.pid == 0:  # the worker: never returns into the caller's code
            code = 1
            try:
                os.close(read_end)
                code = _produce(work, write_end)
            except BaseException:  # (any failure: the parent then does the work itself)
                pass
            finally:
                os._exit(code)  # no atexit handlers, no flush of the parent's buffered output
        os.close(write_end)
        try:  # a bigger pipe: the worker's writer waits less for this process to read
            fcntl.fcntl(read_end, fcntl.F_SETPIPE_SZ, 1 << 20)
        except (OSError, AttributeError):
            pass
        self._read_end: int | None = read_end

    def stream(self) -> Iterator[Any]:
        """The items the worker yielded, unpickled as they arrive; WorkerFailed if it did not
        finish them all (what came before that is then not to be used)."""
        assert self._read_end is not None
        finished = False
        try:
            with open(self._read_end, "rb") as pipe:
                self._read_end = None
                while len(head := pipe.read(8)) == 8:
                    size = int.from_bytes(head, "little")
                    if size == 0:
                        finished = True
                        return
                    data = pipe.read(size)
                    if len(data) < size:
                        break
                    yield pickle.loads(data)
            raise WorkerFailed  # (cut short: no end frame)
        finally:
            if finished:
                self._reap()
            else:  # (failed, or left unread: a worker still pickling is not waited for)
                self.close()

    def close(self) -> None:
        """Stop the worker if it still runs (this process failed or was interrupted) and reap it."""
        if self._read_end is not None:
            os.close(self._read_end)
            self._read_end = None
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def _reap(self) -> None:
        pid, self.pid = self.pid, 0
        if pid:
            os.waitpid(pid, 0)
