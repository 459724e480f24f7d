"""Functions about the rules and the library itself: TSD_RULE, TSD_EXPLAIN,
TSD_VERSION, TSD_ISERROR."""
from __future__ import annotations

import datetime as _dt

import numpy as np

from . import _coerce as c
from . import legal
from ._version import __version__
from .errors import TsdError, TsdValueError
from .registry import Arg, Example, get, register

__all__ = ["tsd_rule", "tsd_rule_info", "tsd_explain", "tsd_version", "tsd_iserror", "tsd_fingerprint",
           "EXCEL_ERROR_PREFIXES"]


@register(
    "TSD_RULE", category="rules", returns="any", unit="as the rule (元, x, date or text)",
    args=[Arg("key", "text", "Rule key, e.g. statutory_cap, punitive_max, criminal_serious",
              "规则键，如 statutory_cap、punitive_max、criminal_serious"),
          Arg("date", "date", "Date the rule must be in force on (today if empty)", "规则施行所对应的日期（空白为今天）",
              optional=True)],
    formula="the row of the versioned legal table with this key and the latest effective date ≤ date",
    en="A legal parameter in force on a date, from the versioned legal table (caps, multipliers, thresholds).",
    zh="某日施行的法定参数（法定赔偿上限、倍数、刑事数额标准），取自版本化法律参数表。",
    basis_en="The instrument and article of each row (see the Sources sheet / docs/functions.md).",
    basis_zh="各行所列法律文件及条款（见来源表）。",
    examples=(Example(("statutory_cap", legal.D(2020, 1, 1)), 5_000_000.0, "AUCL 2019 Art. 17"),
              Example(("criminal_serious", legal.D(2019, 6, 1)), 500_000.0, "法释〔2004〕19号 Art. 7")),
)
def tsd_rule(key, date=None):
    """
    Examples
    --------
    >>> import datetime, xl_tsd
    >>> xl_tsd.tsd_rule("statutory_cap", datetime.date(2018, 6, 1))
    3000000.0
    >>> xl_tsd.tsd_rule("punitive_from")
    datetime.date(2019, 4, 23)
    """
    k = c.text(key, "key")
    d = c.date(date, "date", optional=True)
    if isinstance(k, str) and not isinstance(d, np.ndarray):
        return legal.rule(k, d or _dt.date.today()).value
    k, d = np.broadcast_arrays(np.asarray(k, dtype=object), np.asarray(d, dtype="datetime64[D]"))
    out = np.empty(k.shape, dtype=object)
    for i, (kk, dd) in enumerate(zip(k.flat, d.flat)):
        out.flat[i] = legal.rule(kk, _dt.date.today() if np.isnat(dd) else dd.item()).value
    return out


#: What TSD_RULE_INFO can tell of a row: field -> (what it is, how to read it off the row).
RULE_FIELDS = {
    "citation": ("the instrument and article, in Chinese", lambda r: r.citation("zh")),
    "citation_en": ("the instrument and article, in English", lambda r: r.citation("en")),
    "source": ("the public text the row was checked against", lambda r: r.source),
    "verified": ("TRUE where that text states the figure or wording", lambda r: r.verified),
    "status": ("已核实 verified / 未核实 unverified", lambda r: r.status),
    "from": ("the date the row took effect", lambda r: r.effective_from),
    "meaning": ("what the value means, in Chinese", lambda r: r.meaning_zh),
    "meaning_en": ("what the value means, in English", lambda r: r.meaning_en),
}


