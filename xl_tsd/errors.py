"""Typed errors of xl_tsd.

Every error names the argument at fault, what was expected and what was
given, and carries the Excel error code the Excel face shows for it:

- ``#VALUE!`` (:class:`TsdValueError`): wrong type, or outside the range the
  quantity can take (a share above 1, a negative quantity, text for a number);
- ``#NUM!`` (:class:`TsdNumError`): a number the law or the method does not
  allow (a punitive multiplier of 6, a split above 100 %);
- ``#N/A`` (:class:`TsdMissingError`): a required value is not known (an empty
  cell where no fallback exists).

The message reads ``"<argument> must be <expected> (got <value>)"`` so that an
Excel cell shows e.g. ``#NUM! multiplier must be between 1 and 5 (got 6)``.
"""
from __future__ import annotations

__all__ = ["TsdError", "TsdValueError", "TsdNumError", "TsdMissingError", "EXCEL_CODES"]

_NOTHING = object()


def _show(value: object) -> str:
    """A value as a valuation expert would read it in a message."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    if isinstance(value, str):
        return f'"{value}"' if value else "empty text"
    if value is None:
        return "an empty cell"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class TsdError(ValueError):
    """Base of all xl_tsd errors.

    Parameters
    ----------
    argument : str
        The argument's catalogue name (``s2``, ``multiplier``, ...).
    expected : str
        What was expected, in words (``"between 0 and 1"``).
    got : object, optional
        The value given; omitted for a missing value.
    where : str, optional
        Position inside a range, e.g. ``"row 3"``.
    message : str, optional
        A complete message replacing the standard one.
    """

    excel_code = "#VALUE!"

    def __init__(self, argument: str, expected: str, got: object = _NOTHING,
                 where: str | None = None, message: str | None = None):
        self.argument = argument
        self.expected = expected
        self.got = None if got is _NOTHING else got
        self.where = where
        if message is None:
            message = f"{argument} must be {expected}"
            if got is not _NOTHING:
                message += f" (got {_show(got)}{' at ' + where if where else ''})"
            elif where:
                message += f" (at {where})"
        self.message = message
        super().__init__(message)

    def excel_text(self) -> str:
        """The cell text the Excel face shows: code, space, reason."""
        return f"{self.excel_code} {self.message}"


class TsdValueError(TsdError):
    """Wrong type or out-of-range input (Excel ``#VALUE!``)."""

    excel_code = "#VALUE!"


class TsdNumError(TsdError):
    """A number the law or the method does not allow (Excel ``#NUM!``)."""

    excel_code = "#NUM!"


class TsdMissingError(TsdError):
    """A required value is not known (Excel ``#N/A``)."""

    excel_code = "#N/A"

    def __init__(self, argument: str, expected: str = "given", where: str | None = None,
                 message: str | None = None):
        if message is None:
            message = f"{argument} is missing: {expected}" if expected != "given" else (
                f"{argument} is missing")
            if where:
                message += f" (at {where})"
        super().__init__(argument, expected, where=where, message=message)


#: The Excel error codes xl_tsd produces, most specific first.
EXCEL_CODES = ("#VALUE!", "#NUM!", "#N/A")
