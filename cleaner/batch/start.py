"""The entry point of corpus runs: check the options, build the cleaner once, and run on the chosen engine (this
process and its workers, `cleaner.batch.run`, or a Dask cluster, `cleaner.batch.distributed`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from cleaner.batch.config import BatchConfig
from cleaner.batch.distributed import check_engine, run_distributed
from cleaner.batch.plan import plan_run
from cleaner.batch.run import run_local
from cleaner.batch.summary import Summary
from cleaner.errors import print_note


def run_batch(config: BatchConfig, note: Any = None) -> Summary:
    """Clean a corpus as configured; returns the summary. Raises ConfigError/InputError before writing."""
    from cleaner.corpus.engines import capped_jobs
    from cleaner.pipeline import Cleaner

    note = note or print_note
    plan = plan_run(config)
    check_engine(config)
    # After the checks: a refused run says nothing about its workers.
    config = plan.config = dataclasses.replace(config, jobs=capped_jobs(config.jobs, note))
    # Validates the rules up front, before the lock creates anything.
    cleaner = Cleaner(rules=plan.rule_dirs, **config.cleaner_options())  # type: ignore[arg-type]
    if config.parts:  # plan_run checked that the engine is dask
        from cleaner.batch.part_files import run_parts

        return run_parts(plan, note)
    if config.engine != "local":
        return run_distributed(plan, cleaner, note)
    return run_local(plan, cleaner, note)