@register(
    "TSD_RULE_INFO", category="rules", returns="any", unit="text, date or TRUE/FALSE",
    args=[Arg("key", "text", "Rule key, e.g. statutory_cap, criminal_serious", "规则键，如 statutory_cap"),
          Arg("date", "date", "Date the rule must be in force on (today if empty)", "规则施行所对应的日期（空白为今天）",
              optional=True),
          Arg("field", "text", "What to tell: " + ", ".join(RULE_FIELDS), "要显示的内容：" + "、".join(RULE_FIELDS),
              optional=True, default="citation")],
    formula="the chosen field of the row TSD_RULE(key, date) reads",
    en="Where a legal parameter comes from: its citation, the public text checked, whether it is verified, "
       "its effective date.",
    zh="法定参数的出处：条文引注、核对的公开文本、是否已核实、施行日期。",
    basis_en="The instrument and article of each row (see the Sources sheet / docs/functions.md).",
    basis_zh="各行所列法律文件及条款（见来源表）。",
    examples=(Example(("statutory_cap", legal.D(2020, 1, 1)), "《反不正当竞争法》（2019年修正） 第十七条第四款",
                      "AUCL 2019 Art. 17 para. 4"),
              Example(("criminal_serious", legal.D(2019, 6, 1), "meaning_en"),
                      "loss threshold for 重大损失 (yuan, at least; this text counts loss only, not illegal gains)",
                      "the row of 法释〔2004〕19号 in xl_tsd/legal.py"),
              Example(("statutory_cap", legal.D(2020, 1, 1), "colour"), "#VALUE!", "not a field")),
)
def tsd_rule_info(key, date=None, field=None):
    """
    Examples
    --------
    >>> import datetime, xl_tsd
    >>> xl_tsd.tsd_rule_info("punitive_max", datetime.date(2020, 1, 1), "citation_en")
    'Anti-Unfair Competition Law (2019 amendment), 第十七条第三款'
    """
    k = c.text(key, "key")
    d = c.date(date, "date", optional=True)
    f = c.text(field, "field", optional=True)
    if isinstance(f, np.ndarray):
        raise TsdValueError("field", "one cell", message="field must be one cell (got a range)")
    f = (f or "citation").strip().lower()
    if f not in RULE_FIELDS:
        raise TsdValueError("field", "one of " + ", ".join(RULE_FIELDS), field)
    get_ = RULE_FIELDS[f][1]
    if isinstance(k, str) and not isinstance(d, np.ndarray):
        return get_(legal.rule(k, d or _dt.date.today()))
    k, d = np.broadcast_arrays(np.asarray(k, dtype=object), np.asarray(d, dtype="datetime64[D]"))
    out = np.empty(k.shape, dtype=object)
    for i, (kk, dd) in enumerate(zip(k.flat, d.flat)):
        out.flat[i] = get_(legal.rule(kk, _dt.date.today() if np.isnat(dd) else dd.item()))
    return out


@register(
    "TSD_EXPLAIN", category="rules", returns="text", unit="text",
    args=[Arg("function_name", "text", "Name of a catalogue function, e.g. TECH_CONTRIB_RATE", "函数名"),
          Arg("lang", "zh/en", "Language: zh (Chinese) or en (English)", "语言：zh（中文）或 en（英文）",
              optional=True, default="zh")],
    formula="the registry's description, formula, unit and legal basis",
    en="One paragraph on a function: what it computes, its formula and its legal basis.",
    zh="函数说明：计算内容、公式与法律依据。",
    basis_en="The function registry of xl_tsd.", basis_zh="xl_tsd 函数注册表。",
    examples=(Example(("TSD_VERSION", "en"), "TSD_VERSION: The version of the xl_tsd package that computed the "
                      "workbook. Formula: the installed xl_tsd version. Unit: text. Basis: Traceability of every "
                      "figure (the workbook records what computed it).", "registry texts of TSD_VERSION"),),
)
def tsd_explain(function_name, lang=None):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.tsd_explain("PUNITIVE_TOTAL", "en")[:40]
    'PUNITIVE_TOTAL: Damages with the punitiv'
    """
    name = c.text(function_name, "function_name")
    lang_ = c.text(lang, "lang", optional=True)
    if isinstance(lang_, np.ndarray):  # one language per call; a range has no single truth value
        raise TsdValueError("lang", '"zh" or "en"', message='lang must be one cell, "zh" or "en" (got a range)')
    lang_ = (lang_ or "zh").lower()
    if lang_ not in ("zh", "en"):
        raise TsdValueError("lang", '"zh" or "en"', lang)
    if isinstance(name, np.ndarray):
        return np.vectorize(lambda n: get(n).explain(lang_), otypes=[object])(name)
    return get(name).explain(lang_)


@register(
    "TSD_VERSION", category="rules", returns="text", unit="text", args=[],
    formula="the installed xl_tsd version",
    en="The version of the xl_tsd package that computed the workbook.",
    zh="计算本工作簿的 xl_tsd 版本。",
    basis_en="Traceability of every figure (the workbook records what computed it).", basis_zh="每个数字可追溯（工作簿记录计算所用版本）。",
    examples=(Example((), __version__, "xl_tsd/_version.py"),),
)
def tsd_version():
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.tsd_version() == xl_tsd.__version__
    True
    """
    return __version__


