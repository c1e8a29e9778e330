"""Jupyter server side of the live panels: kernel messages reach the browser without TCP's 40 ms wait.

A slider move makes the kernel send a burst of websocket messages through JupyterLab's server: "busy", the
slider's echo, the readout, the caption, the ~35 KB picture, "idle". The server (jupyter_server on tornado) writes
them to the browser's websocket with Nagle's algorithm on, tornado's default for websockets: after the first
small message, the next ones wait in the server's socket until the browser acknowledges the first, and the
browser delays that acknowledgement by up to 40 ms (delayed ACK). Measured on lesson 05's Adam panel, the new
picture waited ~33 ms for it — half of the key-press-to-picture time (``benchmarks/bench_browser.py``).
Tornado's documentation recommends ``set_nodelay(True)`` for exactly this; jupyter_server does not call it.

This module is a Jupyter server extension, enabled by the configuration file that installing optlab puts in
``<prefix>/etc/jupyter/jupyter_server_config.d/optlab.json``. On load it replaces the server's kernel websocket
connection class by :class:`NoDelayKernelWebsocketConnection`, which is the standard class plus TCP_NODELAY —
only when the server uses the standard class: a gateway or another extension's connection class is left alone.
The course runs the same without it, only with slower pictures. To switch it off::

    jupyter server extension disable optlab.server
"""

from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayKernelWebsocketConnection"]

_SETTING = "kernel_websocket_connection_class"


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """jupyter_server's kernel websocket connection with TCP_NODELAY on the browser's socket."""

    def connect(self):
        try:
            self.websocket_handler.set_nodelay(True)
        except Exception:  # noqa: BLE001 — a socket already closed: nothing to speed up, connect as usual
            pass
        return super().connect()


def _jupyter_server_extension_points():
    return [{"module": "optlab.server"}]


def _load_jupyter_server_extension(serverapp):
    settings = serverapp.web_app.settings
    current = settings.get(_SETTING)
    if current is ZMQChannelsWebsocketConnection:
        settings[_SETTING] = NoDelayKernelWebsocketConnection
        serverapp.log.info("optlab: kernel messages are sent with TCP_NODELAY (no delayed-ACK wait)")
    else:
        serverapp.log.info(f"optlab: kernel websocket connection {getattr(current, '__name__', current)} left as is")
