"""The case data format: one case as JSON or YAML, every template input by its defined name.

A case file is one object::

    {
      "template_version": 1,
      "Case_Name": "...", "Conduct_Start": "2020-01-01", "Share_S2": 0.8, ...,
      "Periods": [{"Per_Start": "2020-01-01", "Per_Units": 12000, ...}, ...],
      "AHP_Matrix": [[1, 3, 5, 1], ...],
      "scenarios": [...], "sensitivity": {...}
    }

Single inputs by their defined name; each input table by its name as a list
of rows, each row an object of the table's column names; the AHP matrix as a
list of rows; optionally the ``scenarios`` and ``sensitivity`` sections that
``xl-tsd sensitivity`` reads (:mod:`xl_tsd.analysis.spec`). Dates are ISO text (``YYYY-MM-DD``; YAML dates work too);
an input left out or ``null`` stays blank. The JSON Schema
(:func:`json_schema`, published as ``schema/case.schema.json``) is generated
from the template layout, so it cannot drift from the workbook.

What is refused, every problem listed by field path, before anything is
written (:data:`LIMITS`):

- a file above ``LIMITS["file_bytes"]``; a YAML file whose aliases expand
  past ``LIMITS["yaml_nodes"]`` values (an alias bomb); a key given twice in
  one object, in JSON or YAML (the last one would silently win);
- a number that is not finite (JSON ``NaN``/``Infinity``, a number too large
  for a float such as ``1e400``, YAML ``.nan``/``.inf``) or above
  ``LIMITS["number"]`` in magnitude (Excel keeps 15 significant digits);
- a date outside 1990-01-01 .. 2100-12-31 (the template's date validation);
- text holding a character a workbook cannot hold (control characters other
  than tab, line feed and carriage return; U+FFFE, U+FFFF; lone surrogates).
  Such text is refused, not silently changed: the user decides what it
  should say.

A UTF-8 byte-order mark at the start of the file is accepted.
"""
from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import os
import pathlib
import re

from ..template import layout as L

__all__ = ["CaseError", "json_schema", "load_case", "validate_case", "case_to_inputs", "inputs_to_case",
           "SCHEMA_PATH", "VERSION_KEY", "LIMITS"]

VERSION_KEY = "template_version"
SCHEMA_PATH = pathlib.Path("schema") / "case.schema.json"
SCHEMA_ID = "https://xl-tsd.invalid/schema/case.schema.json"

#: Limits on a case file (a full case is a few kilobytes and about 600 values).
LIMITS = {
    "file_bytes": 4 * 2**20,   # the file
    "yaml_nodes": 2**17,       # values of a YAML file once its aliases are expanded (131,072)
    "number": 1e15,            # magnitude of any number: Excel keeps 15 significant digits
}
#: The dates a case may hold: the template's date validation.
FIRST_DATE, LAST_DATE = _dt.date(1990, 1, 1), _dt.date(2100, 12, 31)
_MAX_SHOWN = f"{LIMITS['number']:.0e}".replace("e+", "e")  # 1e15
_DATE_PATTERN = r"^(199[0-9]|20[0-9][0-9]|2100)-"
# what an XML 1.0 document (a workbook part) cannot hold; tab, LF and CR it can
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
        return {"type": "string", "format": "date", "pattern": _DATE_PATTERN}
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
    out.setdefault("maximum", LIMITS["number"])
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
    from ..analysis.spec import section_schemas
    props.update(section_schemas())  # scenarios and sensitivity ranges (xl-tsd sensitivity)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "xl_tsd case", "description": "One trade-secret damages case: the template's inputs "
            "by defined name (xl_tsd template version %d)" % L.TEMPLATE_VERSION,
            "type": "object", "properties": props, "additionalProperties": False}


