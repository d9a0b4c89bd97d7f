"""Application errors and the one JSON error envelope every response uses.

Every error leaves the API as `{"error": {"code": ..., "message": ..., "details": [...]}}`.
`code` is machine-readable and stable; `message` is for people and may change.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel


class ErrorCode:
    """The machine-readable codes clients can rely on."""

    VALIDATION_ERROR = "VALIDATION_ERROR"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    HTTP_ERROR = "HTTP_ERROR"
    # Answered by the server itself, for requests the application never sees.
    BAD_REQUEST = "BAD_REQUEST"
    URI_TOO_LONG = "URI_TOO_LONG"
    HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"


class ErrorDetail(BaseModel):
    """One problem with the request, e.g. one invalid field."""

    field: str
    message: str
    type: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


class AppError(Exception):
    """Base of the errors the service layer raises on purpose; each maps to one status."""

    status_code = 500
    code = ErrorCode.INTERNAL_ERROR
    message = "Internal server error."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message

    @property
    def headers(self) -> dict[str, str]:
        """Headers the error response must carry, such as `WWW-Authenticate` on a 401."""
        return {}


class NotFoundError(AppError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    message = "Resource not found."


def error_body(code: str, message: str, details: Iterable[ErrorDetail] = ()) -> dict[str, Any]:
    """The JSON-ready error envelope."""
    body = ErrorBody(code=code, message=message, details=list(details))
    return ErrorResponse(error=body).model_dump(mode="json")


def validation_details(
    errors: Iterable[Mapping[str, Any]], location: str | None = None
) -> list[ErrorDetail]:
    """Turn pydantic error dicts into details; the rejected input is never echoed back.

    `field` is a dotted path that starts with where the value was sent: `body.title`,
    `query.limit`. Pass `location` when the errors' own paths do not include it.
    """
    prefix = (location,) if location else ()
    return [
        ErrorDetail(
            field=".".join(str(part) for part in (*prefix, *error["loc"])),
            message=str(error["msg"]),
            type=str(error["type"]),
        )
        for error in errors
    ]


def repeated_parameters(query: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """An error, shaped as pydantic's, for each query parameter the request sends twice.

    Which of its values counts would be the server's guess: `?limit=5&limit=50` is refused
    with a 422 that names `query.limit`, as any other value the document does not allow.
    """
    counts = Counter(name for name, _value in query)
    return [
        {"type": "repeated_parameter", "loc": ("query", name), "msg": "Send this parameter once."}
        for name, count in counts.items()
        if count > 1
    ]
