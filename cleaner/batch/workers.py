"""The work done in worker processes (and inline for --jobs 1): clean a task's items and encode what the writer
needs; and the pool around them, with tasks sent out and results brought back in input order.

Work goes out in tasks of 256 documents and comes back in submission order through a bounded window, so memory stays
flat and output order never depends on the number of workers. JSON Lines lines reach workers unparsed, since the
main process (which reads and writes) is what every worker waits on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from cleaner.errors import RunInterrupted
from cleaner.io.base import InputDoc, RawRecord, ReadItem, ReadOptions
from cleaner.io.formats import OUTPUT_FORMATS, Encoder
from cleaner.io.read import read_source
from cleaner.io.sources import Source, iter_sources
from cleaner.record import Document, Reject, pickled_by_fields

if TYPE_CHECKING:
    from cleaner.batch.plan import Plan

# A task (cleaned inline, or by one worker) closes at this many items or characters: MinHash vectorizes better over
# more paragraphs, and 2 x jobs tasks in flight stay a few MB.
_TASK_ITEMS = 256
_TASK_CHARS = 4_000_000


# ---------------------------------------------------------------------------------------------------------------
# Typed results and events.


@pickled_by_fields
@dataclass(slots=True)
class Cleaned:
    """A cleaned document, encoded: `payload` for its output format's writer, `ledger_line` (empty when the run
    writes no ledger: serializing it costs as much as writing the record) and the counts for the summary."""

    payload: Any
    ledger_line: bytes
    chars_in: int
    chars_out: int
    bytes_in: int
    removals: list[tuple[str, str | None, int]]  # (stage, rule, characters) per removal
    warned: bool
    id: str
    site: str | None


@pickled_by_fields
@dataclass(slots=True)
class Rejected:
    """A document that is not cleaned: its rejects-file line, and where and why for a note."""

    line: bytes
    origin: str
    reason: str


Result = Cleaned | Rejected


@dataclass(slots=True)
class Opened:
    index: int
    source: Source


@dataclass(slots=True)
class Closed:
    index: int


@dataclass(slots=True)
class Results:
    """The results of one task, each with its (source index, item index)."""

    where: list[tuple[int, int]]
    results: list[Result]


@dataclass(slots=True)
class _Item:
    index: int
    k: int
    item: ReadItem


@dataclass(slots=True)
class _Task:
    where: list[tuple[int, int]]
    work: Any  # a Future, or the task's arguments when cleaned inline


Event = Opened | Closed | Results


# ---------------------------------------------------------------------------------------------------------------
# In the workers.

_WORKER: dict[str, Any] = {}


def _init_worker(rule_dirs: list[str], options: dict[str, Any]) -> None:
    from cleaner.pipeline import Cleaner

    _exit_with_parent()
    # The parent built a Cleaner from the same rules first, examples and all.
    _WORKER["cleaner"] = Cleaner(rules=rule_dirs, check_examples=False, **options)


def _exit_with_parent() -> None:
    """Workers of a run killed with -9 would wait on their queue forever: exit when the parent is gone.

    The parent's sentinel (a pipe multiprocessing hands every child) reaches EOF when the parent dies.
    """
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:
        return
    # Ctrl-C reaches the whole process group: the main process stops the run and says so; a worker that took it
    # too would die with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from cleaner.batch.lock import close_in_child

    close_in_child()

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="newsclean-parent-watch", daemon=True).start()


def forget_cleaner() -> None:
    """Drop the Cleaner left for forked workers: this process does not need it any more."""
    _WORKER.pop("cleaner", None)


def _run_task(task: tuple[list[ReadItem], str, ReadOptions, bool]) -> list[Result]:
    return process_items(_WORKER["cleaner"], *task)


def process_items(
    cleaner: Any, items: list[ReadItem], fmt: str, read: ReadOptions, ledger: bool = True
) -> list[Result]:
    """Clean the InputDocs among `items` (Rejects from reading pass through) and encode each result for the output
    format `fmt`."""
    from cleaner.io.records import parse_json_line

    items = [parse_json_line(i.line, i.origin, read) if isinstance(i, RawRecord) else i for i in items]
    docs = [item for item in items if isinstance(item, InputDoc)]
    try:
        cleaned = list(cleaner.clean_many(docs))
    except Exception:  # one bad document must not sink its task: clean one at a time and reject the culprit
        cleaned = [_clean_one(cleaner, doc) for doc in docs]
    done = iter(cleaned)
    encode = OUTPUT_FORMATS[fmt].encode
    text_field = read.text_field
    results = []
    for item in items:
        out = next(done) if isinstance(item, InputDoc) else item
        results.append(_encode(item, out, encode, text_field, ledger))
    return results


def _clean_one(cleaner: Any, doc: InputDoc) -> Document | Reject:
    try:
        return next(iter(cleaner.clean_many([doc])))
    except Exception as error:
        return Reject(doc.origin, f"could not clean: {type(error).__name__}: {error}", id=doc.id)


def _encode(item: ReadItem, out: Document | Reject, encode: Encoder, text_field: str, ledger: bool) -> Result:
    """One result as its writer and summary take it; `encode` is the output format's encoder."""
    if isinstance(out, Reject):
        return Rejected(orjson.dumps(out.to_json()) + b"\n", str(out.origin), out.reason)
    assert isinstance(item, InputDoc) and out.text is not None
    payload = encode(item, out, text_field)
    removals = [(r.stage, r.rule, r.end - r.start) for r in out.removals]
    source = out.source
    return Cleaned(
        payload=payload,
        ledger_line=orjson.dumps(out.ledger_entry()) + b"\n" if ledger else b"",
        chars_in=len(source),
        chars_out=len(out.text),
        bytes_in=len(source) if source.isascii() else len(source.encode("utf-8")),  # ASCII: one byte a character
        removals=removals,
        warned=bool(out.warnings),
        id=out.id,
        site=out.site,
    )