def _plain(value):
    """YAML dates and datetimes as ISO text, so a case reads the same from JSON and YAML."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Duplicate(Exception):
    def __init__(self, key, where: str = ""):
        super().__init__(key)
        self.key, self.where = key, where


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """PyYAML's safe loader that refuses duplicate keys and keeps an impossible date as text
        (so it is reported with its field path)."""

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen = set()
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                        continue
                    key = self.construct_object(key_node)
                    try:
                        if key in seen:
                            raise _Duplicate(key, f" (line {key_node.start_mark.line + 1})")
                        seen.add(key)
                    except TypeError:
                        continue
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:
                return node.value

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    return Loader


def _yaml_size(node, limit: int) -> int:
    """How many values ``node`` holds once every alias is expanded, counted without expanding
    (each shared node once, times its uses); a recursive alias is refused."""
    import yaml

    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(n) -> int:
        k = id(n)
        if k in sizes:
            return sizes[k]
        if k in busy:
            raise ValueError("a recursive alias (a value that contains itself)")
        busy.add(k)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            for c in n.value:
                total += size(c)
        elif isinstance(n, yaml.MappingNode):
            for kn, vn in n.value:
                total += size(kn) + size(vn)
        busy.discard(k)
        sizes[k] = total = min(total, limit + 1)
        return total

    return size(node)


def _load_yaml(text: str, source: str):
    loader = _yaml_loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            n = _yaml_size(node, LIMITS["yaml_nodes"])
        except ValueError as exc:
            raise CaseError(source, [f"refused: {exc}"]) from None
        if n > LIMITS["yaml_nodes"]:
            raise CaseError(source, [f"refused: its aliases (*name) expand to more than {LIMITS['yaml_nodes']:,} "
                                     f"values (limit); a case holds about 600 (write the values out)"])
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_case(path, *, validate: bool = True) -> dict:
    """Read a case file (``.json``, ``.yaml``, ``.yml``) and validate it (``validate=False``: the caller
    does, to list its own checks' problems with the schema's).

    Raises :class:`CaseError` listing every problem; nothing is written.
    """
    path = pathlib.Path(path)
    source = str(path)
    kind = path.suffix.lower()
    if kind not in (".json", ".yaml", ".yml"):
        raise CaseError(source, ["a case file must end in .json, .yaml or .yml"])
    try:
        size = os.stat(path).st_size
        if not path.is_file():
            raise CaseError(source, ["not a file"])
        if size > LIMITS["file_bytes"]:
            raise CaseError(source, [f"refused: {size:,} bytes is above the {LIMITS['file_bytes']:,}-byte limit "
                                     f"of a case file (a case is a few kilobytes)"])
        with open(path, "rb") as fh:
            raw = fh.read(LIMITS["file_bytes"] + 1)
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows Notepad writes one) is not content
    except UnicodeDecodeError as exc:
        raise CaseError(source, [f"cannot read the file: not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise CaseError(source, [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        if kind == ".json":
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        else:
            data = _load_yaml(text, source)
    except CaseError:
        raise
    except _Duplicate as exc:
        raise CaseError(source, [f"the key {_show(exc.key)} appears twice in one object{exc.where}; "
                                 f"the file is ambiguous: keep one"]) from None
    except Exception as exc:  # a syntax error in the file: say where
        why = " ".join(str(exc).split())
        if "integer string conversion" in why:  # Python's own guard against huge integers
            why = "a number of more than 4300 digits"
        raise CaseError(source, [f"not valid {kind[1:].upper()}: {_clip(why, 300)}"]) from None
    case = _plain(data)
    if validate:
        validate_case(case, source)
    return case


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _escape(text: str) -> str:
    """Text for a one-line message: control and invisible characters as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in text)


def _show(got) -> str:
    """A value as a message shows it: JSON-like, one line, at most 60 characters."""
    if got is None:
        return "null"
    if isinstance(got, float) and not math.isfinite(got):
        return "NaN" if got != got else ("Infinity" if got > 0 else "-Infinity")
    if isinstance(got, int) and not isinstance(got, bool) and abs(got) >= 10**20:
        return f"a number of {len(str(abs(got)))} digits"
    if isinstance(got, list):
        return f"a list of {len(got)}"
    if isinstance(got, dict):
        return "an object"
    try:
        text = json.dumps(got, ensure_ascii=False)
    except (TypeError, ValueError):
        text = f"a {type(got).__name__}"
    return _escape(_clip(text))


def _path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{_escape(str(p))}" if out else _escape(str(p)))
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


def _messages(err) -> list[tuple[str, str]]:
    """(field path, message) for one schema error."""
    where = _path(err.absolute_path)
    got = err.instance
    shown = _show(got)
    if err.absolute_path and list(err.absolute_path)[0] in ("scenarios", "sensitivity"):
        return [(where, _section_message(err, where, shown))]
    if err.validator == "additionalProperties":
        extra = sorted(set(got) - set(err.schema.get("properties", {})), key=str)
        return [(p, f"{p}: unknown field (not an input of template version {L.TEMPLATE_VERSION})")
                for p in (_path([*err.absolute_path, k]) for k in extra)]
    if err.validator == "maxItems":
        return [(where, f"{where}: at most {err.validator_value} rows fit the template (got {len(got)})")]
    if err.absolute_path and list(err.absolute_path)[-1] == VERSION_KEY:
        return [(where, f"{where}: this case is for template version {shown}; this xl_tsd has version "
                        f"{L.TEMPLATE_VERSION} (install the xl_tsd the case was written for, or update the case)")]
    kind = _field_kind(err.absolute_path)
    if kind is not None and err.validator in ("anyOf", "type", "minimum", "maximum", "exclusiveMinimum",
                                              "enum", "format", "maxLength", "pattern"):
        k = L.KINDS[kind]
        rule = k.rule_en if not kind.startswith("List_") else "one of " + ", ".join(L.CHOICES[kind][2])
        if isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got) > LIMITS["number"]:
            rule += f", at most {_MAX_SHOWN} (Excel keeps 15 significant digits)"
        return [(where, f"{where}: must be {rule} (got {shown})")]
    if err.validator == "type":
        return [(where, f"{where}: must be {err.validator_value} (got {shown})")]
    return [(where, f"{where}: {_escape(_clip(err.message, 200))}")]


