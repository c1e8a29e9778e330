"""In IPython: a NameError for an exercise's function says what to do.

When an exercise cell fails (a SyntaxError, say), its function is never defined, and the check cell
below would show a bare ``NameError: name 'gd_step' is not defined``. Importing :mod:`optlab.checks`
in IPython installs a custom exception handler that rewrites that message — for the names of the
course's exercises only — to "gd_step is not defined — run the cell above; if it shows an error, fix
that first", and then shows the usual traceback. The error stays a NameError raised by that cell, so
JupyterLab, nbval and nbgrader see the same failing cell as before. Other NameErrors are untouched,
and an existing custom handler is never replaced.
"""
from __future__ import annotations

import re
import weakref

from ._core import EXERCISES
from ._fallback import not_defined

_NOT_DEFINED = re.compile(r"name '([^']+)' is not defined")
# The shells whose custom handler is ours (importing optlab.checks again must not count it as "another handler").
_OURS = weakref.WeakSet()


def _handler(shell, etype, value, tb, tb_offset=None):
    name = getattr(value, "name", None)
    if name is None:  # Python < 3.10: NameError has no .name
        match = _NOT_DEFINED.search(str(value))
        name = match.group(1) if match else None
    if name in EXERCISES and str(value).startswith(f"name '{name}'"):
        value.args = (not_defined(name),)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install():
    """Install the handler in the running IPython shell, if any, unless another custom handler is set."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if shell.custom_exceptions and shell not in _OURS:
        return False
    shell.set_custom_exc((NameError,), _handler)
    _OURS.add(shell)
    return True
