"""Where corpus-level work runs: in this process, in local worker processes, or on a Dask cluster.

Corpus jobs split the corpus into partitions and map one pure function over them; everything after that
(candidates, verification, union-find) runs on the driver with the same code for every engine. Results are
returned in partition order, so the engine never changes the output, only the wall time.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from cleaner.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "dask")

# Cleaning is CPU-bound: processes beyond the CPUs only add start-up time and memory. A few per CPU are allowed
# (slow disks, worker paths tested on a one-CPU machine); a mistyped `--jobs 100000` would start 100,000 processes.
MAX_JOBS_PER_CPU = 4


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, which containers and `taskset` narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1


def capped_jobs(jobs: int, note: Callable[[str], None] | None = None) -> int:
    """`jobs`, or `MAX_JOBS_PER_CPU` per usable CPU when it asks for more (said through `note`)."""
    cpus = usable_cpus()
    limit = MAX_JOBS_PER_CPU * cpus
    if jobs <= limit:
        return jobs
    if note is not None:
        note(f"--jobs {jobs} is more than {MAX_JOBS_PER_CPU} per CPU ({cpus} here): running {limit} workers")
    return limit


class Engine(Protocol):
    """Maps a picklable function over partitions, yielding results in input order."""

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalEngine:
    """`jobs=1` runs in this process (no pickling); more jobs use a process pool, as `newsclean clean` does."""

    def __init__(self, jobs: int | None = None, note: Callable[[str], None] | None = None) -> None:
        self.jobs = max(1, capped_jobs(jobs, note) if jobs is not None else usable_cpus())
        self._pool: Any = None

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        if self.jobs == 1:
            yield from map(func, items)
            return
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        yield from _ordered(lambda item: self._pool.submit(func, item), items, window=2 * self.jobs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskEngine:
    """dask.distributed: an existing cluster at `scheduler`, or a LocalCluster started (and stopped) here."""

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        processes: bool = True,
        connect_timeout: str = "20s",
        note: Callable[[str], None] | None = None,
        quiet: bool = False,
    ) -> None:
        """`quiet`: the LocalCluster logs only errors (a restarted worker is reported by the caller, in one line)."""
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the installation
            raise ConfigError(
                "--engine dask needs dask.distributed; install it with: pip install 'newsclean[dask]'"
            ) from None
        self._cluster: Any = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=connect_timeout)
            except (OSError, ValueError) as error:  # ValueError: an address it cannot parse
                raise ConfigError(
                    f"cannot reach the Dask scheduler at {scheduler!r}: {error}; start one with "
                    "`dask scheduler` (it prints its address, e.g. tcp://10.0.0.5:8786) or drop --scheduler "
                    "to run on a local cluster"
                ) from None
        else:
            n = max(1, capped_jobs(workers, note) if workers is not None else min(4, usable_cpus()))
            import logging

            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                silence_logs=logging.CRITICAL if quiet else logging.WARN,
            )
            self.client = Client(self._cluster)
        self.window = 2 * max(1, sum(self.client.nthreads().values()))

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        yield from _ordered(lambda item: self.client.submit(func, item, pure=False), items, window=self.window)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ordered(submit: Callable[[Any], Any], items: Iterable[Any], window: int) -> Iterator[Any]:
    """Submit lazily with at most `window` partitions in flight, yield results in submission order.

    Bounding the window keeps memory flat on corpora larger than RAM; order keeps results deterministic.
    """
    pending: deque[Any] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def make_engine(
    engine: str = "local",
    *,
    scheduler: str | None = None,
    jobs: int | None = None,
    note: Callable[[str], None] | None = None,
) -> LocalEngine | DaskEngine:
    """The engine named on the command line; `--scheduler` only makes sense with `--engine dask`. `note` hears
    about a `jobs` capped to the CPUs."""
    if engine == "local":
        if scheduler:
            raise ConfigError(f"--scheduler {scheduler!r} needs --engine dask (the local engine has no server)")
        return LocalEngine(jobs, note)
    if engine == "dask":
        return DaskEngine(scheduler, workers=jobs, note=note)
    raise ConfigError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
