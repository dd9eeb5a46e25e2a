"""Corpus runs: read every input in order, clean in worker processes, write mirrored outputs, a ledger and a
rejects file, and survive kill -9.

Design, in short:
- Reading and writing happen in the main process, cleaning in `jobs` workers (forked with the loaded cleaner;
  JSON Lines lines reach them unparsed, since the main process is what every worker waits on). Work goes out in
  tasks of 256 documents and comes back in submission order through a bounded window, so memory stays flat and
  output order never depends on the number of workers.
- Outputs are append-only part files next to their final names. Every `commit_every` input items (and at the
  end of each file) the parts are flushed and fsync'ed and a state file records their lengths and the input
  position. `--resume` truncates the parts back to the recorded lengths and continues from that position;
  commit points depend only on the input, so a resumed run is byte-identical to an uninterrupted one.
- A part is renamed to its final name only when it is complete, so a final name never holds half a file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
import shutil
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.errors import ConfigError, NewscleanError, RunInterrupted, os_error_text, print_note
from cleaner.io import FORMATS, STDIN, ReadOptions, Source, check_inputs, iter_sources, kind_of, read_source
from cleaner.io.base import InputDoc, RawRecord, ReadItem
from cleaner.io.records import output_record
from cleaner.io.writers import (
    AppendPart,
    ParquetPart,
    check_output_file,
    check_writable_place,
    inside,
    is_part,
    make_durable,
    part_dir,
    part_path,
    refuse_clashes,
    rejects_path,
    write_atomic,
)
from cleaner.record import Document, Reject

# A task (cleaned inline, or by one worker) closes at this many items or characters: MinHash vectorizes better over
# more paragraphs, and 2 x jobs tasks in flight stay a few MB.
_TASK_ITEMS = 256
_TASK_CHARS = 4_000_000
# Buffered output is committed at this many bytes even before `commit_every` items.
_COMMIT_BYTES = 32 << 20
STATE_SUFFIX = ".newsclean-state.json"
# Output format for each input format: HTML becomes text, WARC becomes JSON Lines.
_OUT_KIND = {"txt": "txt", "html": "txt", "jsonl": "jsonl", "warc": "jsonl", "parquet": "parquet"}


@dataclass(slots=True)
class BatchConfig:
    """Everything a `newsclean clean` run needs; the CLI only fills this in."""

    inputs: Sequence[str]
    output: str | None = None
    ledger: str | None = None
    rejects: str | None = None
    rules: Sequence[str] = ()
    jobs: int = 1
    threshold: float = 0.8
    rule_timeout: float | None = None  # seconds per pattern per document; None: the rule set's default
    resume: bool = False
    read: ReadOptions = field(default_factory=ReadOptions)
    progress: bool | None = None  # None: only when stderr is a terminal
    commit_every: int = 1000
    bundled_rules: bool = True  # False: only the --rules directories (tests, golden files)


@dataclass(slots=True)
class Summary:
    """Counts for the end-of-run report; carried in the resume state so a resumed run reports the whole run."""

    docs_in: int = 0
    docs_out: int = 0
    rejected: int = 0
    chars_in: int = 0
    chars_out: int = 0
    bytes_in: int = 0
    removals_by_stage: Counter[str] = field(default_factory=Counter)
    chars_by_stage: Counter[str] = field(default_factory=Counter)
    removals_by_rule: Counter[str] = field(default_factory=Counter)
    docs_with_warnings: int = 0  # a rule or detect pattern timed out, or a rule was refused by max_fraction
    seconds: float = 0.0
    docs_this_run: int = 0
    bytes_this_run: int = 0
    jobs: int = 1
    rejects_file: str | None = None
    resumed_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        keys = ("docs_in", "docs_out", "rejected", "chars_in", "chars_out", "bytes_in", "docs_with_warnings")
        out: dict[str, Any] = {key: getattr(self, key) for key in keys}
        for key in ("removals_by_stage", "chars_by_stage", "removals_by_rule"):
            out[key] = dict(getattr(self, key))
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        summary = cls(**{k: v for k, v in data.items() if not k.startswith(("removals", "chars_by"))})
        for key in ("removals_by_stage", "chars_by_stage", "removals_by_rule"):
            setattr(summary, key, Counter(data.get(key, {})))
        return summary

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def render(self) -> str:
        """The human summary printed on stderr at the end of a run."""
        removed = self.chars_in - self.chars_out
        share = f" ({100 * removed / self.chars_in:.1f}%)" if self.chars_in else ""
        lines = [
            f"documents: {self.docs_in:,} in, {self.docs_out:,} cleaned, {self.rejected:,} rejected"
            + (f" (listed in {self.rejects_file})" if self.rejected and self.rejects_file else ""),
            f"characters: {self.chars_in:,} in, {self.chars_out:,} out, {removed:,} removed{share}",
        ]
        if self.removals_by_stage:
            stages = ", ".join(
                f"{stage} {count:,} ({self.chars_by_stage[stage]:,} chars)"
                for stage, count in sorted(self.removals_by_stage.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            lines.append(f"removals by stage: {stages}")
        if self.removals_by_rule:
            ranked = sorted(self.removals_by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
            shown = ", ".join(f"{rule} {count:,}" for rule, count in ranked[:10])
            more = f" and {len(ranked) - 10} more rules" if len(ranked) > 10 else ""
            lines.append(f"removals by rule: {shown}{more}")
        if self.docs_with_warnings:
            count = self.docs_with_warnings
            lines.append(
                f"warnings: {count:,} document{'s' if count != 1 else ''} had a rule or a site's detect pattern "
                "skipped (timed out, or refused by max_fraction); their ledger lines say which"
            )
        if self.seconds > 0:
            rate = self.docs_this_run / self.seconds
            mb = self.bytes_this_run / self.seconds / 1e6
            resumed = f", resumed after {self.resumed_at:,} items" if self.resumed_at else ""
            jobs = f"{self.jobs} job" + ("s" if self.jobs != 1 else "")
            lines.append(f"throughput: {rate:,.0f} docs/s, {mb:.2f} MB/s ({self.seconds:.1f} s, {jobs}{resumed})")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Work done in the workers (and inline for --jobs 1): clean a task's items and serialize what the writer needs.

_WORKER: dict[str, Any] = {}


def _init_worker(rule_dirs: list[str], threshold: float, rule_timeout: float | None) -> None:
    from cleaner.pipeline import Cleaner

    _exit_with_parent()
    # The parent built a Cleaner from the same rules first, examples and all.
    _WORKER["cleaner"] = Cleaner(rules=rule_dirs, threshold=threshold, rule_timeout=rule_timeout, check_examples=False)


def _exit_with_parent() -> None:
    """Workers of a run killed with -9 would wait on their queue forever: exit when the parent is gone.

    The parent's sentinel (a pipe multiprocessing hands every child) reaches EOF when the parent dies.
    """
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="newsclean-parent-watch", daemon=True).start()


def _run_task(task: tuple[list[ReadItem], str, ReadOptions, bool]) -> list[tuple[Any, ...]]:
    return process_items(_WORKER["cleaner"], *task)


def process_items(
    cleaner: Any, items: list[ReadItem], fmt: str, read: ReadOptions, ledger: bool = True
) -> list[tuple[Any, ...]]:
    """Clean the InputDocs among `items` (Rejects from reading pass through) and serialize each result.

    A result is ("doc", payload, ledger_line, stats) or ("reject", rejects_line, where, reason); ledger_line is
    empty when the run writes no ledger (serializing it costs as much as writing the record).
    """
    from cleaner.io.records import parse_json_line

    items = [parse_json_line(i.line, i.origin, read) if isinstance(i, RawRecord) else i for i in items]
    docs = [item for item in items if isinstance(item, InputDoc)]
    try:
        cleaned = list(cleaner.clean_many(docs))
    except Exception:  # one bad document must not sink its task: clean one at a time and reject the culprit
        cleaned = [_clean_one(cleaner, doc) for doc in docs]
    done = iter(cleaned)
    results = []
    for item in items:
        out = next(done) if isinstance(item, InputDoc) else item
        results.append(_serialize(item, out, fmt, read.text_field, ledger))
    return results


def _clean_one(cleaner: Any, doc: InputDoc) -> Document | Reject:
    try:
        return next(iter(cleaner.clean_many([doc])))
    except Exception as error:
        return Reject(doc.origin, f"could not clean: {type(error).__name__}: {error}", id=doc.id)


def _serialize(item: ReadItem, out: Document | Reject, fmt: str, text_field: str, ledger: bool) -> tuple[Any, ...]:
    import orjson

    if isinstance(out, Reject):
        return ("reject", orjson.dumps(out.to_json()) + b"\n", str(out.origin), out.reason)
    assert isinstance(item, InputDoc) and out.text is not None
    payload: Any
    if fmt == "txt":
        payload = out.text.encode("utf-8")
    else:
        record = output_record(item, out.id, out.text, text_field)
        payload = record if fmt == "parquet" else orjson.dumps(record) + b"\n"
    removals = [(r.stage, r.rule, r.end - r.start) for r in out.removals]
    stats = (len(out.source), len(out.text), len(out.source.encode("utf-8")), removals, bool(out.warnings))
    ledger_line = orjson.dumps(out.ledger_entry()) + b"\n" if ledger else b""
    return ("doc", payload, ledger_line, stats)


# ---------------------------------------------------------------------------------------------------------------
# Planning: where each input goes, checked before anything is written.


def _mirrored_name(name: str, kind: str | None) -> str:
    """Output file name for an input file name: HTML -> .txt, WARC -> .jsonl, others unchanged."""
    lower = name.lower()
    if kind == "html":
        for ending in (".html.gz", ".htm.gz", ".html", ".htm"):
            if lower.endswith(ending):
                return name[: -len(ending)] + ".txt"
    if kind == "warc":
        for ending in (".warc.gz", ".warc"):
            if lower.endswith(ending):
                return name[: -len(ending)] + ".jsonl"
    return name


@dataclass(slots=True)
class Plan:
    """Output locations: `output` is None for stdout; `out_is_dir` when inputs mirror into a directory."""

    config: BatchConfig
    output: Path | None
    out_is_dir: bool
    ledger: Path | None
    rejects: Path | None
    state: Path | None
    rule_dirs: list[str]
    # directory argument -> the name its files go under in OUT (taken once, before any chdir of the caller)
    root_names: dict[Path, str]

    def stdin_kind(self) -> str:
        return "jsonl" if self.config.read.stdin_format == "jsonl" else "txt"

    def out_kind(self, source: Source) -> str | None:
        """The format a source's output is written in; None when it has none (unsupported, or rejected unread)."""
        if source.error is not None:
            return None
        kind = self.stdin_kind() if source.is_stdin else source.kind
        return _OUT_KIND.get(kind) if kind else None

    def final_path(self, source: Source) -> Path | None:
        """Where a source's cleaned output goes (None: stdout, or an unsupported file that is only rejected)."""
        final = self.mirrored_path(source)
        in_tree = final is not None and source.root is not None and self.output is not None
        if in_tree and not inside(final.resolve(), self.output.resolve()):  # type: ignore[union-attr]
            # defence in depth: a mirrored path never leaves OUT
            raise NewscleanError(f"output path {final} for {source.display} would leave {self.output}")
        return final

    def mirrored_path(self, source: Source) -> Path | None:
        """`final_path` by name alone, without looking at the file system."""
        if self.output is None or self.out_kind(source) is None:
            return None
        if not self.out_is_dir:
            return self.output
        directory, name = self.mirrored_parts(source)
        return self.output / directory / name

    def mirrored_parts(self, source: Source) -> tuple[str, str]:
        """(directory under OUT, file name) of a source's output in a mirrored tree. Strings, not Paths: they are
        taken for every file of a tree, where Path objects cost seconds."""
        if source.is_stdin:
            return "", "stdin.jsonl" if self.stdin_kind() == "jsonl" else "stdin.txt"
        assert source.path is not None
        if source.root is None or source.rel is None:
            return "", _mirrored_name(source.path.name, source.kind)
        directory, _, name = str(source.rel).rpartition("/")
        if len(self.config.inputs) > 1:
            root = self.root_names[source.root]
            directory = f"{root}/{directory}" if directory else root
        return directory, _mirrored_name(name, source.kind)


