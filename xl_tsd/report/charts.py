"""The report's figures: PNG images drawn with matplotlib from a workbook's computed values.

Chinese labels need a font with CJK glyphs, or matplotlib draws empty boxes. The
font is located on the system (:func:`cjk_font`): the file named by the
environment variable ``XL_TSD_CJK_FONT``, else the first of the usual CJK fonts
found (Noto Sans CJK, Source Han Sans, WenQuanYi, Microsoft YaHei, SimHei,
PingFang). Where there is none, :class:`NoCJKFont` says how to install one.
"""
from __future__ import annotations

import io
import os
import pathlib

from . import formatting as F

__all__ = ["NoCJKFont", "cjk_font", "measures_chart", "chain_chart", "periods_chart", "FONT_ENV"]

FONT_ENV = "XL_TSD_CJK_FONT"
#: File names of CJK fonts, in order of preference (lower case, without folders).
_CANDIDATES = ("notosanscjk-regular.ttc", "notosanscjksc-regular.otf", "notosanscjk-regular.otf",
               "sourcehansanssc-regular.otf", "sourcehansans-regular.ttc", "wqy-microhei.ttc", "wqy-zenhei.ttc",
               "msyh.ttc", "msyh.ttf", "simhei.ttf", "pingfang.ttc", "notoserifcjk-regular.ttc")
_DPI = 200
_BAR = "#1F4E78"
_CHOSEN = "#C55A11"


class NoCJKFont(RuntimeError):
    """No font with Chinese glyphs was found; the message says how to install one."""

    def __init__(self):
        super().__init__(
            "no font with Chinese characters found for the report's figures: install one (Debian/Ubuntu: "
            "sudo apt-get install fonts-noto-cjk; Fedora: sudo dnf install google-noto-sans-cjk-fonts; macOS "
            "and Windows have PingFang / Microsoft YaHei), or set XL_TSD_CJK_FONT to the path of a .ttf/.otf/.ttc "
            "font file with Chinese glyphs")


def cjk_font() -> pathlib.Path:
    """The path of a font file with Chinese glyphs.

    Raises
    ------
    NoCJKFont
        None is found (and ``XL_TSD_CJK_FONT`` names no file).
    """
    given = os.environ.get(FONT_ENV, "")
    if given:
        p = pathlib.Path(given)
        if not p.is_file():
            raise NoCJKFont()
        return p
    from matplotlib import font_manager
    found = {pathlib.Path(f).name.lower(): pathlib.Path(f) for f in font_manager.findSystemFonts()}
    for name in _CANDIDATES:
        if name in found:
            return found[name]
    for name, path in sorted(found.items()):
        if "cjk" in name or "hei" in name or "han" in name:
            return path
    raise NoCJKFont()


def _setup():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    path = cjk_font()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams["font.family"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return buf.getvalue()


def measures_chart(measures: list[tuple[str, object]], chosen: str | None, cap: object, title: str) -> bytes:
    """Horizontal bars of the measures (label, value; blank = not applicable), the one chosen in another
    colour; the statutory cap as a dashed line, a limit and not a measure."""
    plt = _setup()
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(measures) + 1.4))
    labels = [m[0] for m in measures]
    vals = [m[1] if isinstance(m[1], (int, float)) and not isinstance(m[1], bool) else 0 for m in measures]
    colours = [_CHOSEN if chosen and lab == chosen else _BAR for lab in labels]
    y = range(len(measures))
    ax.barh(list(y), vals, color=colours)
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    top = max(vals + ([cap] if isinstance(cap, (int, float)) else []) + [1])
    for i, (lab, v) in enumerate(measures):
        text = F.yuan(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else "不适用 n/a"
        ax.text(vals[i] + top * 0.01, i, text, va="center", fontsize=8)
    if isinstance(cap, (int, float)) and not isinstance(cap, bool):
        ax.axvline(cap, color="#7F7F7F", linestyle="--", linewidth=1,
                   label=f"法定赔偿上限（限额，非计算方法）statutory cap, a limit: {F.yuan(cap)}")
        ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.set_xlim(0, top * 1.35)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x / 1e4:,.0f} 万")
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def chain_chart(chain: list[tuple[str, object]], title: str) -> bytes:
    """Bars of s1–s4 and the contribution rate, as percentages."""
    plt = _setup()
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(chain) + 1.3))
    labels = [c[0] for c in chain]
    vals = [c[1] if isinstance(c[1], (int, float)) and not isinstance(c[1], bool) else 0 for c in chain]
    ax.barh(range(len(chain)), vals, color=[_BAR] * (len(chain) - 1) + [_CHOSEN])
    ax.set_yticks(range(len(chain)), labels)
    ax.invert_yaxis()
    for i, v in enumerate(vals):
        ax.text(v + 0.01, i, F.percent(chain[i][1]) or "不适用 n/a", va="center", fontsize=8)
    ax.set_xlim(0, 1.15)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def periods_chart(labels: list[str], base: list, amount: list, title: str) -> bytes:
    """Per period: the compensatory base and the amount with the multiplier, side by side."""
    plt = _setup()
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    n = len(labels)
    def num(v):
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0
    xs = list(range(n))
    ax.bar([x - 0.2 for x in xs], [num(v) for v in base], width=0.4, color=_BAR, label="基数 base")
    ax.bar([x + 0.2 for x in xs], [num(v) for v in amount], width=0.4, color=_CHOSEN, label="含倍数 with multiplier")
    ax.set_xticks(xs, labels)
    ax.yaxis.set_major_formatter(lambda y, _pos: f"{y / 1e4:,.0f} 万")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
