"""`clean --engine dask --parts`: each worker writes its partition's cleaned records straight into OUT as a part
file, with its ledger part and rejects part, and the driver writes `_manifest.json`. Nothing goes through the
driver, so it scales with the cluster, not with the machine that started the run.

Layout of OUT (documented in the README):
- `part-NNNNN.jsonl` (`.jsonl.zst` when the inputs are compressed, `.parquet` when they are all Parquet): the
  cleaned records of partition NNNNN, in input order. The parts in number order hold exactly what the stitched
  output of `--engine local` holds (for JSON Lines, their concatenation is that output byte for byte).
- `_rejects-NNNNN.jsonl`: the partition's rejected documents, when it has any.
- `--ledger DIR`: `DIR/part-NNNNN.jsonl`, the partition's ledger lines (their concatenation is the local ledger).
- `_manifest.json`: per part, its files, the inputs it came from (file, byte range, first line) and its counts,
  plus the run's totals and fingerprint. It is written last: a directory without it is an unfinished run, which
  `--resume` continues without redoing the parts whose marker under `OUT/.newsclean-parts/` says they are complete.
Names starting with "_" or "." are what dataset readers (pyarrow.dataset, Spark) skip in a directory of parts, so
OUT reads as a dataset of its parts alone; files being written are hidden (`.part-….tmp`) until complete.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cleaner.batch import partitions as parts
from cleaner.batch.plan import Plan
from cleaner.batch.summary import Summary
from cleaner.errors import ConfigError, RunCancelled, RunInterrupted
from cleaner.io.base import Source

STATE_DIR = ".newsclean-parts"  # inside OUT: the plan of an unfinished run and a marker per finished part
MANIFEST = "_manifest.json"
_OURS = re.compile(r"part-\d{5}(?:\.jsonl|\.jsonl\.zst|\.parquet)|_rejects-\d{5}\.jsonl|_manifest\.json")
_LEDGER_PART = re.compile(r"part-\d{5}\.jsonl")


def part_name(index: int, suffix: str) -> str:
    return f"part-{index:05d}{suffix}"


def rejects_name(index: int) -> str:
    return f"_rejects-{index:05d}.jsonl"


def _marker_name(index: int) -> str:
    return f"p{index:06d}.json"  # `Storage.clear` removes these names


@dataclass(frozen=True, slots=True)
class PartsJob:
    """One partition for a worker that writes its part files itself."""

    job: parts.PartitionJob  # the partition, its sources and the cleaner's options
    output: str  # OUT, absolute
    ledger: str | None  # the ledger parts directory, absolute; None: no ledger
    suffix: str  # ".jsonl", ".jsonl.zst" or ".parquet"
    schema_source: str | None  # Parquet: the input whose schema the part takes (every input has the same)
    fingerprint: str  # the run's: a marker counts only for the run that wrote it


def parts_suffix(plan: Plan, sources: Sequence[Source]) -> str:
    """The part files' ending, from the inputs: refused (exit 2) when they cannot share one record format (and,
    for Parquet, one schema: a part holds the records of several inputs)."""
    from cleaner.io.streams import compression_of

    readable = [s for s in sources if s.error is None]
    kinds = {plan.out_kind(s) for s in readable}
    if readable and kinds == {"parquet"}:
        _check_one_schema(plan, readable)
        return ".parquet"
    if "parquet" in kinds:
        other = next(s for s in readable if plan.out_kind(s) != "parquet")
        raise ConfigError(
            f"--parts writes one record format, but {other.display} is not Parquet like the other inputs: "
            "clean the Parquet inputs and the others in two runs"
        )
    compressed = any(s.path is not None and compression_of(s.path) for s in readable)
    return ".jsonl.zst" if compressed else ".jsonl"


def _check_one_schema(plan: Plan, sources: Sequence[Source]) -> None:
    from cleaner.io.writers import parquet_schema

    text_field = plan.config.read.text_field
    first = parquet_schema(sources[0].path, text_field)
    for source in sources[1:]:
        if not parquet_schema(source.path, text_field).equals(first):
            raise ConfigError(
                f"--parts writes one Parquet schema, but {source.display} has columns or types other than "
                f"{sources[0].display}: clean them in separate runs, or without --parts (one output per input)"
            )


# ---------------------------------------------------------------------------------------------------------------
# On a worker.


class _PartWriter:
    """Cleaned records into one open part file: JSON Lines (a zstd frame per chunk when compressed) or Parquet."""

    def __init__(self, handle: IO[bytes], suffix: str, schema_source: str | None, text_field: str) -> None:
        self.handle = handle
        self.suffix = suffix
        self.parquet: Any = None
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            from cleaner.io.writers import parquet_schema

            self.schema = parquet_schema(Path(schema_source) if schema_source else None, text_field)
            self.parquet = pq.ParquetWriter(handle, self.schema)

    def add(self, payloads: list[Any]) -> None:
        if self.parquet is not None:
            if payloads:
                import pyarrow as pa

                self.parquet.write_table(pa.Table.from_pylist(payloads, schema=self.schema))
            return
        data = b"".join(payloads)
        if data:
            from cleaner.io.writers import compress_chunk

            self.handle.write(compress_chunk(data, Path(self.suffix)))

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
            self.parquet = None


def write_parts(job: PartsJob) -> dict[str, Any]:
    """Clean one partition into its part files; returns what the manifest says of it. A failure is a
    `PartitionFailed` naming the partition; a bad document is a reject, as in a local run."""
    with parts.failing_as(job.job.label):
        return _write_parts(job)


def _write_parts(job: PartsJob) -> dict[str, Any]:
    import orjson

    from cleaner.batch.workers import Cleaned, process_items

    work = job.job
    index = work.partition.index
    cleaner = parts._cleaner(work)
    fmt = "parquet" if job.suffix == ".parquet" else "jsonl"
    out = parts.Storage(job.output)
    ledger = parts.Storage(job.ledger) if job.ledger else None
    summary = Summary()
    with contextlib.ExitStack() as files:
        writer = _PartWriter(
            files.enter_context(out.writing(part_name(index, job.suffix))),
            job.suffix,
            job.schema_source,
            work.read.text_field,
        )
        files.callback(writer.close)  # on a failure too: an unclosed ParquetWriter complains when collected
        ledger_file = files.enter_context(ledger.writing(part_name(index, ".jsonl"))) if ledger else None
        rejects_file: IO[bytes] | None = None  # opened on the first reject: most partitions have none
        for piece, source in zip(work.partition.pieces, work.sources, strict=True):
            for chunk in parts._chunks(parts.read_piece(source, piece, work.read)):
                payloads = []
                for result in process_items(cleaner, chunk, fmt, work.read, ledger is not None):
                    summary.docs_in += 1
                    if isinstance(result, Cleaned):
                        summary.add(result)
                        payloads.append(result.payload)
                        if ledger_file is not None:
                            ledger_file.write(result.ledger_line)
                    else:
                        summary.rejected += 1
                        if rejects_file is None:
                            rejects_file = files.enter_context(out.writing(rejects_name(index)))
                        rejects_file.write(result.line)
                writer.add(payloads)
    if not summary.rejected:
        out.remove(rejects_name(index))  # an earlier attempt's, if any
    entry = {
        "index": index,
        "file": part_name(index, job.suffix),
        "ledger": part_name(index, ".jsonl") if ledger else None,
        "rejects": rejects_name(index) if summary.rejected else None,
        "inputs": [
            _piece_json(piece, source) for piece, source in zip(work.partition.pieces, work.sources, strict=True)
        ],
        "documents": summary.docs_out,
        "rejected": summary.rejected,
        "chars_in": summary.chars_in,
        "chars_out": summary.chars_out,
        "summary": summary.to_json(),
    }
    entry["sizes"] = _sizes(entry, out.size, ledger.size if ledger else None)
    marker = {**entry, "fingerprint": job.fingerprint}
    parts.Storage(f"{job.output}/{STATE_DIR}").write_bytes(_marker_name(index), orjson.dumps(marker))
    return entry


Size = Callable[[str], "int | None"]  # a file's size in a directory, None when it is not there


def _sizes(entry: dict[str, Any], out: Size, ledger: Size | None) -> dict[str, int | None]:
    """The sizes of a part's files (part, ledger part, rejects part) as they are now: what the worker wrote, and
    what the driver compares before it lists the part, so that a part overwritten since (by a task of an earlier,
    killed run that finished late) is cleaned again rather than listed."""
    where = {"file": out, "ledger": ledger, "rejects": out}
    return {role: size(entry[role]) if entry[role] and size is not None else None for role, size in where.items()}


def _piece_json(piece: parts.Piece, source: Source) -> dict[str, Any]:
    where: dict[str, Any] = {"input": source.display}
    if piece.start is not None:
        where.update(bytes=[piece.start, piece.end], first_line=piece.first_line)
    return where


# ---------------------------------------------------------------------------------------------------------------
# On the driver.


def run_parts(plan: Plan, note: Any) -> Summary:
    """The run: partitions planned (or an unfinished run's plan taken up with --resume), cleaned by the workers
    into OUT at most `2 x workers` at a time, then the manifest. Nothing is deleted or written before the cluster
    is reached."""
    import orjson

    from cleaner.batch import state as run_state
    from cleaner.batch.distributed import _connect, plan_on_cluster
    from cleaner.batch.lock import locked
    from cleaner.io.sources import iter_sources

    config = plan.config
    assert plan.output is not None
    output = plan.output.absolute()
    ledger_dir = plan.ledger.absolute() if plan.ledger is not None else None
    sources = list(iter_sources(config.inputs))
    suffix = parts_suffix(plan, sources)
    fingerprint = run_state.fingerprint(plan)
    out = parts.Storage(str(output))
    state = parts.Storage(str(output / STATE_DIR))
    started = time.perf_counter()
    with locked([output] + ([ledger_dir] if ledger_dir is not None else [])):
        decision, planned = _decide(plan, out, state, fingerprint)
        if decision == "finished":
            note(f"{plan.output} holds this run, finished ({MANIFEST}); nothing to do")
            return _summary_of(orjson.loads((output / MANIFEST).read_bytes())["summary"], plan, started, fresh=[])
        try:
            cluster = _connect(config, note)
        except KeyboardInterrupt:
            raise RunCancelled("interrupted (Ctrl-C) while reaching the Dask cluster; nothing was written") from None
        workers = cluster.workers()
        try:
            if decision == "restart":
                _discard(plan, out, state)
            _remove_temporaries(plan)
            if planned is None:
                state.clear()  # markers of a run that never wrote its plan: not this run's
                out.make()
                state.make()
                if ledger_dir is not None:
                    parts.Storage(str(ledger_dir)).make()
                _, planned = plan_on_cluster(sources, cluster, config.partition_bytes)
                record = {"fingerprint": fingerprint, "partitions": [p.to_json() for p in planned]}
                state.write_bytes("plan.json", orjson.dumps(record))
            entries, fresh = _clean_all(plan, sources, planned, cluster, state, suffix, fingerprint, note)
        except KeyboardInterrupt:
            raise RunCancelled(
                f"interrupted (Ctrl-C): the finished parts in {plan.output} are kept; run the same command with "
                "--resume to continue, or with --restart to start over"
            ) from None
        finally:
            cluster.close()
        manifest = _manifest(plan, entries, suffix, fingerprint)
        out.write_bytes(MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
        state.clear()
    summary = _summary_of(manifest["summary"], plan, started, [entries[i] for i in fresh])
    summary.jobs = workers
    return summary


def _decide(plan: Plan, out: Any, state: Any, fingerprint: str) -> tuple[str, list[parts.Partition] | None]:
    """What to do with OUT: "new" (empty), "resume" (this run, unfinished: its partitions), "finished" (this run,
    done: --resume has nothing to do) or "restart" (--restart: discard what this tool wrote, once the cluster is
    reached). Anything else is refused before a file is touched: a part left there would mix with this run's."""
    import orjson

    config = plan.config
    found = [name for name in out.names() if name != STATE_DIR and not _temporary(name)]
    previous = state.read_bytes("plan.json")
    if config.restart:
        foreign = sorted(name for name in found if not _OURS.fullmatch(name))
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise ConfigError(
                f"--restart: -o {plan.output} holds files this tool did not write ({shown}): choose an empty -o DIR"
            )
        return "restart", None
    if config.resume and previous is not None:
        data = orjson.loads(previous)
        if data.get("fingerprint") != fingerprint:
            raise ConfigError(
                f"--resume: the unfinished run in {plan.output} had other inputs, options, rules or code; "
                "run with --restart to start over"
            )
        return "resume", [parts.Partition.from_json(p) for p in data["partitions"]]
    if config.resume and MANIFEST in found:
        try:
            finished = orjson.loads(out.read_bytes(MANIFEST) or b"").get("fingerprint")
        except (orjson.JSONDecodeError, AttributeError):
            finished = None
        if finished != fingerprint:
            raise ConfigError(
                f"--resume: {plan.output} holds a finished run with other inputs, options, rules or code; run with "
                "--restart to redo it, or choose another -o DIR"
            )
        return "finished", None
    if found or previous is not None:
        what = "an unfinished --parts run" if previous is not None else "files"
        raise ConfigError(
            f"-o {plan.output} holds {what}: --parts writes into an empty directory; run with --resume to "
            "continue an unfinished run, --restart to discard it, or choose another -o DIR"
        )
    ledger_parts = _ledger_parts(plan)
    if ledger_parts:
        raise ConfigError(
            f"--ledger {plan.ledger} holds ledger parts of another run ({ledger_parts[0]}, ...): they would mix with "
            "this run's; choose another --ledger DIR, or --restart to discard them"
        )
    return "new", None


def _temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def _ledger_parts(plan: Plan) -> list[str]:
    if plan.ledger is None:
        return []
    names = parts.Storage(str(plan.ledger.absolute())).names()
    return sorted(name for name in names if _LEDGER_PART.fullmatch(name))


def _discard(plan: Plan, out: Any, state: Any) -> None:
    """--restart: remove what a run of this tool wrote into OUT (parts, rejects, manifest, markers), nothing else."""
    for name in out.names():
        if _OURS.fullmatch(name):
            out.remove(name)
    if plan.ledger is not None:
        ledger = parts.Storage(str(plan.ledger.absolute()))
        for name in _ledger_parts(plan):
            ledger.remove(name)
    state.clear()


def _remove_temporaries(plan: Plan) -> None:
    """Files a worker killed mid-part left (hidden, so no reader of OUT saw them)."""
    for directory in (plan.output, plan.ledger):
        if directory is not None:
            storage = parts.Storage(str(directory.absolute()))
            for name in storage.names():
                if _temporary(name) and name.startswith(".part-"):
                    storage.remove(name)


def _clean_all(
    plan: Plan,
    sources: list[Source],
    planned: list[parts.Partition],
    cluster: Any,
    state: Any,
    suffix: str,
    fingerprint: str,
    note: Any,
) -> tuple[list[dict[str, Any]], list[int]]:
    """Every partition's manifest entry, in order (those finished by this run, with their files in place, from
    their markers), and the indices this run cleaned. A part whose files are not as its worker left them (a task
    of an earlier, killed run that finished late overwrote it) is cleaned again, once, before it is listed."""
    import dataclasses

    import orjson

    from cleaner.batch.distributed import JobFactory

    output = str(Path(plan.output or ".").absolute())
    ledger = str(plan.ledger.absolute()) if plan.ledger is not None else None

    def intact(entry: dict[str, Any], out_sizes: dict[str, int], ledger_sizes: dict[str, int]) -> bool:
        return entry.get("sizes") == _sizes(entry, out_sizes.get, ledger_sizes.get if ledger else None)

    def listings() -> tuple[dict[str, int], dict[str, int]]:
        return parts.Storage(output).sizes(), parts.Storage(ledger).sizes() if ledger else {}

    done: dict[int, dict[str, Any]] = {}
    names = set(state.names())
    out_sizes, ledger_sizes = listings()
    for partition in planned:
        if _marker_name(partition.index) not in names:
            continue
        with contextlib.suppress(orjson.JSONDecodeError, TypeError, AttributeError, KeyError):
            entry = orjson.loads(state.read_bytes(_marker_name(partition.index)) or b"")
            if entry.pop("fingerprint", None) == fingerprint and intact(entry, out_sizes, ledger_sizes):
                done[partition.index] = entry
    jobs = JobFactory(plan, sources, len(planned), output)
    schema_source = next((str(s.path) for s in sources if s.path is not None and s.error is None), None)
    window = 2 * cluster.workers()

    def clean(todo: list[parts.Partition]) -> None:
        queue = iter(todo)
        futures: dict[int, Any] = {}

        def top_up() -> None:
            while len(futures) < window:
                partition = next(queue, None)
                if partition is None:
                    return
                work = dataclasses.replace(jobs(partition), formats=())
                futures[partition.index] = cluster.submit(
                    write_parts, PartsJob(work, output, ledger, suffix, schema_source, fingerprint)
                )

        top_up()
        for partition in todo:
            done[partition.index] = cluster.result(futures.pop(partition.index), jobs.label(partition))
            top_up()

    todo = [p for p in planned if p.index not in done]
    clean(todo)
    for attempt in range(2):
        out_sizes, ledger_sizes = listings()
        changed = [p for p in planned if not intact(done[p.index], out_sizes, ledger_sizes)]
        if not changed:
            break
        shown = ", ".join(done[p.index]["file"] for p in changed[:3]) + (", ..." if len(changed) > 3 else "")
        if attempt:
            raise RunInterrupted(
                f"{shown} changed again after this run wrote them: another writer (a task of an earlier, killed "
                f"run?) is still writing into {plan.output}; once it is done, run the same command with --resume"
            )
        note(f"{shown} changed after this run wrote them (a task of an earlier run finishing late?): cleaning again")
        clean(changed)
        todo.extend(p for p in changed if p not in todo)
    return [done[p.index] for p in planned], sorted({p.index for p in todo})


def _manifest(plan: Plan, entries: list[dict[str, Any]], suffix: str, fingerprint: str) -> dict[str, Any]:
    from cleaner import __version__

    total = Summary()
    for entry in entries:
        total.merge(Summary.from_json(entry["summary"]))
    return {
        "newsclean": __version__,
        "format": "parquet" if suffix == ".parquet" else "jsonl",
        "ledger": str(plan.ledger) if plan.ledger is not None else None,
        "parts": [{k: v for k, v in entry.items() if k != "summary"} for entry in entries],
        "documents": total.docs_out,
        "rejected": total.rejected,
        "chars_in": total.chars_in,
        "chars_out": total.chars_out,
        "summary": total.to_json(),
        "fingerprint": fingerprint,  # what a --resume compares: the same inputs, options, rules and code
    }


def _summary_of(total: dict[str, Any], plan: Plan, started: float, fresh: list[dict[str, Any]]) -> Summary:
    """The run's summary from the manifest's totals; its rate counts only the partitions this run cleaned."""
    summary = Summary.from_json(total)
    this_run = Summary()
    for entry in fresh:
        this_run.merge(Summary.from_json(entry["summary"]))
    summary.docs_this_run, summary.bytes_this_run = this_run.docs_in, this_run.bytes_in
    summary.seconds = time.perf_counter() - started
    summary.rejects_file = f"{plan.output}/_rejects-*.jsonl"
    return summary
