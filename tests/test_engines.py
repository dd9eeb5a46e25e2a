"""The same corpus jobs on every engine give identical results: in process, local worker processes, Dask."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cleaner.corpus.dedup import DedupOptions, find_duplicates
from cleaner.corpus.engines import DaskEngine, LocalEngine, make_engine
from cleaner.corpus.learn import LearnOptions, learn
from cleaner.errors import ConfigError
from tests.test_dedup import _docs, planted_corpus
from tests.test_learn_corpus import flat_site, structured_site


def _dedup(engine: object) -> list[dict[str, object]]:
    return list(find_duplicates(_docs(planted_corpus()), DedupOptions(partition_docs=2), engine).cluster_records())


def _learn(engine: object) -> list[str]:
    docs = structured_site() + flat_site()
    return [s.text for s in learn(docs, LearnOptions(partition_docs=5), engine=engine).sites]


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    pytest.importorskip("distributed")
    engine = DaskEngine(workers=2, processes=False)
    yield engine
    engine.close()


def test_dask_local_cluster_matches_in_process(dask_engine: DaskEngine) -> None:
    assert _dedup(dask_engine) == _dedup(None)
    assert _learn(dask_engine) == _learn(None)


def test_local_worker_processes_match_in_process() -> None:
    with LocalEngine(jobs=2) as engine:
        assert _dedup(engine) == _dedup(None)
        assert _learn(engine) == _learn(None)


def test_jobs_beyond_four_per_cpu_are_capped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cleaner.corpus.engines.usable_cpus", lambda: 2)
    notes: list[str] = []
    with make_engine("local", jobs=100_000, note=notes.append) as engine:
        assert isinstance(engine, LocalEngine) and engine.jobs == 8
    assert notes == ["--jobs 100000 is more than 4 per CPU (2 here): running 8 workers"]
    with make_engine("local", jobs=3, note=notes.append) as engine:
        assert isinstance(engine, LocalEngine) and engine.jobs == 3
    assert len(notes) == 1


def test_engine_choice_errors() -> None:
    with pytest.raises(ConfigError, match="local, dask"):
        make_engine("spark")
    with pytest.raises(ConfigError, match="--engine dask"):
        make_engine("local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        DaskEngine("tcp://127.0.0.1:1", connect_timeout="1s")
