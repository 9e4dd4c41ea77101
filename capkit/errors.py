"""capkit's error types: one base class, caught by the CLI and printed as one line."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

#: A value quoted in a message is cut to this many characters.
MAX_SHOWN_CHARS = 80
#: No message is longer than this, whatever the input (a page or terminal shows it on one line).
MAX_MESSAGE_CHARS = 600


class CapkitError(Exception):
    """Base of every error capkit raises on purpose (bad input or bad data).

    The message is made one line and bounded in size here, once for every error.
    """

    def __init__(self, message: str = "") -> None:
        text = " ".join(str(message).split())
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[: MAX_MESSAGE_CHARS - 1] + "…"
        super().__init__(text)


#: The inputs an InputError can name, as the library words them; a face may name them its own
#: way (the CLI by its flags: ``bill`` is ``--bill``) from :attr:`InputError.what`.
INPUT_WORDS = {
    "bill": "bill",
    "users": "users file",
    "actuals": "actuals file",
    "out": "output",
    "stacks": "stacks",
    "setting": "setting",
    "fit": "fit",
    "hold": "hold",
    "workload_from": "workload from",
    "servers": "servers",
    "cost_column": "cost column",
}


class InputError(CapkitError, ValueError):
    """An input that is not allowed: a workload value, a setting, a stack name, a file or a
    row of one. Its parts are kept for a face to show in its own words:

    - ``what``: which input (a key of :data:`INPUT_WORDS`: ``bill``, ``users``, ``setting``...);
    - ``name``: the file or the text given for it; ``row``, ``field`` and ``value`` within it;
    - ``allowed``: what is allowed; ``detail``: the message after the input is named.

    The message names the input in the library's words ("bill cur.csv: row 3: currency 'EUR' is
    not allowed: USD"); the CLI swaps those words for its own flag (:func:`InputError.worded`).
    """

    def __init__(
        self,
        message: str = "",
        *,
        what: str | None = None,
        name: Any = None,
        row: int | None = None,
        field: str | None = None,
        value: Any = None,
        allowed: str | None = None,
    ) -> None:
        self.what, self.name, self.row, self.field, self.value, self.allowed = what, name, row, field, value, allowed
        self.detail = " ".join(str(message).split())
        super().__init__(f"{self.lead}: {self.detail}" if self.lead else self.detail)

    @property
    def lead(self) -> str:
        """The input named in the library's words, with its file or text ("bill cur.csv")."""
        return self.lead_as(INPUT_WORDS.get(self.what, self.what) if self.what else "")

    def lead_as(self, word: str) -> str:
        """The input named by ``word`` (a face's own name for it) with its file or text."""
        name = "" if self.name is None else shown(str(self.name)) if not isinstance(self.name, str) else self.name
        return " ".join(p for p in (word, name) if p)

    def worded(self, words: dict[str, str]) -> str:
        """The message with the input named by ``words`` (what -> a face's name for it)."""
        if self.what not in words:
            return str(self)
        return f"{self.lead_as(words[self.what])}: {self.detail}"


class PricingDataError(CapkitError, ValueError):
    """A malformed pricing file or entry; the message names the file and the entry."""


class StackError(CapkitError, ValueError):
    """A malformed stack file; the message names the file and the field."""


def one_line(text: str) -> str:
    """``text`` with every character that is not printable (a newline, a tab, an escape) written
    as its escape sequence, so a file name cannot break a line, a comment or a table."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))


def shown(value: Any) -> str:
    """A value as it may appear in a message: a scalar's repr cut to MAX_SHOWN_CHARS; of a
    mapping or list only its kind and size (its content may be anything, secrets included)."""
    if isinstance(value, dict):
        return f"a mapping of {len(value)} keys"
    if isinstance(value, list | tuple | set):
        return f"a list of {len(value)} items"
    text = repr(value)
    if len(text) > MAX_SHOWN_CHARS:
        text = text[: MAX_SHOWN_CHARS - 1] + "…"
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


#: Parts of a pydantic location that name a member of a union, not a field (``float | str``).
_UNION_TAGS = {"float", "int", "str", "bool", "constrained-float", "constrained-int", "constrained-str"}


def field_path(loc: Sequence[Any]) -> str:
    """A pydantic error location as a path: ``components[0].params.tables[2].item_kb``."""
    out = ""
    for part in loc:
        if isinstance(part, str) and (
            part in _UNION_TAGS or "[" in part or part.startswith("function-") or part[:1].isupper()
        ):
            continue  # a union member's tag or a model's class name: pydantic's, not the file's
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the file)"


def models_in(annotation: Any) -> list[Any]:
    """The pydantic models inside a type annotation (``list[X]``, ``dict[str, X]``, ``X | None``),
    outermost first."""
    args = typing.get_args(annotation)
    found = [a for a in (annotation, *args) if isinstance(a, type) and hasattr(a, "model_fields")]
    return found + [m for a in args for m in models_in(a) if m not in found]


def _model_at(model: Any, loc: Sequence[Any]) -> Any:
    """The pydantic model that holds the field at ``loc`` (list indices and dict keys skipped)."""
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part) if isinstance(part, str) else None
        if field is None:
            continue
        inner = models_in(field.annotation)
        if not inner:
            return None
        model = inner[0]
    return model


def first_error(exc: Any, model: Any = None) -> str:
    """The first error of a pydantic ValidationError on one line: the field's path, what is
    allowed and the value given (cut short; never the content of a mapping or list, and never
    the value of a key that is not allowed, which may be anything). With ``model`` (the model
    validated), a field that is not allowed comes with the list of those that are."""
    err = exc.errors(include_url=False)[0]
    where = field_path(err["loc"])
    if err["type"] == "extra_forbidden":
        holder = _model_at(model, err["loc"][:-1]) if model is not None else None
        allowed = f"; allowed: {', '.join(holder.model_fields)}" if holder is not None else ""
        return f"{where}: not a field here{allowed}"
    if err["type"] == "missing":
        return f"{where}: required"
    if err["type"] == "model_type":  # "Input should be a valid dictionary or instance of OwnPrice"
        named = _model_named(model, err.get("ctx", {}).get("class_name", "")) if model is not None else None
        fields = f" with {', '.join(named.model_fields)}" if named is not None else ""
        return f"{where}: should be a mapping{fields} (got {shown(err.get('input'))})"
    return f"{where}: {err['msg']} (got {shown(err.get('input'))})"


def _model_named(model: Any, name: str, seen: set | None = None) -> Any:
    """The pydantic model called ``name`` among ``model`` and the models its fields hold."""
    seen = seen if seen is not None else set()
    if model in seen:
        return None
    seen.add(model)
    if getattr(model, "__name__", None) == name:
        return model
    for field in getattr(model, "model_fields", {}).values():
        for inner in models_in(field.annotation):
            found = _model_named(inner, name, seen)
            if found is not None:
                return found
    return None
