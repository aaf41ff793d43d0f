"""One error hierarchy for the whole package.

Every error Crestline raises on purpose is a :class:`CrestlineError`. The command line maps them to
an exit status and a one-line message in one place (``cli/main.py``); the web app maps them to an
HTTP status and one JSON shape in one handler (``web/app.py``).
"""

from __future__ import annotations


class CrestlineError(Exception):
    """Base of every error Crestline raises on purpose."""

    kind = "error"
    exit_code = 2
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInputError(CrestlineError):
    """Input that cannot be used: a file, a row, a field, an option."""

    kind = "bad_input"
    exit_code = 2
    http_status = 400


class NotFoundError(CrestlineError):
    """A named record does not exist."""

    kind = "not_found"
    exit_code = 2
    http_status = 404


class AmbiguousError(BadInputError):
    """A name matches more than one record; the message lists the candidates."""

    kind = "ambiguous"
    exit_code = 2
    http_status = 409


class TooLargeError(BadInputError):
    """An upload or a request body over its limit."""

    kind = "too_large"
    http_status = 413


class ConflictError(CrestlineError):
    """The request contradicts the state of the database."""

    kind = "conflict"
    exit_code = 2
    http_status = 409


class PermissionDeniedError(CrestlineError):
    """The acting user may not do or see this."""

    kind = "permission_denied"
    exit_code = 3
    http_status = 403


class NotSignedInError(PermissionDeniedError):
    """No credentials, or credentials that name no one: sign in first (HTTP 401)."""

    http_status = 401


class TooManyAttemptsError(CrestlineError):
    """Too many failed sign-ins: the login (or the address) waits before trying again."""

    kind = "too_many_attempts"
    exit_code = 3
    http_status = 429


class UnavailableError(CrestlineError):
    """A resource the command needs does not answer: a database server, a port."""

    kind = "unavailable"
    exit_code = 2
    http_status = 503
