"""pytest configuration: the hypothesis profile of CI and the `slow` marker. Helpers live in tests/helpers.py."""

from __future__ import annotations

import os

from hypothesis import settings

# CI explores the same examples every run (a failure there must be reproducible, and main must stay green by
# more than luck); a developer's run explores new ones each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