def _root_name(root: Path) -> str:
    """The name a directory argument's files go under in OUT: `.` and `..` have none of their own (they made
    "/sub/file" and "../file"), so they take the name of the directory they stand for."""
    if root.name not in ("", ".", ".."):
        return root.name
    return root.resolve().name or "root"


def _rule_dirs(extra: Sequence[str], bundled: bool = True) -> list[str]:
    """The bundled rule set first, then --rules directories (later ones override same-named files)."""
    if not bundled:
        return [str(d) for d in extra]
    from cleaner.rules import bundled_rules_dir

    return [str(bundled_rules_dir()), *map(str, extra)]


def plan_run(config: BatchConfig) -> Plan:
    """Validate the run and decide every output location; raises ConfigError/InputError before any write."""
    inputs = list(config.inputs)
    check_inputs(inputs)
    if config.jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {config.jobs}")
    if not 0.0 < config.threshold <= 1.0:
        raise ConfigError(f"--threshold must be in (0, 1] (1 keeps only exact copies out), got {config.threshold}")
    for directory in config.rules:
        if not Path(directory).is_dir():
            raise ConfigError(f"--rules {directory!r} is not a directory; pass a directory of .toml rule files")
    single_file = len(inputs) == 1 and (inputs[0] == STDIN or not Path(inputs[0]).is_dir())
    output = Path(config.output) if config.output else None
    if output is None:
        if not single_file:
            raise ConfigError("several inputs or a directory need -o OUT (a directory for the mirrored outputs)")
        if inputs[0] != STDIN and kind_of(inputs[0]) == "parquet":
            raise ConfigError("Parquet output cannot go to stdout: pass -o OUT.parquet")
        if config.resume:
            raise ConfigError("--resume needs -o OUT: output written to stdout cannot be resumed")
    if config.resume and STDIN in inputs:
        raise ConfigError("--resume cannot be used with stdin (-): stdin cannot be read again")
    # `-o newdir/` names a directory even before it exists (it wrote a file called newdir).
    names_a_directory = config.output is not None and config.output.endswith("/")
    out_is_dir = output is not None and (not single_file or output.is_dir() or names_a_directory)
    if out_is_dir and output is not None and output.exists() and not output.is_dir():
        raise ConfigError(f"-o {output} is a file, but these inputs need an output directory")
    if output is not None and not out_is_dir:
        _check_output_format(output, inputs[0], config)
    rejects: Path | None = Path(config.rejects) if config.rejects else None
    if rejects is None and output is not None:
        rejects = rejects_path(output)
    ledger = Path(config.ledger) if config.ledger else None
    check_writable_place(output, "-o")
    for path, option in ((ledger, "--ledger"), (rejects, "--rejects")):
        if path is not None:
            check_output_file(path, option)
    state = output.with_name(output.name + STATE_SUFFIX) if output is not None else None
    roots = {Path(given): _root_name(Path(given)) for given in inputs if given != STDIN and Path(given).is_dir()}
    rule_dirs = _rule_dirs(config.rules, config.bundled_rules)
    plan = Plan(config, output, out_is_dir, ledger, rejects, state, rule_dirs, roots)
    _refuse_overwriting_inputs(plan, inputs)
    return plan


