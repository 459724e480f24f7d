"""The VBA module ``xlwings_udfs``, written without Excel by xlwings' own code.

On Windows, the ribbon's "Import Functions" runs ``xlwings.udfs.import_udfs``:
it imports the UDF modules, writes one VBA wrapper per decorated function into
a ``.bas`` file, imports that file into the workbook as module
``xlwings_udfs`` and registers each function's Function Wizard texts with
``Application.MacroOptions``. This module runs that same function here:

- ``xlwings/udfs.py`` of the installed xlwings is loaded as it is. Off Windows
  its three pywin32 imports (``pythoncom``, ``pywintypes``,
  ``win32com.client``) are answered by inert stand-ins while it loads; the
  code paths used here never touch them.
- ``udfs/tsd.py`` is executed afresh with ``xlwings.func``/``arg``/``ret``
  set to xlwings' Windows decorators (``xlfunc``/``xlarg``/``xlret``), so its
  wrappers carry the ``__xlfunc__`` data they carry in Excel.
- A recording stand-in for the COM workbook receives what xlwings would send
  to Excel: the ``.bas`` text given to ``VBComponents.Import`` and the
  ``MacroOptions`` calls.

The text is committed as ``udfs/xlwings_udfs.bas`` with Windows line endings
(xlwings writes the file in text mode on Windows), and a test fails when it
is stale. The VBA names of arguments come from :func:`excel_arg_name`.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import pathlib
import sys
import types
from dataclasses import dataclass

__all__ = ["UDF_MODULE", "VBA_MODULE_NAME", "VBA_RESERVED", "excel_arg_name", "ImportRecord",
           "import_functions", "bas_text"]

#: The module the workbook's ``xlwings.conf`` sheet lists under "UDF Modules".
UDF_MODULE = "udfs.tsd"
#: The VBA module xlwings writes the wrappers into.
VBA_MODULE_NAME = "xlwings_udfs"

#: Reserved identifiers of VBA (MS-VBAL 3.3.5.2), lower case: never a parameter name.
VBA_RESERVED = frozenset(w.lower() for w in """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng
    DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase Event Exit For
    Friend Function Get Global GoSub GoTo If Implements Input Let Lock Loop LSet Next On Open
    Option Print Private Public Put RaiseEvent ReDim Resume Return RSet Seek Select Set Static
    Stop Sub Type Unlock Wend While With Write Rem
    Any As ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve Spc Tab
    Then To
    AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor
    Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr Date
    Debug DoEvents Fix Int Len LenB Me PSet Scale Sgn String
    Array Circle InputB LBound UBound
    Boolean Byte Currency Double Integer Long LongLong LongPtr Single Variant
    True False Nothing Empty Null
    CDecl Decimal DefDec
    Attribute LINEINPUT VB_Base VB_Control VB_Creatable VB_Customizable VB_Description VB_Exposed
    VB_Ext_KEY VB_GlobalNameSpace VB_HelpID VB_Invoke_Func VB_Invoke_Property
    VB_Invoke_PropertyPut VB_Invoke_PropertyPutRef VB_MemberFlags VB_Name VB_PredeclaredId
    VB_ProcData VB_TemplateDerived VB_UserMemId VB_VarDescription VB_VarHelpID
    VB_VarMemberFlags VB_VarProcData VB_VarUserMemId
