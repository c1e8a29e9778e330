"""optlab.server: the Jupyter server extension that sends kernel messages with TCP_NODELAY.

The latency it removes is measured by ``benchmarks/bench_browser.py`` (stock server against this extension, same
run); the real-browser test runs JupyterLab with it. Here: it is enabled by the repository's configuration
package, it swaps in its connection class only over jupyter_server's standard one, and that class switches
Nagle's algorithm off before connecting.
"""

import json
import logging
import pathlib
import types

import pytest

pytest.importorskip("jupyter_server", reason="optlab.server extends jupyter_server (installed with jupyterlab)")

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection  # noqa: E402

from optlab import server  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _serverapp(connection_class):
    return types.SimpleNamespace(web_app=types.SimpleNamespace(
        settings={"kernel_websocket_connection_class": connection_class}), log=logging.getLogger("test"))


def test_extension_replaces_the_standard_connection_class():
    app = _serverapp(ZMQChannelsWebsocketConnection)
    server._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is server.NoDelayKernelWebsocketConnection
    assert issubclass(server.NoDelayKernelWebsocketConnection, ZMQChannelsWebsocketConnection)


def test_extension_leaves_another_connection_class_alone():
    class Gateway(ZMQChannelsWebsocketConnection):  # e.g. a gateway's or another extension's connection
        pass

    app = _serverapp(Gateway)
    server._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is Gateway


def test_connection_sets_nodelay_before_connecting(monkeypatch):
    calls = []

    class Handler:
        def set_nodelay(self, value):
            calls.append(("nodelay", value))

    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append("connect") or "future")
    monkeypatch.setattr(server.NoDelayKernelWebsocketConnection, "websocket_handler", Handler(), raising=False)
    connection = object.__new__(server.NoDelayKernelWebsocketConnection)
    assert connection.connect() == "future"
    assert calls == [("nodelay", True), "connect"]


def test_connection_still_connects_when_the_socket_is_gone(monkeypatch):
    class Closed:
        def set_nodelay(self, value):
            raise AssertionError("ws_connection is None")  # what tornado raises on a closed websocket

    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: "future")
    monkeypatch.setattr(server.NoDelayKernelWebsocketConnection, "websocket_handler", Closed(), raising=False)
    assert object.__new__(server.NoDelayKernelWebsocketConnection).connect() == "future"


def test_configuration_package_enables_the_extension():
    config = json.loads((ROOT / "jupyter-config" / "jupyter_server_config.d" / "optlab.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"optlab.server": True}}}
    assert server._jupyter_server_extension_points() == [{"module": "optlab.server"}]
    pyproject = (ROOT / "jupyter-config" / "pyproject.toml").read_text()
    assert '"etc/jupyter/jupyter_server_config.d" = ["jupyter_server_config.d/optlab.json"]' in pyproject
