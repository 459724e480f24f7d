"""The case template, declared: sheets, input blocks, tables, calculations and names.

This module holds no openpyxl code. It says what the workbook contains; the
builder (:mod:`xl_tsd.template.builder`) decides where each row lands and
writes it. The workbook-level defined names declared here are the contract
that regeneration and upgrade read and write; cell positions are not.

Conventions of the declarations
-------------------------------
- Every :class:`Field` is one input cell with a defined name; its ``kind``
  (:data:`KINDS`) gives the unit, number format and data validation.
- A :class:`Table` is a block of inputs: ``size`` items, each column a
  defined name over the column's cells (a row of cells when the items run
  across the sheet, as periods do, a column of cells otherwise). The i-th
  cell of a column's range is item i in either orientation.
- A formula may use defined names as they are, and ``[Name]`` for "this
  item's cell of table column (or per-item calculation) ``Name``"; the
  builder turns ``[Per_Start]`` in period 3 into ``Inputs!H40``.
- Numbers in formulas: only 0, 1 and 100. Legal figures come from
  ``TSD_RULE``; other method constants sit on the Sources sheet.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .. import legal
from ..measures import CASCADE_STEPS

__all__ = ["TEMPLATE_VERSION", "Kind", "KINDS", "Field", "Group", "Table", "Matrix", "Section",
           "Calc", "ItemCalcs", "PeriodCalc", "Show", "PeriodShow", "Check", "CHOICES",
           "CONSTANTS", "INPUT_SECTIONS", "CALC_SECTIONS", "SUMMARY_SECTIONS", "CHECKS", "WARNINGS",
           "HEADLINE_OUTPUTS", "PERIODS", "POINTS", "SHEETS", "inputs", "tables"]

#: Version of the template layout (the defined-name contract). Raise it whenever an input name is
#: added, removed or renamed; ``xl-tsd upgrade`` reads it from the ``Template_Version`` name.
TEMPLATE_VERSION = 2

#: Sheets in workbook order: name -> (Chinese title, English title).
SHEETS = {
    "Cover": ("封面", "Cover"),
    "Inputs": ("输入", "Inputs"),
    "Calculations": ("计算", "Calculations"),
    "Summary": ("汇总", "Summary"),
    "Checks": ("校验", "Checks"),
    "Sources": ("来源与参数", "Sources and parameters"),
    "xlwings.conf": ("xlwings 配置", "xlwings configuration"),
}

PERIODS = 20   #: room in the periods table
POINTS = 50    #: room in the secret-points table

# --------------------------------------------------------------------------------------------
# Choice lists (written to the Sources sheet; validations and MATCH read them by name)
# --------------------------------------------------------------------------------------------
YES, NO = "是", "否"
CIVIL, CRIMINAL = "民事 civil", "刑事 criminal"
MEASURES = ("实际损失 lost profit", "侵权获利 infringer's gains", "许可使用费 license fee",
            "商业价值 commercial value", "法定赔偿 statutory damages")
STATUTORY = MEASURES[4]
S4_METHODS = ("三分法 thirds", "四分法 quarters", "提成率换算 royalty", "层次分析法 AHP", "直接输入 direct")
VALUE_METHODS = ("成本法 cost approach", "收益法 income approach")
MARGIN_KINDS = ("营业利润率", "销售利润率")  # operating / sales margin: short, for the period columns
LICENSE_TYPES = ("独占 exclusive", "排他 sole", "普通 ordinary")
REMEDIAL_KINDS = ("修复", "重建", "加强")  # the tokens REMEDIAL_SHARE takes
#: Text shown for a yes/no computed by a catalogue function. LibreOffice recomputes every formula
#: cell whose saved result is a boolean, and cannot run the catalogue's functions; so a function's
#: TRUE/FALSE is shown as text, and boolean cells only compare values already computed.
SHOWN_YES, SHOWN_NO, SHOWN_NA = "是 yes", "否 no", "不适用 n/a"
#: The AHP factors; the technology factor comes last (its weight is s4).
AHP_FACTORS = (("资金", "Capital"), ("劳动", "Labour"), ("管理", "Management"), ("技术", "Technology"))

#: name -> (Chinese title, English title, items)
CHOICES = {
    "List_YesNo": ("是/否", "Yes/No", (YES, NO)),
    "List_Case_View": ("案件视角", "View of the case", (CIVIL, CRIMINAL)),
    "List_Measure": ("赔偿计算方法", "Measure of damages", MEASURES),
    "List_S4_Method": ("s4 确定方法", "Method for s4", S4_METHODS),
    "List_Value_Method": ("商业价值方法", "Commercial value approach", VALUE_METHODS),
    "List_Margin_Kind": ("利润率口径", "Kind of margin", MARGIN_KINDS),
    "List_License_Type": ("许可类型", "License type", LICENSE_TYPES),
    "List_Remedial_Kind": ("补救措施性质", "Kind of remedial measure", REMEDIAL_KINDS),
    # not an input list: what each step of LOST_PROFIT_STEP means, read by INDEX
    "List_LP_Step": ("实际损失计算步骤", "Step of the lost-profit cascade",
                     tuple(f"{n} {zh} / {en}" for n, (zh, en) in CASCADE_STEPS.items())),
}

#: Method constants that are not legal figures: name -> (value, Chinese, English, source).
CONSTANTS = {
    "AHP_CR_Limit": (0.10, "层次分析法一致性比率上限", "Highest acceptable AHP consistency ratio",
                     "Saaty, The Analytic Hierarchy Process (1980): accept CR < 0.10"),
    "Money_Digits": (2, "金额保留的小数位数（到分）", "Decimal places of final money figures (to the fen)",
                     "人民币的最小单位为分（《中华人民共和国人民币管理条例》第三条）；判赔、经济损失、刑事数额等结论金额按此四舍五入"),
}
#: Decimal places final money figures are rounded to (the fen); the workbook reads ``Money_Digits``.
MONEY_DIGITS: int = CONSTANTS["Money_Digits"][0]

# --------------------------------------------------------------------------------------------
# Kinds of input: unit, number format, validation
# --------------------------------------------------------------------------------------------
_FIRST_DATE, _LAST_DATE = _dt.date(1990, 1, 1), _dt.date(2100, 12, 31)
_K_MAX = max(r.value for r in legal.RULES if r.key == "punitive_max")
_K_MIN = min(r.value for r in legal.RULES if r.key == "punitive_min")
#: The first day conduct can attract the multiplier (for the notes; formulas use TSD_RULE).
_K_FROM = min(r.value for r in legal.RULES if r.key == "punitive_from").isoformat()


@dataclass(frozen=True)
class Kind:
    """What an input holds: its unit, number format and data validation.

    ``validation`` is ``(type, operator, formula1, formula2)`` as in
    openpyxl's ``DataValidation``; ``rule_zh``/``rule_en`` say the same in
    words for the error message.
    """

    unit: str
    number_format: str
    validation: tuple
    rule_zh: str
    rule_en: str


def _serial(d: _dt.date) -> str:
    return str((d - _dt.date(1899, 12, 30)).days)


KINDS: dict[str, Kind] = {
    "text": Kind("文本 text", "General", ("textLength", "lessThanOrEqual", "255", None),
                 "不超过255个字符", "at most 255 characters"),
    "date": Kind("日期 date", "yyyy-mm-dd", ("date", "between", _serial(_FIRST_DATE), _serial(_LAST_DATE)),
                 "1990-01-01 至 2100-12-31 之间的日期", "a date from 1990-01-01 to 2100-12-31"),
    "money": Kind("元 yuan", "#,##0.00", ("decimal", "greaterThanOrEqual", "0", None),
                  "不小于0的金额（元）", "an amount in yuan, 0 or more"),
    "price": Kind("元/件 yuan/unit", "#,##0.00", ("decimal", "greaterThanOrEqual", "0", None),
                  "不小于0的单价（元）", "a unit price in yuan, 0 or more"),
    "units": Kind("件 units", "#,##0", ("decimal", "greaterThanOrEqual", "0", None),
                  "不小于0的数量", "a quantity, 0 or more"),
    "share": Kind("0–1", "0.00%", ("decimal", "between", "0", "1"),
                  "0 至 1 之间的小数（可输入百分比）", "a decimal from 0 to 1 (a percentage is fine)"),
    "margin": Kind("−1–1", "0.00%", ("decimal", "between", "-1", "1"),
                   "−1 至 1 之间的小数，亏损为负", "a decimal from −1 to 1, negative for a loss"),
    "years": Kind("年 years", "0.00", ("decimal", "greaterThanOrEqual", "0", None),
                  "不小于0的年数", "a number of years, 0 or more"),
    "multiplier": Kind("倍 x", "0.00", ("decimal", "between", f"{_K_MIN:g}", f"{_K_MAX:g}"),
                       f"{_K_MIN:g} 至 {_K_MAX:g} 倍", f"a multiple from {_K_MIN:g} to {_K_MAX:g}"),
    "factor": Kind("倍 x", "0.00", ("decimal", "greaterThan", "0", None),
                   "大于0的系数", "a factor above 0"),
    "ratio": Kind("比值 ratio", "0.000", ("decimal", "greaterThan", "0", None),
                  "大于0的比值，对角线为1，a(j,i)=1/a(i,j)", "a ratio above 0; 1 on the diagonal, a(j,i) = 1/a(i,j)"),
    "weight": Kind("权重 weight", "0.00", ("decimal", "greaterThanOrEqual", "0", None),
                   "不小于0的权重", "a weight, 0 or more"),
    "scenario": Kind("情形 1–5", "0", ("whole", "between", "1", "5"),
                     "1 至 5 的整数", "a whole number from 1 to 5"),
    "index": Kind("序号 no.", "0", ("whole", "between", "1", "5"),
                  "1 至 5 的整数（可比许可序号）", "a whole number from 1 to 5 (the comparable's number)"),
}
for _name, (_zh, _en, _items) in CHOICES.items():
    KINDS[_name] = Kind("选项 choice", "General", ("list", None, _name, None),
                        "从下拉列表中选择：" + "、".join(_items), "choose from the list")


# --------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One input: a named cell (or, inside a :class:`Table`, a named column of cells)."""

    name: str
    zh: str
    en: str
    kind: str
    note_zh: str = ""
    note_en: str = ""

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Group:
    """Consecutive fields that also carry one name over all their cells (e.g. ``Intent_Factors``)."""

    name: str
    fields: tuple
    zh: str = ""
    en: str = ""