_FORMAT_ENDINGS = {"jsonl": FORMATS["jsonl"], "parquet": FORMATS["parquet"]}  # an output may end as an input does


def _check_output_format(output: Path, single_input: str, config: BatchConfig) -> None:
    """The output file's name must say the format it will hold: cleaned text, JSON Lines or Parquet."""
    if single_input == STDIN:
        kind = "jsonl" if config.read.stdin_format == "jsonl" else "txt"
    else:
        kind = _OUT_KIND.get(kind_of(single_input) or "", "")
    name = output.name.lower()
    if kind in _FORMAT_ENDINGS:
        if not name.endswith(_FORMAT_ENDINGS[kind]):
            endings = ", ".join(_FORMAT_ENDINGS[kind])
            raise ConfigError(f"-o {output}: this input is written as {kind}; name the output with {endings}")
    elif kind == "txt" and name.endswith(_FORMAT_ENDINGS["jsonl"] + _FORMAT_ENDINGS["parquet"]):
        raise ConfigError(f"-o {output}: this input is written as cleaned text; name the output .txt")


def _refuse_overwriting_inputs(plan: Plan, inputs: list[str]) -> None:
    """Never write over an input, and never write inside an input directory (a later run would read it)."""
    dirs = [p.resolve() for p in map(Path, inputs) if p.is_dir()]
    finals: list[tuple[str, Path]] = []
    for name, path in (("ledger", plan.ledger), ("rejects file", plan.rejects)):
        if path is not None:
            finals.append((name, path))
    if plan.output is not None:
        if plan.out_is_dir:
            out = plan.output.resolve()
            for directory in dirs:
                if inside(out, directory) or inside(directory, out):
                    raise ConfigError(
                        f"output directory {plan.output} overlaps input directory {directory}; "
                        "choose an output directory outside the inputs"
                    )
            for source in iter_sources([p for p in inputs if p == STDIN or not Path(p).is_dir()]):
                final = plan.final_path(source)
                if final is not None:
                    finals.append((f"output of {source.display}", final))
        else:
            finals.append(("output", plan.output))
    refuse_clashes(finals, inputs)


