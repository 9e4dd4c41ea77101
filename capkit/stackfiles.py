"""Writing your own stack: the JSON Schema of a stack file, a component reference, and the
``capkit stack show / check`` and ``capkit schema`` verbs.

The schema is generated from the models that validate a stack file (``StackFile`` and every
registered component's ``Params``), so it cannot drift from what ``load_stack`` accepts; the
component reference in docs/stack-files.md is generated here too, and a test keeps them equal.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from typing import Annotated, Any, Literal, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model

from capkit.components import REGISTRY
from capkit.errors import InputError, StackError, models_in
from capkit.stack import (
    ComponentSpec,
    Stack,
    StackFile,
    load_stack,
    preset_names,
    presets_dir,
    undeclared_reads,
    unread_assumptions,
)
from capkit.workload import UNIVERSAL

SCHEMA_ID = "https://capkit.invalid/stack-file.schema.json"  # an identifier, never fetched


def _component_model(type_name: str) -> type:
    cls = REGISTRY[type_name]
    required = any(f.is_required() for f in cls.Params.model_fields.values())
    return create_model(
        f"component_{type_name}",
        __config__=ConfigDict(extra="forbid", title=f"{type_name} component"),
        id=(str, ComponentSpec.model_fields["id"]),
        type=(Literal[type_name], ...),  # type: ignore[valid-type]
        params=(cls.Params, ... if required else Field(default_factory=dict)),
    )


def stack_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a stack file, components checked by type."""
    variants = tuple(_component_model(t) for t in sorted(REGISTRY))
    component = Annotated[Union[variants], Field(discriminator="type")]  # noqa: UP007
    model = create_model(
        "StackFile",
        __base__=StackFile,
        components=(list[component], Field(min_length=1)),  # type: ignore[valid-type]
    )
    schema = model.model_json_schema()
    schema["properties"]["defaults"]["propertyNames"] = {"enum": list(UNIVERSAL)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "capkit stack file",
        "description": "A product's components and assumptions; see docs/stack-files.md.",
    }


def schema_text() -> str:
    """``capkit schema``: the schema as indented JSON."""
    return json.dumps(stack_schema(), indent=2) + "\n"


def show_text(name: str) -> str:
    """``capkit stack show NAME``: a preset's YAML, commented, as the start of your own stack file."""
    if name not in preset_names():
        raise InputError(f"unknown preset {name!r}; presets: {', '.join(preset_names())}")
    header = (
        f"# Your own stack, started from capkit's preset {name!r}.\n"
        "# Give it a new name and title, change assumptions and components, then check it with\n"
        "#   capkit stack check FILE\n"
        "# and use it anywhere a preset goes (capkit plan --stack FILE, the planner, capkit report).\n"
        "# Editors complete and check it with the schema from\n"
        "#   capkit schema > capkit-stack.schema.json\n"
        "# the next line points the YAML language server at it. docs/stack-files.md explains every field.\n"
        "# yaml-language-server: $schema=capkit-stack.schema.json\n"
    )
    return header + (presets_dir() / f"{name}.yaml").read_text(encoding="utf-8")


def assumptions_table(stack: Stack) -> pd.DataFrame:
    """Every assumption of a stack (universal fields first): default, unit, allowed range,
    declared uncertainty and source; ``capkit stack check`` and a stack's notebook view show it."""
    rows = []
    for key, spec in stack.specs.items():
        rows.append(
            {
                "assumption": key,
                "default": f"{spec.default:,.6g}",
                "unit": spec.unit,
                "range": f"{spec.min:,.6g} to {spec.max:,.6g}",
                "uncertain": "" if spec.low is None else f"{spec.low:,.6g} to {spec.high:,.6g}",
                "source": spec.source or "capkit universal field",
            }
        )
    return pd.DataFrame(rows)