#: Text a cell starts with when it holds an error: ours, and Excel's own codes as text.
EXCEL_ERROR_PREFIXES = ("#VALUE!", "#NUM!", "#N/A", "#DIV/0!", "#REF!", "#NAME?", "#NULL!",
                        "#SPILL!", "#CALC!", "#GETTING_DATA")


def _is_error(v) -> bool:
    if isinstance(v, TsdError):
        return True
    return isinstance(v, str) and v.startswith(EXCEL_ERROR_PREFIXES)


@register(
    "TSD_ISERROR", category="rules", returns="bool", unit="TRUE/FALSE",
    args=[Arg("value", "any", "A value or a cell holding a catalogue function's result", "值或单元格")],
    formula='TRUE if value is text starting with an Excel error code ("#VALUE!", "#NUM!", "#N/A", ...)',
    en="TRUE if a value is an xl_tsd error text (\"#NUM! reason\"), which Excel's ISERROR does not see.",
    zh="值是否为 xl_tsd 的错误文本（如“#NUM! 原因”）；Excel 的 ISERROR 无法识别此类文本。",
    basis_en="xlwings UDFs return errors as text (see README, Excel errors).",
    basis_zh="xlwings 自定义函数以文本返回错误（见 README）。",
    examples=(Example(("#NUM! multiplier must be between 1 and 5 (got 6)",), True, "issue 3"),
              Example((0.08,), False, "issue 3")),
)
def tsd_iserror(value):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.tsd_iserror("#NUM! multiplier must be between 1 and 5 (got 6)")
    True
    >>> xl_tsd.tsd_iserror(0.08)
    False
    """
    if c.is_array(value):
        obj = np.array(value, dtype=object) if not isinstance(value, np.ndarray) else value
        return np.vectorize(_is_error, otypes=[bool])(obj) if obj.size else np.zeros(obj.shape, bool)
    return _is_error(value)


#: What TSD_FINGERPRINT reads at most: Excel's own limit of arguments, and cells in all.
FINGERPRINT_MAX_ARGS, FINGERPRINT_MAX_CELLS = 255, 10**6
#: Hexadecimal digits of a fingerprint (64 bits: two different sets of inputs share one with a
#: chance of about 1 in 10^19).
FINGERPRINT_DIGITS = 16
_SERIAL_EPOCH = _dt.datetime(1899, 12, 30)


def _fingerprint_value(v) -> str:
    """One cell's value as the fingerprint reads it, the same whichever way it arrives.

    Excel (through xlwings) gives a date cell as a ``datetime`` and the headless engine as its serial
    number: both read as the serial number. Numbers are read to Excel's 15 significant digits, so the
    last bit of a float never changes the fingerprint; an empty cell, ``None``, NaN, ``""`` and text of
    spaces only are all "empty" (a workbook's XML drops a lone space unless told to keep it, so one
    reader sees " " where another sees an empty cell).
    """
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or (isinstance(v, str) and not v.strip()):
        return "e"
    if isinstance(v, bool):
        return "b1" if v else "b0"
    if isinstance(v, _dt.datetime):
        v = (v - _SERIAL_EPOCH).total_seconds() / 86400.0
    elif isinstance(v, _dt.date):
        v = float((v - _SERIAL_EPOCH.date()).days)
    if isinstance(v, (int, float)):
        f = float(v)
        if f != f:
            return "e"
        text = format(f, ".15g")
        return "n" + ("0" if text in ("0", "-0") else text)
    return "s" + str(v)


def _fingerprint_rows(value) -> list:
    """An argument as rows of cells: a single value is one row of one cell."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(r, (list, tuple)) for r in value):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]


