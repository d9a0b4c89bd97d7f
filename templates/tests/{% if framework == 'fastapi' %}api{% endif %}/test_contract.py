"""The API keeps its OpenAPI contract: schemathesis sends requests generated from the document."""

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.openapi import from_asgi

# Fixed seed and a bounded number of requests per operation: the same run on every machine.
CONTRACT_SETTINGS = settings(
    max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


def test_every_documented_operation_keeps_its_contract(app: FastAPI) -> None:
    operations = []
    for result in from_asgi("/openapi.json", app).get_all_operations():
        assert isinstance(result, Ok), f"the document has an invalid operation: {result.err()}"
        operations.append(result.ok())

    for operation in operations:

        @CONTRACT_SETTINGS
        @given(case=operation.as_strategy())
        def keeps_contract(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate()

        keeps_contract()

    assert operations, "the document lists no operation"
