"""capkit's error types: one base class, caught by the CLI and printed as one line."""

from __future__ import annotations

from typing import Any


class CapkitError(Exception):
    """Base of every error capkit raises on purpose (bad input or bad data)."""


class InputError(CapkitError, ValueError):
    """A workload value, a --set key or a stack name that is not allowed."""


class PricingDataError(CapkitError, ValueError):
    """A malformed pricing file or entry; the message names the file and the entry."""


class StackError(CapkitError, ValueError):
    """A malformed stack file; the message names the file and the field."""


def first_error(exc: Any) -> str:
    """The first error of a pydantic ValidationError as 'field.path: message (got value)'."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']} (got {err.get('input')!r})"