# ---------------------------------------------------------------------------------------------------------------
# In the main process: events in input order, tasks out, results back.


def _events(plan: Plan, start: tuple[int, int]) -> Iterator[Opened | _Item | Closed]:
    """Opened, items and Closed in input order, from a resume position."""
    first_source, first_item = start
    # With workers, JSON Lines are parsed where they are cleaned: the reading process is what they all wait on.
    read = dataclasses.replace(plan.config.read, defer_json=plan.config.jobs > 1)
    for index, source in enumerate(iter_sources(plan.config.inputs)):
        if index < first_source:
            continue
        yield Opened(index, source)
        for k, item in enumerate(read_source(source, read)):
            if index == first_source and k < first_item:
                continue
            yield _Item(index, k, item)
        yield Closed(index)


def ordered(plan: Plan, start: tuple[int, int], cleaner: Any, executor: Any) -> Iterator[Event]:
    """Events with items replaced by their results, in input order; at most 2 x jobs tasks in flight."""
    window = 2 * plan.config.jobs
    pending: deque[Opened | Closed | _Task] = deque()
    task: list[ReadItem] = []
    where: list[tuple[int, int]] = []
    chars = 0
    read = plan.config.read
    fmt = "txt"

    def submit() -> None:
        nonlocal task, where, chars
        if task:
            args = (task, fmt, read, plan.ledger is not None)
            work = executor.submit(_run_task, args) if executor is not None else args
            pending.append(_Task(where, work))
        task, where, chars = [], [], 0

    def drain(limit: int) -> Iterator[Event]:
        while len(pending) > limit:
            entry = pending.popleft()
            if not isinstance(entry, _Task):
                yield entry
                continue
            work = entry.work
            results = _result(work, executor) if executor is not None else process_items(cleaner, *work)
            yield Results(entry.where, results)

    for event in _events(plan, start):
        if isinstance(event, _Item):
            item = event.item
            task.append(item)
            where.append((event.index, event.k))
            if isinstance(item, InputDoc):
                chars += len(item.text or item.html or "")
            elif isinstance(item, RawRecord):
                chars += len(item.line)
            if len(task) >= _TASK_ITEMS or chars >= _TASK_CHARS:
                submit()
                yield from drain(window)
            continue
        submit()  # a task never spans an open/close boundary, so the format is fixed per task
        if isinstance(event, Opened):
            fmt = plan.out_kind(event.source) or "txt"
        pending.append(event)
        yield from drain(window)
    submit()
    yield from drain(0)


