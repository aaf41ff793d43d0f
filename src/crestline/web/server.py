"""Running the web app with uvicorn, after checking that the port is free."""

from __future__ import annotations

import errno
import os
import socket
import sys
from dataclasses import asdict

import uvicorn
from fastapi import FastAPI

from crestline.config import SETTINGS, Settings, load_settings
from crestline.errors import UnavailableError


def check_port(host: str, port: int) -> None:
    """Fail with one line, before anything is written, when HOST:PORT cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UnavailableError(
                    f"port {port} on {host} is in use (choose another with --port)"
                ) from None
            raise UnavailableError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def run(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Serve until stopped: in this process, or in ``workers`` processes that uvicorn starts
    and restarts (each builds its app from the settings, handed down as ``CRESTLINE_*``
    variables)."""
    from crestline.web.app import create_app

    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    os.environ.update(settings_environment(settings))
    uvicorn.run(
        "crestline.web.server:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


def settings_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``CRESTLINE_*`` variables that give them back."""
    values = asdict(settings)
    return {doc.env: str(values[doc.name]) for doc in SETTINGS}


def worker_app() -> FastAPI:
    """The app of one worker process: the settings from the environment its parent set. On
    Linux a worker ends with its parent, even one killed outright (no worker left holding the
    port)."""
    from crestline.web.app import create_app

    _end_with_parent()
    return create_app(load_settings())


def _end_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
