"""Writers of the committed generated files, and the table that lists them.

- :mod:`.files`: which files are generated, how to check and rewrite them (``xl-tsd generate``).
- :mod:`.function_docs`: ``docs/functions.md``, the function reference, from the registry.
- :mod:`.template_docs`: the defined-names block of ``docs/template.md``, from the template build.
"""
from .files import GENERATED, ROOT, expected, stale, write

__all__ = ["ROOT", "GENERATED", "expected", "stale", "write"]