@dataclass(frozen=True)
class Table:
    """A block of inputs with ``size`` items.

    ``across``: items run across the sheet (one row per column field, one
    sheet column per item, as the periods do); otherwise one row per item
    and each field in the sheet column given by ``cols``.
    """

    name: str
    zh: str
    en: str
    item_zh: str
    item_en: str
    size: int
    columns: tuple[Field, ...]
    across: bool = False
    cols: tuple[str, ...] = ()
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Matrix:
    """A square input block (the AHP pairwise comparison matrix), named as one range."""

    name: str
    zh: str
    en: str
    factors: tuple[tuple[str, str], ...]
    kind: str
    note_zh: str = ""
    note_en: str = ""

    @property
    def labels_name(self) -> str:
        """Name of the factor labels beside the matrix (e.g. ``AHP_Factors``)."""
        return self.name.replace("_Matrix", "_Factors")


@dataclass(frozen=True)
class Calc:
    """One calculated figure: a named (or unnamed) formula cell in the value column.

    ``basis_zh``/``basis_en`` are for short native formulas; a formula that
    calls a catalogue function takes its legal basis from the registry.
    """

    name: str | None
    zh: str
    en: str
    formula: str
    fmt: str
    basis_zh: str = ""
    basis_en: str = ""


@dataclass(frozen=True)
class ItemCalcs:
    """Per-item calculations of a vertical input table: one row per item, one column per calc."""

    table: str
    calcs: tuple[tuple[str, str, str, str, str, str], ...]  # (name, zh, en, formula, fmt, sheet column)


@dataclass(frozen=True)
class PeriodCalc:
    """A per-period row: the same formula in every period column; ``total`` names the total."""

    name: str
    zh: str
    en: str
    formula: str
    fmt: str
    total: str | None = None
    basis_zh: str = ""
    basis_en: str = ""


@dataclass(frozen=True)
class Show:
    """A figure shown on the Summary or Cover: a link to a name (blank stays blank)."""

    name: str
    zh: str
    en: str
    fmt: str
    defined_name: str | None = None
    formula: str | None = None


@dataclass(frozen=True)
class PeriodShow:
    """A per-period row shown on the Summary (a link to a per-period row)."""

    source: str
    zh: str
    en: str
    fmt: str


@dataclass(frozen=True)
class Check:
    """A check: a formula that must be TRUE, and the message shown when it is not.

    ``{Name}`` in a message shows the value of the defined name there (e.g. the citation of the
    rule in force on the case's dates).
    """

    name: str
    zh: str
    en: str
    formula: str
    fail_zh: str
    fail_en: str


@dataclass(frozen=True)
class Section:
    """A titled block of a sheet."""

    zh: str
    en: str
    items: tuple = ()
    note_zh: str = ""
    note_en: str = ""
    across: bool = False  # the block's rows are per-period rows (period headers shown)


def _yn(name, zh, en, note_zh="", note_en=""):
    return Field(name, zh, en, "List_YesNo", note_zh, note_en)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
