"""Which site's rule file applies to a document, and so which rules (`rule_lists`).

Decisions (documented in the rule-file docs too):
- The URL host is compared case-insensitively, without port or trailing dot, IDN labels as punycode (so
  `münchen.de` and `xn--mnchen-3ya.de` are one host); a leading "www." is ignored, so `domains = ["turan.az"]`
  matches `www.turan.az`. `*.turan.az` matches any subdomain but not `turan.az` itself.
- When several files match, the most specific domain (longest pattern) wins; ties go to the file name order.
- `detect` patterns place a document only when it has no URL with a host (none, or a relative one): a host is the
  stronger evidence, and a document of another site must not pick up this site's rules because its text happens
  to look alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import regex

from cleaner.rules.kinds import cpu_clock
from cleaner.rules.load import Rule, RuleFile, RuleSet, ascii_host

_HOST = regex.compile(r"[\w-]+(?:\.[\w-]+)*")  # letters (incl. IDN), digits, hyphens, dots; no spaces
# "scheme://host[.][:port]" then the path, query or fragment (or nothing), with a host of dot-separated labels:
# for such a printable ASCII URL, `urlsplit(url).hostname` is that host lower-cased (and valid), and this costs a
# tenth of `urlsplit` (~13 us a document). Anything else (user info, IPv6, IDN, no scheme) goes through `urlsplit`.
_SIMPLE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://((?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+)\.*(?::[0-9]*)?(?:[/?#]|\Z)")


def url_host(url: str) -> str | None:
    """The lower-cased host of `url` without "www.", port or trailing dot, IDN as punycode; None when there is none
    (a relative URL such as "/news/1.htm")."""
    candidate = url.strip()
    simple = _SIMPLE_URL.match(candidate) if candidate.isascii() and candidate.isprintable() else None
    if simple is not None:
        return simple.group(1).lower().removeprefix("www.")
    return url_host_by_urlsplit(candidate)


def url_host_by_urlsplit(candidate: str) -> str | None:
    """`url_host` for any URL, by `urlsplit`; the fast path above must agree with it (a property test checks)."""
    bare = "://" not in candidate and not candidate.startswith(("//", "/"))
    if bare:
        candidate = "//" + candidate  # "turan.az/path" is still a host; "//turan.az/path" is one already
    try:
        host = urlsplit(candidate).hostname
    except ValueError:
        return None
    if not host or (bare and "." not in host):
        return None  # without a scheme, "news/1.htm" is a relative path, not the host "news"
    host = ascii_host(host).removeprefix("www.")
    return host if host and _HOST.fullmatch(host) else None


def domain_matches(host: str, domain: str) -> bool:
    """`domain` is "example.com" (that host, or www.) or "*.example.com" (any subdomain)."""
    domain = domain.lower().removeprefix("www.")
    if domain.startswith("*."):
        return host.endswith(domain[1:])
    return host == domain


def site_for_host(ruleset: RuleSet, host: str) -> RuleFile | None:
    """The site file for a host as `url_host` gives it."""
    cache = ruleset.site_cache  # a corpus has few hosts: decide each once
    if host in cache:
        return cache[host]
    if len(cache) >= 65536:
        cache.clear()
    site = cache[host] = _site_for_host(ruleset, host)
    return site


def _site_for_host(ruleset: RuleSet, host: str) -> RuleFile | None:
    best: tuple[int, RuleFile] | None = None
    for rule_file in ruleset.site_files:
        for domain in rule_file.domains:
            if domain_matches(host, domain) and (best is None or len(domain) > best[0]):
                best = (len(domain), rule_file)
    return best[1] if best else None


def site_for_text(
    ruleset: RuleSet, text: str, timeout: float, spent: dict[str, float] | None = None
) -> tuple[RuleFile | None, list[str]]:
    """The first site (in name order) whose `detect` pattern is found in `text`, and warnings for timeouts.

    `spent`: CPU seconds each detect pattern has used on this document so far (`Document.rule_time`), so that
    `timeout` is its budget for the whole document, as for rules; None: `timeout` for this call alone."""
    warnings: list[str] = []
    spent = {} if spent is None else spent
    for rule_file in ruleset.site_files:
        for index, pattern in enumerate(rule_file.detect):
            key = f"{rule_file.name} [site] detect[{index}]"
            left = timeout - spent.get(key, 0.0)
            if left <= 0:
                continue  # its budget ran out on an earlier look at this document, which warned
            started = cpu_clock()
            try:
                if pattern.search(text, timeout=left):  # CPU seconds, as regex counts them
                    return rule_file, warnings
            except TimeoutError:
                spent[key] = timeout
                warnings.append(
                    f"rules: {rule_file.name} [site] detect[{index}] timed out after {timeout:g}s; "
                    "skipped for this document"
                )
            finally:
                spent[key] = spent.get(key, 0.0) + cpu_clock() - started
    return None, warnings


@dataclass(frozen=True, slots=True)
class RuleLists:
    """The rules the rule stage runs on a document of one site (or none), with or without reader comments."""

    global_rules: list[Rule]  # of the global files, in order
    rules: list[Rule]  # the site's, then the global ones
    context_rules: list[Rule]  # those of `rules` whose matches can depend on the lines around them
    context_or_site_rules: list[Rule]  # those, and all of the site's (a site placed only on a later look)


# (rule set, site file, comments) by identity -> their rule lists, with the rule set and site held so that the ids
# stay theirs. Exact as `RuleSet.site_cache` is: a rule set (its files and their rules) does not change once loaded.
_RULE_LISTS: dict[tuple[int, int, bool], tuple[RuleSet, RuleFile | None, RuleLists]] = {}


def rule_lists(ruleset: RuleSet, site: RuleFile | None, comments: bool) -> RuleLists:
    """The lists of rules for documents of `site` in `ruleset`, made once (not once a document)."""
    key = (id(ruleset), id(site), comments)
    entry = _RULE_LISTS.get(key)
    if entry is None:
        if len(_RULE_LISTS) >= 1024:
            _RULE_LISTS.clear()
        site_rules = site.rules if site is not None else []
        global_rules = [rule for rule_file in ruleset.global_files_for(comments=comments) for rule in rule_file.rules]
        rules = [*site_rules, *global_rules]
        fresh = set(map(id, site_rules))
        lists = RuleLists(
            global_rules,
            rules,
            [rule for rule in rules if rule.sees_context],
            [rule for rule in rules if rule.sees_context or id(rule) in fresh],
        )
        entry = _RULE_LISTS[key] = (ruleset, site, lists)
    return entry[2]
