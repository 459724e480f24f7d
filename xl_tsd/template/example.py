"""The worked example as a workbook: the vehicle chassis case (CASES.md A), filled and computed.

The contribution chain (s1 = 1, s2 = 0.80, s3 = 0.40, s4 = 25 % by the
four-factor rule) is the court's. Everything else — sales, margins, the
multiplier, the claim, expenses, the comparable license, the R&D cost and
the income figures — is ILLUSTRATIVE, made up to show the method, and the
workbook says so on its Cover and Summary (``Case_Illustrative`` = 是).
The figures shared with :mod:`xl_tsd.workflows.worked_example` are taken from it, so
the workbook's total can be checked against the library called directly.
"""
from __future__ import annotations

import datetime as _dt
import pathlib
import tempfile

import openpyxl

from ..workflows import worked_example
from . import layout as L
from .builder import build_template
from .contract import write_inputs

__all__ = ["EXAMPLE_FILE", "example_inputs", "example_analysis", "write_example", "library_total"]

#: File name of the computed example in the output folder.
EXAMPLE_FILE = "vehicle_chassis.xlsm"
D = _dt.date


def _choice(items: tuple[str, ...], start: str) -> str:
    return next(i for i in items if i.startswith(start))


def example_inputs(case: dict = worked_example.VEHICLE_CHASSIS) -> dict[str, object]:
    """The example's inputs by defined name."""
    periods = case["periods"]
    yes_no = lambda flag: L.YES if flag else L.NO  # noqa: E731
    data: dict[str, object] = {
        "Case_Name": case["case_name"],
        "Case_Number": "(2023)最高法知民终1590号",
        "Case_Court": "最高人民法院 Supreme People's Court",
        "Case_Claimant": "权利人（示例）Right holder (illustrative)",
        "Case_Defendant": "威某汽车等（示例）Defendants (illustrative)",
        "Case_Analyst": "xl_tsd 示例 worked example",
        "Case_Date": D(2025, 1, 1),
        "Case_Illustrative": L.YES,
        "Conduct_Start": periods[0]["start"],
        "Conduct_End": periods[-1]["end"],
        "Claim_Amount": case["claimed"],
        "Claim_Includes_Expenses": L.NO,
        "Case_View": L.CIVIL,
        "Measure_Choice": _choice(L.MEASURES, "侵权获利"),
        # the holder's lost sales could not be shown: the gains are used (AUCL Art. 17 para. 3)
        "Loss_Hard_To_Compute": L.YES,
        "Remedial_Include": L.NO,
        "Share_S2": case["s2"],
        "Share_S3": case["s3"],
        "S4_Method": _choice(L.S4_METHODS, case["s4_method"]),
        "Core_Decisive": L.NO, "Books_Refused": L.NO, "Malice_Lost_Trade": L.NO,
        # s1 = 1: every claimed point held established (equal weights).
        "Points_ID": ["JS-01", "JS-02", "JS-03"],
        "Points_Desc": ["副车架结构设计（示例）Subframe design (illustrative)",
                        "悬架连杆布置（示例）Suspension link layout (illustrative)",
                        "底盘与电池包集成（示例）Chassis–battery integration (illustrative)"],
        "Points_Weight": [1.0, 1.0, 1.0],
        "Points_Established": [yes_no(case["s1"] == 1.0)] * 3,
        "Per_Label": [f"{p['start']:%y.%m}–{p['end']:%y.%m}" for p in periods],
        "Per_Start": [p["start"] for p in periods],
        "Per_End": [p["end"] for p in periods],
        "Per_Units": [float(p["units"]) for p in periods],
        "Per_Price": [p["unit_price"] for p in periods],
        "Per_Margin": [p["margin"] for p in periods],
        "Per_Margin_Kind": [L.MARGIN_KINDS[0]] * len(periods),
        "Per_Benchmark": [p["benchmark"] for p in periods],
        "Per_Multiplier": [p["multiplier"] for p in periods],
        # Illustrative comparables and values, to show the other measures beside the one used.
        "Lic_Scope": ["底盘平台技术普通许可（示例）Chassis platform, ordinary license (illustrative)"],
        "Lic_Fee": [30_000_000.0],
        "Lic_Term": [5.0],
        "Lic_Type": [_choice(L.LICENSE_TYPES, "普通")],
        "License_Choice": 1,
        "RD_Item": ["底盘研发人工（示例）Chassis R&D labour (illustrative)",
                    "样车试制与测试（示例）Prototypes and testing (illustrative)"],
        "RD_Cost": [45_000_000.0, 18_000_000.0],
        "Income_Annual": 20_000_000.0,
        "Income_Years": 5.0,
        "Income_Discount": 0.08,
        "Value_Method": L.VALUE_METHODS[0],
        "Exp_Lawyer": case["expenses"].get("lawyer"),
        "Exp_Notary": case["expenses"].get("notary"),
        "Exp_Appraisal": case["expenses"].get("appraisal"),
        "Exp_Other": case["expenses"].get("other"),
        # Former employees took the drawings (Art. 3 (3)); huge gains (Art. 4 (5)).
        "Intent_Notice": L.NO, "Intent_Related": L.NO, "Intent_Relationship": L.YES,
        "Intent_Negotiation": L.NO, "Intent_Piracy": L.NO,
        "Serious_Repeat": L.NO, "Serious_Business": L.NO, "Serious_Evidence": L.NO,
        "Serious_Preservation": L.NO, "Serious_Huge": L.YES, "Serious_Harm": L.NO,
        "Crim_Scenario": 3,
        "Crim_Repeat": L.NO,
        "Crim_Date": periods[-1]["end"],
    }
    return data


