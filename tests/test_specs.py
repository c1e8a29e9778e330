"""optlab.specs: one description per optimizer, and every reader (rules, optimizers, panels) follows it."""

import inspect
import pathlib
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from optlab import optimizers, rules, specs
from optlab.objectives import Quadratic
from optlab.runner import run

ROOT = pathlib.Path(__file__).resolve().parents[1]
NAMES = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]


@pytest.mark.parametrize("name", NAMES)
def test_the_rule_takes_its_arguments_in_the_spec_order_with_the_spec_defaults(name):
    spec = specs.get_spec(name)
    params = inspect.signature(getattr(rules, spec.rule)).parameters
    positional = [p for p, v in params.items() if v.kind == v.POSITIONAL_OR_KEYWORD]
    assert tuple(positional) == spec.rule_arguments
    defaults = {p: v.default for p, v in params.items() if v.default is not v.empty and p != "t"}
    assert defaults == {k: v for k, v in spec.defaults.items() if k in spec.rule_arguments}
    if spec.t == "keyword":
        assert params["t"].kind == params["t"].KEYWORD_ONLY and params["t"].default is None
    doc = getattr(rules, spec.rule).__doc__
    for h in spec.hyperparameters:
        if h.name in spec.rule_arguments:
            assert h.doc() in doc, f"{spec.rule}'s docstring lacks {h.doc()!r}"


@pytest.mark.parametrize("name", NAMES)
def test_the_optimizer_class_is_built_from_the_spec(name):
    spec, cls = specs.get_spec(name), optimizers.OPTIMIZERS[name]
    assert cls.spec is spec and cls.name == spec.label
    params = inspect.signature(cls).parameters
    assert list(params) == list(spec.names) + ["rule"]
    assert {k: p.default for k, p in params.items() if p.default is not p.empty and k != "rule"} == spec.defaults
    built = cls(**({"lr": 0.1} if "lr" not in spec.defaults else {}))
    assert set(built.hyperparams) == set(spec.names)
    assert built.init(np.zeros(2))._fields == spec.state_fields + (("t",) if spec.counts_steps else ())
    for h in spec.hyperparameters:
        assert h.doc() in cls.__doc__


@pytest.mark.parametrize("name", NAMES)
def test_every_default_lies_inside_its_range_and_its_slider(name):
    for h in specs.get_spec(name).hyperparameters:
        if h.required:
            continue
        assert h.check(h.default) == h.default
        s = h.slider
        if s.scale == "log":
            assert 10 ** s.lo <= h.default <= 10 ** s.hi, h
        elif s.scale == "one_minus_log":
            assert 10 ** s.lo <= 1 - h.default <= 10 ** s.hi, h
        elif s.scale == "linear":
            assert s.lo <= h.default <= s.hi, h
        else:
            assert s.scale == "toggle" and h.kind == "flag"


def test_adamw_builds_on_adam():
    assert specs.ADAMW.names == specs.ADAM.names[:-1] + ("weight_decay",) + specs.ADAM.names[-1:]
    assert all(specs.ADAMW[k] == specs.ADAM[k] for k in specs.ADAM.names)
    assert issubclass(optimizers.AdamW, optimizers.Adam) and optimizers.AdamW.derived is optimizers.Adam.derived


def test_a_hyperparameter_of_another_meaning_has_its_own_group():
    assert specs.RMSPROP["bias_correction"].group != specs.ADAM["bias_correction"].group
    assert specs.RMSPROP["beta2"].group == specs.ADAM["beta2"].group == "beta2"


def test_get_spec_names_and_errors():
    assert specs.get_spec("Adam-W") is specs.ADAMW and specs.get_spec("SGD") is specs.GD
    with pytest.raises(ValueError, match=r"^optimizer must be one of gd, sgd, .* \(got 'lbfgs'\)$"):
        specs.get_spec("lbfgs")
    with pytest.raises(ValueError, match=r"^Adam takes the hyperparameters lr, beta1, beta2, eps, bias_correction "
                                         r"\(got unknown beta\)$"):
        specs.ADAM.validate({"beta": 0.9})
    with pytest.raises(ValueError, match="kind must be one of"):
        specs.Hyperparameter("x", "x", "x", "huge", specs.Slider("log"))


@pytest.mark.parametrize("name,beta", [("gd", None), ("momentum", 0.5), ("momentum", 0.9), ("nesterov", 0.5),
                                       ("nesterov", 0.9)])
def test_the_stability_limits_on_a_quadratic_are_where_runs_start_to_diverge(name, beta):
    """2/L for GD, 2(1 + β)/L for momentum, 2(1 + β)/((1 + 2β)L) for Nesterov: 0.5 % below converges, above diverges."""
    q = Quadratic(kappa=10.0)
    hp = {} if beta is None else {"beta": beta}
    limit = float(optimizers.make_optimizer(name, lr=0.1, **hp).lr_limit(q.lam_max)[0])
    lrs = np.array([0.995, 1.005]) * limit
    traj = run(optimizers.make_optimizer(name, lr=lrs, **hp), q, np.broadcast_to(q.start, (2, 2)), 20000)
    assert not traj.diverged[0] and traj.diverged[1]


def test_changing_a_default_or_a_slider_range_is_one_line_in_specs(tmp_path):
    """Edit Adam's β2 default and β2's slider range in specs.py only: rule, optimizer, docs and panel follow."""
    shutil.copytree(ROOT / "optlab", tmp_path / "optlab")
    path = tmp_path / "optlab" / "specs.py"
    source = path.read_text(encoding="utf-8")
    for old, new in [("BETA2.with_default(0.999)", "BETA2.with_default(0.995)"),
                     ('Slider("one_minus_log", -6.0, -0.3, 0.1)', 'Slider("one_minus_log", -5.0, -0.3, 0.1)')]:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    path.write_text(source, encoding="utf-8")
    script = textwrap.dedent("""
        import inspect, matplotlib
        matplotlib.use("Agg")
        import optlab
        from optlab.rules import adam_step
        from optlab.optimizers import Adam
        from optlab.widgets import step_panel
        assert optlab.__file__.startswith(%r), optlab.__file__
        assert inspect.signature(adam_step).parameters["beta2"].default == 0.995
        assert "Default 0.995" in adam_step.__doc__ and "Default 0.995" in Adam.__doc__
        assert Adam().hyperparams["beta2"] == 0.995
        panel = step_panel("adam", steps=5)
        assert panel.controls["beta2"].value == 0.995 and panel.controls["beta2"].widget.min == -5.0
        print("ok")
    """ % str(tmp_path))
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_the_conventions_page_is_in_the_repository_and_names_every_hyperparameter():
    page = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    for h in specs.HYPERPARAMETERS.values():
        assert f"`{h.name}`" in page and h.symbol.split()[0] in page, h.name
    for spec in set(specs.SPECS.values()):
        for field in spec.state_fields:
            assert f"`{field}`" in page, field
    cited = [p for p in list(ROOT.glob("optlab/**/*.py")) + list(ROOT.glob("tests/*.py")) + list(ROOT.glob("tools/*.py"))
             if "COURSE" + ".md" in p.read_text(encoding="utf-8")]
    assert not cited, f"cite docs/conventions.md (in the repository), not a file outside it: {cited}"
    assert "docs/conventions.md" in rules.__doc__ and "docs/conventions.md" in specs.__doc__
