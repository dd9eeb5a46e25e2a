"""Resume state: what must not change between a killed run and its `--resume` (the fingerprint), the state file
that records each commit, and picking up or discarding what an interrupted run left.

The fingerprint hashes the run's own option objects field by field (`BatchConfig`, and the `ReadOptions` in it):
a field is part of it unless its metadata says `fingerprint: False`, so a new option cannot be forgotten here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from cleaner.batch.plan import STATE_SUFFIX, Plan
from cleaner.errors import ConfigError
from cleaner.io.writers import is_part, part_dir, part_path, stale_temporaries, write_atomic

__all__ = ["STATE_SUFFIX", "carry_out", "check_committed_outputs", "discard", "fingerprint", "load", "save"]

_PACKAGE = Path(__file__).resolve().parent.parent  # cleaner/: a code change between kill and resume changes outputs


def options_fields(options: Any) -> list[Any]:
    """An option object as [name, value] pairs, nested dataclasses expanded, fields marked `fingerprint: False`
    left out; sequences become lists and paths strings, so equal options give equal fingerprints."""
    out: list[Any] = []
    for field in dataclasses.fields(options):
        if field.metadata.get("fingerprint", True):
            out.append([field.name, _canonical(getattr(options, field.name))])
    return out


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return options_fields(value)
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def fingerprint(plan: Plan) -> str:
    """What must not change between a killed run and its --resume: options, resolved outputs, rules, code and
    every input file."""
    parts: list[Any] = [
        "newsclean-batch-2",
        options_fields(plan.config),
        [str(plan.output), str(plan.ledger), str(plan.rejects)],
        plan.inputs_signature,
    ]
    for module in sorted(_PACKAGE.rglob("*.py")):
        stat = module.stat()
        parts.append([str(module.relative_to(_PACKAGE)), stat.st_size, stat.st_mtime_ns])
    for directory in plan.rule_dirs:
        for rule_file in sorted(Path(directory).glob("*.toml")):
            stat = rule_file.stat()
            parts.append([str(rule_file), stat.st_size, stat.st_mtime_ns])
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def save(
    plan: Plan,
    fingerprint: str,
    position: tuple[int, int],
    parts: dict[str, int],
    renames: Sequence[tuple[Path, Path]],
    remove: Sequence[Path],
    finished: bool,
    summary: dict[str, Any],
) -> None:
    """Record a commit (never torn: written to a temporary file, synced, renamed over the last one)."""
    import orjson

    if plan.state is None:
        return
    state = {
        "fingerprint": fingerprint,
        "position": list(position),
        "parts": parts,
        "renames": [[str(a), str(b)] for a, b in renames],
        "remove": [str(directory) for directory in remove],
        "finished": finished,
        "summary": summary,
    }
    write_atomic(plan.state, orjson.dumps(state), sync=True)


def carry_out(renames: Iterable[tuple[Path | str, Path | str]], remove: Iterable[Path | str]) -> None:
    """The renames and removals a commit recorded (again after a kill: each is safe to repeat)."""
    for part, final in renames:
        if Path(part).exists():
            os.replace(part, final)
    for directory in remove:
        shutil.rmtree(directory, ignore_errors=True)


def load(plan: Plan, fingerprint: str, note: Any) -> dict[str, Any] | None:
    """The state of the interrupted run to resume, or None to start from the beginning."""
    import orjson

    if plan.state is not None:  # this run holds the outputs' lock: a temporary state file is a killed run's
        for stale in stale_temporaries(plan.state):
            stale.unlink(missing_ok=True)
    if plan.state is None or not plan.state.exists():
        if plan.config.resume:
            note("nothing to resume: no interrupted run found; starting from the beginning")
        return None
    if plan.config.restart:
        note(f"discarding an interrupted run ({plan.state}), as --restart asks")
        discard(plan.state)
        return None
    if not plan.config.resume:
        raise ConfigError(
            f"an interrupted run left its outputs here ({_committed(plan.state)}; its state is in {plan.state}): "
            "pass --resume to continue it, or --restart to discard its work and start over"
        )
    try:
        state = orjson.loads(plan.state.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ConfigError(
            f"cannot resume: state file {plan.state} is unreadable ({error}); rerun with --restart instead"
        ) from None
    if state.get("fingerprint") != fingerprint:
        raise ConfigError(
            "cannot resume: inputs, options or rules changed since the interrupted run; "
            "rerun with --restart to start over"
        )
    carry_out(state.get("renames", []), state.get("remove", []))  # what the killed run had committed to
    return state  # type: ignore[no-any-return]


def _committed(state_file: Path) -> str:
    """How much an interrupted run had committed, for the message that refuses to discard it silently."""
    import orjson

    try:
        done = int(orjson.loads(state_file.read_bytes())["summary"]["docs_in"])
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return "how much it committed is unknown"
    return f"{done:,} document{'s' if done != 1 else ''} committed"


def discard(state_file: Path) -> None:
    """Remove the part files and part directories an interrupted run recorded, so a run that starts over leaves
    none behind (one of an input removed since would stay forever). Only names this tool gives its parts."""
    import orjson

    try:
        state = orjson.loads(state_file.read_bytes())
        finals = [Path(final) for final in state.get("parts", {})]
        pending = [Path(part) for part, _ in state.get("renames", [])] + [Path(d) for d in state.get("remove", [])]
    except (OSError, orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return  # an unreadable state names nothing to trust
    for path in [*map(part_path, finals), *map(part_dir, finals), *pending]:
        if is_part(path):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def check_committed_outputs(plan: Plan, position: tuple[int, int]) -> None:
    """Before resuming: the output directory and the output files of the sources the interrupted run finished must
    still be there, or the resumed run would end as if all were well without them. (Mirrored text files are one
    per document and a rejected one has none: only their directory is checked.)"""
    from cleaner.io.sources import iter_sources

    if plan.out_is_dir and plan.output is not None and not plan.output.is_dir():
        raise ConfigError(
            f"cannot resume: the output directory {plan.output} is gone; rerun with --restart to start over"
        )
    for index, source in enumerate(iter_sources(plan.config.inputs)):
        if index >= position[0]:
            return
        final = plan.final_path(source)
        fmt = plan.out_format(source)
        per_document = plan.out_is_dir and fmt is not None and fmt.one_file_per_document
        if final is not None and not per_document and not final.exists() and not plan.concat:  # concat: one part
            raise ConfigError(
                f"cannot resume: {final}, finished before the run was interrupted, is missing; rerun with "
                "--restart to start over"
            )
