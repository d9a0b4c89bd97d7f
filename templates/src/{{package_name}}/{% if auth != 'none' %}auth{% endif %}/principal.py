"""The authenticated caller, as every layer below the HTTP handlers sees it."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Principal:
    """The subject (`sub`) of a verified access token; it owns what it creates."""

    subject: str


class TokenVerifier(Protocol):
    """Anything that turns an access token into a principal, or raises InvalidTokenError."""

    def verify(self, token: str) -> Principal: ...
