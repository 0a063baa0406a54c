"""Checks of a notebook's key numbers that nbval can compare: they print a verdict, not the number.

A notebook cell marked ``# NBVAL_CHECK_OUTPUT`` that calls :func:`expect_between`
prints the same sentence on every healthy run, whatever the exact number, so a change
that breaks the lesson (an accuracy of 100% or of chance) fails the test run.
"""

from __future__ import annotations


def expect_between(name: str, value: float, low: float, high: float, percent: bool = False) -> bool:
    """Say in a sentence whether ``value`` lies in ``[low, high]``; return whether it does.

    >>> expect_between("test accuracy", 0.8, 0.45, 0.97, percent=True)
    The test accuracy is inside the range this lesson expects (45% to 97%).
    True
    >>> expect_between("largest gap", 0.2, 0, 0.01)
    The largest gap is OUTSIDE the range this lesson expects (0 to 0.01): this run differs from the \
lesson's; check the settings above.
    False
    """
    ok = bool(low <= value <= high)
    bounds = f"{low:.0%} to {high:.0%}" if percent else f"{low:g} to {high:g}"
    if ok:
        print(f"The {name} is inside the range this lesson expects ({bounds}).")
    else:
        print(f"The {name} is OUTSIDE the range this lesson expects ({bounds}): this run differs from the "
              "lesson's; check the settings above.")
    return ok
