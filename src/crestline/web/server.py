"""Running the web app with uvicorn, after checking that the port is free."""

from __future__ import annotations

import errno
import socket

import uvicorn

from crestline.config import Settings
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


def run(settings: Settings, *, host: str, port: int) -> None:
    from crestline.web.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
