"""Which site a document belongs to, for learning: a rule file that claims it, else its URL host.

A rule file's domains (or, for a document without URL, its `detect` patterns) win over the bare host, so learned
rules land in the file a person already maintains for that site (`cleaner.rules.match` decides, as in `clean`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from cleaner.rules import RuleSet


@cache
def _ruleset(dirs: tuple[str, ...]) -> RuleSet | None:
    """Load once per worker process: partitions are many, rule directories few."""
    if not dirs:
        return None
    from cleaner.rules import load_ruleset

    return load_ruleset(list(dirs))


def ruleset_for(dirs: Sequence[str | Path]) -> RuleSet | None:
    return _ruleset(tuple(str(d) for d in dirs))


def site_of(url: str | None, text: str, ruleset: RuleSet | None) -> str | None:
    """The site name: a matching rule file's name, else the URL host without "www.", else None."""
    from cleaner.rules.match import site_for_host, site_for_text, url_host

    host = url_host(url) if url else None  # a URL without a host (relative) leaves it to `detect`, as in cleaning
    if host is not None:
        rule_file = site_for_host(ruleset, host) if ruleset is not None else None
        return rule_file.name if rule_file is not None else host
    if ruleset is not None:
        rule_file, _warnings = site_for_text(ruleset, text, ruleset.timeout)
        if rule_file is not None:
            return rule_file.name
    return None
