"""The one value formatter of optlab: error messages, slider readouts and check verdicts all write numbers with it."""

from __future__ import annotations

import numpy as np

__all__ = ["fmt"]


def _number(x: float, digits) -> str:
    text = repr(x) if digits is None else f"{x:.{digits}g}"
    if "e" in text:  # 1e-08 -> 1e-8, 1.5e+20 -> 1.5e20
        mantissa, exponent = text.split("e")
        mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
        return f"{mantissa}e{int(exponent)}"
    return text[:-2] if text.endswith(".0") else text


def fmt(x, digits=None, *, items: int = 4) -> str:
    """A short text for ``x``: the shortest that gives back the float exactly, or ``digits`` significant digits.

    Numbers read ``1e-8`` (not ``1e-08``), ``0.999``, ``2`` (not ``2.0``); booleans ``True``/``False``; an array
    its first ``items`` elements, ``[0.1, 0.2, …]``; anything else its ``repr``.

    Example:
        >>> fmt(1e-08), fmt(0.999), fmt(3.0), fmt(2 / 3, 4), fmt(np.arange(6.0))
        ('1e-8', '0.999', '3', '0.6667', '[0, 1, 2, 3, …]')
    """
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, str):
        return x
    if isinstance(x, (float, np.floating)):
        return _number(float(x), digits)
    if isinstance(x, (complex, np.complexfloating)):
        return repr(complex(x))
    if isinstance(x, (np.ndarray, list, tuple)):
        try:
            arr = np.asarray(x)
        except ValueError:  # a ragged list
            return repr(x)
        if arr.dtype.kind in "biufc":
            if arr.ndim == 0:
                return fmt(arr.item(), digits)
            flat = [fmt(v, digits) for v in arr.ravel()[:items].tolist()]
            return "[" + ", ".join(flat) + (", …]" if arr.size > items else "]")
    return repr(x)
