"""Planning a run: every check made before any work, and where each input's output goes.

`plan_run` refuses, before anything is read or written: bad options, outputs over or inside inputs, output names
that do not say their format, two inputs whose mirrored outputs share a name, and a ledger or rejects file where a
mirrored output goes. Its one walk of the inputs also takes the inputs' signature for the resume fingerprint.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.batch.config import BatchConfig
from cleaner.checks import check_comments, check_positive_int, check_threshold
from cleaner.errors import ConfigError, NewscleanError
from cleaner.io.base import char_device
from cleaner.io.formats import (
    OUTPUT_FORMATS,
    OutputFormat,
    check_output_name,
    mirrored_name,
    output_format_named,
    output_format_of,
    stdin_output,
)
from cleaner.io.sources import STDIN, Source, check_inputs, iter_sources, kind_of
from cleaner.io.writers import check_output_file, check_writable_place, inside, refuse_clashes, rejects_path
from cleaner.rules.load import resolve_rule_dirs
from cleaner.stutter import TitleOptions

STATE_SUFFIX = ".newsclean-state.json"  # beside OUT: the resume state of a run writing OUT (`cleaner.batch.state`)


@dataclass(slots=True)
class Plan:
    """Output locations: `output` is None for stdout or a device (`device`: written to as it is); `out_is_dir`
    when inputs mirror into a directory; `concat` when several inputs go into the one JSON Lines file `output`."""

    config: BatchConfig
    output: Path | None
    out_is_dir: bool
    ledger: Path | None
    rejects: Path | None
    state: Path | None
    rule_dirs: list[str]
    # directory argument -> the name its files go under in OUT (taken once, before any chdir of the caller)
    root_names: dict[Path, str]
    inputs_signature: str = ""  # what every input file was when planned (`state.InputsSignature`)
    device: Path | None = None  # `-o /dev/null`: a character device the outputs are written to in input order
    concat: bool = False  # several inputs into the one file `output`, in input order and in its format
    last_source: Source | None = None  # with `concat`: the last source (its end completes the one output file)
    concat_writer: Any = None  # with `concat`: the one writer every source's sink shares (`batch.sinks`)

    def out_format(self, source: Source) -> OutputFormat | None:
        """The format a source's output is written in; None when it has none (unsupported, or rejected unread)."""
        own = self.own_format(source)
        if self.concat and own is not None:
            return OUTPUT_FORMATS["jsonl"]  # text and HTML inputs become records {id, url, text}
        return own

    def own_format(self, source: Source) -> OutputFormat | None:
        """The format a source's output takes when it has an output of its own (a mirrored one)."""
        if source.error is not None:
            return None
        if source.is_stdin:
            return stdin_output(self.config.read)
        return output_format_of(source.kind)

    def out_kind(self, source: Source) -> str | None:
        fmt = self.out_format(source)
        return fmt.name if fmt is not None else None

    def final_path(self, source: Source) -> Path | None:
        """Where a source's cleaned output goes (None: stdout, or an unsupported file that is only rejected)."""
        final = self.mirrored_path(source)
        in_tree = final is not None and source.root is not None and self.output is not None
        if in_tree and not inside(final.resolve(), self.output.resolve()):  # type: ignore[union-attr]
            # defence in depth: a mirrored path never leaves OUT
            raise NewscleanError(f"output path {final} for {source.display} would leave {self.output}")
        return final

    def mirrored_path(self, source: Source) -> Path | None:
        """`final_path` by name alone, without looking at the file system. With `concat` every source has the one
        output, those without documents of their own too: a resumed run finds the output's position at any source."""
        if self.concat:
            return self.output
        if self.output is None or self.out_format(source) is None:
            return None
        if not self.out_is_dir:
            return self.output
        directory, name = self.mirrored_parts(source)
        return self.output / directory / name

    def mirrored_parts(self, source: Source) -> tuple[str, str]:
        """(directory under OUT, file name) of a source's output in a mirrored tree. Strings, not Paths: they are
        taken for every file of a tree, where Path objects cost seconds."""
        if source.is_stdin:
            return "", "stdin" + stdin_output(self.config.read).endings[0]
        assert source.path is not None
        if source.root is None or source.rel is None:
            return "", mirrored_name(source.path.name, source.kind)
        directory, _, name = str(source.rel).rpartition("/")
        if len(self.config.inputs) > 1:
            root = self.root_names[source.root]
            directory = f"{root}/{directory}" if directory else root
        return directory, mirrored_name(name, source.kind)


