"""Rule files: TOML -> validated, compiled rules. A rule file is data, never code.

Every problem is reported as a `RuleError` that names the file, the rule (id and line of its `[[rule]]` header)
and the valid choices, because the person reading it is editing that file.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

import regex

from cleaner.errors import ConfigError
from cleaner.rules.kinds import KINDS, Kind, unknown_kind
from cleaner.rules.prefilter import Trigger, trigger_for

RULE_KEYS = ("id", "kind", "pattern", "reason", "removes", "keeps", "max_fraction", "origin")
SITE_KEYS = ("domains", "detect")
TOP_KEYS = ("site", "rule")
ORIGINS = ("manual", "learned")
EXAMPLE_KEYS = ("text", "cleaned")
DEFAULT_TIMEOUT = 0.25  # seconds per pattern per document
COMMENTS_FILE = "_comments"  # the global file that applies only where reader comments were extracted
MAX_TIMEOUT = 3600.0  # seconds; `regex` treats a budget near 1e15 s as spent already (so `inf` would be)

# The module's own patterns are ASCII-only and mean the same in `re`, which compiles them several times faster
# than `regex` does (this module is imported by every `clean`).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_RULE_HEADER = re.compile(r"(?m)^[ \t]*\[\[[ \t]*rule[ \t]*\]\]")
# A host name as `[site] domains` holds it once normalized: lower-case ASCII labels (IDN as punycode), optionally
# after "*." for any subdomain.
_DOMAIN = re.compile(r"(?:\*\.)?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*")
_UNKNOWN: Any = object()  # `Rule(known_trigger=...)` not given: derive the trigger from the pattern


class RuleError(ConfigError):
    """A rule file that cannot be used; exit status 2, nothing written."""


class KnownPattern:
    """A rule pattern that compiled before, in a file whose examples passed with this very code (`cleaner.rules.
    cache`): it is compiled when first used, so a run compiles only the patterns its documents' triggers admit.

    It is the compiled `regex` pattern in all but type: `pattern` and `flags` are known without compiling, and any
    other attribute (`finditer`, `search`, `fullmatch`...) is the compiled pattern's, kept on the instance after
    the first look-up. It pickles as its source and flags, for worker processes."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:  # only for attributes not on the instance yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__["_compiled"] = regex.compile(self.pattern)
        value = getattr(compiled, name)
        self.__dict__[name] = value
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (KnownPattern, (self.pattern, self.flags))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, KnownPattern | regex.Pattern):
            return (self.pattern, self.flags) == (other.pattern, other.flags)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"regex.Regex({self.pattern!r}, flags={self.flags!r})"


@dataclass(frozen=True, slots=True)
class Example:
    """A `removes`/`keeps` example. `cleaned` is None for plain strings: removes-all or keeps-all."""

    text: str
    cleaned: str | None = None


@dataclass(slots=True)
class Rule:
    id: str
    kind: str
    pattern: regex.Pattern[str]
    reason: str
    file: str  # the rule file's stem, e.g. "turan.az"
    removes: list[Example] = field(default_factory=list)
    keeps: list[Example] = field(default_factory=list)
    max_fraction: float | None = None
    origin: str = "manual"
    line: int | None = None  # line of the rule's [[rule]] header, for messages
    # What any match must contain (and, for a line, start with): the rule runs only where that holds. None: always.
    trigger: Trigger | None = field(init=False, repr=False, compare=False)
    # The trigger as derived before from this very pattern and kind (`cleaner.rules.cache`), to skip the analysis.
    known_trigger: InitVar[Trigger | None] = field(default=_UNKNOWN, kw_only=True)

    def __post_init__(self, known_trigger: Trigger | None) -> None:
        if self.kind not in KINDS:
            raise RuleError(f"{self.file}: rule {self.id!r}: {unknown_kind(self.kind)}")
        if known_trigger is _UNKNOWN:
            known_trigger = trigger_for(self.pattern, lines=self.definition.line_trigger)
        self.trigger = known_trigger

    @property
    def definition(self) -> Kind:
        """The registered kind (`cleaner.rules.kinds`): looked up by name, so a pickled rule needs no functions."""
        return KINDS[self.kind]

    @property
    def qualified_id(self) -> str:
        """The id written into the ledger: "<file stem>/<id>"."""
        return f"{self.file}/{self.id}"

    @property
    def stage(self) -> str:
        return "learned" if self.origin == "learned" else "rule"

    @property
    def sees_context(self) -> bool:
        """Whether removing other lines can change what this rule matches (see its kind)."""
        return self.definition.sees_context