def _result(work: Any, executor: Any) -> list[Result]:
    """A task's results from the pool. A worker that died (killed, out of memory) ends the run with RunInterrupted
    rather than a traceback, or a wait without end: when it dies halfway through sending a result, the pool's
    reader waits for the rest forever and never notices, so the workers are checked every second. (When the pool
    does notice, BrokenProcessPool reaches `run_batch`.)"""
    from concurrent.futures import wait

    # Not `work.result(timeout=...)`: its TimeoutError could not be told from one the task itself raised.
    while not wait([work], timeout=1.0).done:
        ended = [p.exitcode for p in _workers(executor) if p.exitcode is not None]
        if ended:
            raise worker_died(ended[0])
    return work.result()  # type: ignore[no-any-return]


def _workers(executor: Any) -> list[Any]:
    """The pool's worker processes (a private attribute of ProcessPoolExecutor, stable since Python 3.3)."""
    return list((getattr(executor, "_processes", None) or {}).values())


def dead_worker_code(executor: Any) -> int | None:
    """The exit code of the worker that died, once the pool has noticed (it forgets its workers then, and ends the
    others with SIGTERM): from the workers recorded when the pool started."""
    processes = getattr(executor, "_newsclean_workers", [])
    deadline = time.monotonic() + 2.0  # a crashed worker may not be reaped yet on a loaded machine
    while processes and all(p.exitcode in (None, -signal.SIGTERM) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.02)
    ended = [p.exitcode for p in processes if p.exitcode is not None]
    first = [code for code in ended if code != -signal.SIGTERM]
    return (first or ended or [None])[0]


_SIGNAL_HINTS = {signal.SIGKILL: " (out of memory? the kernel's OOM killer sends it)"}


def worker_died(exit_code: int | None) -> RunInterrupted:
    how = "died (killed, or out of memory?)"
    if exit_code is not None and exit_code < 0 and -exit_code in signal.valid_signals():
        number = signal.Signals(-exit_code)
        hint = _SIGNAL_HINTS.get(number, " (a crash in native code?)" if number != signal.SIGTERM else "")
        how = f"was killed by signal {number.name}{hint}"
    elif exit_code is not None:
        how = f"ended early with exit status {exit_code} (see its messages above)"
    return RunInterrupted(
        f"a worker process {how}, so the run stopped. What it committed is kept: "
        "run the same command with --resume to continue (with fewer --jobs if memory is short)"
    )


def stop_workers(executor: Any) -> None:
    """After a worker died: end the others, so that the pool's reader, if it waits for the rest of a result the
    dead one never sent, reads end-of-file instead (this process's copy of the pipe's write end goes too)."""
    processes = _workers(executor)
    for process in processes:
        if process.exitcode is None:
            process.kill()
    for process in processes:
        process.join(5)
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


def start_workers(cleaner: Any, plan: Plan) -> Any:
    """The worker pool, with every worker started now.

    Forked from this process, a worker starts with its imports and its Cleaner in a few milliseconds; that is
    safe while this process has a single thread (a lock another thread held would stay locked in the child), as
    it has here before the progress bar starts. Otherwise workers fork from a server that imports the cleaner
    once (~0.3 s) and each builds its own Cleaner.
    """
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    with _sigpipe_blocked():  # for the pool's threads and workers, started in here
        if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
            _WORKER["cleaner"] = cleaner  # what the forked workers will find
            executor = ProcessPoolExecutor(
                max_workers=plan.config.jobs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_exit_with_parent,
            )
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["cleaner.pipeline", "cleaner.rules", "cleaner.batch.workers"])
            executor = ProcessPoolExecutor(
                max_workers=plan.config.jobs,
                mp_context=context,
                initializer=_init_worker,
                initargs=(plan.rule_dirs, plan.config.cleaner_options()),
            )
        for _ in range(plan.config.jobs):  # the pool starts workers as tasks arrive: one task each starts them all
            executor.submit(_ready)
    executor._newsclean_workers = _workers(executor)  # spawned by the submits; the pool forgets them when broken
    return executor


@contextlib.contextmanager
def _sigpipe_blocked() -> Iterator[None]:
    """Block SIGPIPE in this thread for a while. Threads and processes started meanwhile keep the mask, so when a
    worker dies the pool's threads get EPIPE (and report a broken pool) instead of a SIGPIPE that would end the
    whole run without a word: the CLI lets SIGPIPE end it, so that `newsclean clean big.jsonl | head` stops
    quietly."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _ready() -> None:
    """A task that does nothing: submitted once per worker so that all of them start now."""