INPUT_SECTIONS: tuple[Section, ...] = (
    Section("一、案件信息", "1. The case", (
        Field("Case_Name", "案件名称", "Case name", "text", "案件简称", "Short name of the case"),
        Field("Case_Number", "案号", "Case number", "text", "如 (2023)最高法知民终1590号", "e.g. (2023)最高法知民终1590号"),
        Field("Case_Court", "法院", "Court", "text", "受理法院", "Court hearing the case"),
        Field("Case_Claimant", "权利人（原告）", "Right holder (claimant)", "text"),
        Field("Case_Defendant", "被诉侵权人（被告）", "Alleged infringer (defendant)", "text"),
        Field("Case_Analyst", "编制人", "Prepared by", "text", "评估人员或专家姓名", "Valuation expert or analyst"),
        Field("Case_Date", "编制日期", "Date prepared", "date"),
        _yn("Case_Illustrative", "示例数据", "Illustrative figures",
            "选“是”时封面和汇总标注“示例数据”", "“是” marks the Cover and Summary as illustrative"),
    )),
    Section("二、适用制度与诉请", "2. Regime and claim", (
        Field("Conduct_Start", "侵权行为开始日", "Conduct started on", "date"),
        Field("Conduct_End", "侵权行为结束日", "Conduct ended on", "date",
              "法定赔偿上限按此日施行的法律查询", "the statutory cap is looked up on this date"),
        Field("Claim_Amount", "诉请数额", "Amount claimed", "money",
              "判赔以诉请为限；空白表示不设上限", "the award is capped at the claim; blank = no cap"),
        _yn("Claim_Includes_Expenses", "诉请含合理开支", "The claim includes the expenses",
            "“是”：诉请为“经济损失及合理开支共计”，二者之和以诉请为限；空白为“否”：仅经济损失以诉请为限，合理开支另加",
            "“是”: one figure claimed for loss and expenses, their sum is capped; blank = “否”: the loss alone is "
            "capped and the expenses are added"),
        Field("Case_View", "案件视角", "View of the case", "List_Case_View",
              "民事：判赔总额；刑事：损失数额与量刑档次", "civil: total award; criminal: loss amount and tier"),
        Field("Measure_Choice", "选用的赔偿计算方法", "Measure of damages used", "List_Measure",
              "先按实际损失；实际损失难以计算的，按侵权获利；均难以确定的，法定赔偿",
              "actual loss first; the infringer's gains only where the loss is hard to compute; statutory damages "
              "where both are hard to determine"),
        _yn("Loss_Hard_To_Compute", "实际损失难以计算", "The actual loss is hard to compute",
            "选用侵权获利时须为“是”（权利人减少销量或单位利润无法证明）",
            "must be “是” to use the infringer's gains (the holder's lost units or unit profit cannot be shown)"),
        Field("Statutory_Amount", "法定赔偿建议金额", "Statutory damages proposed", "money",
              "仅在选用法定赔偿时使用；由法院酌定", "used only with statutory damages; the court decides"),
        _yn("Remedial_Include", "补救费用计入实际损失", "Add remedial costs to the loss",
            "见第八部分补救费用", "see part 8, remedial costs"),
    )),
    Section("三、技术贡献率", "3. Technology contribution rate", (
        Field("Share_S2", "s2 秘点占相关技术比例", "s2 claimed points within the related technology", "share",
              "如威某汽车案底盘技术 80%", "e.g. 80% of the chassis technology in the vehicle case"),
        Field("Share_S3", "s3 相关技术占产品全部技术比例", "s3 related technology within the whole product", "share",
              "如 40%", "e.g. 40%"),
        Field("S4_Method", "s4 确定方法", "Method for s4 (profit split)", "List_S4_Method",
              "三分法 1/3；四分法 25%；提成率÷利润率；层次分析法；直接输入",
              "thirds 1/3; quarters 25%; royalty / margin; AHP; direct"),
        Field("S4_Royalty_Rate", "可比许可销售提成率", "Royalty rate on sales (comparable)", "share",
              "用于“提成率换算”", "for the royalty method"),
        Field("S4_Profit_Margin", "产品销售利润率", "Product profit margin on sales", "share",
              "用于“提成率换算”", "for the royalty method"),
        Field("S4_Direct", "直接输入的 s4", "s4 entered directly", "share",
              "用于“直接输入”，请在说明中写明来源", "for the direct method; state the source"),
        Group("Contrib_Overrides", zh="按全部利润计算的情形", en="Conditions for using the whole profit", fields=(
            _yn("Core_Decisive", "秘密对产品起核心或决定作用", "The secret is core or decisive to the product",
                "“是”则按产品全部利润计算（不适用贡献率）", "“是”: the whole profit is used (no contribution rate)"),
            _yn("Books_Refused", "被告拒不提供或伪造账簿", "The defendant refused or falsified its books",
                "法释〔2020〕7号第二十四条", "SPC 法释〔2020〕7号 Art. 24"),
            _yn("Malice_Lost_Trade", "明显恶意、竞争者少且权利人丧失交易机会",
                "Obvious malice, few competitors, the holder lost the trade"),
        )),
        Field("Component_Max_Share", "部件利润占比合理上限", "Plausible share of a component in the profit", "share",
              "空白为 50%（汪某案）", "blank = 50% (汪某 acquittal)"),
        Matrix("AHP_Matrix", "层次分析法判断矩阵", "AHP pairwise comparison matrix", AHP_FACTORS, "ratio", "仅在 s4 用层次分析法时填写；行因素相对列因素的重要性",
               "only for the AHP method; importance of the row factor against the column factor"),
    )),
    Section("四、秘点表", "4. Secret points", (
        Table("Points", "秘点表", "Secret points", "秘点 {n}", "Point {n}", POINTS, (
            Field("Points_ID", "编号", "ID", "text"),
            Field("Points_Desc", "秘点内容", "Description", "text"),
            Field("Points_Weight", "权重", "Weight", "weight", "等权时全部填 1", "enter 1 for equal weights"),
            Field("Points_Established", "是否成立", "Established", "List_YesNo",
                  "法院是否认定该秘点构成商业秘密", "held to be a trade secret?"),
        ), cols=("C", "D", "E", "F"),
            note_zh="s1 = 成立秘点权重之和 ÷ 全部主张秘点权重之和；空行忽略",
            note_en="s1 = weights of established points / weights of all claimed points; blank rows are ignored"),
    )),
    Section("五、期间表", "5. Periods", (
        Table("Periods", "期间表", "Periods", "第{n}期", "P{n}", PERIODS, (
            Field("Per_Label", "期间名称", "Period name", "text", "如 2019年", "e.g. 2019"),
            Field("Per_Start", "开始日", "Start", "date",
                  f"跨 {_K_FROM} 的期间请拆分", f"split a period that spans {_K_FROM}"),
            Field("Per_End", "结束日", "End", "date"),
            Field("Per_Units", "侵权产品销量", "Infringing units sold", "units"),
            Field("Per_Price", "单价", "Unit price", "price"),
            Field("Per_Margin", "侵权人利润率", "Infringer's profit margin", "margin", "亏损为负", "negative for a loss"),
            Field("Per_Margin_Kind", "利润率口径", "Kind of margin", "List_Margin_Kind",
                  "营业利润率或销售利润率", "operating margin (营业利润率) or sales margin (销售利润率)"),
            Field("Per_Benchmark", "行业基准利润率", "Industry benchmark margin", "margin",
                  "侵权人利润率 ≤ 0 时使用", "used when the infringer's margin is 0 or less"),
            Field("Per_Lost_Units", "权利人减少销量", "Holder's lost units", "units", "未知则空白", "blank if not known"),
            Field("Per_Own_Profit", "权利人单位利润", "Holder's profit per unit", "price", "未知则空白", "blank if not known"),
            Field("Per_Multiplier", "选定惩罚倍数", "Punitive multiplier chosen", "multiplier",
                  f"{_K_FROM} 前的期间不适用；空白为 1", f"not before {_K_FROM}; blank = 1"),
        ), across=True),
    ), across=True),
    Section("六、许可使用费", "6. License fee", (
        Table("Licenses", "可比许可", "Comparable licenses", "可比许可 {n}", "Comparable {n}", 5, (
            Field("Lic_Scope", "许可内容与范围", "Subject and scope", "text"),
            Field("Lic_Fee", "许可费", "License fee", "money", "许可期内总额", "total over the term"),
            Field("Lic_Term", "许可期限", "Term", "years"),
            Field("Lic_Type", "许可类型", "Type", "List_License_Type"),
        ), cols=("D", "E", "F", "G")),
        Field("License_Choice", "选用的可比许可序号", "Comparable used (no.)", "index"),
        Field("License_Multiple", "许可费调整系数", "License fee adjustment", "factor",
              "可比许可与本案在许可类型、范围、期限上差异的调整；空白为 1",
              "adjustment for differences of license type, scope and term from the comparable; blank = 1"),
        Field("License_Base_Multiple", "许可费倍数（惩罚性赔偿基数）", "Multiple of the license fee (punitive base)",
              "factor",
              "仅在实际损失、侵权获利均难以计算时，以许可费的倍数作惩罚性赔偿基数（法释〔2021〕4号第五条第二款；"
              "法释〔2026〕7号自2026年5月1日起不再规定倍数）；刑事损失不适用；空白为不适用",
              "only where the loss and the gains are both hard to compute, a multiple of the license fee as the "
              "punitive base (法释〔2021〕4号 Art. 5 para. 2; 法释〔2026〕7号 drops the multiple from 2026-05-01); "
              "never in the criminal loss; blank = not used"),
    )),
    Section("七、商业价值", "7. Commercial value", (
        Table("RD_Items", "研发成本", "R&D cost items", "研发成本 {n}", "R&D item {n}", 10, (
            Field("RD_Item", "项目", "Item", "text"),
            Field("RD_Cost", "金额", "Cost", "money"),
        ), cols=("D", "E")),
        Field("Income_Annual", "实施秘密的年收益", "Annual income from the secret", "money"),
        Field("Income_Years", "竞争优势期", "Period of competitive advantage", "years"),
        Field("Income_Discount", "折现率", "Discount rate", "share"),
        Field("Value_Method", "商业价值采用方法", "Approach used for commercial value", "List_Value_Method"),
    )),
    Section("八、补救费用", "8. Remedial costs", (
        Table("Remedial", "补救措施", "Remedial measures", "补救 {n}", "Measure {n}", 10, (
            Field("Rem_Item", "项目", "Item", "text"),
            Field("Rem_Cost", "费用", "Cost", "money"),
            Field("Rem_Kind", "性质", "Kind", "List_Remedial_Kind",
                  "修复/重建 = restore（全额）；加强 = enhance（分摊）", "修复/重建 restore in full; 加强 enhance, apportioned"),
            Field("Rem_Life", "使用年限", "Useful life", "years", "仅“加强”", "enhance only"),
            Field("Rem_Attrib", "归属侵权的年数", "Years attributable", "years", "仅“加强”", "enhance only"),
        ), cols=("D", "E", "F", "G", "H")),
    )),
    Section("九、合理开支", "9. Reasonable expenses", (
        Group("Expenses", zh="合理开支各项", en="Reasonable expense items", fields=(
            Field("Exp_Lawyer", "律师费", "Lawyer's fees", "money"),
            Field("Exp_Notary", "公证费", "Notary fees", "money"),
            Field("Exp_Appraisal", "鉴定评估费", "Appraisal fees", "money"),
            Field("Exp_Other", "其他合理开支", "Other reasonable expenses", "money"),
        )),
    ), note_zh="合理开支不计入惩罚性赔偿基数（法释〔2021〕4号第五条）",
        note_en="expenses are outside the punitive base (法释〔2021〕4号 Art. 5)"),
    Section("十、约定赔偿", "10. Agreed damages", (
        Field("Agreed_Low", "约定赔偿下限", "Agreed damages, low", "money"),
        Field("Agreed_High", "约定赔偿上限", "Agreed damages, high", "money"),
    ), note_zh="保密协议约定的赔偿额仅作参考", note_en="a reference only, not binding ((2021)最高法知民终1687号)"),
    Section("十一、惩罚性赔偿情节（法释〔2021〕4号；法释〔2026〕7号）", "11. Punitive damages factors (法释〔2021〕4号; 法释〔2026〕7号)", (
        Group("Intent_Factors", zh="故意情节（第三条）", en="Intent factors (Art. 3)", fields=(
            _yn("Intent_Notice", "经通知、警告后仍继续实施", "Continued after notice or warning", "第三条第二款第（一）项", "Art. 3 (1)"),
            _yn("Intent_Related", "被告或其法定代表人、实际控制人与原告关联",
                "Defendant, its representative or controller related to the claimant", "第三条第二款第（二）项", "Art. 3 (2)"),
            _yn("Intent_Relationship", "存在劳动、劳务、合作、许可、经销、代理等关系且接触过",
                "Employment, service, cooperation, license, distribution or agency with access",
                "第三条第二款第（三）项", "Art. 3 (3)"),
            _yn("Intent_Negotiation", "有业务往来或为达成合同进行过磋商且接触过",
                "Business dealings or negotiations with access", "第三条第二款第（四）项", "Art. 3 (4)"),
            _yn("Intent_Piracy", "实施盗版、假冒注册商标行为", "Piracy or counterfeiting", "第三条第二款第（五）项", "Art. 3 (5)"),
            _yn("Intent_Settled_Repeat", "和解或调解后再次实施（法释〔2026〕7号）", "Repeated after a settlement (2026)",
                "法释〔2026〕7号第六条第（六）项", "法释〔2026〕7号 Art. 6 (6)"),
            _yn("Intent_Hidden_Control", "通过关联企业等隐匿控制实施（法释〔2026〕7号）",
                "Control hidden through related companies (2026)", "法释〔2026〕7号第六条第（七）项",
                "法释〔2026〕7号 Art. 6 (7)"),
            _yn("Intent_Other", "其他可以认定为故意的情形", "Other grounds of intent", "第三条第二款第（六）项",
                "Art. 3 (6)"),
        )),
        Group("Serious_Factors", zh="情节严重情形（第四条）", en="Serious circumstances (Art. 4)", fields=(
            _yn("Serious_Repeat", "因侵权被处罚或判决后再次实施", "Repeated after a penalty or judgment",
                "第四条第二款第（一）项", "Art. 4 (1)"),
            _yn("Serious_Business", "以侵害知识产权为业", "Infringement as a business", "第四条第二款第（二）项", "Art. 4 (2)"),
            _yn("Serious_Evidence", "伪造、毁坏或者隐匿侵权证据", "Forging, destroying or hiding evidence",
                "第四条第二款第（三）项", "Art. 4 (3)"),
            _yn("Serious_Preservation", "拒不履行保全裁定", "Refusing a preservation order", "第四条第二款第（四）项", "Art. 4 (4)"),
            _yn("Serious_Huge", "侵权获利或者权利人受损巨大", "Huge gains or losses", "第四条第二款第（五）项", "Art. 4 (5)"),
            _yn("Serious_Harm", "可能危害国家安全、公共利益或者人身健康",
                "Harm to national security, public interest or health", "第四条第二款第（六）项", "Art. 4 (6)"),
            _yn("Serious_Other", "其他可以认定为情节严重的情形", "Other serious circumstances", "第四条第二款第（七）项",
                "Art. 4 (7)"),
        )),
    ), note_zh="故意（法释〔2021〕4号第三条；法释〔2026〕7号第六条）与情节严重（第四条；第七条）均具备方可适用倍数；"
               "条款号未注明者为法释〔2021〕4号；每期倍数在期间表中选择",
        note_en="intent (法释〔2021〕4号 Art. 3; 法释〔2026〕7号 Art. 6) and serious circumstances (Art. 4; Art. 7) "
                "are both needed for a multiplier; articles without a number of instrument are 法释〔2021〕4号's; "
                "choose each period's multiplier in the periods table"),
    Section("十二、刑事", "12. Criminal", (
        Field("Crim_Scenario", "损失认定情形（1–5）", "Loss scenario (1–5)", "scenario",
              "法释〔2025〕5号第十八条：1 获取未使用；2 不正当手段获取后使用；3 违约披露使用；4 明知第三人；5 公开或灭失",
              "Art. 18: 1 acquired, not used; 2 improper means then used; 3 breach; 4 third party who knew; "
              "5 made public or destroyed"),
        _yn("Crim_Repeat", "二年内因同类行为受过处罚", "Punished for the same within 2 years"),
        Field("Crim_Date", "行为日（数额标准）", "Conduct date (for the thresholds)", "date",
              "按行为时施行的司法解释确定数额标准", "the interpretation in force at the conduct sets the thresholds"),
        Field("Crim_Decision_Date", "审判日", "Decision date", "date",
              "审判时施行的司法解释对被告人更有利的，适用之（高检发释字〔2001〕5号第三项）；空白则按行为日",
              "a later interpretation more lenient to the defendant applies (高检发释字〔2001〕5号 item 3); "
              "blank = the conduct date's"),
        Field("Crim_Consideration", "披露、许可所获财物", "Consideration received for disclosure or license", "money",
              "违法所得：因披露、允许他人使用所获财物或财产性利益", "illegal gains: what was received for disclosing "
              "or licensing the secret"),
        Field("Crim_Units", "侵权产品销售量（刑事）", "Infringing units sold (criminal)", "units",
              "违法所得：无上项时，销售量 × 每件合理利润", "illegal gains without the above: units × profit per unit"),
        Field("Crim_Unit_Profit", "每件侵权产品合理利润（刑事）", "Profit per infringing unit (criminal)", "price"),
    )),
)

# --------------------------------------------------------------------------------------------
# Calculations
# --------------------------------------------------------------------------------------------
def _blank_if(needs: tuple[str, ...], formula: str) -> str:
    """``formula`` (without its ``=``), or blank (not applicable) while any of ``needs`` is blank."""
    test = [f'{n}=""' for n in needs]
    cond = test[0] if len(test) == 1 else f"OR({','.join(test)})"
    return f'IF({cond},"",{formula})'


def _per(formula: str, *needs: str) -> str:
    """A per-period formula: blank in an unused period, and while any of ``needs`` (``[Per_End]``,
    ``Contrib_Applied``) is blank. The period is tested first, so that an error upstream stays out
    of the unused periods."""
    return f'=IF([Per_Start]="","",{_blank_if(needs, formula) if needs else formula})'