@dataclass(slots=True)
class RuleFile:
    """One site's rules (or, for a file whose name starts with "_", rules for every document)."""

    name: str  # stem: "turan.az", "_default"
    path: Path
    domains: list[str] = field(default_factory=list)
    detect: list[regex.Pattern[str]] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    # `cleaner.rules.cache`: the key of this file's entry (None: loaded without the cache), and whether that entry
    # says its examples passed already.
    cache_key: str | None = field(default=None, repr=False, compare=False)
    checked: bool = field(default=False, repr=False, compare=False)

    @property
    def is_global(self) -> bool:
        """Files named `_*.toml` (e.g. `_default.toml`) apply to every document (`_comments.toml`: see below)."""
        return self.name.startswith("_")

    @property
    def for_comments(self) -> bool:
        """`_comments.toml` (bundled, or a directory's own) cleans reader-comment widgets: it applies only to text
        extracted from HTML with its comments (`--comments keep`), so every other output stays as it was."""
        return self.name == COMMENTS_FILE


@dataclass(slots=True)
class RuleSet:
    """The rule files in force, by name, after later directories overrode earlier ones."""

    files: dict[str, RuleFile] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    # URL host -> its site file, filled by `match.site_for_host`; a rule set does not change once loaded.
    site_cache: dict[str, RuleFile | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def global_files(self) -> list[RuleFile]:
        return [f for f in self.files.values() if f.is_global]

    def global_files_for(self, comments: bool) -> list[RuleFile]:
        """The global files for a document: `_comments` only where its text holds extracted reader comments."""
        return [f for f in self.files.values() if f.is_global and (comments or not f.for_comments)]

    @property
    def site_files(self) -> list[RuleFile]:
        return [f for f in self.files.values() if not f.is_global]

    def __len__(self) -> int:
        return sum(len(f.rules) for f in self.files.values())


def bundled_rules_dir() -> Path:
    """The bundled rule set: `cleaner/_rules` in an installed wheel, the repository's `rules/` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    wheel = package / "_rules"
    if wheel.is_dir():
        return wheel
    return package.parent / "rules"


def rule_files_in(directory: str | Path, what: str = "rules directory") -> list[Path]:
    """The `*.toml` files of a rules directory, in name order. A `*.toml` entry that is not a readable regular file
    (a dangling link, a directory) is an error naming it, as it would fail when read: `rules check` and `clean`
    refuse it alike, before any work."""
    path = Path(directory)
    if not path.is_dir():
        raise RuleError(
            f"{what} {str(path)!r} does not exist or is not a directory; pass a directory of .toml rule files"
        )
    files: list[Path] = []
    for entry in sorted(path.glob("*.toml")):
        if entry.is_file():
            files.append(entry)
        elif entry.is_symlink() and not entry.exists():
            raise RuleError(
                f"{entry}: the rule file is a dangling link (to {str(entry.readlink())!r}); fix or remove it"
            )
        else:
            raise RuleError(f"{entry}: named like a rule file but not a regular file; rename or remove it")
    return files


def _rule_files(directory: str | Path, what: str = "rules directory") -> list[Path]:
    """`rule_files_in`, and a directory without rule files is an error: it is almost always the wrong directory."""
    paths = rule_files_in(directory, what)
    if not paths:
        raise RuleError(f"{what} {str(directory)!r} has no rule files (*.toml); is it the right one?")
    return paths


def resolve_rule_dirs(
    extra: Sequence[str | Path], bundled: bool = True, *, what: str = "rules directory"
) -> list[Path]:
    """The rule directories of a run, in the order they apply: the bundled rules first (unless `bundled=False`),
    then `extra` (`--rules`, `Cleaner(rules=...)`); a later directory's file replaces an earlier one's of the same
    name. Each of `extra` is checked here, before any work: a directory, holding rule files, none of them a
    dangling link. `what` names them in messages (e.g. "--rules")."""
    if isinstance(extra, str | Path):
        raise RuleError(
            f"rule directories must be a list, got the single path {str(extra)!r}; did you mean [{str(extra)!r}]?"
        )
    dirs = [bundled_rules_dir()] if bundled else []
    for item in extra:
        if not isinstance(item, str | Path):
            raise RuleError(f"{what} must be a path (str or Path), got {item!r}")
        _rule_files(item, what)
        dirs.append(Path(item))
    return dirs


def check_timeout(timeout: float, option: str) -> float:
    """A pattern's time budget, checked at the door: NaN would never run out, and `inf` is spent at once. The one
    check of it: the CLI options, `Cleaner(rule_timeout=...)` and `load_ruleset` all call this."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT:
        raise RuleError(
            f"{option} must be a number of seconds in (0, {MAX_TIMEOUT:g}], got {timeout!r}; the default is "
            f"{DEFAULT_TIMEOUT:g} (CPU seconds per pattern and document)"
        )
    return float(timeout)


def chosen_rule_files(dirs: Sequence[str | Path]) -> dict[str, Path]:
    """File stem -> the file in force: a later directory's file replaces an earlier one's of the same name."""
    chosen: dict[str, Path] = {}
    for directory in dirs:
        for path in _rule_files(directory):
            chosen[path.stem] = path
    return {name: chosen[name] for name in sorted(chosen)}


def load_ruleset(dirs: Sequence[str | Path], timeout: float = DEFAULT_TIMEOUT) -> RuleSet:
    """Load every `*.toml` of each directory; a later directory's file replaces an earlier one of the same name.

    A directory without rule files is an error, as in `rules check`: it is almost always the wrong directory.
    A file checked before with the same text, time budget and code (`cleaner.rules.cache`) comes with its rules'
    triggers from that check and `checked` set, so `check_examples` does not run its examples again."""
    timeout = check_timeout(timeout, "rule timeout")
    files = {name: _load(path, timeout) for name, path in chosen_rule_files(dirs).items()}
    return RuleSet(files=files, timeout=timeout)


def load_rule_file(path: str | Path) -> RuleFile:
    """Parse and validate one rule file; raise `RuleError` naming the file, rule and fix."""
    return _load(Path(path), None)


def _load(path: Path, timeout: float | None) -> RuleFile:
    """`load_rule_file`; with a rule time budget, through the cache of checked files (None: without it)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")  # a byte order mark, as some editors write, is not TOML
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(f"{path}: cannot read rule file: {error}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise RuleError(f"{path}: TOML syntax error: {error}; see https://toml.io for the syntax") from None
    except RecursionError:
        raise RuleError(f"{path}: TOML nested too deeply to read (arrays or tables inside each other)") from None
    if timeout is None:
        return _build_file(path, data, _rule_header_lines(raw))
    from cleaner.rules import cache

    key = cache.entry_key(path.stem, raw, timeout)
    known = cache.lookup(key)
    checked = known if _entry_shape(known) else {}
    rule_file = _build_file(path, data, _rule_header_lines(raw), checked)
    rule_file.cache_key = key
    rule_file.checked = bool(checked) and all(
        (rule.id, rule.kind, rule.pattern.pattern) in checked for rule in rule_file.rules
    )
    return rule_file


def _entry_shape(entry: Any) -> bool:
    """Whether a cache entry is what `cache_entry` makes (anything else is ignored, as if there were none)."""
    return isinstance(entry, dict) and all(
        isinstance(key, tuple)
        and len(key) == 3
        and all(isinstance(part, str) for part in key)
        and isinstance(value, tuple)
        and len(value) == 2
        and (value[0] is None or isinstance(value[0], Trigger))
        and type(value[1]) is int
        for key, value in entry.items()
    )


def cache_entry(rule_file: RuleFile) -> dict[tuple[str, str, str], tuple[Trigger | None, int]]:
    """What the cache keeps of a checked file: each rule's trigger and pattern flags, by its id, kind and pattern."""
    return {(rule.id, rule.kind, rule.pattern.pattern): (rule.trigger, rule.pattern.flags) for rule in rule_file.rules}


def _rule_header_lines(raw: str) -> list[int]:
    """1-based line numbers of the `[[rule]]` headers, so messages can point at the rule being edited. A line
    inside a multi-line string (an example quoting a rule file) is no header: strings are skipped as TOML reads
    them, since `tomllib` gives no positions."""
    headers: list[int] = []
    open_string: str | None = None  # the delimiter of the multi-line string a line starts in
    for number, line in enumerate(raw.split("\n"), 1):
        if open_string is None and _RULE_HEADER.match(line):
            headers.append(number)
        open_string = _string_left_open(line, open_string)
    return headers


_TOML_QUOTE = re.compile(r"""\"\"\"|'''|["'#]""")


def _string_left_open(line: str, open_string: str | None) -> str | None:
    """The multi-line string delimiter still open at the end of `line`, given the one open at its start."""
    position = 0
    while True:
        if open_string is not None:
            end = _closing(line, open_string, position)
            if end < 0:
                return open_string
            position, open_string = end, None
        found = _TOML_QUOTE.search(line, position)
        if found is None or found.group() == "#":
            return None
        quote = found.group()
        if len(quote) == 3:
            open_string, position = quote, found.end()
            continue
        end = _closing(line, quote, found.end())
        if end < 0:
            return None  # an unterminated one-line string: a syntax error, which tomllib reports
        position = end


def _closing(line: str, quote: str, start: int) -> int:
    """Where the string that `quote` closes ends in `line` (after the delimiter), or -1. Basic strings (") skip
    backslash escapes; literal ones (') have none."""
    position = start
    while True:
        end = line.find(quote, position)
        if end < 0:
            return -1
        if quote[0] == '"' and (end - len(line[:end].rstrip("\\"))) % 2:
            position = end + 1  # an escaped quote
            continue
        if len(quote) == 3:
            while line.startswith(quote[0], end + 3):
                end += 1  # up to two quotes may end the string's text right before its delimiter
        return end + len(quote)


def _unknown(where: str, key: str, valid: Sequence[str]) -> RuleError:
    return RuleError(f"{where}: unknown key {key!r}; valid keys are: {', '.join(valid)}")


def _build_file(
    path: Path, data: dict[str, Any], header_lines: list[int], known: dict[Any, Any] | None = None
) -> RuleFile:
    for key in data:
        if key not in TOP_KEYS:
            raise _unknown(f"{path}", key, ["[site]", "[[rule]]"])
    rule_file = RuleFile(name=path.stem, path=path)
    site = data.get("site", {})
    if not isinstance(site, dict):
        raise RuleError(f"{path}: 'site' must be a table ([site]), got {type(site).__name__}")
    if site and rule_file.is_global:
        raise RuleError(
            f"{path}: a file whose name starts with '_' applies to every document, so it cannot have a [site] "
            f"table; name the file after its site (e.g. {rule_file.name.lstrip('_') or 'example.com'}.toml) or "
            "remove [site]"
        )
    for key in site:
        if key not in SITE_KEYS:
            raise _unknown(f"{path}: [site]", key, SITE_KEYS)
    domains = site.get("domains")
    where = f"{path}: [site] domains"
    if domains is not None:
        rule_file.domains = [_domain(d, where) for d in _strings(domains, where, '["example.com", "*.example.com"]')]
    elif not rule_file.is_global and _DOMAIN.fullmatch(host := ascii_host(rule_file.name)):
        # A site file is named after its site, so the name is the natural default (a file named otherwise can
        # still place documents by `detect`).
        rule_file.domains = [host, f"*.{host}"]
    detect = _strings(site.get("detect", []), f"{path}: [site] detect", "['(?m)^Leave a review\\z']")
    for index, pattern in enumerate(detect):
        rule_file.detect.append(_compile(pattern, f"{path}: [site] detect[{index}]"))
    rules = data.get("rule", [])
    if not isinstance(rules, list):
        raise RuleError(f"{path}: rules must be an array of tables written [[rule]], got {type(rules).__name__}")
    seen: dict[str, str] = {}
    for index, entry in enumerate(rules):
        line = header_lines[index] if index < len(header_lines) else None
        rule = _build_rule(path, index, line, entry, known or {})
        if rule.id in seen:
            raise RuleError(
                f"{path}: rule {rule.id!r} ({_where(index, line)}) has the same id as {seen[rule.id]}; "
                "rule ids must be unique within a file: rename one of them"
            )
        seen[rule.id] = _where(index, line)
        rule_file.rules.append(rule)
    return rule_file


def _where(index: int, line: int | None) -> str:
    return f"rule #{index + 1}" + (f" at line {line}" if line is not None else "")


def _build_rule(path: Path, index: int, line: int | None, entry: Any, known: dict[Any, Any]) -> Rule:
    """One validated rule. `known`: (id, kind, pattern) -> (trigger, flags) of a checked file's rules (its
    pattern is then compiled when first used, and its trigger not derived again)."""
    where = f"{path}: {_where(index, line)}"
    if not isinstance(entry, dict):
        raise RuleError(f"{where}: a rule must be a table written [[rule]]")
    rule_id = entry.get("id")
    if rule_id is None:
        raise RuleError(f"{where}: missing required key 'id'; add e.g. id = \"sidebar-teasers\"")
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise RuleError(
            f"{where}: id {rule_id!r} is not valid; use letters, digits, '.', '_' and '-' (e.g. \"share-prompt\")"
        )
    where = f"{path}: rule {rule_id!r}" + (f" (line {line})" if line is not None else "")
    for key in entry:
        if key not in RULE_KEYS:
            raise _unknown(where, key, RULE_KEYS)
    for key in ("reason", "kind", "pattern"):
        if key not in entry:
            hint = {
                "reason": 'add reason = "why this text is boilerplate"',
                "kind": f"add kind = one of {', '.join(KINDS)}",
                "pattern": "add pattern = '...' (a regex, package `regex` syntax)",
            }[key]
            raise RuleError(f"{where}: missing required key {key!r}; {hint}")
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise RuleError(f"{where}: {key!r} must be a non-empty string, got {entry[key]!r}")
    kind = entry["kind"]
    if kind not in KINDS:
        raise RuleError(f"{where}: {unknown_kind(kind)}")
    source = entry["pattern"]
    checked = known.get((rule_id, kind, unicodedata.normalize("NFC", source)))
    pattern: Any
    if checked is not None:
        known_trigger, flags = checked
        pattern = KnownPattern(unicodedata.normalize("NFC", source), flags)
    else:
        known_trigger, pattern = _UNKNOWN, _compile(source, f"{where}: pattern")
    max_fraction = entry.get("max_fraction")
    if max_fraction is not None and (
        isinstance(max_fraction, bool) or not isinstance(max_fraction, int | float) or not 0 < max_fraction <= 1
    ):
        raise RuleError(f"{where}: max_fraction must be a number in (0, 1], got {max_fraction!r}")
    origin = entry.get("origin", "manual")
    if origin not in ORIGINS:
        raise RuleError(f"{where}: origin {origin!r} is not valid; valid origins are: {', '.join(ORIGINS)}")
    return Rule(
        id=rule_id,
        kind=kind,
        pattern=pattern,
        reason=entry["reason"],
        file=path.stem,
        removes=_examples(entry.get("removes", []), f"{where}: removes"),
        keeps=_examples(entry.get("keeps", []), f"{where}: keeps"),
        max_fraction=None if max_fraction is None else float(max_fraction),
        origin=origin,
        line=line,
        known_trigger=known_trigger,
    )


def _compile(pattern: str, where: str) -> regex.Pattern[str]:
    """Text is matched in NFC, so the pattern is too: "Cafe\u0301" typed decomposed still finds "Café"."""
    try:
        return regex.compile(unicodedata.normalize("NFC", pattern))
    except regex.error as error:
        raise RuleError(f"{where}: invalid regex {pattern!r}: {error}") from None
    except RecursionError:
        raise RuleError(f"{where}: the pattern nests its groups too deeply to compile; flatten it") from None


def _strings(value: Any, where: str, example: str = '["..."]') -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where} must be an array of strings, e.g. {example}, got {value!r}")
    return list(value)