class InputsSignature:
    """What every input file was (size, times, inode), taken on the plan's walk: an input edited between kill and
    resume changes the fingerprint."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, source: Source) -> None:
        part: Any
        if source.error is not None or (source.path is not None and source.kind is None):
            part = source.display  # rejected by its name alone: a log written meanwhile changes nothing
        elif source.path is not None:
            try:
                stat = source.path.stat()
                # ctime and inode too: an edit that keeps size and mtime (`cp -p`, `touch -r`) changes them
                part = [source.display, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
            except OSError as error:  # a dangling link: the run rejects it; its name still counts
                part = [source.display, type(error).__name__]
        else:
            part = None  # stdin: never resumed
        self._hash.update(repr(part).encode() + b"\n")

    def digest(self) -> str:
        return self._hash.hexdigest()


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
    try:
        check_threshold(config.threshold, "--threshold")
        TitleOptions(field=config.title_field, in_text=config.title_in_text)
        check_positive_int(config.max_doc_chars, "--max-doc-chars")
        check_comments(config.comments, "--comments")
    except ValueError as error:
        raise ConfigError(str(error)) from None
    resolve_rule_dirs(config.rules, what="--rules")
    if config.report is not None and not config.report.endswith((".html", ".htm")):
        raise ConfigError(f"--report {config.report!r} must name an .html file")
    if config.parts:
        return _plan_parts(config, inputs)
    single_file = len(inputs) == 1 and (inputs[0] == STDIN or not Path(inputs[0]).is_dir())
    output = Path(config.output) if config.output else None
    device = None
    if output is not None and char_device(output):  # `-o /dev/null`: written to like stdout, never replaced
        device, output = output, None
    if output is None:
        where = f"a device ({device})" if device is not None else "stdout"
        if not single_file and device is None:
            raise ConfigError("several inputs or a directory need -o OUT (a directory for the mirrored outputs)")
        if single_file:
            fmt = _single_output(inputs[0], config)
            if fmt is not None and not fmt.streams:
                raise ConfigError(f"{fmt.label or fmt.name} output cannot go to {where}: pass -o OUT{fmt.endings[0]}")
        if config.resume:
            raise ConfigError(f"--resume needs -o OUT: output written to {where} cannot be resumed")
    if config.resume and config.restart:
        raise ConfigError("--resume and --restart contradict each other: continue the interrupted run, or start over")
    if config.resume and STDIN in inputs:
        raise ConfigError("--resume cannot be used with stdin (-): stdin cannot be read again")
    # `-o newdir/` names a directory even before it exists (it wrote a file called newdir).
    names_a_directory = config.output is not None and config.output.endswith("/")
    concat = False
    if output is not None and not single_file and not names_a_directory and not output.is_dir():
        # `-o out/clean.jsonl.zst` for several inputs: one file, never a directory named like a file
        named = output_format_named(output)
        if named is not None:
            _check_concat_target(output, named)
            concat = True
    out_is_dir = output is not None and not concat and (not single_file or output.is_dir() or names_a_directory)
    if out_is_dir and output is not None and output.exists() and not output.is_dir():
        raise ConfigError(f"-o {output} is a file, but these inputs need an output directory")
    if output is not None and not out_is_dir and not concat:
        _check_output_format(output, inputs[0], config)
    rejects: Path | None = Path(config.rejects) if config.rejects else None
    if rejects is None and output is not None:
        rejects = rejects_path(output)
    ledger = Path(config.ledger) if config.ledger else None
    if ledger is None and config.report is not None:
        # The page is built from the run's ledger; kept next to it, `newsclean report` can rebuild the page later.
        ledger = Path(config.report).with_suffix(".ledger.jsonl")
    check_writable_place(output, "-o")
    for path, option in ((ledger, "--ledger"), (rejects, "--rejects")):
        if path is not None:
            check_output_file(path, option)
    state = output.with_name(output.name + STATE_SUFFIX) if output is not None else None
    roots = {Path(given): _root_name(Path(given)) for given in inputs if given != STDIN and Path(given).is_dir()}
    rule_dirs = _rule_dirs(config.rules, config.bundled_rules)
    plan = Plan(config, output, out_is_dir, ledger, rejects, state, rule_dirs, roots, device=device, concat=concat)
    _refuse_overwriting_inputs(plan, inputs)
    if concat or device is not None:
        _check_sources(plan)
    _survey(plan)
    return plan


def _plan_parts(config: BatchConfig, inputs: list[str]) -> Plan:
    """`--parts`: OUT is a directory of part files (and `--ledger` one of ledger parts) written by the workers, with
    a manifest; no stitched outputs, rejects files or resume state beside OUT (`cleaner.batch.part_files`)."""
    if config.engine == "local":
        raise ConfigError("--parts writes the part files Dask workers clean: it needs --engine dask")
    if config.output is None or char_device(Path(config.output)):
        raise ConfigError("--parts needs -o DIR: the directory the part files and their manifest go into")
    if STDIN in inputs:
        raise ConfigError("--parts cannot read stdin (-): workers read the inputs themselves; pass files")
    if config.rejects is not None:
        raise ConfigError(
            "--parts writes each partition's rejects beside its part (_rejects-NNNNN.jsonl): drop --rejects"
        )
    if config.report is not None:
        raise ConfigError("--report needs one ledger file: with --parts, run `newsclean report` on a ledger part")
    if config.storage is not None:
        raise ConfigError("--parts: the workers write into -o DIR itself; --storage is for the stitched outputs")
    output = Path(config.output)
    ledger = Path(config.ledger) if config.ledger else None
    if output_format_named(output) is not None and not output.is_dir():
        raise ConfigError(
            f"-o {output} names a file, but --parts writes a directory of parts: pass -o "
            f"{output.parent / output.name.split('.')[0]}/"
        )
    for path, option in ((output, "-o"), (ledger, "--ledger")):
        if path is not None and path.exists() and not path.is_dir():
            raise ConfigError(f"{option} {path} is a file, but --parts writes a directory of parts there")
    real_out, real_ledger = output.resolve(), ledger.resolve() if ledger is not None else None
    if real_ledger is not None and (inside(real_ledger, real_out) or inside(real_out, real_ledger)):
        raise ConfigError(f"--ledger {ledger} and -o {output} overlap: give the ledger parts a directory of their own")
    check_writable_place(output, "-o")
    if ledger is not None:
        check_writable_place(ledger, "--ledger")
    roots = {Path(given): _root_name(Path(given)) for given in inputs if Path(given).is_dir()}
    rule_dirs = _rule_dirs(config.rules, config.bundled_rules)
    plan = Plan(config, output, True, ledger, None, None, rule_dirs, roots)
    for given in inputs:
        path = Path(given).resolve()
        for place, option in ((output, "-o"), (ledger, "--ledger")):
            if place is not None and (inside(place.resolve(), path) or inside(path, place.resolve())):
                raise ConfigError(f"{option} {place} overlaps input {given}; choose a directory outside the inputs")
    signature = InputsSignature()
    for source in iter_sources(inputs):
        signature.add(source)
    plan.inputs_signature = signature.digest()
    return plan


def _check_concat_target(output: Path, named: OutputFormat) -> None:
    """Several inputs go into one file only as JSON Lines, where each document is a record of its own."""
    if named.name == "jsonl":
        return
    jsonl = OUTPUT_FORMATS["jsonl"].endings
    raise ConfigError(
        f"-o {output}: several inputs cannot go into one {named.label or named.name} file; pass a directory "
        f"(-o {output.parent / output.name.split('.')[0]}/) for one output per input, or a JSON Lines file "
        f"({', '.join(jsonl[:3])}) for all of them in one, in order"
    )


def _check_sources(plan: Plan) -> None:
    """Before any work, for outputs that take every source in turn (one JSON Lines file, or a device): each
    source's output must fit there; and the last source writing into a shared file is found (its end completes
    the file)."""
    seen: set[Source] = set()
    for source in iter_sources(plan.config.inputs):
        plan.last_source = source
        own = plan.own_format(source)
        if own is None:
            continue
        if plan.device is not None and not own.streams:
            raise ConfigError(
                f"{source.display}: {own.label or own.name} output cannot be written to a device ({plan.device}); "
                f"pass -o OUT{own.endings[0]} or a directory"
            )
        if plan.concat:
            if own.name not in ("jsonl", "txt"):
                raise ConfigError(
                    f"{source.display}: {own.label or own.name} inputs are not joined into one JSON Lines file; pass "
                    f"a directory (-o DIR/) for one output per input"
                )
            if source in seen:
                raise ConfigError(f"{source.display} is given twice; each input goes into -o {plan.output} once")
            seen.add(source)


def _single_output(single_input: str, config: BatchConfig) -> OutputFormat | None:
    """The output format of a run over one file (or stdin)."""
    if single_input == STDIN:
        return stdin_output(config.read)
    return output_format_of(kind_of(single_input))


def _check_output_format(output: Path, single_input: str, config: BatchConfig) -> None:
    """The output file's name must say the format it will hold: cleaned text, JSON Lines or Parquet."""
    fmt = _single_output(single_input, config)
    if fmt is not None and (why := check_output_name(output, fmt.name)) is not None:
        raise ConfigError(why)


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