@register(
    "TSD_FINGERPRINT", category="rules", returns="text", unit="text (16 hexadecimal digits)",
    args=[Arg("values", "any", "A cell or range of inputs", "输入单元格或区域", whole_range=True),
          Arg("more", "any", "More cells or ranges (any number)", "更多单元格或区域（任意个）", whole_range=True,
              variadic=True)],
    formula="the first 16 hexadecimal digits of SHA-256 over each argument's shape and its values row by row "
            "(numbers to 15 significant digits, dates as serial numbers, TRUE/FALSE, text; empty, \"\", spaces "
            "only and NaN alike)",
    en="A short, stable fingerprint of the values given: it changes when any of them changes. The Sensitivity "
       "and Scenarios sheets record the inputs' fingerprint to show when their results are stale.",
    zh="所给数值的简短、稳定的指纹：任何一个值改变，指纹随之改变。敏感性与情景分析表记录输入的指纹，以显示结果是否过时。",
    basis_en="Traceability of every figure: results computed from other inputs are marked stale.",
    basis_zh="每个数字可追溯：由其他输入算得的结果标为过时。",
    examples=(Example((0.08,), "6c9d43168e657c1d", "SHA-256 of the canonical text \"1x1\\x1fn0.08\""),
              Example(([[1.0, 0.5], ["是", True]],), "9a586de41c1be568",
                      "SHA-256 of \"2x2\\x1fn1\\x1fn0.5\\x1fs是\\x1fb1\"")),
)
def tsd_fingerprint(values, *more):
    """
    Examples
    --------
    >>> import datetime, xl_tsd
    >>> xl_tsd.tsd_fingerprint(0.08) == xl_tsd.tsd_fingerprint([[0.08]])   # a cell is a 1 x 1 range
    True
    >>> xl_tsd.tsd_fingerprint(0.08) == xl_tsd.tsd_fingerprint(0.1 - 0.02)  # 15 significant digits
    True
    >>> xl_tsd.tsd_fingerprint(datetime.date(2019, 4, 23)) == xl_tsd.tsd_fingerprint(43578.0)
    True
    >>> xl_tsd.tsd_fingerprint(0.8, 0.4) == xl_tsd.tsd_fingerprint(0.8, 0.3)
    False
    """
    import hashlib
    if 1 + len(more) > FINGERPRINT_MAX_ARGS:
        raise TsdValueError("more", f"at most {FINGERPRINT_MAX_ARGS} arguments in all (Excel's limit)",
                            message=f"TSD_FINGERPRINT takes at most {FINGERPRINT_MAX_ARGS} arguments "
                                    f"(Excel's limit; got {1 + len(more)}): give ranges instead of cells")
    parts = []
    cells = 0
    for i, arg in enumerate((values, *more)):
        rows = _fingerprint_rows(arg)
        cells += sum(len(r) for r in rows)
        if cells > FINGERPRINT_MAX_CELLS:
            raise TsdValueError("values" if i == 0 else "more", f"at most {FINGERPRINT_MAX_CELLS:,} cells",
                                message=f"TSD_FINGERPRINT reads at most {FINGERPRINT_MAX_CELLS:,} cells (the limit; "
                                        f"got more by argument {i + 1})")
        width = max((len(r) for r in rows), default=0)
        parts.append(f"{len(rows)}x{width}")
        parts += [_fingerprint_value(v) for r in rows for v in r]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:FINGERPRINT_DIGITS]