def ascii_host(host: str) -> str:
    """A host name lower-cased, without trailing dots, its IDN labels as punycode: "Café.fr." -> "xn--caf-dma.fr".

    Rule files and URLs may spell a host either way; both are compared in this form."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # not a valid IDN: kept as written (a rule file's own domain is then rejected)


def _domain(domain: str, where: str) -> str:
    wildcard = domain.startswith("*.")
    host = ascii_host(domain.strip()[2:] if wildcard else domain.strip())
    normalized = ("*." if wildcard else "") + host
    if not _DOMAIN.fullmatch(normalized):
        raise RuleError(
            f'{where}: {domain!r} is not a host name; write the host alone, like "example.com" (that host and '
            'www.) or "*.example.com" (any subdomain): no scheme, path, port or other wildcard'
        )
    return normalized


def _examples(value: Any, where: str) -> list[Example]:
    if not isinstance(value, list):
        raise RuleError(f"{where} must be an array of strings or {{ text = ..., cleaned = ... }} tables")
    examples: list[Example] = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            examples.append(Example(item))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise RuleError(f"{where}[{index}]: an example is a string or a table with a string 'text'")
        for key in item:
            if key not in EXAMPLE_KEYS:
                raise _unknown(f"{where}[{index}]", key, EXAMPLE_KEYS)
        cleaned = item.get("cleaned")
        if cleaned is not None and not isinstance(cleaned, str):
            raise RuleError(f"{where}[{index}]: 'cleaned' must be a string")
        examples.append(Example(item["text"], cleaned))
    return examples
