"""Range checks on a notebook's key numbers: silent when the run is healthy, an error when not.

A notebook calls :func:`expect_between` in a cell whose source is hidden (a collapsed cell
starting with ``# Range check``), so a student sees nothing of it; a change that breaks the
lesson (an accuracy of 100% or of chance) stops the notebook with a sentence saying what is
off, which fails ``make test`` (nbval) as well.
"""

from __future__ import annotations


class RangeCheckError(AssertionError):
    """A number of this run lies outside the range the lesson was written for."""


def expect_between(name: str, value: float, low: float, high: float, percent: bool = False) -> None:
    """Do nothing if ``value`` lies in ``[low, high]``; otherwise raise :class:`RangeCheckError`.

    >>> expect_between("test accuracy", 0.8, 0.45, 0.97, percent=True)
    >>> expect_between("largest gap", 0.2, 0, 0.01)
    Traceback (most recent call last):
    ...
    helpers.notebook.expect.RangeCheckError: The largest gap is 0.2, outside the range this lesson \
expects (0 to 0.01): this run differs from the lesson's; check the settings above.
    """
    if low <= value <= high:
        return
    shown, bounds = ((f"{value:.1%}", f"{low:.0%} to {high:.0%}") if percent
                     else (f"{value:.3g}", f"{low:g} to {high:g}"))
    raise RangeCheckError(f"The {name} is {shown}, outside the range this lesson expects ({bounds}): "
                          "this run differs from the lesson's; check the settings above.")