def check_text(path: str) -> str:
    """``capkit stack check FILE``: validate a stack file and list what it declares."""
    from capkit import terminal  # the terminal's tables (rich) only for this text

    stack = load_stack(path)
    problems = undeclared_reads(stack)
    if problems:
        raise StackError(f"{stack.path}: " + "; ".join(problems))
    comps = ", ".join(f"{c.id} ({c.type})" for c in stack.components)
    table = assumptions_table(stack).drop(columns=["source"])
    unread = unread_assumptions(stack)
    lines = [
        terminal.paragraph(f"ok: {stack.path} is stack {stack.name!r} ({stack.title})", "", "  "),
        terminal.paragraph(f"components: {comps}", "", "  "),
        "every assumption a component reads is declared",
    ]
    if unread:
        lines.append(terminal.paragraph(f"not read by any component: {', '.join(unread)}", "", "  "))
    return "\n".join(lines) + "\n\nassumptions\n\n" + terminal.table(table)


def _bounds(metadata: list[Any]) -> str:
    """Field constraints as words: ``above 0``, ``0 or more``."""
    words = {"gt": "above {}", "ge": "{} or more", "lt": "below {}", "le": "{} or less"}
    return ", ".join(words[k].format(getattr(m, k)) for m in metadata for k in words if hasattr(m, k))


def _type_name(annotation: Any) -> str:
    """A readable type: ``list of TableParams``, ``number or text``, ``one of 'ALL', 'INCLUDE'``."""
    if typing.get_origin(annotation) is Annotated:
        inner, *meta = typing.get_args(annotation)
        bounds = _bounds([m for info in meta for m in getattr(info, "metadata", [info])])
        return _type_name(inner) + (f" ({bounds})" if bounds else "")
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation))
    text = re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", str(annotation))
    text = re.sub(r"(?:[a-z_]+\.)+([A-Z]\w+)", r"\1", text.replace("typing.", ""))
    text = re.sub(r"Literal\[(.*?)\]", lambda m: "one of " + m.group(1).replace(", ", " / "), text)
    words = {"float": "number", "int": "integer", "str": "text", "bool": "true/false", "NoneType": "none"}
    text = re.sub(r"\b(float|int|str|bool|NoneType)\b", lambda m: words[m.group(1)], text)
    return re.sub(r"list\[(\w+)\]", r"list of \1", text).replace(" | ", " or ")


def _params_table(model: type[BaseModel]) -> list[str]:
    rows = ["| param | type | default | meaning |", "|---|---|---|---|"]
    for name, f in model.model_fields.items():
        default = "required" if f.is_required() else f"`{f.get_default(call_default_factory=True)!r}`"
        meaning = (f.description or "").replace("|", "/")
        bounds = _bounds(f.metadata)
        kind = _type_name(f.annotation) + (f" ({bounds})" if bounds else "")
        rows.append(f"| `{name}` | {kind} | {default} | {meaning} |")
    return rows


def component_reference() -> str:
    """Markdown: every component type, what it models, the assumptions it reads, its params."""
    parts = []
    for type_name in sorted(REGISTRY):
        cls = REGISTRY[type_name]
        doc = (inspect.getdoc(cls) or "").splitlines()
        parts.append(f"### `{type_name}`\n\n{doc[0] if doc else ''}\n")
        if cls.requires:
            rows = [f"| `{name}` | {unit} |" for name, unit in cls.requires.items()]
            parts.extend(["| assumption it reads | in |", "|---|---|", *rows, ""])
        if not cls.Params.model_fields:
            parts.append("No params.\n")
            continue
        parts.extend([*_params_table(cls.Params), ""])
        queue = [m for f in cls.Params.model_fields.values() for m in models_in(f.annotation)]
        seen: list[type[BaseModel]] = []
        while queue:  # nested models (tables, their GSIs, own prices), each once
            model = queue.pop(0)
            if model not in seen:
                seen.append(model)
                parts.extend([f"`{model.__name__}`:\n", *_params_table(model), ""])
                queue.extend(m for f in model.model_fields.values() for m in models_in(f.annotation))
    return "\n".join(parts).rstrip() + "\n"
