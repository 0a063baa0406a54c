"""Checks of a notebook's key numbers that nbval can compare: they print only pass or fail.

A notebook cell marked ``# NBVAL_CHECK_OUTPUT`` that calls :func:`expect_between`
prints the same line on every healthy run, whatever the exact number, so a change
that breaks the lesson (an accuracy of 100% or of chance) fails the test run.
"""

from __future__ import annotations


def expect_between(name: str, value: float, low: float, high: float) -> bool:
    """Print whether ``value`` lies in ``[low, high]``; return it.

    >>> expect_between("test accuracy", 0.8, 0.5, 0.95)
    test accuracy within the expected 0.5 to 0.95: True
    True
    """
    ok = bool(low <= value <= high)
    print(f"{name} within the expected {low:g} to {high:g}: {ok}")
    return ok