def _lighter(a: str, b: str) -> str:
    """A formula TRUE where tier ``a`` is lighter than tier ``b`` (the catalogue's tier labels; none is lightest)."""
    from ..criminal import TIER_ESPECIALLY_SERIOUS, TIER_SERIOUS
    return (f'OR(AND({a}="",{b}<>""),AND({a}="{TIER_SERIOUS}",{b}="{TIER_ESPECIALLY_SERIOUS}"))')


def _ifyes(name: str) -> str:
    return f'{name}="{YES}"'


CALC_SECTIONS: tuple[Section, ...] = (
    Section("一、技术贡献率", "1. Technology contribution rate", (
        Group("AHP_Factor_Weights", zh="层次分析法各因素权重", en="AHP factor weights", fields=tuple(
            Calc(None, f"{zh}权重", f"{en} weight",
                 f'=IF(COUNT(AHP_Matrix)=0,"",INDEX(AHP_WEIGHTS(AHP_Matrix),MATCH("{zh}",AHP_Factors,0)))', "share")
            for zh, en in AHP_FACTORS)),
        Calc("AHP_CR_Value", "层次分析法一致性比率", "AHP consistency ratio",
             '=IF(COUNT(AHP_Matrix)=0,"",AHP_CR(AHP_Matrix))', "ratio"),
        Group("S4_Candidates", zh="各方法的 s4", en="s4 by each method", fields=(
            Calc("S4_By_Thirds", "s4 三分法", "s4 by thirds", '=PROFIT_SPLIT("三分法")', "share"),
            Calc("S4_By_Quarters", "s4 四分法", "s4 by quarters", '=PROFIT_SPLIT("四分法")', "share"),
            Calc("S4_By_Royalty", "s4 提成率换算", "s4 from the royalty rate",
                 '=IF(S4_Royalty_Rate="","",ROYALTY_TO_SPLIT(S4_Royalty_Rate,S4_Profit_Margin))', "share"),
            Calc("S4_By_AHP", "s4 层次分析法（技术权重）", "s4 by AHP (technology weight)",
                 '=IF(COUNT(AHP_Matrix)=0,"",INDEX(AHP_Factor_Weights,ROWS(AHP_Factor_Weights)))', "share",
                 "层次分析法权重中的技术因素", "the technology factor's AHP weight"),
            Calc("S4_By_Direct", "s4 直接输入", "s4 entered directly", '=IF(S4_Direct="","",S4_Direct)', "share",
                 "输入值", "the input"),
        )),
        Group("Contrib_Chain", zh="贡献率链条 s1–s4 与贡献率", en="Chain s1–s4 and the rate", fields=(
            Calc("Contrib_S1", "s1 成立秘点占比", "s1 share of points established",
                 '=IF(COUNT(Points_Weight)+COUNTA(Points_Established)=0,"",'
                 "POINTS_SHARE(Points_Weight,Points_Established))", "share"),
            Calc("Contrib_S2", "s2 秘点占相关技术", "s2 points within the related technology",
                 '=IF(Share_S2="","",Share_S2)', "share", "输入值", "the input"),
            Calc("Contrib_S3", "s3 相关技术占全部技术", "s3 related technology within the product",
                 '=IF(Share_S3="","",Share_S3)', "share", "输入值", "the input"),
            Calc("Contrib_S4", "s4 技术利润分成率", "s4 technology's profit split",
                 '=IF(S4_Method="","",INDEX(S4_Candidates,MATCH(S4_Method,List_S4_Method,0)))', "share",
                 "按所选方法取上列 s4", "the s4 above of the method chosen"),
            Calc("Contrib_Rate", "技术贡献率", "Technology contribution rate",
                 "=" + _blank_if(("Contrib_S1", "Contrib_S2", "Contrib_S3", "Contrib_S4"),
                           "TECH_CONTRIB_RATE(Contrib_S1,Contrib_S2,Contrib_S3,Contrib_S4)"), "share"),
        )),
        Calc("Contrib_Applied", "适用的贡献率", "Contribution rate applied",
             f'=IF(Contrib_Rate="",IF(COUNTIF(Contrib_Overrides,"{YES}")>0,1,""),EFFECTIVE_CONTRIB(Contrib_Rate,'
             f'{_ifyes("Core_Decisive")},{_ifyes("Books_Refused")},{_ifyes("Malice_Lost_Trade")}))', "share",
             "未算出贡献率时：具备全部利润情形为 1，否则不适用", "without a rate: 1 where the whole profit is used, "
             "else not applicable"),
    )),
    Section("二、方法选择与情节", "2. Choices and factors", (
        Calc("Measure_Index", "所选方法序号", "Number of the measure chosen",
             '=IF(Measure_Choice="","",MATCH(Measure_Choice,List_Measure,0))', "count",
             "在方法列表中的位置", "position in the list of measures"),
        Calc("Measure_Order_Rule", "计算方法的适用顺序", "Order of the measures",
             '=IF(Conduct_End="","",TSD_RULE("measure_order",Conduct_End))', "text",
             "ordered：先实际损失，难以计算的按侵权获利", "ordered: loss first, gains only where it is hard to compute"),
        Calc("Measure_Order_Basis", "顺序规则出处", "Where the order comes from",
             '=IF(Conduct_End="","",TSD_RULE_INFO("measure_order",Conduct_End))', "text"),
        Calc("License_Fee_Used", "选用可比许可的许可费", "License fee of the comparable used",
             '=IF(License_Choice="","",IF(ISNUMBER(INDEX(Lic_Fee,License_Choice)),INDEX(Lic_Fee,License_Choice),""))',
             "money", "可比许可表", "comparables table"),
        Calc("License_Term_Used", "选用可比许可的期限", "Term of the comparable used",
             '=IF(License_Choice="","",IF(ISNUMBER(INDEX(Lic_Term,License_Choice)),INDEX(Lic_Term,License_Choice),""))',
             "years", "可比许可表", "comparables table"),
        Calc("Intent_Found", "存在故意情节", "An intent factor is present",
             f'=COUNTIF(Intent_Factors,"{YES}")>0', "bool", "法释〔2021〕4号第三条", "法释〔2021〕4号 Art. 3"),
        Calc("Serious_Found", "存在情节严重情形", "A serious circumstance is present",
             f'=COUNTIF(Serious_Factors,"{YES}")>0', "bool", "法释〔2021〕4号第四条", "法释〔2021〕4号 Art. 4"),
        Calc("Punitive_Grounds", "具备惩罚性赔偿要件", "Grounds for punitive damages",
             "=AND(Intent_Found,Serious_Found)", "bool", "故意且情节严重", "intent and serious circumstances"),
        Calc("Punitive_From", "惩罚性赔偿起始日", "Multiplier available for conduct from",
             '=TSD_RULE("punitive_from")', "date"),
    )),
    Section("三、分期计算", "3. By period", (
        PeriodCalc("Per_Years", "期间年数", "Years in the period",
                   _per("YEARFRAC([Per_Start],[Per_End]+1,1)", "[Per_End]"), "years", None, "实际天数/实际天数", "actual/actual"),
        PeriodCalc("Per_Revenue", "侵权产品销售额", "Revenue of infringing units",
                   _per("[Per_Units]*[Per_Price]", "[Per_Units]", "[Per_Price]"), "money", "Revenue_Total", "销量 × 单价", "units × price"),
        PeriodCalc("Per_Margin_Used", "适用利润率", "Margin used",
                   '=IF(OR([Per_Start]="",AND([Per_Margin]="",[Per_Benchmark]="")),"",'
                   'IF(AND(ISNUMBER([Per_Margin]),[Per_Margin]>0),[Per_Margin],'
                   'IF([Per_Benchmark]<>"",[Per_Benchmark],"")))',
                   "share", None, "亏损、为零或未知时用行业基准（(2023)最高法知民终1590号）；无基准则不可计（同 INFRINGER_GAIN）",
                   "the benchmark where the margin is 0 or less, or not known (SPC (2023)最高法知民终1590号); without "
                   "one, nothing is measured (as INFRINGER_GAIN)"),
        PeriodCalc("Per_Unit_Profit", "侵权人单位利润", "Infringer's profit per unit",
                   _per("[Per_Price]*[Per_Margin_Used]", "[Per_Price]", "[Per_Margin_Used]"), "money", None,
                   "单价 × 适用利润率", "unit price × margin used"),
        PeriodCalc("Per_Lost_Profit_Whole", "实际损失（整体产品）", "Lost profit, whole product",
                   '=IF(OR([Per_Start]="",AND([Per_Lost_Units]="",[Per_Units]="")),"",'
                   "LOST_PROFIT([Per_Lost_Units],[Per_Own_Profit],[Per_Units],[Per_Unit_Profit]))",
                   "money", "Lost_Profit_Whole", "无销量时不适用", "not applicable without a volume"),
        PeriodCalc("Per_LP_Step", "实际损失计算步骤", "Step of the lost-profit cascade",
                   '=IF(OR([Per_Start]="",AND([Per_Lost_Units]="",[Per_Units]="")),"",'
                   "LOST_PROFIT_STEP([Per_Lost_Units],[Per_Own_Profit],[Per_Units],[Per_Unit_Profit]))",
                   "count", None, "1、2 以权利人单位利润为据；3 由侵权人数据推定",
                   "1, 2 on the holder's unit profit; 3 presumed from the infringer's figures"),
        PeriodCalc("Per_Gain_Whole", "侵权获利（整体产品）", "Infringer's gains, whole product",
                   _per("INFRINGER_GAIN([Per_Revenue],[Per_Margin],[Per_Benchmark])", "[Per_Revenue]", "[Per_Margin_Used]"),
                   "money", "Gain_Whole"),
        PeriodCalc("Per_Lost_Profit", "实际损失 × 贡献率", "Lost profit × contribution rate",
                   _per("[Per_Lost_Profit_Whole]*Contrib_Applied", "[Per_Lost_Profit_Whole]", "Contrib_Applied"),
                   "money", "Measure_Lost_Profit",
                   "整体产品实际损失 × 适用的贡献率", "whole-product lost profit × contribution rate applied"),
        PeriodCalc("Per_Gain", "侵权获利 × 贡献率（基数）", "Infringer's gains × contribution rate (base)",
                   _per("DAMAGES_BASE([Per_Price],[Per_Units],[Per_Margin_Used],Contrib_Applied)", "[Per_Gain_Whole]",
                        "Contrib_Applied"), "money",
                   "Measure_Infringer_Gain"),
        PeriodCalc("Per_License", "许可使用费", "License fee for the period",
                   _per("LICENSE_FEE_LOSS(License_Fee_Used,License_Term_Used,[Per_Years],License_Multiple)",
                        "[Per_Years]", "License_Fee_Used"),
                   "money", "Measure_License_Fee"),
        PeriodCalc("Per_Base", "选定方法的基数", "Base under the measure chosen",
                   '=IF(OR([Per_Start]="",Measure_Index=""),"",'
                   'CHOOSE(Measure_Index,[Per_Lost_Profit],[Per_Gain],[Per_License],"",""))', "money", "Base_Total",
                   "按所选方法取上列；不含合理开支（法释〔2021〕4号第五条）",
                   "the row of the measure chosen; excludes expenses (法释〔2021〕4号 Art. 5)"),
        PeriodCalc("Per_Punitive_OK", "可适用惩罚性赔偿", "Punitive multiplier available",
                   _per(f'IF(PUNITIVE_AVAILABLE([Per_Start]),"{SHOWN_YES}","{SHOWN_NO}")'), "text"),
        PeriodCalc("Per_K_Max", "可选最高倍数", "Highest multiplier allowed",
                   _per(f'IF([Per_Punitive_OK]="{SHOWN_YES}",TSD_RULE("punitive_max",[Per_Start]),1)'), "multiplier",
                   None, "不可适用时为 1", "1 where not available"),
        PeriodCalc("Per_K", "适用倍数", "Multiplier applied",
                   _per(f'IF(AND([Per_Punitive_OK]="{SHOWN_YES}",[Per_Multiplier]<>""),[Per_Multiplier],1)'),
                   "multiplier", None, "不可适用或未选择时为 1", "1 where not available or not chosen"),
        PeriodCalc("Per_Punitive_Base", "惩罚性赔偿基数", "Punitive base",
                   '=IF(OR([Per_Start]="",[Per_Base]=""),"",IF(AND(Measure_Choice="' + MEASURES[2] + '",'
                   'License_Base_Multiple<>"",[Per_Multiplier]<>"",[Per_Punitive_OK]="' + SHOWN_YES + '",Punitive_Grounds),'
                   '[Per_Base]*License_Base_Multiple,[Per_Base]))', "money", None,
                   "一般为上行基数；实际损失、侵权获利均难以计算时可为许可费的倍数（法释〔2021〕4号第五条第二款）",
                   "the base above; where loss and gains are both hard to compute, a multiple of the license fee "
                   "(法释〔2021〕4号 Art. 5 para. 2)"),
        PeriodCalc("Per_Amount", "赔偿额（含倍数）", "Damages with the multiplier",
                   '=IF(OR([Per_Start]="",[Per_Base]=""),"",PUNITIVE_TOTAL([Per_Punitive_Base],[Per_K]))', "money",
                   "Punitive_Sum"),
        PeriodCalc("Per_Rule_Status", "倍数规则核实状态", "Status of the multiplier rule",
                   _per('IF([Per_K]=1,"",TSD_RULE_INFO("punitive_max",[Per_Start],"status"))'), "text", None,
                   "仅适用倍数的期间", "periods with a multiplier only"),
        PeriodCalc("Per_Dates_OK", "期间日期有序且不重叠", "Dates in order, no overlap",
                   '=IFERROR(IF(AND([Per_Start]="",[Per_End]=""),TRUE,AND(ISNUMBER([Per_Start]),[Per_End]>=[Per_Start],'
                   'COUNTIFS(Per_Start,"<="&[Per_End],Per_End,">="&[Per_Start])=1))=TRUE,FALSE)', "bool",
                   None, "两日均有、有序，且只与自身重叠", "both dates, in order, overlapping only itself"),
        PeriodCalc("Per_Regime_OK", "期间未跨越倍数起始日", "Period does not span the multiplier's start",
                   '=IFERROR(IF([Per_Start]="",TRUE,OR([Per_End]<Punitive_From,[Per_Start]>=Punitive_From))'
                   "=TRUE,FALSE)", "bool", None, "开始日与结束日在起始日同侧", "start and end on the same side"),
        PeriodCalc("Per_K_OK", "倍数可适用", "Multiplier allowed",
                   '=IFERROR(IF(OR([Per_Multiplier]="",[Per_Multiplier]=1),TRUE,'
                   f'AND([Per_Punitive_OK]="{SHOWN_YES}",Punitive_Grounds,[Per_Multiplier]<=[Per_K_Max]))=TRUE,FALSE)',
                   "bool", None, "可适用、具备要件且不超过最高倍数", "available, grounds present, within the highest"),
    ), across=True),
    Section("四、商业价值", "4. Commercial value", (
        Calc("Value_Cost", "商业价值（成本法）", "Commercial value, cost approach",
             '=IF(COUNT(RD_Cost)=0,"",SUM(RD_Cost))', "money",
             "研发成本合计（法释〔2020〕7号第十九条）", "sum of R&D cost (法释〔2020〕7号 Art. 19)"),
        Calc("Value_Income", "商业价值（收益法）", "Commercial value, income approach",
             '=IF(Income_Annual="","",INCOME_VALUE(Income_Annual,Income_Years,Income_Discount))', "money"),
        Calc("Measure_Commercial_Value", "采用的商业价值", "Commercial value used",
             '=IF(Value_Method="","",CHOOSE(MATCH(Value_Method,List_Value_Method,0),Value_Cost,Value_Income))',
             "money", "按所选方法", "the approach chosen"),
    )),
    Section("五、补救费用", "5. Remedial costs", (
        ItemCalcs("Remedial", (
            ("Rem_Share", "计入损失的金额", "Amount counted",
             '=IF([Rem_Cost]="","",REMEDIAL_SHARE([Rem_Cost],[Rem_Kind],[Rem_Life],[Rem_Attrib]))', "money", "E"),
            ("Rem_Capped", "归属年数超过使用年限（按全额封顶）", "Years attributable exceed the life (capped)",
             f'=IF([Rem_Cost]="","",IF(AND([Rem_Kind]="{REMEDIAL_KINDS[2]}",ISNUMBER([Rem_Attrib]),'
             f'ISNUMBER([Rem_Life])),IF([Rem_Attrib]>[Rem_Life],"{SHOWN_YES}","{SHOWN_NO}"),"{SHOWN_NA}"))',
             "text", "F"),
        )),
        Calc("Remedial_Total", "补救费用（民事，分摊后）", "Remedial costs, civil (apportioned)",
             '=IF(COUNT(Rem_Share)=0,"",SUM(Rem_Share))', "money", "上列合计", "sum of the above"),
        Calc("Remedial_Full", "补救费用（刑事，按实际支出）", "Remedial costs, criminal (as spent)",
             '=IF(COUNT(Rem_Cost)=0,"",SUM(Rem_Cost))', "money",
             "计入损失（法释〔2020〕10号第五条第三款、法释〔2025〕5号第十八条第三款“应当计入”）；按实际支出，不作分摊",
             "counted in the loss (法释〔2020〕10号 Art. 5 para. 3; 法释〔2025〕5号 Art. 18 para. 3); the costs as spent, "
             "not apportioned"),
    )),
    Section("六、判赔", "6. Award", (
        Calc("Statutory_Cap", "法定赔偿上限", "Statutory damages cap",
             '=IF(Conduct_End="","",TSD_RULE("statutory_cap",Conduct_End))', "money"),
        Calc("Expenses_Total", "合理开支合计", "Reasonable expenses", '=IF(COUNT(Expenses)=0,"",SUM(Expenses))',
             "money", "律师费、公证费、鉴定费等", "lawyer, notary, appraisal and other"),
        Calc("Measure_Statutory", "法定赔偿（建议金额）", "Statutory damages (proposed)",
             '=IF(Statutory_Amount="","",Statutory_Amount)', "money",
             "输入值，由法院酌定；不乘惩罚倍数：法定赔偿数额不能作为惩罚性赔偿的计算基数（法释〔2026〕7号第八条第三款；"
             "法释〔2021〕4号第五条的基数亦仅为实际损失、违法所得或侵权获利）",
             "the input, the court decides; never multiplied: statutory damages are never a punitive base "
             "(法释〔2026〕7号 Art. 8 para. 3; the base of 法释〔2021〕4号 Art. 5 was likewise the loss, the illegal "
             "gains or the infringer's gains)"),
        Calc("Econ_Base", "补偿性赔偿（基数合计）", "Compensatory amount (sum of bases)",
             '=IF(Measure_Index="","",CHOOSE(Measure_Index,Base_Total,Base_Total,Base_Total,'
             "Measure_Commercial_Value,Measure_Statutory))", "money",
             "所选方法；商业价值与法定赔偿不乘倍数", "the measure chosen; no multiplier on value or statutory"),
        Calc("Econ_Punitive", "含倍数的赔偿额", "Amount with multipliers",
             '=IF(Measure_Index="","",CHOOSE(Measure_Index,Punitive_Sum,Punitive_Sum,Punitive_Sum,'
             "Measure_Commercial_Value,Measure_Statutory))", "money", "各期赔偿额合计", "sum over the periods"),
        Calc("Econ_Punitive_Extra", "其中惩罚性部分", "of which punitive",
             "=" + _blank_if(("Econ_Base", "Econ_Punitive"), "ROUND(Econ_Punitive-Econ_Base,Money_Digits)"),
             "money", "含倍数额 − 补偿性赔偿", "with multipliers − compensatory"),
        Calc("Econ_Remedial", "计入的补救费用", "Remedial costs added",
             f'=IF(AND({_ifyes("Remedial_Include")},ISNUMBER(Remedial_Total)),Remedial_Total,"")', "money",
             "按输入选择", "as chosen on Inputs"),
        Calc("Measure_Ready", "所选方法已算出", "The measure chosen is computed",
             "=OR(ISNUMBER(Econ_Base),AND(Measure_Index=1,ISNUMBER(Econ_Remedial)))", "bool",
             "实际损失（序号 1）可仅由补救费用构成", "an actual loss (no. 1) may be remedial costs alone"),
        Calc("Econ_Loss", "经济损失", "Economic loss",
             '=IF(Measure_Ready,ROUND(SUM(Econ_Punitive,Econ_Remedial),Money_Digits),"")',
             "money", "含倍数的赔偿额 + 补救费用；所选方法未算出时不适用",
             "amount with multipliers + remedial costs; n/a until the measure chosen is computed"),
        Calc("Total_Award", "判赔总额", "Total award",
             '=IF(Econ_Loss="","",ROUND(AWARD_TOTAL(Econ_Loss,N(Expenses_Total),Claim_Amount,'
             + _ifyes("Claim_Includes_Expenses") + '),Money_Digits))', "money", "判赔总额四舍五入到分（Money_Digits）",
             "the award rounded to the fen (Money_Digits)"),
        Calc("Claim_Cap_Binds", "诉请金额构成限制", "The claim caps the award",
             '=IF(Econ_Loss="","",AND(Claim_Amount<>"",IF(' + _ifyes("Claim_Includes_Expenses")
             + ',Econ_Loss+N(Expenses_Total),Econ_Loss)>N(Claim_Amount)))', "bool",
             "不得超出诉讼请求", "no award beyond the claim"),
        Calc("Claim_Cap_Basis", "诉请上限的适用方式", "How the claim caps the award",
             '=IF(Claim_Amount="","不设上限 no cap",IF(' + _ifyes("Claim_Includes_Expenses")
             + ',"经济损失与合理开支合计以诉请为限 loss and expenses together capped at the claim",'
             '"经济损失以诉请为限，合理开支另加 loss capped at the claim, expenses added"))', "text",
             "按“诉请含合理开支”", "as “the claim includes the expenses” says"),
        Calc("Loss_Computable", "实际损失可依权利人数据计算", "The loss is computable from the holder's figures",
             '=COUNTIF(Per_LP_Step,"<"&ROWS(List_LP_Step))>0', "bool",
             "有期间按步骤 1、2 计算（权利人单位利润已知；步骤数为列表行数）",
             "a period uses step 1 or 2 (the holder's unit profit known; the last step is the list's length)"),
        Calc("Lost_Profit_Basis", "实际损失的计算依据", "What the lost profit rests on",
             '=IF(COUNT(Per_LP_Step)=0,"",IF(MIN(Per_LP_Step)=MAX(Per_LP_Step),INDEX(List_LP_Step,MAX(Per_LP_Step)),'
             '"各期不同 mixed: "&MIN(Per_LP_Step)&"–"&MAX(Per_LP_Step)))', "text",
             "步骤 3 为由侵权人数据推定的损失", "step 3 presumes the loss from the infringer's figures"),
    )),
    Section("七、刑事", "7. Criminal", (
        Calc("Crim_Loss", "损失数额", "Loss amount",
             '=IF(Crim_Scenario="","",ROUND(CRIMINAL_LOSS(Crim_Scenario,Measure_Lost_Profit,Measure_License_Fee,'
             "Measure_Commercial_Value,Remedial_Full),Money_Digits))", "money",
             "许可使用费不含民事惩罚性赔偿的倍数", "the license fee carries no civil punitive multiple"),
        Calc("Crim_Illegal_Gains", "违法所得数额", "Illegal gains",
             '=IF(AND(Crim_Consideration="",Crim_Units=""),"",'
             "ROUND(ILLEGAL_GAINS(Crim_Consideration,Crim_Units,Crim_Unit_Profit),Money_Digits))", "money"),
        Calc("Crim_Amount_Conduct", "按行为时解释的数额", "Amount under the conduct date's interpretation",
             '=IF(AND(Crim_Loss="",Crim_Illegal_Gains=""),"",IF(IF(Crim_Date="","",'
             'TSD_RULE("criminal_amount_basis",Crim_Date))="loss",Crim_Loss,MAX(Crim_Loss,Crim_Illegal_Gains)))',
             "money", "法释〔2004〕19号仅计损失数额；其后为损失数额或违法所得数额中达到标准者（取较大者）",
             "法释〔2004〕19号 counts the loss only; later texts the loss or the illegal gains, whichever is larger"),
        Calc("Crim_Amount_Decision", "按审判时解释的数额", "Amount under the decision date's interpretation",
             '=IF(OR(Crim_Decision_Date="",AND(Crim_Loss="",Crim_Illegal_Gains="")),"",'
             'IF(TSD_RULE("criminal_amount_basis",Crim_Decision_Date)="loss",Crim_Loss,'
             "MAX(Crim_Loss,Crim_Illegal_Gains)))", "money", "每一解释整体适用，含其数额口径",
             "each interpretation applied whole, with what it measures"),
        Calc("Crim_Tier_Conduct", "按行为时解释的档次", "Tier under the conduct date's interpretation",
             '=IF(OR(Crim_Amount_Conduct="",Crim_Date=""),"",CRIMINAL_TIER(Crim_Amount_Conduct,Crim_Date,Crim_Repeat))',
             "text"),
        Calc("Crim_Tier_Decision", "按审判时解释的档次", "Tier under the decision date's interpretation",
             '=IF(OR(Crim_Amount_Decision="",Crim_Date="",N(Crim_Decision_Date)<N(Crim_Date)),"",'
             "CRIMINAL_TIER(Crim_Amount_Decision,Crim_Decision_Date,Crim_Repeat))", "text"),
        Calc("Crim_Tier", "量刑档次", "Sentencing tier",
             '=IF(Crim_Date="","",IF(OR(Crim_Decision_Date="",N(Crim_Decision_Date)<N(Crim_Date)),Crim_Tier_Conduct,'
             'IF(AND(ISNUMBER(Crim_Amount_Conduct),Crim_Amount_Decision=Crim_Amount_Conduct),'
             'CRIMINAL_TIER_APPLIED(Crim_Amount_Conduct,Crim_Date,Crim_Decision_Date,Crim_Repeat),'
             f'IF({_lighter("Crim_Tier_Decision", "Crim_Tier_Conduct")},Crim_Tier_Decision,Crim_Tier_Conduct))))',
             "text", "从旧兼从轻（高检发释字〔2001〕5号第三项）：审判时解释的档次更轻的，适用之",
             "the lighter of the two interpretations (高检发释字〔2001〕5号 item 3)"),
        Calc("Crim_Applied_Date", "所适用解释的日期", "Date of the interpretation applied",
             '=IF(Crim_Date="","",IF(OR(Crim_Decision_Date="",Crim_Tier=Crim_Tier_Conduct),Crim_Date,'
             "Crim_Decision_Date))", "date", "行为日；审判时解释更轻的，为审判日",
             "the conduct date; the decision date where its interpretation is more lenient"),
        Calc("Crim_Amount_Basis", "数额标准的计算对象", "What the thresholds are measured on",
             '=IF(Crim_Applied_Date="","",TSD_RULE("criminal_amount_basis",Crim_Applied_Date))', "text",
             "所适用解释：loss 为仅损失数额（法释〔2004〕19号）；否则损失数额或违法所得数额",
             "the interpretation applied: loss = the loss only (法释〔2004〕19号); else the loss or the illegal gains"),
        Calc("Crim_Amount", "定罪量刑数额", "Amount for the tier",
             '=IF(OR(Crim_Decision_Date="",Crim_Applied_Date=Crim_Date),Crim_Amount_Conduct,Crim_Amount_Decision)',
             "money", "所适用解释下的数额", "the amount under the interpretation applied"),
        Calc("Crim_Serious_Key", "情节严重标准所依规则", "Rule of the serious threshold",
             f'=IF(Crim_Applied_Date="","",IF(AND({_ifyes("Crim_Repeat")},'
             'ISNUMBER(IFERROR(TSD_RULE("criminal_serious_repeat",Crim_Applied_Date),""))),'
             '"criminal_serious_repeat","criminal_serious"))', "text",
             "二年内受过处罚后再次实施的，适用再犯标准（法释〔2025〕5号第十七条第一款第（三）项）",
             "a repeat within 2 years of a penalty: the repeat threshold (法释〔2025〕5号 Art. 17 para. 1 item 3)"),
        Calc("Crim_Instrument", "所适用的司法解释", "Interpretation applied",
             '=IF(Crim_Applied_Date="","",TSD_RULE_INFO(Crim_Serious_Key,Crim_Applied_Date))', "text"),
        Calc("Crim_Gains_Rule", "违法所得的计算口径", "What illegal gains are",
             '=IF(Crim_Applied_Date="","",IFERROR(TSD_RULE("criminal_illegal_gains_basis",Crim_Applied_Date),"none"))',
             "text", "consideration：仅披露、许可所获财物（法释〔2020〕10号）；其后另含使用所获利润（法释〔2025〕5号第十九条）",
             "consideration: what was received only (法释〔2020〕10号); later also the profit from use "
             "(法释〔2025〕5号 Art. 19)"),
        # CRIMINAL_LOSS(scenario, lost profit 1, the rest 0) > 0: the scenarios whose loss is the lost profit
        Calc("Crim_Loss_Uses_LP", "刑事损失取实际损失", "The criminal loss is the lost profit",
             f'=IF(Crim_Scenario="","",IF(CRIMINAL_LOSS(Crim_Scenario,1,0,0,0)>0,"{SHOWN_YES}","{SHOWN_NO}"))', "text",
             "情形 2–4", "scenarios 2-4"),
        Calc("Crim_LP_Steps", "所适用解释的利润损失步数", "Steps of the lost-profit cascade, interpretation applied",
             '=IF(Crim_Applied_Date="","",IFERROR(TSD_RULE("criminal_lost_profit_steps",Crim_Applied_Date),""))',
             "count", "法释〔2020〕10号第五条第二款：3；法释〔2025〕5号第十八条第二款：2",
             "法释〔2020〕10号 Art. 5 para. 2: 3; 法释〔2025〕5号 Art. 18 para. 2: 2"),
        Calc("Crim_Serious_Line", "情节严重数额标准", "Threshold, serious",
             '=IF(Crim_Applied_Date="","",TSD_RULE(Crim_Serious_Key,Crim_Applied_Date))', "money"),
        Calc("Crim_Especially_Line", "情节特别严重数额标准", "Threshold, especially serious",
             '=IF(Crim_Applied_Date="","",TSD_RULE("criminal_especially_serious",Crim_Applied_Date))', "money"),
        Calc("Crim_Statute_Wording", "行为时刑法第二百一十九条的表述", "Art. 219's words at the conduct date",
             '=IF(Crim_Date="","",TSD_RULE("criminal_statute_wording",Crim_Date))', "text",
             "《刑法修正案（十一）》（2021-03-01）前：重大损失 / 特别严重后果；后：情节严重 / 情节特别严重",
             "before Criminal Law Amendment XI (2021-03-01): heavy loss / especially serious consequences; after: "
             "serious / especially serious circumstances"),
        Calc("Headline_Amount", "主要结论金额", "Headline amount",
             f'=IF(Case_View="{CRIMINAL}",Crim_Amount,Total_Award)', "money",
             "民事为判赔总额，刑事为定罪量刑数额", "civil: total award; criminal: the amount for the tier"),
    )),
    Section("八、合理性", "8. Plausibility", (
        Calc("Component_Share", "归于秘密的利润占整体利润", "Share of the whole profit credited to the secret",
             '=IF(OR(Measure_Infringer_Gain="",Gain_Whole=""),"",IFERROR(Measure_Infringer_Gain/Gain_Whole,""))',
             "share", "侵权获利 × 贡献率 ÷ 整体侵权获利", "gains × rate / whole-product gains"),
        Calc("Component_Plausible", "部件利润占比合理", "Component share plausible",
             f'=IF(OR(Measure_Infringer_Gain="",Gain_Whole=""),"{SHOWN_NA}",IF(Contrib_Applied=1,"{SHOWN_NA}",'
             f'IF(COMPONENT_PROFIT_OK(Measure_Infringer_Gain,Gain_Whole,Component_Max_Share),"{SHOWN_YES}","{SHOWN_NO}")))',
             "text", "无侵权获利或按全部利润时不适用", "n/a without gains, or when the whole profit is used"),
    )),
    Section("九、所用法律参数的核实状态", "9. Status of the legal rules used", (
        Group("Rule_Statuses", zh="各项法律参数的核实状态", en="Status of each rule used", fields=(
            Calc("Rule_Status_Cap", "法定赔偿上限", "Statutory cap",
                 '=IF(Conduct_End="","",TSD_RULE_INFO("statutory_cap",Conduct_End,"status"))', "text"),
            Calc("Rule_Status_Order", "计算方法的顺序", "Order of the measures",
                 '=IF(Conduct_End="","",TSD_RULE_INFO("measure_order",Conduct_End,"status"))', "text"),
            Calc("Rule_Status_Crim", "刑事数额标准", "Criminal thresholds",
                 '=IF(OR(Crim_Applied_Date="",Crim_Amount=""),"",'
                 'TSD_RULE_INFO("criminal_serious",Crim_Applied_Date,"status"))', "text"),
        )),
    ), note_zh="来源表中橙色的行未经公开文本核实；倍数规则的状态见第三部分各期",
        note_en="orange rows of the Sources sheet are not confirmed against a public text; the multiplier rule's "
                "status is in part 3, by period"),
)

# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
#: The fingerprint (TSD_FINGERPRINT) of every input, computed; and the one `xl-tsd sensitivity` recorded
#: (a value cell, blank until a run writes it).
SENS_CURRENT, SENS_RECORDED = "Inputs_Fingerprint", "Sens_Fingerprint"

CHECKS: tuple[Check, ...] = (
    # A check on a part the case does not use passes ("not applicable" counts as passing); a check
    # on a part that is there bites. Absent figures are blank, so checks test for "" first.
    Check("Check_Complete", "计算完整", "Calculation complete", "=ISNUMBER(Headline_Amount)",
          "主要结论金额（判赔总额或刑事损失）未算出：请补全输入",
          "the headline amount (award, or criminal loss) is not computed: complete the inputs"),
    Check("Check_Measure", "所选方法有其输入", "The measure chosen has its inputs",
          f'=IF(Measure_Choice="",Case_View="{CRIMINAL}",Measure_Ready)',
          "所选方法缺输入：损失/获利需期间与贡献率，许可费需期间与可比许可，商业价值需方法与成本或收益，法定赔偿需金额",
          "the measure chosen lacks inputs: loss or gains need periods and the rate; license fee, periods "
          "and a comparable; value, an approach with cost or income; statutory, the amount"),
    # In Excel the functions answer errors as text ("#N/A reason"), which SUM would skip silently; Excel's
    # own error values (and the catalogue's in the headless engine) are not text, and make SUM an error.
    Check("Check_No_Errors", "计算表无错误", "No error on the Calculations sheet",
          '=COUNTIF(Calc_Values,"#*")+ISERROR(SUM(Calc_Values))=0',
          "计算表有错误值（以 # 开头），请查看原因", "a figure on Calculations is an error (starts with #): see why"),
    Check("Check_Shares", "比例在 0–1 之间", "Shares between 0 and 1",
          "=AND(OR(COUNT(Contrib_Chain)=0,COUNT(Contrib_Chain)=ROWS(Contrib_Chain)),"
          'COUNTIF(Contrib_Chain,"<0")=0,COUNTIF(Contrib_Chain,">1")=0)',
          "s1–s4 须全部给出或全部留空，且在 0–1 之间", "s1–s4 must be all given or all blank, each from 0 to 1"),
    Check("Check_Points", "秘点表一致", "Points table consistent",
          "=AND(COUNT(Points_Weight)=COUNTA(Points_Established),"
          f'COUNTIF(Points_Established,"{YES}")+COUNTIF(Points_Established,"{NO}")=COUNTA(Points_Established),'
          'OR(Contrib_S1="",ISNUMBER(Contrib_S1)))',
          "每个秘点须有权重和“是/否”", "each point needs a weight and 是/否"),
    Check("Check_Periods", "期间不重叠", "Periods do not overlap",
          "=AND(AND(Per_Dates_OK),AND(Per_Regime_OK))",
          f"期间缺日期、日期重叠、顺序颠倒或跨越 {_K_FROM}",
          f"a period lacks a date, overlaps, runs backwards or spans {_K_FROM}"),
    Check("Check_Conduct", "期间在侵权行为期间内", "Periods within the conduct dates",
          '=IF(COUNT(Per_Start)=0,TRUE,AND(MIN(Per_Start)>=Conduct_Start,MAX(Per_End)<=Conduct_End))',
          "期间超出侵权行为起止日", "a period lies outside the conduct dates"),
    Check("Check_Multipliers", "各期倍数可适用", "Multiplier allowed in each period",
          "=AND(Per_K_OK)",
          f"倍数只适用于 {_K_FROM} 以后且具备故意与情节严重的期间",
          f"a multiplier needs conduct from {_K_FROM}, intent and serious circumstances"),
    Check("Check_Remedial", "补救费用可计入", "Remedial costs to add are entered",
          f'=IF({_ifyes("Remedial_Include")},ISNUMBER(Remedial_Total),TRUE)',
          "选择计入补救费用，但补救措施表没有费用", "remedial costs are to be added but none is entered"),
    Check("Check_Component", "部件利润占比合理", "Component share plausible",
          f'=OR(Component_Plausible="{SHOWN_YES}",Component_Plausible="{SHOWN_NA}")',
          "归于秘密的利润占整体利润比例过高（汪某案）", "the secret's share of the whole profit is implausibly high"),
    Check("Check_AHP", "层次分析法一致性可接受", "AHP consistency acceptable",
          "=IF(COUNT(AHP_Matrix)=0,TRUE,AHP_CR_Value<AHP_CR_Limit)",
          "判断矩阵一致性比率过高，请调整", "the comparison matrix is inconsistent: revise it"),
    Check("Check_Statutory", "法定赔偿不超上限", "Statutory damages within the cap",
          f'=IF(OR(Measure_Choice<>"{STATUTORY}",Statutory_Amount=""),TRUE,Statutory_Amount<=N(Statutory_Cap))',
          "法定赔偿金额超过法定上限（或上限未知：请填侵权行为结束日）",
          "statutory damages above the cap (or the cap unknown: enter the conduct end date)"),
    Check("Check_Claim", "判赔不超诉请", "Award within the claim",
          '=IF(OR(Claim_Amount="",Total_Award=""),TRUE,IF(' + _ifyes("Claim_Includes_Expenses")
          + ',Total_Award,Total_Award-N(Expenses_Total))<=Claim_Amount)',
          "判赔超过诉请", "the award exceeds the claim"),
    Check("Check_Measure_Order", "计算方法顺序合法", "Measures used in the order the law sets",
          f'=IF(AND(Measure_Choice="{MEASURES[1]}",Measure_Order_Rule="ordered",Loss_Computable),'
          f'{_ifyes("Loss_Hard_To_Compute")},TRUE)',
          "{Measure_Order_Basis}：实际损失难以计算的，方按侵权人因侵权所获得的利益确定。实际损失可依权利人数据计算："
          "请改选实际损失，或在输入表声明“实际损失难以计算”",
          "{Measure_Order_Basis}: the infringer's gains only where the actual loss is hard to compute. The loss "
          "is computable from the holder's figures: use it, or declare on Inputs that it is hard to compute"),
    Check("Check_Crim_Dates", "审判日不早于行为日", "Decision date not before the conduct",
          '=OR(Crim_Decision_Date="",Crim_Date="",N(Crim_Decision_Date)>=N(Crim_Date))',
          "审判日早于行为日：请核对刑事输入的两个日期", "the decision date is before the conduct date: check both "
          "criminal dates on Inputs"),
    Check("Check_License_Base", "许可费倍数作基数的条件", "License fee multiple as the base: allowed",
          '=IF(License_Base_Multiple="",TRUE,AND(NOT(AND(Loss_Computable,NOT('
          + _ifyes("Loss_Hard_To_Compute") + '))),NOT(ISNUMBER(Measure_Infringer_Gain))))',
          "法释〔2021〕4号第五条第二款：实际损失、侵权获利均难以计算时，方可参照许可使用费的倍数确定惩罚性赔偿基数",
          "法释〔2021〕4号 Art. 5 para. 2: a multiple of the license fee is the punitive base only where the loss "
          "and the gains are both hard to compute"),
    # Results of `xl-tsd sensitivity` (Sensitivity and Scenarios sheets) carry the fingerprint of the inputs
    # they were computed from; a workbook with no such run records none and passes.
    Check("Check_Sensitivity_Current", "敏感性分析结果为最新", "Sensitivity results are current",
          f'=OR({SENS_RECORDED}="",{SENS_RECORDED}={SENS_CURRENT})',
          "敏感性分析结果已过时（输入已改变）：请重新运行 xl-tsd sensitivity",
          "sensitivity results are stale: rerun xl-tsd sensitivity"),
)