def _survey(plan: Plan) -> None:
    """One walk of every input file (those found in directories too): refuse mirrored outputs that would collide
    (`_OutputNames`), and take the inputs' signature for the resume fingerprint (only when there is a state)."""
    names = _OutputNames(plan) if plan.out_is_dir else None
    signature = InputsSignature() if plan.state is not None else None
    if names is None and signature is None:
        return
    for source in iter_sources(plan.config.inputs):
        if names is not None:
            names.claim(source)
        if signature is not None:
            signature.add(source)
    if signature is not None:
        plan.inputs_signature = signature.digest()


class _OutputNames:
    """Inputs whose mirrored outputs share a name (story.html and story.htm both become story.txt; two directory
    arguments both called site/) would leave one output: refused before anything is written."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.claimed: dict[tuple[str, str], str] = {}  # (directory under OUT, file name) -> the input's name
        # A ledger or rejects file inside OUT holds its place there: a mirrored output at that path would be
        # replaced by it (or share its part file), and one where it needs a directory, or under it, cannot be made.
        self.reserved: list[tuple[str, str, Path]] = []  # (place under OUT, option, path)
        out = plan.output.resolve() if plan.out_is_dir and plan.output is not None else None
        self.real_out = out
        self.checked: set[str] = set()  # directories under OUT found to stay inside it
        for option, path in (("--ledger", plan.ledger), ("--rejects", plan.rejects)):
            if out is not None and path is not None and inside(path.resolve(), out):
                self.reserved.append((path.resolve().relative_to(out).as_posix(), option, path))

    def claim(self, source: Source) -> None:
        plan = self.plan
        if not plan.out_is_dir or source.path is None or plan.out_format(source) is None:
            return
        directory, name = plan.mirrored_parts(source)
        mirrored = f"{directory}/{name}" if directory else name
        for place, option, path in self.reserved:
            if mirrored == place or mirrored.startswith(place + "/") or place.startswith(mirrored + "/"):
                raise ConfigError(
                    f"the {option} file {path} and the output of {source.display} ({plan.mirrored_path(source)}) "
                    f"cannot both be written; put the {option} file outside -o"
                )
        self._stays_inside(directory, name, source)
        earlier = self.claimed.setdefault((directory, name), source.display)
        if earlier != source.display:
            raise ConfigError(
                f"{earlier} and {source.display} would both be written to {plan.mirrored_path(source)}; rename one "
                "of them or clean them in separate runs"
            )

    def _stays_inside(self, directory: str, name: str, source: Source) -> None:
        """A directory under OUT (or an output file) that is a link out of OUT would take the output elsewhere; found
        mid-run, it stopped the run halfway, so it is refused now. Each directory is resolved once."""
        assert self.real_out is not None and self.plan.output is not None
        places = [] if directory in self.checked else [self.plan.output / directory] if directory else []
        final = self.plan.output / directory / name
        if os.path.islink(final):
            places.append(final)
        for place in places:
            if not inside(Path(os.path.realpath(place)), self.real_out):
                raise ConfigError(
                    f"{place} leads out of -o {self.plan.output} (a link to {os.path.realpath(place)}), so the output "
                    f"of {source.display} would be written outside it; remove the link or choose another -o"
                )
        self.checked.add(directory)
