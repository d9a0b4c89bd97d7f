"""A generated OIDC project's stand-in identity provider, in a process the gates drive.

Run with the project's interpreter, in the project's folder: it imports the project's own
`tests/identity_provider.py`, serves its JWKS on 127.0.0.1 and prints one JSON line (the
settings to point the API at it, valid tokens, and tokens with made-up key ids). Then
each line on stdin is a command, answered with the number of JWKS requests so far: `slow`
holds every JWKS request until `fast`; any other line only asks for the number. It stops
at the end of its input.
"""

import json
import sys
from pathlib import Path

# The project's `tests` package, not apigen's.
sys.path.insert(0, str(Path.cwd()))

from tests.identity_provider import IdentityProvider

TOKENS = 16


def main() -> None:
    with IdentityProvider.serving() as provider:
        made_up = [
            provider.sign(provider.claims(f"mallory-{n}"), {"kid": f"made-up-{n}"})
            for n in range(TOKENS)
        ]
        started = {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_AUDIENCE": provider.audience,
            "OIDC_JWKS_URL": provider.jwks_url,
            "valid": [provider.issue(f"user-{n}") for n in range(TOKENS)],
            "made_up_kid": made_up,
        }
        print(json.dumps(started), flush=True)
        for command in sys.stdin:
            if command.strip() == "slow":
                provider.answering.clear()
            elif command.strip() == "fast":
                provider.answering.set()
            print(provider.fetches, flush=True)
        provider.answering.set()


if __name__ == "__main__":
    main()
