"""Running the web app with uvicorn, after checking that the port is free."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import sys
from dataclasses import asdict

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

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
    from crestline.web.app import create_app, forget_pages

    forget_pages(settings)  # pages drawn by an earlier start may come from other code
    audit_to_stderr()
    if workers == 1:
        uvicorn.run(
            create_app(settings), host=host, port=port, log_level="warning", http=NoDelayH11
        )
        return
    os.environ.update(settings_environment(settings))
    uvicorn.run(
        "crestline.web.server:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        http=NoDelayH11,
        # a worker busy on every core may answer the master's ping late: replacing it would
        # throw away all it keeps (graph, rankings, drawings); one that hangs is still replaced
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )


class NoDelayH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every connection. The socket
    uvicorn binds for its workers does not name TCP as its protocol, so asyncio leaves
    ``TCP_NODELAY`` unset on what they accept; a reply on a kept-alive connection then waits for
    the client's delayed acknowledgement (about 40 ms) before its last bytes leave."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


WORKER_HEALTHCHECK_S = 30


def audit_to_stderr() -> None:
    """Sign-ins, failed ones and refusals, one line each on the server's standard error (the
    journal, under systemd): ``2026-12-02 16:40:01 audit failed sign-in: 'seller' from …``."""
    audit = logging.getLogger("crestline.audit")
    if not audit.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s audit %(message)s", "%Y-%m-%d %H:%M:%S")
        )
        audit.addHandler(handler)
        audit.setLevel(logging.INFO)
        audit.propagate = False


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
    audit_to_stderr()
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
