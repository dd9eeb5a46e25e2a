"""`clean --engine dask`: partitions (`cleaner.batch.partitions`) cleaned on a Dask cluster into shared storage,
then replayed in input order through the local `Run`, so outputs, ledger and resume state are the local run's."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaner.batch import workers
from cleaner.batch.config import BatchConfig
from cleaner.batch.lock import locked
from cleaner.batch.plan import Plan
from cleaner.batch.run import Run, _interruption, _run, _write_report
from cleaner.batch.sinks import Completed
from cleaner.batch.summary import Summary
from cleaner.errors import RunInterrupted


class _DistributedRun(Run):
    """A `Run` that remembers its last committed position, so that partition results it covers can be deleted."""

    def __init__(self, plan: Plan, note: Any) -> None:
        super().__init__(plan, note)
        self.committed: tuple[int, int] = self.position

    def commit(self, position: tuple[int, int], done: Completed | None = None, final: bool = False) -> None:
        super().commit(position, done, final)
        self.committed = position


def check_engine(config: BatchConfig) -> None:
    from cleaner.corpus.engines import ENGINES
    from cleaner.errors import ConfigError

    if config.engine not in ENGINES:
        raise ConfigError(f"unknown engine {config.engine!r}; choose one of: {', '.join(ENGINES)}")
    if config.engine == "local" and config.scheduler:
        raise ConfigError(f"--scheduler {config.scheduler!r} needs --engine dask (the local engine has no server)")
    if config.engine == "local" and config.storage:
        raise ConfigError("--storage is where Dask workers put partitions: it needs --engine dask")


def _check_distributed(plan: Plan) -> None:
    """What a distributed run cannot do, refused before anything starts (exit 2)."""
    from cleaner.errors import ConfigError
    from cleaner.io.sources import STDIN

    config = plan.config
    if plan.output is None:
        raise ConfigError("--engine dask needs -o OUT: workers write partitions that are stitched into OUT")
    if STDIN in config.inputs:
        raise ConfigError("--engine dask cannot read stdin (-): workers read the inputs themselves; pass files")


def _storage_location(plan: Plan) -> str:
    assert plan.output is not None
    if plan.config.storage:
        return plan.config.storage
    return str(plan.output.absolute()) + ".newsclean-dask"


def run_distributed(plan: Plan, cleaner: Any, note: Any) -> Summary:
    """`run_batch` on Dask: the same lock, resume state and replay as a local run; the cleaning in partitions."""
    from cleaner.batch.partitions import Storage

    config = plan.config
    _check_distributed(plan)
    storage = Storage(_storage_location(plan))
    with locked([path for path in (plan.output, plan.ledger, plan.rejects) if path is not None]):
        run = _DistributedRun(plan, note)
        engine = None
        try:
            if run.finished:
                events: Iterator[workers.Event] = iter(())
            else:
                engine = _connect(config, note)
                run.summary.jobs = engine.workers()
                events = _Distributed(run, engine, storage).events()
            summary = _run(run, events)
        except KeyboardInterrupt:
            raise run.cancelled() from None
        except Exception as error:
            interrupted = _interruption(error, plan, None)
            if interrupted is None:
                raise
            raise interrupted from None
        finally:
            if engine is not None:
                engine.close()
    storage.clear()
    _write_report(plan)
    return summary


class _Cluster:
    """The Dask client (and LocalCluster) of a run, and the checks made while waiting on it."""

    def __init__(self, engine: Any, timeout: float) -> None:
        self.engine = engine
        self.client = engine.client
        self.no_workers_timeout = timeout

    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, func: Any, *args: Any) -> Any:
        return self.client.submit(func, *args, pure=False)

    def result(self, future: Any, what: str) -> Any:
        """A task's result; a cluster that loses its workers or its scheduler, or a task that fails, ends the run
        with `RunInterrupted` (one line, exit 3) instead of a traceback or a wait without end."""
        from distributed import wait

        from cleaner.batch.partitions import PartitionFailed

        alone_since: float | None = None
        while True:
            try:
                wait([future], timeout=1.0)
                break
            except TimeoutError:
                pass
            except Exception as error:  # the connection to the scheduler broke
                raise _lost_scheduler(error) from None
            if self.client.status not in ("running", "connecting"):
                raise _lost_scheduler(None)
            try:
                alive = bool(self.client.nthreads())
            except Exception as error:
                raise _lost_scheduler(error) from None
            if alive:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > self.no_workers_timeout:
                raise RunInterrupted(
                    f"the Dask cluster has had no workers for {self.no_workers_timeout:.0f} s while {what} waited, "
                    f"so the run stopped. {_KEPT}"
                )
        try:
            return future.result()
        except PartitionFailed as error:
            raise RunInterrupted(f"{error}; so the run stopped. {_KEPT}") from None
        except Exception as error:
            if type(error).__name__ == "KilledWorker":
                raise RunInterrupted(
                    f"Dask workers died while cleaning {what} (each try killed its worker: out of memory, or a crash "
                    f"in native code?), so the run stopped. {_KEPT}"
                ) from None
            if type(error).__name__ in ("CancelledError", "CommClosedError", "FutureCancelledError"):
                raise _lost_scheduler(error) from None
            failed = f"{what} failed on a Dask worker ({_one_line(error)}), so the run stopped"
            raise RunInterrupted(f"{failed}. {_KEPT}") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.engine.close()


_KEPT = "What it committed is kept: fix the cause, then run the same command with --resume to continue"


def _one_line(error: BaseException | None) -> str:
    if error is None:
        return "disconnected"
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}" if type(error).__name__ not in text else text


def _lost_scheduler(error: BaseException | None) -> RunInterrupted:
    lost = f"lost the connection to the Dask scheduler ({_one_line(error)}), so the run stopped"
    return RunInterrupted(f"{lost}. {_KEPT}")


def _connect(config: BatchConfig, note: Any) -> _Cluster:
    """The Dask cluster: `--scheduler`, or a LocalCluster of `--jobs` single-threaded workers. One that cannot be
    reached is an interrupted run (exit 3): the same command works once the scheduler is up."""
    from cleaner.corpus.engines import DaskEngine
    from cleaner.errors import ConfigError

    if config.scheduler is None and config.jobs < 1:  # pragma: no cover - plan_run refuses it
        raise ConfigError("--jobs must be at least 1")
    try:
        engine = DaskEngine(
            config.scheduler,
            workers=config.jobs,
            processes=config.dask_processes,
            connect_timeout=f"{config.connect_timeout}s",
            quiet=True,
        )
    except ConfigError as error:
        if config.scheduler is None or "install" in str(error):
            raise
        raise RunInterrupted(f"{error}. Nothing was cleaned; what earlier runs committed is kept") from None
    except (OSError, TimeoutError) as error:
        raise RunInterrupted(f"cannot start a Dask LocalCluster ({_one_line(error)})") from None
    return _Cluster(engine, config.no_workers_timeout)


def plan_on_cluster(sources: list[Any], cluster: _Cluster, asked: int | None) -> tuple[int, list[Any]]:
    """The partitions of `sources` and their byte budget, with the line numbers of byte ranges counted on the
    workers (the driver reads none of the inputs)."""
    from cleaner.batch import partitions as parts

    budget = parts.partition_bytes(sources, cluster.workers(), asked)
    planned = parts.plan_partitions(sources, budget)
    ranged = [p for p in planned if p.pieces[0].start is not None]
    futures = []
    for partition in ranged:
        piece = partition.pieces[0]
        path = str(parts.absolute(sources[piece.source_index]).path)
        futures.append(cluster.submit(parts.count_line_starts, path, piece.start, piece.end))
    counts = {
        p.index: cluster.result(future, f"counting the lines of {p.describe(sources)}")
        for p, future in zip(ranged, futures, strict=True)
    }
    return budget, parts.number_lines(planned, counts)


class JobFactory:
    """The `PartitionJob` of each partition of a run: what a worker needs, with paths it can open and the digest
    of the rule files (taken once) that its own copy must match."""

    def __init__(self, plan: Plan, sources: list[Any], partitions: int, storage: str) -> None:
        from cleaner.batch import partitions as parts
        from cleaner.rules.load import bundled_rules_dir

        bundled = str(bundled_rules_dir())
        self.plan = plan
        self.sources = sources
        self.partitions = partitions
        self.storage = storage
        self.rule_dirs = tuple(parts.BUNDLED if d == bundled else str(Path(d).absolute()) for d in plan.rule_dirs)
        self.digest = parts.rules_digest(self.rule_dirs)

    def label(self, partition: Any) -> str:
        return f"partition {partition.index + 1} of {self.partitions} ({partition.describe(self.sources)})"

    def __call__(self, partition: Any) -> Any:
        from cleaner.batch import partitions as parts

        plan = self.plan
        sources = tuple(parts.absolute(self.sources[p.source_index]) for p in partition.pieces)
        return parts.PartitionJob(
            partition=partition,
            sources=sources,
            formats=tuple(plan.out_kind(s) or "txt" for s in sources),
            read=dataclasses.replace(plan.config.read, defer_json=False),
            ledger=plan.ledger is not None,
            rule_dirs=self.rule_dirs,
            options=tuple(sorted(plan.config.cleaner_options().items())),
            storage=self.storage,
            rules_digest=self.digest,
            label=self.label(partition),
        )


class _Distributed:
    """Partitions planned (or taken from an interrupted run's manifest), cleaned on the cluster at most
    `2 x workers` ahead of the writer, and replayed as the events of a local run, in input order."""

    def __init__(self, run: _DistributedRun, cluster: _Cluster, storage: Any) -> None:
        from cleaner.io.sources import iter_sources

        self.run = run
        self.plan = run.plan
        self.cluster = cluster
        self.storage = storage
        self.sources = list(iter_sources(self.plan.config.inputs))
        self.partitions = self._partitions()
        location = storage.location if "://" in storage.location else storage.root
        self.jobs = JobFactory(self.plan, self.sources, len(self.partitions), location)

    # -- planning ---------------------------------------------------------------------------------------------
    def _partitions(self) -> list[Any]:
        """This run's partitions: an interrupted run's (with the same fingerprint) when resuming, so its finished
        partitions are used as they are; else new ones, their line numbers counted on the workers."""
        import orjson

        from cleaner.batch import partitions as parts

        manifest = self.storage.read_bytes("manifest.json") if self.run.state else None
        if manifest is not None:
            try:
                data = orjson.loads(manifest)
                if data.get("fingerprint") == self.run.fingerprint:
                    return [parts.Partition.from_json(p) for p in data["partitions"]]
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                pass
        self.storage.clear()  # left by a run that cannot be resumed into these outputs
        self.storage.make()
        budget, planned = plan_on_cluster(self.sources, self.cluster, self.plan.config.partition_bytes)
        record = {"fingerprint": self.run.fingerprint, "budget": budget, "partitions": [p.to_json() for p in planned]}
        self.storage.write_bytes("manifest.json", orjson.dumps(record))
        return planned

    # -- the run ----------------------------------------------------------------------------------------------
    def events(self) -> Iterator[workers.Event]:
        """Opened, Results and Closed in input order, from the resume position on."""
        from cleaner.batch import partitions as parts

        first_source, first_item = self.run.position
        counts, todo = self._todo(first_source, first_item)
        window = 2 * self.cluster.workers()
        futures: dict[int, Any] = {}
        queue = iter(todo)
        todo_indices = {p.index for p in todo}

        def top_up() -> None:
            while len(futures) < window:
                partition = next(queue, None)
                if partition is None:
                    return
                futures[partition.index] = self.cluster.submit(parts.clean_partition, self.jobs(partition))

        base: dict[int, int] = {}  # source index -> items in its pieces so far
        consumed: list[tuple[int, tuple[int, int]]] = []  # (partition, position past its last item)
        top_up()
        for partition in self.partitions:
            if partition.pieces[-1].source_index < first_source:
                continue
            if partition.index in todo_indices:
                counts[partition.index] = self.cluster.result(futures.pop(partition.index), self.jobs.label(partition))
                top_up()
            piece_counts = counts[partition.index]
            starts = [base.get(p.source_index, 0) for p in partition.pieces]
            for piece, start, n in zip(partition.pieces, starts, piece_counts, strict=True):
                base[piece.source_index] = start + n
            wanted = [
                (piece.source_index, start + n) > (first_source, first_item)
                and piece.source_index >= first_source
                for piece, start, n in zip(partition.pieces, starts, piece_counts, strict=True)
            ]
            results = parts.read_results(self.storage, partition.index) if any(wanted) else iter(())
            chunk = next(results, None)
            for number, (piece, start) in enumerate(zip(partition.pieces, starts, strict=True)):
                index = piece.source_index
                if index < first_source:
                    while chunk is not None and chunk[0] == number:
                        chunk = next(results, None)
                    continue
                if piece.first:
                    yield workers.Opened(index, self.sources[index])
                k = start
                while chunk is not None and chunk[0] == number:
                    where, kept = [], []
                    for result in chunk[1]:
                        if (index, k) >= (first_source, first_item):
                            where.append((index, k))
                            kept.append(result)
                        k += 1
                    if kept:
                        yield workers.Results(where, kept)
                    chunk = next(results, None)
                if piece.last:
                    yield workers.Closed(index)
            last = partition.pieces[-1]
            consumed.append((partition.index, (last.source_index, base[last.source_index])))
            self._forget(consumed)

    def _todo(self, first_source: int, first_item: int) -> tuple[dict[int, list[int]], list[Any]]:
        """The item counts of the partitions an interrupted run finished (their `.done.json` markers), and the
        partitions to clean: those not finished, and finished ones with items after the resume position whose
        results are gone."""
        import orjson

        from cleaner.batch import partitions as parts

        names = set(self.storage.names())
        counts: dict[int, list[int]] = {}
        for partition in self.partitions:
            if parts.done_name(partition.index) in names:
                with contextlib.suppress(KeyError, TypeError, ValueError, orjson.JSONDecodeError):
                    data = self.storage.read_bytes(parts.done_name(partition.index))
                    counts[partition.index] = [int(n) for n in orjson.loads(data or b"")["counts"]]
        todo = []
        base: dict[int, int] = {}
        unknown: set[int] = set()  # sources with a piece of unknown count: later pieces' positions are unknown
        for partition in self.partitions:
            if partition.pieces[-1].source_index < first_source:
                continue
            found = counts.get(partition.index)
            if found is None or len(found) != len(partition.pieces):
                counts.pop(partition.index, None)
                todo.append(partition)
                unknown.update(p.source_index for p in partition.pieces)
                continue
            wanted = False
            for piece, n in zip(partition.pieces, found, strict=True):
                index = piece.source_index
                start = base.get(index, 0)
                base[index] = start + n
                wanted = wanted or index in unknown or (index, start + n) > (first_source, first_item)
            if wanted and parts.results_name(partition.index) not in names:
                todo.append(partition)
        return counts, todo

    def _forget(self, consumed: list[tuple[int, tuple[int, int]]]) -> None:
        """Delete the results of partitions a commit covers: storage stays within the partitions in flight."""
        from cleaner.batch import partitions as parts

        while consumed and consumed[0][1] <= self.run.committed:
            self.storage.remove(parts.results_name(consumed.pop(0)[0]))

