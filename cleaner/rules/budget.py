"""Time budgets for patterns that a paused or loaded process does not use up.

`regex` counts its timeout in wall-clock time. A stall (a SIGSTOP, a suspended VM, more work than cores) could
then time a pattern out on one run and not the next, and the output would depend on load. So a timeout only
counts when the pattern used its budget of CPU time: one that timed out having used less runs once more with
more wall time, and its result stands only if that run kept within the CPU budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# The second run's wall time, in budgets: with up to this many runnable processes per core it still finishes.
STALL_ALLOWANCE = 4.0
# A first run that used at least this share of its budget as CPU time was slow, not stalled: no second run.
_BUSY = 0.9


def within_budget(run: Callable[[float], T], budget: float) -> T:
    """`run(seconds)`, which raises TimeoutError when its pattern runs out of (wall) time, held to `budget`
    seconds of this thread's CPU time instead."""
    start = time.thread_time()
    try:
        return run(budget)
    except TimeoutError:
        if time.thread_time() - start >= _BUSY * budget:
            raise
    start = time.thread_time()
    result = run(budget * STALL_ALLOWANCE)
    if time.thread_time() - start > budget:
        raise TimeoutError(f"used more than {budget:g}s of CPU time")
    return result
