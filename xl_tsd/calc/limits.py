"""Limits on the work one calculation may do, and the refusal that names the limit.

Every command that computes a workbook (``calc``, ``fill``, ``batch``,
``upgrade``) checks the workbook against these before the engine starts and
stops the engine when the time is up, so no input makes it run unbounded.
Each limit has a command-line option and a keyword argument of the same name
(``--max-cells`` / ``max_cells=``) to raise it.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .safety import InputRefused

__all__ = ["Limits", "LimitExceeded", "DEFAULT_LIMITS"]


class LimitExceeded(InputRefused):
    """A workbook needs more work than a limit allows; the message names the limit and its option."""

    def __init__(self, name: str, what: str, limit_name: str, limit, got=None):
        opt = "--" + limit_name.replace("_", "-")
        text = f"{name}: refused: {what}" + (f" ({got:,})" if isinstance(got, int) else "")
        text += f", above the limit of {limit:,} (raise it with {opt}, or {limit_name}= in Python)"
        super().__init__(text)
        self.limit_name = limit_name


@dataclass(frozen=True)
class Limits:
    """How much one calculation may do.

    Attributes
    ----------
    max_cells : int
        Cells (values and formulas) in all sheets. 4,000,000 by default: about
        600 MB of memory (500,000 cells take 124 MB for the whole command); the
        case template holds 3,000.
    max_formulas : int
        Formula cells. 1,000,000 by default.
    max_range_cells : int
        Cells in the largest range one formula reads (a whole column counts
        the sheet's used rows). 10,000,000 by default: a range passed to a
        catalogue function is one Python list.
    max_seconds : float
        Wall time for the engine to compute the workbook. 300 s by default; a
        case template takes a few milliseconds.
    """

    max_cells: int = 4_000_000
    max_formulas: int = 1_000_000
    max_range_cells: int = 10_000_000
    max_seconds: float = 300.0

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise ValueError(f"{f.name} must be a positive number (got {v!r})")

    def updated(self, **given) -> "Limits":
        """These limits with the given ones replaced (``None`` keeps the present value)."""
        return replace(self, **{k: v for k, v in given.items() if v is not None})


#: The limits when none are given.
DEFAULT_LIMITS = Limits()