#: Warnings: shown on the Checks sheet beside the checks, each TRUE/FALSE with a message, but not part
#: of the master check: the figure stands, the reader should know.
WARNINGS: tuple[Check, ...] = (
    Check("Warn_Unverified", "所用法律参数均已核实", "Every legal rule used is verified",
          '=AND(COUNTIF(Rule_Statuses,"未核实*")=0,COUNTIF(Per_Rule_Status,"未核实*")=0)',
          "有数字依赖未经公开文本核实的法律参数（见计算表第九部分与来源表橙色行），引用前请核对原文",
          "a figure depends on a legal rule not confirmed against a public text (Calculations part 9, orange "
          "rows of Sources): check the official text before relying on it"),
    Check("Warn_Lost_Profit_Presumed", "实际损失依权利人数据", "Lost profit rests on the holder's figures",
          f'=IF(Measure_Choice<>"{MEASURES[0]}",TRUE,COUNTIF(Per_LP_Step,ROWS(List_LP_Step))=0)',
          "有期间的实际损失由侵权人数据推定（步骤 3：侵权产品销量 × 侵权产品单位利润），实为侵权获利口径",
          "in some period the lost profit is presumed from the infringer's figures (step 3: infringer's units × "
          "its unit profit), which is the infringer's gains in substance"),
    Check("Warn_Statutory", "法定赔偿的适用条件", "Statutory damages: loss and gains hard to determine",
          f'=IF(Measure_Choice<>"{STATUTORY}",TRUE,AND(NOT(AND(Loss_Computable,NOT('
          f'{_ifyes("Loss_Hard_To_Compute")}))),NOT(ISNUMBER(Measure_Infringer_Gain))))',
          "选用法定赔偿，但实际损失或侵权获利已算出：法定赔偿以二者均难以确定为前提",
          "statutory damages chosen though the loss or the gains are computed: statutory damages presume both "
          "are hard to determine"),
    Check("Warn_Remedial_Cap", "补救费用分摊未封顶", "Remedial apportionment not capped",
          f'=COUNTIF(Rem_Capped,"{SHOWN_YES}")=0',
          "有加强措施的归属年数超过使用年限，已按费用全额计入（REMEDIAL_SHARE 封顶）",
          "an enhancement's attributable years exceed its useful life: counted at its full cost (REMEDIAL_SHARE caps)"),
    Check("Warn_Crim_Gains", "违法所得已计入数额", "Illegal gains counted",
          '=IF(OR(Crim_Amount_Basis<>"loss",Crim_Illegal_Gains=""),TRUE,N(Crim_Illegal_Gains)<=N(Crim_Loss))',
          "违法所得高于损失，但所适用的司法解释（法释〔2004〕19号第七条）仅以损失数额计",
          "the illegal gains exceed the loss, but the interpretation applied (法释〔2004〕19号 Art. 7) "
          "counts the loss only"),
    Check("Warn_Crim_Loss_Step3", "刑事损失未用第三步", "Criminal loss without the third step",
          f'=IF(OR(Crim_LP_Steps="",Crim_Loss="",Crim_Loss_Uses_LP<>"{SHOWN_YES}"),TRUE,'
          'OR(COUNTIF(Per_LP_Step,ROWS(List_LP_Step))=0,Crim_LP_Steps>=ROWS(List_LP_Step)))',
          "刑事损失含按侵权产品销量 × 侵权产品单位利润计算的期间，但所适用的法释〔2025〕5号第十八条第二款仅两步；"
          "该数额依第十九条属违法所得，请填入违法所得（刑事）输入",
          "the criminal loss includes periods of infringer's units × infringer's unit profit, but 法释〔2025〕5号 "
          "Art. 18 para. 2 (applied) has two steps only; under Art. 19 that figure is illegal gains: enter it in "
          "the criminal illegal-gains inputs"),
    Check("Warn_Crim_Gains_Units", "违法所得口径与所适用解释一致", "Illegal gains measured as the text applied allows",
          '=IF(OR(Crim_Gains_Rule="",Crim_Gains_Rule="none",Crim_Consideration<>"",Crim_Units=""),TRUE,'
          'Crim_Gains_Rule="consideration or profit from use")',
          "违法所得按销售量 × 每件利润计算，但所适用的司法解释（{Crim_Instrument}）仅以披露、许可所获财物为违法所得；"
          "该计算口径自法释〔2025〕5号第十九条（2025年4月26日）起方有依据",
          "the illegal gains are units × profit per unit, but the interpretation applied ({Crim_Instrument}) counts "
          "only what was received for disclosure or license; that measure has a text only from 法释〔2025〕5号 "
          "Art. 19 (2025-04-26)"),
    Check("Warn_License_Base_2026", "许可费倍数作基数（法释〔2026〕7号）", "License fee multiple as the base (2026)",
          '=OR(License_Base_Multiple="",N(License_Base_Multiple)=1)',
          "法释〔2026〕7号第八条第二款（2026年5月1日起施行，适用于其时尚未审结的案件）参照许可使用费确定基数，"
          "已无“倍数”之规定；许可费倍数仅依已废止的法释〔2021〕4号第五条第二款",
          "法释〔2026〕7号 Art. 8 para. 2 (in force 2026-05-01, for cases then pending) sets the base by reference "
          "to the license fee, with no multiple; a multiple rests only on the repealed 法释〔2021〕4号 Art. 5 para. 2"),
)
#: The master check: every check TRUE.
MASTER = "Check_Master"
#: How many warnings are raised (FALSE).
WARNINGS_COUNT = "Warnings_Count"

# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------
SUMMARY_SECTIONS: tuple[Section, ...] = (
    Section("一、各计算方法对比", "1. Measures side by side", (
        Group("Chart_Measures", (
            Show("Measure_Lost_Profit", "实际损失", "Lost profit", "money"),
            Show("Measure_Infringer_Gain", "侵权获利", "Infringer's gains", "money"),
            Show("Measure_License_Fee", "许可使用费", "License fee", "money"),
            Show("Value_Cost", "商业价值（成本法）", "Commercial value (cost)", "money"),
            Show("Value_Income", "商业价值（收益法）", "Commercial value (income)", "money"),
            Show("Measure_Statutory", "法定赔偿（建议）", "Statutory damages (proposed)", "money"),
        )),
        Show("Statutory_Cap", "法定赔偿上限（限额，非计算方法）", "Statutory cap (a limit, not a measure)", "money"),
    ), note_zh="前三项已乘适用的贡献率，未乘惩罚倍数；空白表示缺少该方法的输入（不适用）；上限不在图中",
        note_en="the first three are after the contribution rate, before any multiplier; blank: the method's "
                "inputs are absent (not applicable); the cap is not charted"),
    Section("二、技术贡献率", "2. Contribution chain", (
        Group("Chart_Chain", (
            Show("Contrib_S1", "s1 秘点占比", "s1 points", "share"),
            Show("Contrib_S2", "s2 相关技术", "s2 related technology", "share"),
            Show("Contrib_S3", "s3 全部技术", "s3 whole technology", "share"),
            Show("Contrib_S4", "s4 利润分成", "s4 profit split", "share"),
            Show("Contrib_Rate", "技术贡献率", "Contribution rate", "share"),
        )),
        Show("Contrib_Applied", "适用的贡献率", "Rate applied", "share"),
    )),
    Section("三、选定方法与判赔", "3. Measure chosen and award", (
        Show("Measure_Choice", "选用方法", "Measure chosen", "text"),
        Show("Measure_Order_Basis", "方法顺序的依据", "Order of the measures: basis", "text"),
        Show("Lost_Profit_Basis", "实际损失的计算依据", "Lost profit rests on", "text"),
        Show("Econ_Base", "补偿性赔偿", "Compensatory amount", "money"),
        Show("Econ_Punitive_Extra", "惩罚性部分", "Punitive part", "money"),
        Show("Econ_Remedial", "补救费用", "Remedial costs", "money"),
        Show("Econ_Loss", "经济损失", "Economic loss", "money"),
        Show("Claim_Amount", "诉请数额", "Amount claimed", "money"),
        Show("Claim_Cap_Basis", "诉请上限的适用方式", "How the claim caps", "text"),
        Show("Claim_Cap_Binds", "诉请构成限制", "Claim caps the award", "bool"),
        Show("Expenses_Total", "合理开支", "Reasonable expenses", "money"),
        Show("Total_Award", "判赔总额", "Total award", "money"),
    ), note_zh="惩罚倍数只乘实际损失、侵权获利或许可费倍数形成的基数，不乘商业价值与法定赔偿（法释〔2021〕4号第五条）",
        note_en="the multiplier applies to a base of loss, gains or a license-fee multiple, never to commercial "
                "value or statutory damages (法释〔2021〕4号 Art. 5)"),
    Section("四、约定赔偿（参考）", "4. Agreed damages (reference)", (
        Show("Agreed_Low", "约定下限", "Agreed, low", "money"),
        Show("Agreed_High", "约定上限", "Agreed, high", "money"),
    ), note_zh="保密协议约定的赔偿额，与上方判赔并列参考，不作为计算结果",
        note_en="the range agreed in a confidentiality agreement, beside the award for reference; not computed"),
    Section("五、分期惩罚性赔偿", "5. Punitive damages by period", (
        PeriodShow("Per_Label", "期间", "Period", "text"),
        PeriodShow("Per_Start", "开始日", "Start", "date"),
        PeriodShow("Per_End", "结束日", "End", "date"),
        PeriodShow("Per_Base", "基数", "Base", "money"),
        PeriodShow("Per_K", "倍数", "Multiplier", "multiplier"),
        PeriodShow("Per_Amount", "赔偿额", "Damages", "money"),
    ), across=True),
    Section("六、刑事", "6. Criminal", (
        Show("Crim_Loss", "损失数额", "Loss amount", "money"),
        Show("Crim_Illegal_Gains", "违法所得数额", "Illegal gains", "money"),
        Show("Crim_Amount", "定罪量刑数额", "Amount for the tier", "money"),
        Show("Crim_Serious_Line", "情节严重标准", "Threshold, serious", "money"),
        Show("Crim_Especially_Line", "情节特别严重标准", "Threshold, especially serious", "money"),
        Show("Crim_Tier", "量刑档次", "Sentencing tier", "text"),
        Show("Crim_Instrument", "所适用的司法解释", "Interpretation applied", "text"),
        Show("Crim_Statute_Wording", "行为时法条表述", "Art. 219's words at the conduct", "text"),
    ), note_zh="行为时的司法解释，审判时的解释对被告人更有利的从其规定；刑事损失不含民事倍数",
        note_en="the interpretation of the conduct date, or a later one more lenient to the defendant; the "
                "criminal loss carries no civil multiple"),
)

