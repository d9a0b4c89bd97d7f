"""Request and response models: the trust boundary between clients and the service."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
# Offsets are database integers: larger ones cannot select anything and overflow drivers.
OFFSET_MAX = 2**31 - 1

Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]


def never_null(schema: dict[str, Any]) -> None:
    """Document an optional field that refuses null: drop null from its JSON schema."""
    if schema.get("default", "") is None:
        del schema["default"]
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


NeverNull = Field(default=None, json_schema_extra=never_null)


class TaskStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class TaskCreate(BaseModel):
    """What a client may send to create a task; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    description: Description = ""


class TaskUpdate(BaseModel):
    """A partial update: omitted fields keep their value, null is refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = NeverNull
    description: Description | None = NeverNull
    status: TaskStatus | None = NeverNull

    @field_validator("title", "description", "status", mode="before")
    @classmethod
    def refuse_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class TaskListParams(BaseModel):
    """Query parameters of the task list; the page size is capped."""

    model_config = ConfigDict(extra="forbid")

    status: TaskStatus | None = None
    limit: int = Field(default=PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX)
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX)


class TaskRead(BaseModel):
    """What the API returns for a task: exactly these fields, nothing else."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    status: TaskStatus
    created_at: datetime
    updated_at: datetime


class TaskPage(BaseModel):
    """One page of tasks with the numbers needed to fetch the next."""

    model_config = ConfigDict(from_attributes=True)

    items: list[TaskRead]
    total: int
    limit: int
    offset: int
