"""The case data format: one case as JSON or YAML, every template input by its defined name.

A case file is one object::

    {
      "template_version": 1,
      "Case_Name": "...", "Conduct_Start": "2020-01-01", "Share_S2": 0.8, ...,
      "Periods": [{"Per_Start": "2020-01-01", "Per_Units": 12000, ...}, ...],
      "AHP_Matrix": [[1, 3, 5, 1], ...]
    }

Single inputs by their defined name; each input table by its name as a list
of rows, each row an object of the table's column names; the AHP matrix as a
list of rows. Dates are ISO text (``YYYY-MM-DD``; YAML dates work too);
an input left out or ``null`` stays blank. The JSON Schema
(:func:`json_schema`, published as ``schema/case.schema.json``) is generated
from the template layout, so it cannot drift from the workbook.
"""
from __future__ import annotations

import datetime as _dt
import json
import pathlib

from ..template import layout as L

__all__ = ["CaseError", "json_schema", "load_case", "validate_case", "case_to_inputs", "inputs_to_case",
           "SCHEMA_PATH", "VERSION_KEY"]

VERSION_KEY = "template_version"
SCHEMA_PATH = pathlib.Path("schema") / "case.schema.json"
SCHEMA_ID = "https://xl-tsd.invalid/schema/case.schema.json"


class CaseError(ValueError):
    """A case file that cannot be used; ``problems`` lists every problem by field path."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def _kind_schema(kind: str) -> dict:
    k = L.KINDS[kind]
    vtype, op, f1, f2 = k.validation
    if vtype == "list":
        return {"enum": list(L.CHOICES[f1][2])}
    if vtype == "date":
        return {"type": "string", "format": "date"}
    if vtype == "textLength":
        return {"type": "string", "maxLength": int(f1)}
    out: dict = {"type": "integer" if vtype == "whole" else "number"}
    lo, hi = float(f1), float(f2) if f2 is not None else None
    if op == "between":
        out.update(minimum=lo, maximum=hi)
    elif op == "greaterThanOrEqual":
        out["minimum"] = lo
    elif op == "greaterThan":
        out["exclusiveMinimum"] = lo
    return out


def _nullable(s: dict, description: str) -> dict:
    return {"anyOf": [s, {"type": "null"}], "description": description}


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a case file for the current template version."""
    props: dict = {
        "$schema": {"type": "string"},
        "$comment": {"type": "string", "description": "A note on the case (not an input)"},
        VERSION_KEY: {"type": "integer", "minimum": 1, "maximum": L.TEMPLATE_VERSION,
                      "description": "Template version the case was written for (an older version's inputs "
                                     "are all inputs of this one)"},
    }
    for f in L.inputs():
        props[f.name] = _nullable(_kind_schema(f.kind), f"{f.zh} {f.en} [{L.KINDS[f.kind].unit}]")
    for t in L.tables():
        if isinstance(t, L.Matrix):
            n = len(t.factors)
            row = {"type": "array", "maxItems": n, "items": _nullable(_kind_schema(t.kind), "ratio")}
            props[t.name] = {"type": "array", "maxItems": n, "items": row,
                             "description": f"{t.zh} {t.en}: {n} x {n} rows"}
            continue
        cols = {c.name: _nullable(_kind_schema(c.kind), f"{c.zh} {c.en} [{L.KINDS[c.kind].unit}]")
                for c in t.columns}
        props[t.name] = {"type": "array", "maxItems": t.size,
                         "description": f"{t.zh} {t.en}: at most {t.size} rows",
                         "items": {"type": "object", "properties": cols, "additionalProperties": False}}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "xl_tsd case", "description": "One trade-secret damages case: the template's inputs "
            "by defined name (xl_tsd template version %d)" % L.TEMPLATE_VERSION,
            "type": "object", "properties": props, "additionalProperties": False}


