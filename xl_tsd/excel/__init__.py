"""The Excel face: the adapter shared by the xlwings UDFs and the headless engine, and the
writers of the workbook's VBA modules.

- :mod:`.adapter`: Excel-shaped values in, one core call, Excel-shaped values out, errors as text.
- :mod:`.vba_udfs`: the ``xlwings_udfs`` module (what xlwings' "Import Functions" writes).
- :mod:`.vba_wizard`: the module that registers the Function Wizard help when the workbook opens.
- :mod:`.vba_project`: puts those modules into a workbook's VBA project.
"""
from .adapter import call, call_excel, error_text, to_core, to_excel

__all__ = ["to_core", "to_excel", "call", "call_excel", "error_text"]
