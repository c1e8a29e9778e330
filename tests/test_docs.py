"""Every example in optlab's docstrings runs and prints what it shows (doctest), in every module.

Five modules' examples were run by their own tests (rules, optimizers, schedules, objectives, data); the others'
(the runner, plotting, specs, the network, the widgets, the formatter) were read by engineers but never run.
"""
import doctest
import importlib
import pkgutil
import warnings

import pytest

import optlab

MODULES = sorted(m.name for m in pkgutil.walk_packages(optlab.__path__, "optlab."))


def test_every_module_is_found():
    assert {"optlab.runner", "optlab.plotting", "optlab.widgets.trajectory", "optlab.checks._core"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an example that warns is a bad example
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"