# ---------------------------------------------------------------------------------------------------------------
# Resume state.


class _OutputNames:
    """Inputs whose mirrored outputs share a name (story.html and story.htm both become story.txt; two directory
    arguments both called site/) would leave one output: refused on the walk `_fingerprint` makes anyway, before
    anything is written."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.claimed: dict[tuple[str, str], str] = {}  # (directory under OUT, file name) -> the input's name
        # A ledger or rejects file inside OUT holds its place there: a mirrored output at that path would be
        # replaced by it (or share its part file), and one where it needs a directory, or under it, cannot be made.
        self.reserved: list[tuple[str, str, Path]] = []  # (place under OUT, option, path)
        out = plan.output.resolve() if plan.out_is_dir and plan.output is not None else None
        for option, path in (("--ledger", plan.ledger), ("--rejects", plan.rejects)):
            if out is not None and path is not None and inside(path.resolve(), out):
                self.reserved.append((path.resolve().relative_to(out).as_posix(), option, path))

    def claim(self, source: Source) -> None:
        plan = self.plan
        if not plan.out_is_dir or source.path is None or plan.out_kind(source) is None:
            return
        directory, name = plan.mirrored_parts(source)
        mirrored = f"{directory}/{name}" if directory else name
        for place, option, path in self.reserved:
            if mirrored == place or mirrored.startswith(place + "/") or place.startswith(mirrored + "/"):
                raise ConfigError(
                    f"the {option} file {path} and the output of {source.display} ({plan.mirrored_path(source)}) "
                    f"cannot both be written; put the {option} file outside -o"
                )
        earlier = self.claimed.setdefault((directory, name), source.display)
        if earlier != source.display:
            raise ConfigError(
                f"{earlier} and {source.display} would both be written to {plan.mirrored_path(source)}; rename one "
                "of them or clean them in separate runs"
            )


def _fingerprint(plan: Plan) -> str:
    """What must not change between a killed run and its --resume: options, rules, code and every input file.
    The same walk refuses inputs whose outputs would collide (`_OutputNames`)."""
    config = plan.config
    parts: list[Any] = [
        "newsclean-batch-1",
        list(config.inputs),
        str(plan.output),
        str(plan.ledger),
        str(plan.rejects),
        [config.read.text_field, config.read.id_field, config.read.url_field, config.read.html_field],
        config.read.stdin_format,
        config.threshold,
        config.rule_timeout,
        config.commit_every,
    ]
    package = Path(__file__).resolve().parent  # a code change between kill and resume changes outputs too
    for module in sorted(package.rglob("*.py")):
        stat = module.stat()
        parts.append([str(module.relative_to(package)), stat.st_size, stat.st_mtime_ns])
    for directory in plan.rule_dirs:
        for rule_file in sorted(Path(directory).glob("*.toml")):
            stat = rule_file.stat()
            parts.append([str(rule_file), stat.st_size, stat.st_mtime_ns])
    names = _OutputNames(plan)
    for source in iter_sources(config.inputs):  # every file, those found in directories too: positions count them
        names.claim(source)
        if source.error is not None or (source.path is not None and source.kind is None):
            parts.append(source.display)  # rejected by its name alone: a log written meanwhile changes nothing
        elif source.path is not None:
            try:
                stat = source.path.stat()
                # ctime and inode too: an edit that keeps size and mtime (`cp -p`, `touch -r`) changes them
                parts.append([source.display, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino])
            except OSError as error:  # a dangling link: the run rejects it; its name still counts
                parts.append([source.display, type(error).__name__])
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _load_state(plan: Plan, fingerprint: str, note: Any) -> dict[str, Any] | None:
    import orjson

    if plan.state is None or not plan.state.exists():
        if plan.config.resume:
            note("nothing to resume: no interrupted run found; starting from the beginning")
        return None
    if not plan.config.resume:
        note(f"discarding an interrupted run ({plan.state}); pass --resume to continue one instead")
        _discard_parts(plan.state)
        return None
    try:
        state = orjson.loads(plan.state.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ConfigError(
            f"cannot resume: state file {plan.state} is unreadable ({error}); rerun without --resume"
        ) from None
    if state.get("fingerprint") != fingerprint:
        raise ConfigError(
            "cannot resume: inputs, options or rules changed since the interrupted run; "
            "rerun without --resume to start over"
        )
    for part, final in state.get("renames", []):  # finish renames the killed run had committed to
        if Path(part).exists():
            os.replace(part, final)
    for directory in state.get("remove", []):  # and remove the part directories it was done with
        shutil.rmtree(directory, ignore_errors=True)
    return state


def _discard_parts(state_file: Path) -> None:
    """Remove the part files and part directories an interrupted run recorded, so a run that starts over leaves
    none behind (one of an input removed since would stay forever). Only names this tool gives its parts."""
    import orjson

    try:
        state = orjson.loads(state_file.read_bytes())
        finals = [Path(final) for final in [*state.get("parts", {}), *state.get("parquet", {})]]
        pending = [Path(part) for part, _ in state.get("renames", [])] + [Path(d) for d in state.get("remove", [])]
    except (OSError, orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return  # an unreadable state names nothing to trust
    for path in [*map(part_path, finals), *map(part_dir, finals), *pending]:
        if is_part(path):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------------------
# The run.


class _Run:
    """One batch run: ordered results in, committed outputs out."""

    def __init__(self, plan: Plan, note: Any) -> None:
        self.plan = plan
        self.note = note
        self.config = plan.config
        self.fingerprint = _fingerprint(plan)
        state = _load_state(plan, self.fingerprint, note)
        self.state = state or {}
        self.summary = Summary.from_json(state["summary"]) if state else Summary()
        self.summary.jobs = self.config.jobs
        self.summary.rejects_file = str(plan.rejects) if plan.rejects else None
        self.position: tuple[int, int] = tuple(state["position"]) if state else (0, 0)  # type: ignore[assignment]
        if state:
            self.summary.resumed_at = self.summary.docs_in
        # The killed run had committed to finishing: its renames are done above, nothing is left to write.
        self.finished = bool(self.state.get("finished"))
        offsets: dict[str, int] = {} if self.finished else self.state.get("parts", {})
        self.ledger: AppendPart | None = None
        self.rejects: AppendPart | None = None
        if plan.ledger and not self.finished:
            self.ledger = AppendPart(plan.ledger, offsets.get(str(plan.ledger), 0))
        if plan.rejects and not self.finished:
            self.rejects = AppendPart(plan.rejects, offsets.get(str(plan.rejects), 0))
        self.out_part: AppendPart | None = None
        self.parquet: ParquetPart | None = None
        self.source: Source | None = None
        self.fmt = "txt"
        self.buffer: list[bytes] = []
        self.rows: list[dict[str, Any]] = []
        self.ledger_buffer: list[bytes] = []
        self.rejects_buffer: list[bytes] = []
        self.unsynced: list[Path] = []  # mirrored text outputs written since the last commit
        self.pending_items = 0
        self.pending_bytes = 0
        if state and not self.finished:
            _check_committed_outputs(plan, self.position)
        if plan.out_is_dir and plan.output is not None:
            plan.output.mkdir(parents=True, exist_ok=True)

    def _check_output_directory(self) -> None:
        """Writes create the subdirectories they need, and would silently create a removed output directory again
        too: files written before would be gone while the run ends as if all were well."""
        if self.plan.out_is_dir and self.plan.output is not None and not self.plan.output.is_dir():
            raise FileNotFoundError(
                errno.ENOENT, "the output directory was removed during the run", str(self.plan.output)
            )

    # -- sources ---------------------------------------------------------------------------------------------
    def open_source(self, index: int, source: Source) -> None:
        self.source = source
        kind = self.plan.out_kind(source)
        self.fmt = kind or "txt"
        final = self.plan.final_path(source)
        resuming = index == self.position[0] and bool(self.state)
        if final is None or (kind == "txt" and self.plan.out_is_dir):
            return
        self._check_output_directory()
        if kind == "parquet":
            chunks = self.state.get("parquet", {}).get(str(final), 0) if resuming else 0
            self.parquet = ParquetPart(final, self._parquet_schema(source), chunks)
        else:
            offset = self.state.get("parts", {}).get(str(final), 0) if resuming else 0
            self.out_part = AppendPart(final, offset)

    def _parquet_schema(self, source: Source) -> Any:
        import pyarrow as pa
        import pyarrow.parquet as pq

        text_field = self.config.read.text_field
        try:
            schema = pq.read_schema(source.path)
        except (OSError, pa.ArrowException):
            return pa.schema([(text_field, pa.string())])
        if schema.get_field_index(text_field) < 0:
            return schema.append(pa.field(text_field, pa.string()))
        return schema

    def close_source(self, index: int) -> None:
        """End of a source with a part file: commit it and rename it into place."""
        renames: list[tuple[Path, Path]] = []
        if self.out_part is not None:
            self._flush_output()
            self.out_part.close()
            renames.append((self.out_part.path, self.out_part.final))
        done_with: list[Path] = []
        if self.parquet is not None:
            self._flush_output()
            renames.append((self.parquet.build(), self.parquet.final))
            done_with.append(self.parquet.dir)
        self.commit((index + 1, 0), renames, flush=False, remove=done_with)
        self.out_part, self.parquet = None, None

    # -- results ---------------------------------------------------------------------------------------------
    def apply(self, result: tuple[Any, ...], where: tuple[int, int]) -> None:
        summary = self.summary
        summary.docs_in += 1
        if result[0] == "reject":
            _, line, origin, reason = result
            summary.rejected += 1
            self._remove_stale_output()
            self.rejects_buffer.append(line)
            self.pending_bytes += len(line)
            if self.plan.output is None:
                self.note(f"rejected {origin}: {reason}")
        else:
            _, payload, ledger_line, (chars_in, chars_out, bytes_in, removals, warned) = result
            summary.docs_out += 1
            summary.chars_in += chars_in
            summary.chars_out += chars_out
            summary.bytes_in += bytes_in
            summary.bytes_this_run += bytes_in
            summary.docs_with_warnings += warned
            for stage, rule, chars in removals:
                summary.removals_by_stage[stage] += 1
                summary.chars_by_stage[stage] += chars
                if rule:
                    summary.removals_by_rule[rule] += 1
            if self.ledger is not None:
                self.ledger_buffer.append(ledger_line)
            self._emit(payload)
        summary.docs_this_run += 1
        self.pending_items += 1
        if self.pending_items >= self.config.commit_every or self.pending_bytes >= _COMMIT_BYTES:
            self.commit((where[0], where[1] + 1), [])

    def _remove_stale_output(self) -> None:
        """A file of a mirrored text tree is one document: when it is rejected, a cleaned copy that an earlier run
        left at its output path would contradict the rejects file (and be read as this run's output). Only in a
        tree mirrored into OUT: a single file cleaned into a directory (`-o ~/Documents/`) may meet a file there
        that no run of this tool wrote."""
        source = self.source
        if self.fmt == "txt" and self.plan.out_is_dir and source is not None and source.root is not None:
            final = self.plan.final_path(source)
            if final is not None:
                final.unlink(missing_ok=True)

    def _emit(self, payload: Any) -> None:
        if self.fmt == "parquet":
            self.rows.append(payload)
            return
        if self.plan.output is None:
            sys.stdout.buffer.write(payload)
            return
        if self.fmt == "txt" and self.plan.out_is_dir:
            assert self.source is not None
            final = self.plan.final_path(self.source)
            assert final is not None
            self._check_output_directory()
            write_atomic(final, payload)
            self.unsynced.append(final)
            return
        self.buffer.append(payload)
        self.pending_bytes += len(payload)

    def _flush_output(self) -> None:
        if self.out_part is not None:
            self.out_part.commit(b"".join(self.buffer))
        elif self.parquet is not None:
            self.parquet.commit(self.rows)
        self.buffer, self.rows = [], []

    def commit(
        self,
        position: tuple[int, int],
        renames: list[tuple[Path, Path]],
        flush: bool = True,
        final: bool = False,
        remove: Sequence[Path] = (),
    ) -> None:
        """Make everything up to `position` durable, record it, then do the renames it implies and remove the
        part directories in `remove` (recorded too: a resume after a kill in between finishes both)."""
        import orjson

        if flush:
            self._flush_output()
        if self.plan.output is None:
            sys.stdout.buffer.flush()
        parts: dict[str, int] = {}
        for part, buffer in ((self.ledger, self.ledger_buffer), (self.rejects, self.rejects_buffer)):
            if part is not None:
                parts[str(part.final)] = part.commit(b"".join(buffer))
        self.ledger_buffer, self.rejects_buffer = [], []
        make_durable(self.unsynced)
        self.unsynced = []
        if self.out_part is not None and not renames:
            parts[str(self.out_part.final)] = self.out_part.offset
        parquet = {str(self.parquet.final): self.parquet.chunks} if self.parquet and not renames else {}
        if self.plan.state is not None:
            state = {
                "fingerprint": self.fingerprint,
                "position": list(position),
                "parts": parts,
                "parquet": parquet,
                "renames": [[str(a), str(b)] for a, b in renames],
                "remove": [str(directory) for directory in remove],
                "finished": final,
                "summary": self.summary.to_json(),
            }
            write_atomic(self.plan.state, orjson.dumps(state), sync=True)
        for part_file, final in renames:
            os.replace(part_file, final)
        for directory in remove:
            shutil.rmtree(directory, ignore_errors=True)
        self.pending_items = 0
        self.pending_bytes = 0

    def finish(self, position: tuple[int, int]) -> None:
        if self.finished:
            if self.plan.state is not None:
                self.plan.state.unlink(missing_ok=True)
            return
        renames = []
        if self.ledger is not None:
            renames.append((self.ledger.path, self.ledger.final))
        if self.rejects is not None:
            if self.summary.rejected:
                renames.append((self.rejects.path, self.rejects.final))
            else:  # nothing rejected: no rejects file, and none left over from an earlier run over these outputs
                self.rejects.close()
                self.rejects.path.unlink(missing_ok=True)
                self.rejects.final.unlink(missing_ok=True)
                self.rejects = None
        self.commit(position, renames, final=True)
        for part in (self.ledger, self.rejects):
            if part is not None:
                part.close()
        if self.plan.state is not None:
            self.plan.state.unlink(missing_ok=True)


def _check_committed_outputs(plan: Plan, position: tuple[int, int]) -> None:
    """Before resuming: the output directory and the output files of the sources the interrupted run finished must
    still be there, or the resumed run would end as if all were well without them. (Mirrored text files are one
    per document and a rejected one has none: only their directory is checked.)"""
    if plan.out_is_dir and plan.output is not None and not plan.output.is_dir():
        raise ConfigError(
            f"cannot resume: the output directory {plan.output} is gone; rerun without --resume to start over"
        )
    for index, source in enumerate(iter_sources(plan.config.inputs)):
        if index >= position[0]:
            return
        final = plan.final_path(source)
        if final is not None and not (plan.out_is_dir and plan.out_kind(source) == "txt") and not final.exists():
            raise ConfigError(
                f"cannot resume: {final}, finished before the run was interrupted, is missing; rerun without "
                "--resume to start over"
            )


def _events(plan: Plan, start: tuple[int, int]) -> Iterator[tuple[Any, ...]]:
    """("open", i, source), ("item", i, k, item) and ("close", i) in input order, from a resume position."""
    first_source, first_item = start
    # With workers, JSON Lines are parsed where they are cleaned: the reading process is what they all wait on.
    read = dataclasses.replace(plan.config.read, defer_json=plan.config.jobs > 1)
    for index, source in enumerate(iter_sources(plan.config.inputs)):
        if index < first_source:
            continue
        yield ("open", index, source)
        for k, item in enumerate(read_source(source, read)):
            if index == first_source and k < first_item:
                continue
            yield ("item", index, k, item)
        yield ("close", index)


def _ordered(plan: Plan, start: tuple[int, int], cleaner: Any, executor: Any) -> Iterator[tuple[Any, ...]]:
    """Events with items replaced by their results, in input order; at most 2 x jobs tasks in flight."""
    window = 2 * plan.config.jobs
    pending: deque[tuple[Any, ...]] = deque()
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
            pending.append(("results", where, work))
        task, where, chars = [], [], 0

    def drain(limit: int) -> Iterator[tuple[Any, ...]]:
        while len(pending) > limit:
            entry = pending.popleft()
            if entry[0] != "results":
                yield entry
                continue
            work = entry[2]
            results = _result(work, executor) if executor is not None else process_items(cleaner, *work)
            yield ("results", entry[1], results)

    for event in _events(plan, start):
        if event[0] == "item":
            item = event[3]
            task.append(item)
            where.append((event[1], event[2]))
            if isinstance(item, InputDoc):
                chars += len(item.text or item.html or "")
            elif isinstance(item, RawRecord):
                chars += len(item.line)
            if len(task) >= _TASK_ITEMS or chars >= _TASK_CHARS:
                submit()
                yield from drain(window)
            continue
        submit()  # a task never spans an open/close boundary, so the format is fixed per task
        if event[0] == "open":
            fmt = plan.out_kind(event[2]) or "txt"
        pending.append(event)
        yield from drain(window)
    submit()
    yield from drain(0)


def _result(work: Any, executor: Any) -> list[tuple[Any, ...]]:
    """A task's results from the pool. A worker that died (killed, out of memory) ends the run with RunInterrupted
    rather than a traceback, or a wait without end: when it dies halfway through sending a result, the pool's
    reader waits for the rest forever and never notices, so the workers are checked every second. (When the pool
    does notice, BrokenProcessPool reaches `run_batch`.)"""
    from concurrent.futures import wait

    # Not `work.result(timeout=...)`: its TimeoutError could not be told from one the task itself raised.
    while not wait([work], timeout=1.0).done:
        ended = [p.exitcode for p in _workers(executor) if p.exitcode is not None]
        if ended:
            raise _worker_died(ended[0])
    return work.result()  # type: ignore[no-any-return]


def _workers(executor: Any) -> list[Any]:
    """The pool's worker processes (a private attribute of ProcessPoolExecutor, stable since Python 3.3)."""
    return list((getattr(executor, "_processes", None) or {}).values())


def _worker_died(exit_code: int | None) -> RunInterrupted:
    how = "died (killed, or out of memory?)"
    if exit_code is not None and exit_code < 0 and -exit_code in signal.valid_signals():
        how = f"was killed by {signal.Signals(-exit_code).name} (out of memory?)"
    elif exit_code is not None:
        how = f"ended early with exit status {exit_code} (see its messages above)"
    return RunInterrupted(
        f"a worker process {how}, so the run stopped. What it committed is kept: "
        "run the same command with --resume to continue (with fewer --jobs if memory is short)"
    )


def _stop_workers(executor: Any) -> None:
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


def run_batch(config: BatchConfig, note: Any = None) -> Summary:
    """Clean a corpus as configured; returns the summary. Raises ConfigError/InputError before writing."""
    note = note or print_note
    plan = plan_run(config)
    from cleaner.corpus.engines import capped_jobs
    from cleaner.pipeline import Cleaner

    # After the checks: a refused run says nothing about its workers.
    config = plan.config = dataclasses.replace(config, jobs=capped_jobs(config.jobs, note))

    # Validates the rules up front.
    cleaner = Cleaner(rules=plan.rule_dirs, threshold=config.threshold, rule_timeout=config.rule_timeout)
    executor = _start_workers(cleaner, plan, config) if config.jobs > 1 else None
    try:
        return _run(plan, config, note, cleaner, executor)
    except Exception as error:
        interrupted = _interruption(error, plan)
        if interrupted is None:
            raise
        _stop_workers(executor)
        raise interrupted from None
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
            _WORKER.pop("cleaner", None)  # left for forked workers; this process does not need it any more


def _interruption(error: Exception, plan: Plan) -> RunInterrupted | None:
    """The error a run that stopped early reports (exit 3, what was committed is kept), or None for a bug."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(error, RunInterrupted):
        return error
    if isinstance(error, BrokenProcessPool):
        return _worker_died(None)
    if isinstance(error, OSError):  # writing failed (a full disk, a read-only or vanished output directory)
        then = "run the same command with --resume" if plan.state is not None else "run it again"
        return RunInterrupted(
            f"cannot write the outputs ({os_error_text(error)}), so the run stopped. What it committed "
            f"is kept: fix the cause (free some space?), then {then} to continue"
        )
    return None


def _start_workers(cleaner: Any, plan: Plan, config: BatchConfig) -> Any:
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
                max_workers=config.jobs, mp_context=multiprocessing.get_context("fork"), initializer=_exit_with_parent
            )
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["cleaner.pipeline", "cleaner.rules", "cleaner.batch"])
            executor = ProcessPoolExecutor(
                max_workers=config.jobs,
                mp_context=context,
                initializer=_init_worker,
                initargs=(plan.rule_dirs, config.threshold, config.rule_timeout),
            )
        for _ in range(config.jobs):  # the pool starts workers as tasks arrive: one task each starts them all
            executor.submit(_ready)
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


def _run(plan: Plan, config: BatchConfig, note: Any, cleaner: Any, executor: Any) -> Summary:
    """The run itself: read, clean (inline or in the pool), write, and count."""
    run = _Run(plan, note)
    started = time.perf_counter()
    progress = _progress(config)
    position = run.position
    with progress as bar:
        task_id = bar.add_task("cleaning", total=None) if bar is not None else None
        events = _ordered(plan, run.position, cleaner, executor) if not run.finished else iter(())
        for event in events:
            if event[0] == "open":
                run.open_source(event[1], event[2])
            elif event[0] == "close":
                if run.out_part is not None or run.parquet is not None:
                    run.close_source(event[1])
                position = (event[1] + 1, 0)
            else:
                for where, result in zip(event[1], event[2], strict=True):
                    run.apply(result, where)
                    position = (where[0], where[1] + 1)
                if bar is not None:
                    bar.update(task_id, completed=run.summary.docs_in)
    run.finish(position)
    run.summary.seconds = time.perf_counter() - started
    return run.summary


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(config: BatchConfig) -> Any:
    """A rich progress display on stderr, only when it is a terminal (or when asked)."""
    show = config.progress if config.progress is not None else sys.stderr.isatty()
    if not show:
        return _NoProgress()
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        MofNCompleteColumn(),
        TextColumn("docs"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


__all__ = ["BatchConfig", "Plan", "Summary", "part_path", "plan_run", "run_batch"]
