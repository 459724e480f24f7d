"""Second reader of a workbook's VBA project: LibreOffice, headless, over UNO.

Not part of the test suite (it needs LibreOffice). It opens the workbook in a
private headless LibreOffice, lists every module of the document's Basic
library that LibreOffice made from the VBA project, compares the two
generated modules with the generators' text, and runs the wizard module's
``Unescape`` and registration procedure in LibreOffice's VBA-compatible
Basic, which also makes LibreOffice compile that module.

Set-up (Debian/Ubuntu)::

    apt-get install -y libreoffice-calc-nogui python3-uno

Run from the repository root (the venv's Python finds the system ``uno``
module through the fallback below)::

    /tmp/venv/bin/python scripts/verify_vba_libreoffice.py workbook/Template.xlsm

Exit status 0 when every check holds, 1 otherwise.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import uno
except ImportError:  # python3-uno installs into the system Python's dist-packages
    sys.path.append("/usr/lib/python3/dist-packages")
    import uno

from com.sun.star.beans import PropertyValue  # noqa: E402 - needs uno first
from com.sun.star.connection import NoConnectException  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: What LibreOffice puts at the top of a module it imported from a VBA project.
LO_PREFIX = ("Rem Attribute VBA_ModuleType=", "Option VBASupport 1")


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office(profile: Path, pipe: str):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice not found: apt-get install -y libreoffice-calc-nogui python3-uno")
    proc = subprocess.Popen([soffice, "--headless", "--invisible", "--norestore", "--nologo",
                             f"-env:UserInstallation={profile.as_uri()}",
                             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return proc, ctx
        except NoConnectException:
            time.sleep(0.5)
    proc.kill()
    sys.exit("LibreOffice did not accept a connection within 60 s")


def lo_body(source: str) -> str:
    """A module's text as LibreOffice holds it, without the lines LibreOffice adds."""
    lines = source.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith(LO_PREFIX)).strip("\n")


def vba_body(text: str) -> str:
    """A module's stored text without its ``Attribute`` lines (LibreOffice drops them)."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip("\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workbook", nargs="?", default=str(ROOT / "workbook" / "Template.xlsm"))
    args = parser.parse_args(argv)
    workbook = Path(args.workbook).resolve()

    from xl_tsd.excel.vba_project import udf_modules
    expected = udf_modules()

    ok = True
    with tempfile.TemporaryDirectory(prefix="xl_tsd_lo_") as tmp:
        pipe = f"xl_tsd_verify_{os.getpid()}"
        proc, ctx = start_office(Path(tmp) / "profile", pipe)
        try:
            desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            # MacroExecutionMode 4 (ALWAYS_EXECUTE_NO_WARN): the document's Basic can be called.
            doc = desktop.loadComponentFromURL(workbook.as_uri(), "_blank", 0, (
                prop("Hidden", True), prop("ReadOnly", True), prop("MacroExecutionMode", 4)))
            if doc is None:
                print(f"LibreOffice could not open {workbook}")
                return 1
            print(f"LibreOffice {lo_version(ctx)} opened {workbook.name}")
            libraries = doc.BasicLibraries
            print(f"document Basic libraries: {', '.join(libraries.getElementNames())}")
            for lib_name in libraries.getElementNames():
                libraries.loadLibrary(lib_name)
                library = libraries.getByName(lib_name)
                names = library.getElementNames()
                print(f"library {lib_name}: {len(names)} modules")
                for name in names:
                    body = lo_body(library.getByName(name))
                    note = ""
                    if name in expected:
                        same = body == vba_body(expected[name])
                        ok &= same
                        note = "  == generator text" if same else "  != generator text  <-- MISMATCH"
                    print(f"  {name:<14} {len(body.splitlines()):>5} lines{note}")
            missing = [n for n in expected if not any(
                libraries.getByName(lib).hasByName(n) for lib in libraries.getElementNames())]
            if missing:
                ok = False
                print(f"missing modules: {', '.join(missing)}")
            ok &= call_wizard(doc)
            doc.close(True)
        finally:
            try:
                desktop.terminate()
            except Exception:  # noqa: BLE001 - the office may already be gone
                pass
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def lo_version(ctx) -> str:
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationAccess",
        (prop("nodepath", "/org.openoffice.Setup/Product"),))
    return f"{access.getByName('ooSetupVersionAboutBox')}"


def call_wizard(doc) -> bool:
    """Run the wizard module's code in LibreOffice Basic (VBA mode); this also compiles the module.

    LibreOffice returns nothing when a VBA-mode function is invoked directly
    through the script provider, so a shim module is added, in memory only,
    to the document's ``Standard`` library (LibreOffice Basic lets it call
    the module's Private ``Unescape``).
    """
    from xl_tsd.excel.vba_wizard import MODULE_NAME, REGISTER_PROC
    libraries = doc.BasicLibraries
    library = next(lib for lib in libraries.getElementNames()
                   if libraries.getByName(lib).hasByName(MODULE_NAME))
    shim = (f"Function CallUnescape(s)\nCallUnescape = {library}.{MODULE_NAME}.Unescape(s)\nEnd Function\n"
            f"Function CallRegister()\n{library}.{MODULE_NAME}.{REGISTER_PROC}\n"
            f"CallRegister = \"returned\"\nEnd Function\n")
    libraries.getByName("Standard").insertByName("XlTsdVerify", shim)
    provider = doc.getScriptProvider()

    def call(fn, *args):
        uri = f"vnd.sun.star.script:Standard.XlTsdVerify.{fn}?language=Basic&location=document"
        return provider.getScript(uri).invoke(args, (), ())[0]

    text = "TSD \\u6280\\u672F\\u8D21\\u732E\\u7387 \\u0022s1\\u0022 \\u005Cu0041"
    want = 'TSD 技术贡献率 "s1" \\u0041'
    try:
        result = call("CallUnescape", text)
        registered = call("CallRegister")
    except Exception as exc:  # noqa: BLE001 - report whatever the office raised
        print(f"LibreOffice Basic: {type(exc).__name__}: {getattr(exc, 'Message', exc)}")
        return False
    print(f"{MODULE_NAME}.Unescape({text!r}) in LibreOffice Basic -> {result!r}"
          f"{'' if result == want else '  <-- expected ' + repr(want)}")
    print(f"{MODULE_NAME}.{REGISTER_PROC} in LibreOffice Basic: {registered}"
          " (its MacroOptions calls are Excel's; errors are trapped by design)")
    return result == want and registered == "returned"


if __name__ == "__main__":
    sys.exit(main())
