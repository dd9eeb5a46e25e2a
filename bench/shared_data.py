"""Where the third-party data lives: `../shared/data` next to the checkout, read at run time and never copied here.

One lookup for every benchmark, so a worktree or a fresh clone elsewhere finds it the same way: `NEWSCLEAN_SHARED`
if set, else the nearest `shared/` beside an ancestor of this checkout, else `/work/shared`.
"""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    if os.environ.get("NEWSCLEAN_SHARED"):
        return Path(os.environ["NEWSCLEAN_SHARED"])
    for ancestor in Path(__file__).resolve().parents:
        if (ancestor / "shared" / "data").is_dir():
            return ancestor / "shared"
    return Path("/work/shared")


AEB = shared_dir() / "data" / "aeb"
"""The article-extraction benchmark: 181 `.html.gz` news pages and `ground-truth.json` (MIT)."""
AEB_GROUND_TRUTH = AEB / "ground-truth.json"
