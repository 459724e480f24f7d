"""Numbers as a Chinese valuation report prints them: 元 with thousands separators and two decimals,
percentages, dates in ISO form."""
from __future__ import annotations

import datetime as _dt

from ..template.layout import MONEY_DIGITS

__all__ = ["yuan", "percent", "number", "shown", "FORMATS"]

PERCENT_DIGITS = 2  #: decimals of a percentage (8.00 %)


def yuan(v, unit: bool = True) -> str:
    """``50,740,000.00 元``; text (an error, "") as it is."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "" if v is None else str(v)
    s = f"{v:,.{MONEY_DIGITS}f}"
    return f"{s} 元" if unit else s


def percent(v) -> str:
    """``8.00%`` for 0.08."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "" if v is None else str(v)
    return f"{v * 100:.{PERCENT_DIGITS}f}%"


def number(v, digits: int = 2) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "" if v is None else str(v)
    return f"{v:,.{digits}f}"


def _date(v) -> str:
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return "" if v is None else str(v)


def _bool(v) -> str:
    if v is True:
        return "是 TRUE"
    if v is False:
        return "否 FALSE"
    return "" if v is None else str(v)


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


#: kind of a figure (the layout's ``fmt``/unit) -> formatter
FORMATS = {"money": yuan, "price": yuan, "share": percent, "margin": percent, "date": _date, "bool": _bool,
           "units": lambda v: number(v, 0), "count": lambda v: number(v, 0), "years": number,
           "multiplier": lambda v: number(v, 2), "factor": number, "ratio": lambda v: number(v, 3),
           "weight": number, "text": _text}


def shown(v, kind: str) -> str:
    """``v`` formatted as a figure of ``kind``; text values (choices, errors) as they are."""
    return FORMATS.get(kind, _text)(v)
