"""xl_tsd's Excel face: the xlwings UDF modules.

Excel imports :mod:`udfs.tsd` (the ``UDF Modules`` entry of the workbook's
``xlwings.conf`` sheet is ``udfs.tsd``). Nothing is imported here, so that
loading the package costs nothing beyond the module Excel asks for.
"""