def _section_message(err, where: str, shown: str) -> str:
    """A schema error inside the ``scenarios`` or ``sensitivity`` section (:mod:`xl_tsd.analysis.spec`)."""
    v, got = err.validator_value, err.instance
    if err.validator == "additionalProperties":
        extra = sorted(set(got) - set(err.schema.get("properties", {})), key=str)
        allowed = ", ".join(err.schema.get("properties", {}))
        return f"{where}: unknown field(s) {', '.join(map(str, extra))} (allowed: {allowed})"
    if err.validator == "enum":
        return f"{where}: must be one of {', '.join(map(str, v))} (got {shown})"
    if err.validator in ("maximum", "maxItems", "maxLength"):
        what = {"maxItems": "items", "maxLength": "characters"}.get(err.validator, "")
        n = len(got) if err.validator != "maximum" else shown
        return f"{where}: at most {v:,}{' ' + what if what else ''} (the limit; got {n})"
    if err.validator in ("minimum", "exclusiveMinimum", "minItems", "minLength"):
        return f"{where}: {'above' if err.validator == 'exclusiveMinimum' else 'at least'} {v} (got {shown})"
    if err.validator == "required":
        return f"{where}: {err.message}"
    if err.validator == "type":
        return f"{where}: must be {'an' if str(v)[0] in 'aeio' else 'a'} {v} (got {shown})"
    return f"{where}: {_escape(_clip(err.message, 200))}"


def _scan(value, parts, out: dict, bad_keys: list) -> None:
    """What a schema cannot say: numbers that are not finite, text a workbook cannot hold,
    keys that are not names, dates out of range. ``out``: field path -> message."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                bad_keys.append(f"{_path(parts)}: the key {_show(k)} is not a name (keys are text)")
                continue
            if k in ("$comment", "$schema") and not parts:
                continue
            _scan(v, [*parts, k], out, bad_keys)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _scan(v, [*parts, i], out, bad_keys)
    elif isinstance(value, float) and not math.isfinite(value):
        where = _path(parts)
        out[where] = f"{where}: must be a finite number (got {_show(value)}" + (
            ")" if value != value else "; a number too large for a float, such as 1e400, reads as Infinity)")
    elif isinstance(value, str):
        where = _path(parts)
        m = _ILLEGAL.search(value)
        if m:
            out[where] = (f"{where}: holds the character U+{ord(m[0]):04X} at position {m.start() + 1}, "
                          f"which a workbook cannot hold (a control character); remove it")
        elif parts and isinstance(parts[-1], str) and parts[-1] in _date_fields() and _is_iso_date(value):
            d = _dt.date.fromisoformat(value)
            if not FIRST_DATE <= d <= LAST_DATE:
                out[where] = f"{where}: must be {L.KINDS['date'].rule_en} (got {_show(value)})"


def _is_iso_date(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def validate_case(case, source: str = "case") -> None:
    """Check a case against the schema and the limits; raise :class:`CaseError` listing every problem."""
    from jsonschema import Draft202012Validator

    if not isinstance(case, dict):
        raise CaseError(source, ["a case must be an object of inputs by name"])
    scanned: dict[str, str] = {}
    bad_keys: list[str] = []
    _scan(case, [], scanned, bad_keys)
    if bad_keys:  # the schema's checks assume names
        raise CaseError(source, bad_keys + list(scanned.values()))
    validator = Draft202012Validator(json_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems: list[str] = []
    for err in sorted(validator.iter_errors(case), key=lambda e: [str(p) for p in e.absolute_path]):
        # anyOf [kind, null] reports its branches as context: one message per field is enough
        for where, msg in _messages(err):
            if where in scanned:
                msg = scanned.pop(where)  # the scan says it better (a NaN, a control character)
            if msg not in problems:
                problems.append(msg)
    problems += scanned.values()
    for t in L.tables():
        if isinstance(t, L.Matrix) and isinstance(case.get(t.name), list):
            for i, row in enumerate(case[t.name]):
                if isinstance(row, list) and len(row) != len(case[t.name]):
                    problems.append(f"{t.name}[{i + 1}]: a {len(case[t.name])} x {len(case[t.name])} matrix "
                                    f"needs {len(case[t.name])} values in each row (got {len(row)})")
    if problems:
        raise CaseError(source, problems)


@functools.cache
def _date_fields() -> frozenset[str]:
    out = {f.name for f in L.inputs() if f.kind == "date"}
    for t in L.tables():
        if not isinstance(t, L.Matrix):
            out |= {c.name for c in t.columns if c.kind == "date"}
    return frozenset(out)


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