""".split())


def excel_arg_name(name: str) -> str:
    """An argument's name in Excel and VBA: the catalogue name, with ``_`` added if VBA needs it.

    VBA refuses a reserved word as a parameter name (``date`` would stop the
    whole module compiling), and, its names being case-insensitive, a
    parameter named like a function of the module (``lost_profit`` beside
    ``LOST_PROFIT``) would make the VBA editor re-case one to match the other.

    >>> excel_arg_name("date"), excel_arg_name("lost_profit"), excel_arg_name("s1")
    ('date_', 'lost_profit_', 's1')
    """
    from ..registry import FUNCTIONS
    low = name.lower()
    if low in VBA_RESERVED or low.upper() in FUNCTIONS:
        return name + "_"
    return name


# --- xlwings' own udfs.py, loadable off Windows -------------------------------------------

class _Inert(types.ModuleType):
    """Stand-in for a pywin32 module: any attribute is a callable that does nothing."""

    class com_error(Exception):  # noqa: N801 - pywintypes' own name
        pass

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


def load_xlwings_udfs() -> types.ModuleType:
    """``xlwings.udfs`` of the installed xlwings (on Windows, the module itself).

    Elsewhere the file is loaded under its own name without entering
    ``sys.modules``, with pywin32 stand-ins present only while it loads.
    """
    import xlwings
    if sys.platform.startswith("win") and getattr(xlwings, "has_pywin32", False):
        from xlwings import udfs
        return udfs
    path = pathlib.Path(xlwings.__file__).with_name("udfs.py")
    stand_ins = {name: _Inert(name) for name in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    saved = {name: sys.modules.get(name) for name in stand_ins}
    spec = importlib.util.spec_from_file_location("xlwings.udfs", path)
    module = importlib.util.module_from_spec(spec)
    try:
        sys.modules.update({k: v for k, v in stand_ins.items() if saved[k] is None})
        spec.loader.exec_module(module)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
    return module


def windows_udf_module(xl_udfs: types.ModuleType, module_name: str = UDF_MODULE) -> types.ModuleType:
    """A fresh copy of the UDF module, built under xlwings' Windows decorators."""
    import xlwings
    spec = importlib.util.find_spec(module_name)
    module = importlib.util.module_from_spec(spec)
    saved = {k: getattr(xlwings, k) for k in ("func", "arg", "ret")}
    try:
        xlwings.func, xlwings.arg, xlwings.ret = xl_udfs.xlfunc, xl_udfs.xlarg, xl_udfs.xlret
        spec.loader.exec_module(module)
    finally:
        for k, v in saved.items():
            setattr(xlwings, k, v)
    return module


# --- a recording stand-in for the COM workbook ---------------------------------------------

class _Components:
    def __init__(self, record):
        self._record = record

    def __call__(self, name):  # VBComponents("xlwings_udfs")
        return name

    def Remove(self, component):  # noqa: N802 - COM method name
        self._record.removed.append(component)

    def Import(self, path):  # noqa: N802
        self._record.bas = pathlib.Path(path).read_text()


class _Application:
    Version = "16.0"  # Excel 2016 and later (Microsoft 365): the MacroOptions branch with argument docs

    def __init__(self, record):
        self._record = record

    def MacroOptions(self, macro, **options):  # noqa: N802
        self._record.macro_options[macro] = options


class _RecordingWorkbook:
    def __init__(self, name, record):
        self.Name = name
        self.Application = _Application(record)
        self.VBProject = types.SimpleNamespace(VBComponents=_Components(record))


@dataclass
class ImportRecord:
    """What "Import Functions" would send to Excel."""

    bas: str = ""  #: the module text xlwings writes (``\\n`` line ends)
    macro_options: dict = None  #: ``'Book'!NAME`` -> MacroOptions keyword arguments
    removed: list = None  #: components removed first (the old ``xlwings_udfs``)

    def __post_init__(self):
        self.macro_options = {} if self.macro_options is None else self.macro_options
        self.removed = [] if self.removed is None else self.removed


def import_functions(workbook_name: str = "Template.xlsm", module_name: str = UDF_MODULE) -> ImportRecord:
    """Run xlwings' ``import_udfs`` for ``module_name`` against a recording workbook."""
    xl_udfs = load_xlwings_udfs()
    module = windows_udf_module(xl_udfs, module_name)
    record = ImportRecord()
    saved = xl_udfs.udf_modules.get(module_name)
    # the module is handed over through xlwings' own cache of imported UDF modules
    xl_udfs.udf_modules[module_name] = {"filename": module.__file__, "filetime": None, "module": module}
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # xlwings prints "Imported functions ..."
            xl_udfs.import_udfs(module_name, _RecordingWorkbook(workbook_name, record))
    finally:
        if saved is None:
            xl_udfs.udf_modules.pop(module_name, None)
        else:
            xl_udfs.udf_modules[module_name] = saved
    return record


def bas_text(module_name: str = UDF_MODULE) -> str:
    """The committed ``xlwings_udfs.bas``: xlwings' text with Windows line ends."""
    return import_functions(module_name=module_name).bas.replace("\r\n", "\n").replace("\n", "\r\n")
