"""The case template: ``workbook/Template.xlsm``, declared in :mod:`.layout` and built by :mod:`.builder`.

:func:`build_template` writes the template; :mod:`.contract` reads and writes
inputs by their defined names; :mod:`.example` fills and computes the worked
example (the vehicle chassis case, illustrative figures).
"""
from .builder import DEFAULT_PATH, build_template
from .layout import TEMPLATE_VERSION

__all__ = ["DEFAULT_PATH", "TEMPLATE_VERSION", "build_template"]