def example_analysis() -> dict:
    """The example's ``scenarios`` and ``sensitivity`` sections (:mod:`xl_tsd.analysis.spec`).

    Each side's figures are ILLUSTRATIVE: the claimant says the secret points are the whole of the
    chassis technology (s2 = 1) and asks for a 3x multiplier; the defendant says the chassis is 30 %
    of the car's technology, not 40 %, and that no multiplier applies. Published contribution rates
    run from 8 % (this case) to 38.74 %, 50 % and 51 % (seed 004); s3 is given a range of its own.
    """
    return {
        "scenarios": [
            {"name": "权利人主张 claimant", "note": "秘点即全部底盘技术（s2 = 100%），惩罚倍数 3（示例）the points are "
             "the whole chassis technology, 3x multiplier (illustrative)",
             "inputs": {"Share_S2": 1.0, "Per_Multiplier[2]": 3.0, "Per_Multiplier[3]": 3.0}},
            {"name": "被告主张 defendant", "note": "底盘占整车技术 30%，不适用惩罚性赔偿（示例）the chassis is 30 % of "
             "the car's technology; no multiplier (illustrative)",
             "inputs": {"Share_S3": 0.3, "Per_Multiplier[2]": 1.0, "Per_Multiplier[3]": 1.0}},
        ],
        "sensitivity": {
            "inputs": {"Share_S3": {"low": 0.3, "high": 0.5, "distribution": "pert"}},
            "draws": 10_000, "seed": 13,
        },
    }


def library_total(case: dict = worked_example.VEHICLE_CHASSIS) -> float:
    """The total award of the same case computed by the library directly (no workbook)."""
    line = next(ln for ln in worked_example.run(case) if ln.function == "AWARD_TOTAL")
    return float(line.value)


def write_example(out_dir: str | pathlib.Path, template: str | pathlib.Path | None = None):
    """Write the computed example workbook into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder for :data:`EXAMPLE_FILE` (created if missing).
    template : str or pathlib.Path, optional
        The template to fill; by default a fresh build.

    Returns
    -------
    tuple of (pathlib.Path, xl_tsd.calc.CalcReport)
        The file written and the engine's report.
    """
    from ..calc import calculate

    out = pathlib.Path(out_dir) / EXAMPLE_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xl_tsd_example_") as tmp:
        if template is None:
            template = build_template(pathlib.Path(tmp) / "Template.xlsm")
        wb = openpyxl.load_workbook(template, keep_vba=True)
        write_inputs(wb, example_inputs())
        filled = pathlib.Path(tmp) / "filled.xlsm"
        wb.save(filled)
        report = calculate(filled, out)
    return out, report
