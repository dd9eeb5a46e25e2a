"""Corpus runs (`newsclean clean`): planned and checked before any work, cleaned in worker processes, written
through one sink per source, committed so that kill -9 and `--resume` give byte-identical outputs.

Modules: `config` (the options), `plan` (every check before work, output locations), `state` (fingerprint and
resume), `sinks` (stdout, part files through the format registry's writers, text trees), `workers` (cleaning and
the pool), `run` (the run itself), `summary` (the counts and the progress display).
"""

from __future__ import annotations

from cleaner.batch.config import BatchConfig
from cleaner.batch.plan import STATE_SUFFIX, Plan, plan_run
from cleaner.batch.start import run_batch
from cleaner.batch.summary import Summary
from cleaner.batch.workers import process_items
from cleaner.io.writers import part_path

__all__ = ["STATE_SUFFIX", "BatchConfig", "Plan", "Summary", "part_path", "plan_run", "process_items", "run_batch"]