#: Headline outputs: the names a batch summary reads (all workbook-level names of formula cells).
HEADLINE_OUTPUTS = ("Contrib_Rate", "Contrib_Applied", "Measure_Lost_Profit", "Measure_Infringer_Gain",
                    "Measure_License_Fee", "Value_Cost", "Value_Income", "Measure_Commercial_Value", "Measure_Statutory",
                    "Statutory_Cap", "Remedial_Total", "Expenses_Total", "Econ_Base", "Econ_Punitive",
                    "Econ_Loss", "Total_Award", "Crim_Loss", "Crim_Illegal_Gains", "Crim_Amount", "Crim_Tier",
                    "Headline_Amount", MASTER, WARNINGS_COUNT, "Package_Version")


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------
def _walk(items):
    for it in items:
        if isinstance(it, Group):
            yield from _walk(it.fields)
        else:
            yield it


def inputs() -> list[Field]:
    """Every single-cell input field (not table columns), in sheet order."""
    return [it for s in INPUT_SECTIONS for it in _walk(s.items) if isinstance(it, Field)]


def tables() -> list[Table | Matrix]:
    """Every input table and matrix, in sheet order."""
    return [it for s in INPUT_SECTIONS for it in _walk(s.items) if isinstance(it, (Table, Matrix))]


def input_names() -> list[str]:
    """Every input's defined name: single inputs, table columns, matrices (what a fingerprint covers)."""
    out = [f.name for f in inputs()]
    for t in tables():
        out += [t.name] if isinstance(t, Matrix) else [c.name for c in t.columns]
    return out