def _plain(value):
    """YAML dates and datetimes as ISO text, so a case reads the same from JSON and YAML."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_case(path) -> dict:
    """Read a case file (``.json``, ``.yaml``, ``.yml``) and validate it.

    Raises :class:`CaseError` listing every problem; nothing is written.
    """
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(str(path), [f"cannot read the file: {exc}"]) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml
            data = yaml.safe_load(text)
        elif path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            raise CaseError(str(path), ["a case file must end in .json, .yaml or .yml"])
    except CaseError:
        raise
    except Exception as exc:  # a syntax error in the file: say where
        raise CaseError(str(path), [f"not valid {path.suffix[1:].upper()}: {exc}"]) from None
    case = _plain(data)
    validate_case(case, str(path))
    return case


def _path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(the case)"


def _field_kind(parts) -> str | None:
    names = {f.name: f.kind for f in L.inputs()}
    for t in L.tables():
        if isinstance(t, L.Matrix):
            names[t.name] = t.kind
        else:
            names.update({c.name: c.kind for c in t.columns})
    for p in reversed(list(parts)):
        if isinstance(p, str) and p in names:
            return names[p]
    return None


def _message(err) -> str:
    where = _path(err.absolute_path)
    got = err.instance
    shown = "null" if got is None else json.dumps(got, ensure_ascii=False) if not isinstance(got, (dict, list)) \
        else f"a list of {len(got)}" if isinstance(got, list) else "an object"
    if err.validator == "additionalProperties":
        extra = sorted(set(got) - set(err.schema.get("properties", {})))
        return "; ".join(f"{_path([*err.absolute_path, k])}: unknown field (not an input of template version "
                         f"{L.TEMPLATE_VERSION})" for k in extra)
    if err.validator == "maxItems":
        return f"{where}: at most {err.validator_value} rows fit the template (got {len(got)})"
    if err.absolute_path and list(err.absolute_path)[-1] == VERSION_KEY:
        return f"{where}: this case is for template version {shown}; this xl_tsd has version " \
               f"{L.TEMPLATE_VERSION} (install the xl_tsd the case was written for, or update the case)"
    kind = _field_kind(err.absolute_path)
    if kind is not None and err.validator in ("anyOf", "type", "minimum", "maximum", "exclusiveMinimum",
                                              "enum", "format", "maxLength"):
        k = L.KINDS[kind]
        rule = k.rule_en if not kind.startswith("List_") else "one of " + ", ".join(L.CHOICES[kind][2])
        return f"{where}: must be {rule} (got {shown})"
    if err.validator == "type":
        return f"{where}: must be {err.validator_value} (got {shown})"
    return f"{where}: {err.message}"


def validate_case(case, source: str = "case") -> None:
    """Check a case against the schema; raise :class:`CaseError` listing every problem."""
    from jsonschema import Draft202012Validator

    if not isinstance(case, dict):
        raise CaseError(source, ["a case must be an object of inputs by name"])
    validator = Draft202012Validator(json_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems: list[str] = []
    for err in sorted(validator.iter_errors(case), key=lambda e: [str(p) for p in e.absolute_path]):
        # anyOf [kind, null] reports its branches as context: one message per field is enough
        msg = _message(err)
        if msg not in problems:
            problems.append(msg)
    for t in L.tables():
        if isinstance(t, L.Matrix) and isinstance(case.get(t.name), list):
            for i, row in enumerate(case[t.name]):
                if isinstance(row, list) and len(row) != len(case[t.name]):
                    problems.append(f"{t.name}[{i + 1}]: a {len(case[t.name])} x {len(case[t.name])} matrix "
                                    f"needs {len(case[t.name])} values in each row (got {len(row)})")
    if problems:
        raise CaseError(source, problems)


def _date_fields() -> set[str]:
    out = {f.name for f in L.inputs() if f.kind == "date"}
    for t in L.tables():
        if not isinstance(t, L.Matrix):
            out |= {c.name for c in t.columns if c.kind == "date"}
    return out


def case_to_inputs(case: dict) -> dict[str, object]:
    """A validated case as the template's inputs by defined name (table columns as lists)."""
    dates = _date_fields()
    conv = lambda name, v: _dt.date.fromisoformat(v) if name in dates and isinstance(v, str) else v  # noqa: E731
    out: dict[str, object] = {}
    for f in L.inputs():
        if f.name in case:
            out[f.name] = conv(f.name, case[f.name])
    for t in L.tables():
        rows = case.get(t.name)
        if rows is None:
            continue
        if isinstance(t, L.Matrix):
            out[t.name] = rows
            continue
        for c in t.columns:
            col = [conv(c.name, r.get(c.name)) for r in rows]
            if any(v is not None for v in col):
                out[c.name] = col
    return out


def inputs_to_case(inputs: dict[str, object], version: int | None) -> dict:
    """The template's inputs (as :func:`~xl_tsd.template.contract.read_inputs` gives them) as a case."""
    case: dict = {VERSION_KEY: version if version is not None else L.TEMPLATE_VERSION}
    for f in L.inputs():
        v = inputs.get(f.name)
        if v is not None:
            case[f.name] = _plain(v)
    for t in L.tables():
        if isinstance(t, L.Matrix):
            m = inputs.get(t.name)
            if m and any(v is not None for row in m for v in row):
                case[t.name] = [[_plain(v) for v in row] for row in m]
            continue
        cols = {c.name: inputs.get(c.name) or [] for c in t.columns}
        n = max((len(v) for v in cols.values()), default=0)
        rows = []
        for i in range(n):
            row = {k: _plain(v[i]) for k, v in cols.items() if i < len(v) and v[i] is not None}
            rows.append(row)
        while rows and not rows[-1]:
            rows.pop()
        if rows:
            case[t.name] = rows
    return case


README_BEGIN = "<!-- case-contract:begin (generated by `xl-tsd generate`; do not edit) -->"
README_END = "<!-- case-contract:end -->"


def contract_markdown() -> str:
    """The defined-name contract as the README lists it: every input name (= case key) and headline output."""
    out = [README_BEGIN, "", f"Template version {L.TEMPLATE_VERSION}. Single inputs (a value each):", ""]
    out.append(", ".join(f"`{f.name}`" for f in L.inputs()))
    out += ["", "Tables (a case gives a list of rows; each row an object of these column names):", ""]
    for t in L.tables():
        if isinstance(t, L.Matrix):
            out.append(f"- `{t.name}`: {len(t.factors)} x {len(t.factors)} rows of ratios ({t.en})")
        else:
            out.append(f"- `{t.name}` (at most {t.size} rows, {t.en}): "
                       + ", ".join(f"`{c.name}`" for c in t.columns))
    out += ["", "Headline outputs (read by `batch`, the summary and `export-values`): "
            + ", ".join(f"`{n}`" for n in L.HEADLINE_OUTPUTS) + ".", "", README_END]
    return "\n".join(out)


def with_contract(readme: str) -> str:
    """``readme`` with its contract block replaced by :func:`contract_markdown`."""
    start, end = readme.find(README_BEGIN), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError("README.md lacks the case-contract markers")
    return readme[:start] + contract_markdown() + readme[end + len(README_END):]
