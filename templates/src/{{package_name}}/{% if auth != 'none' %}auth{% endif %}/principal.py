"""The authenticated caller, as every layer below the HTTP handlers sees it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """The subject (`sub`) of a verified access token; it owns what it creates."""

    subject: str
