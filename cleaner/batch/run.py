"""Corpus runs: read every input in order, clean in worker processes, write mirrored outputs, a ledger and a
rejects file, and survive kill -9.

- Reading and writing happen in the main process, cleaning in `jobs` workers (`cleaner.batch.workers`).
- Outputs are append-only part files next to their final names (`cleaner.batch.sinks`). Every `commit_every`
  input items (and at the end of each file) the parts are flushed and fsync'ed and a state file records their
  lengths and the input position (`cleaner.batch.state`). `--resume` truncates the parts back to the recorded
  lengths and continues from that position; commit points depend only on the input, so a resumed run is
  byte-identical to an uninterrupted one.
- A part is renamed to its final name only when it is complete, so a final name never holds half a file.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xxhash

from cleaner.batch import state as run_state
from cleaner.batch import workers
from cleaner.batch.lock import locked
from cleaner.batch.plan import Plan
from cleaner.batch.sinks import Completed, NoOutput, Sink, open_sink
from cleaner.batch.summary import IDS_CHECKED, Summary, progress
from cleaner.batch.workers import Cleaned, Closed, Opened, Result
from cleaner.errors import RunCancelled, RunInterrupted, os_error_text
from cleaner.io.sources import Source
from cleaner.io.writers import AppendPart

# Buffered output is committed at this many bytes even before `commit_every` items.
_COMMIT_BYTES = 32 << 20


class Run:
    """One batch run: ordered results in, committed outputs out."""

    def __init__(self, plan: Plan, note: Any) -> None:
        self.plan = plan
        self.note = note
        self.config = plan.config
        self.fingerprint = run_state.fingerprint(plan)
        state = run_state.load(plan, self.fingerprint, note)
        self.state = state or {}
        self.summary = Summary.from_json(state["summary"]) if state else Summary()
        self.summary.jobs = self.config.jobs
        self.summary.rejects_file = str(plan.rejects) if plan.rejects else None
        self.position: tuple[int, int] = tuple(state["position"]) if state else (0, 0)  # type: ignore[assignment]
        if state:
            self.summary.resumed_at = self.summary.docs_in
        self.committed_docs = self.summary.docs_in  # input items the state file covers
        self.ids: set[int] = set()  # hashes of the ids of the open source's documents
        self.source: Source | None = None
        # The killed run had committed to finishing: its renames are done above, nothing is left to write.
        self.finished = bool(self.state.get("finished"))
        offsets: dict[str, int] = {} if self.finished else self.state.get("parts", {})
        self.ledger: AppendPart | None = None
        self.rejects: AppendPart | None = None
        if plan.ledger and not self.finished:
            self.ledger = AppendPart(plan.ledger, offsets.get(str(plan.ledger), 0))
        if plan.rejects and not self.finished:
            self.rejects = AppendPart(plan.rejects, offsets.get(str(plan.rejects), 0))
        self.sink: Sink = NoOutput()
        self.unflushed: list[Sink] = []  # closed sinks whose writes the next commit makes durable (a text tree)
        self.pending_items = 0
        self.pending_bytes = 0
        if state and not self.finished:
            run_state.check_committed_outputs(plan, self.position)
        if plan.out_is_dir and plan.output is not None:
            plan.output.mkdir(parents=True, exist_ok=True)

    # -- sources ---------------------------------------------------------------------------------------------
    def open_source(self, index: int, source: Source) -> None:
        resuming = index == self.position[0] and bool(self.state)
        committed = 0
        if resuming:
            final = self.plan.final_path(source)
            committed = self.state.get("parts", {}).get(str(final), 0)
        self.sink = open_sink(self.plan, source, committed)
        self.source = source
        self.ids = set()

    def close_source(self, index: int) -> None:
        """End of a source: a sink with a part file commits it and renames it into place."""
        sink, self.sink = self.sink, NoOutput()
        done = sink.close()
        if done is not None:
            self.commit((index + 1, 0), done)
        else:
            self.unflushed.append(sink)

    # -- results ---------------------------------------------------------------------------------------------
    def apply(self, result: Result, where: tuple[int, int]) -> None:
        summary = self.summary
        summary.docs_in += 1
        if isinstance(result, Cleaned):
            summary.add(result)
            self._check_id(result.id)
            if self.ledger is not None:
                self.ledger.add(result.ledger_line)
            self.pending_bytes += self.sink.write(result.payload)
        else:
            summary.rejected += 1
            self.sink.rejected()
            if self.rejects is not None:
                self.rejects.add(result.line)
            self.pending_bytes += len(result.line)
            if self.plan.output is None:
                self.note(f"rejected {result.origin}: {result.reason}")
        summary.docs_this_run += 1
        self.pending_items += 1
        if self.pending_items >= self.config.commit_every or self.pending_bytes >= _COMMIT_BYTES:
            self.commit((where[0], where[1] + 1))

    def _check_id(self, doc_id: str) -> None:
        """Duplicate ids within one input are kept, and counted for the summary."""
        if len(self.ids) >= IDS_CHECKED:
            if self.source is not None and self.summary.ids_unchecked is None:
                self.summary.ids_unchecked = self.source.display
            return
        key = xxhash.xxh3_64_intdigest(doc_id.encode("utf-8", "surrogatepass"))
        if key in self.ids:
            self.summary.duplicate_ids += 1
            if self.summary.duplicate_id_example is None and self.source is not None:
                self.summary.duplicate_id_example = f"{doc_id!r} in {self.source.display}"
        else:
            self.ids.add(key)

    def cancelled(self) -> RunCancelled:
        """What a run stopped by Ctrl-C says: how much is kept, and how to go on."""
        read = self.summary.docs_in
        if self.plan.state is None:
            return RunCancelled(f"interrupted (Ctrl-C) after {read:,} documents; output to stdout cannot be resumed")
        return RunCancelled(
            f"interrupted (Ctrl-C): {self.committed_docs:,} documents committed (of {read:,} read); run the same "
            "command with --resume to continue, or with --restart to start over"
        )

    def commit(self, position: tuple[int, int], done: Completed | None = None, final: bool = False) -> None:
        """Make everything up to `position` durable, record it, then do the renames and removals of a completed
        output (recorded too: a resume after a kill in between finishes both)."""
        for sink in self.unflushed:
            sink.flush()
        self.unflushed = []
        # A completed sink committed its output already; an open one records where its part stands.
        parts: dict[str, int] = self.sink.flush() if done is None else {}
        for part in (self.ledger, self.rejects):
            if part is not None:
                parts[str(part.final)] = part.commit()
        renames = done.renames if done is not None else []
        remove = done.remove if done is not None else []
        run_state.save(self.plan, self.fingerprint, position, parts, renames, remove, final, self.summary.to_json())
        run_state.carry_out(renames, remove)
        self.committed_docs = self.summary.docs_in
        self.pending_items = 0
        self.pending_bytes = 0

    def finish(self, position: tuple[int, int]) -> None:
        if self.finished:
            if self.plan.state is not None:
                self.plan.state.unlink(missing_ok=True)
            return
        done = Completed()
        if self.ledger is not None:
            done.renames.append((self.ledger.path, self.ledger.final))
        if self.rejects is not None:
            if self.summary.rejected:
                done.renames.append((self.rejects.path, self.rejects.final))
            else:  # nothing rejected: no rejects file, and none left over from an earlier run over these outputs
                self.rejects.close()
                self.rejects.path.unlink(missing_ok=True)
                self.rejects.final.unlink(missing_ok=True)
                self.rejects = None
        self.commit(position, done, final=True)
        for part in (self.ledger, self.rejects):
            if part is not None:
                part.close()
        if self.plan.state is not None:
            self.plan.state.unlink(missing_ok=True)


def run_local(plan: Plan, cleaner: Any, note: Any) -> Summary:
    """The run in this process and its `jobs` worker processes (`cleaner.batch.start.run_batch` chose it)."""
    config = plan.config
    with locked([path for path in (plan.output, plan.ledger, plan.rejects) if path is not None]):
        run = Run(plan, note)  # the resume state: may refuse to discard an interrupted run's work
        executor = workers.start_workers(cleaner, plan) if config.jobs > 1 else None
        try:
            events = workers.ordered(plan, run.position, cleaner, executor) if not run.finished else iter(())
            summary = _run(run, events)
        except KeyboardInterrupt:
            workers.stop_workers(executor)
            raise run.cancelled() from None
        except Exception as error:
            interrupted = _interruption(error, plan, executor)
            if interrupted is None:
                raise
            workers.stop_workers(executor)
            raise interrupted from None
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)
                workers.forget_cleaner()
    _write_report(plan)
    return summary


def _write_report(plan: Plan) -> None:
    config = plan.config
    if config.report is not None and plan.ledger is not None:
        from cleaner.review.report import write_report

        cleaned = [plan.output] if plan.output is not None else []
        write_report(plan.ledger, cleaned, config.report, rejects=plan.rejects if _exists(plan.rejects) else None,
                     text_field=config.read.text_field, id_field=config.read.id_field)


def _exists(path: Path | None) -> bool:
    return path is not None and path.exists()


def _interruption(error: Exception, plan: Plan, executor: Any) -> RunInterrupted | None:
    """The error a run that stopped early reports (exit 3, what was committed is kept), or None for a bug."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(error, RunInterrupted):
        return error
    if isinstance(error, BrokenProcessPool):
        return workers.worker_died(workers.dead_worker_code(executor))
    if isinstance(error, OSError):  # writing failed (a full disk, a read-only or vanished output directory)
        then = "run the same command with --resume" if plan.state is not None else "run it again"
        return RunInterrupted(
            f"cannot write the outputs ({os_error_text(error)}), so the run stopped. What it committed "
            f"is kept: fix the cause (free some space?), then {then} to continue"
        )
    return None


def _run(run: Run, events: Iterator[workers.Event]) -> Summary:
    """The run itself: results in input order (cleaned inline, in the pool, or on Dask) written and counted."""
    plan = run.plan
    started = time.perf_counter()
    position = run.position
    with progress(plan.config) as bar:
        task_id = bar.add_task("cleaning", total=None) if bar is not None else None
        for event in events:
            if isinstance(event, Opened):
                run.open_source(event.index, event.source)
            elif isinstance(event, Closed):
                run.close_source(event.index)
                position = (event.index + 1, 0)
            else:
                for where, result in zip(event.where, event.results, strict=True):
                    run.apply(result, where)
                    position = (where[0], where[1] + 1)
                if bar is not None:
                    bar.update(task_id, completed=run.summary.docs_in)
    run.finish(position)
    run.summary.seconds = time.perf_counter() - started
    return run.summary


# ---------------------------------------------------------------------------------------------------------------
# `--engine dask`: partitions cleaned on a Dask cluster, replayed here through the same `Run` as a local run.
