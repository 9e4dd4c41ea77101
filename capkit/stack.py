"""Stacks: a product's components and assumptions, read from a stack YAML file.

A stack file names its components (id, type, params) and declares the assumptions they read,
each with default, unit, range, meaning and source. The presets ship inside the package
(capkit/stacks/*.yaml); any other path works the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from capkit.components import REGISTRY, Component
from capkit.errors import InputError, StackError, first_error, shown
from capkit.pricing import Catalog, PriceEntry, default_catalog
from capkit.workload import UNIVERSAL, AssumptionSpec, Workload
from capkit.yamlfile import parse_yaml, read_yaml

#: Universal fields whose default is a price: read from the catalog, not from code.
DEFAULTS_FROM_CATALOG = {"payment_fee_rate": "payments.card.fee_rate", "payment_fee_usd": "payments.card.fee_usd"}


class DefaultOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float = Field(allow_inf_nan=False)
    source: str = Field(min_length=1)


class ComponentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: str
    params: dict[str, Any] = {}


class StackFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = ""
    seeds: list[str] = []
    region: str = ""
    defaults: dict[str, DefaultOverride] = {}
    assumptions: dict[str, AssumptionSpec] = {}
    components: list[ComponentSpec] = Field(min_length=1)


def presets_dir() -> Path:
    """The folder of the bundled stack presets."""
    return Path(str(resources.files("capkit") / "stacks"))


def preset_names() -> list[str]:
    """Names of the bundled presets."""
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


class Stack:
    """A validated stack: its workload specs and its built components."""

    def __init__(self, spec: StackFile, components: list[Component], specs: dict[str, AssumptionSpec], path: Path):
        self.spec = spec
        self.name = spec.name
        self.title = spec.title
        self.components = components
        self.specs = specs
        self.path = path
        self.catalog = components[0].catalog if components else default_catalog()

    @property
    def assumptions(self) -> dict[str, AssumptionSpec]:
        """The stack's own assumptions (the universal fields excluded)."""
        return {k: v for k, v in self.specs.items() if k not in UNIVERSAL}

    def workload(self, **overrides: object) -> Workload:
        """The stack's default workload with ``overrides`` (any declared field)."""
        return Workload.build(self.specs, overrides, context=f"stack {self.name}")

    def component(self, id: str) -> Component:
        for c in self.components:
            if c.id == id:
                return c
        raise InputError(
            f"stack {self.name} has no component {id!r}; it has {', '.join(c.id for c in self.components)}"
        )

    def price_keys(self) -> list[str]:
        """Every catalog key the stack's components use, in order of first use."""
        seen: dict[str, None] = {}
        for c in self.components:
            seen.update(dict.fromkeys(c.price_keys))
        for key in DEFAULTS_FROM_CATALOG.values():
            seen[key] = None
        return list(seen)

    def price_entries(self) -> list[tuple[str, PriceEntry]]:
        """Every price the stack uses: catalog entries by key, then prices written in the stack file."""
        catalog = self.catalog
        rows = [(key, catalog.entry(key)) for key in self.price_keys()]
        for c in self.components:
            rows.extend(c.own_prices.items())
        return rows


def universal_specs(catalog: Catalog) -> dict[str, AssumptionSpec]:
    """The universal fields, with price defaults read from the catalog."""
    specs = dict(UNIVERSAL)
    for field, key in DEFAULTS_FROM_CATALOG.items():
        specs[field] = specs[field].model_copy(
            update={"default": catalog.value(key), "source": f"pricing catalog {key}"}
        )
    return specs


def build_stack(raw: Mapping[str, Any], path: Path, catalog: Catalog | None = None, label: str = "") -> Stack:
    """Validate a parsed stack file and build its components; errors name it by ``label``
    (its path unless given)."""
    catalog = catalog or default_catalog()
    name = label or str(path)
    try:
        spec = StackFile.model_validate(raw)
    except ValidationError as exc:
        raise StackError(f"{name}: {first_error(exc, StackFile)}") from None
    specs = universal_specs(catalog)
    for key, override in spec.defaults.items():
        if key not in specs:
            raise StackError(f"{name}: defaults.{key}: not a universal field; allowed: {', '.join(UNIVERSAL)}")
        base = specs[key]
        if not base.min <= override.value <= base.max:
            raise StackError(f"{name}: defaults.{key}: {override.value} is outside [{base.min}, {base.max}]")
        specs[key] = base.model_copy(update={"default": override.value, "source": override.source})
    for key, a in spec.assumptions.items():
        if key in UNIVERSAL:
            raise StackError(f"{name}: assumptions.{key}: a universal field; change its default under defaults")
        specs[key] = a
    components: list[Component] = []
    ids = [c.id for c in spec.components]
    if len(set(ids)) != len(ids):
        raise StackError(f"{name}: components: ids must be unique, got {ids}")
    for i, c in enumerate(spec.components):
        where = f"{name}: components[{i}] ({c.id})"
        if c.type not in REGISTRY:
            raise StackError(f"{where}: type {c.type!r} is not one of: {', '.join(sorted(REGISTRY))}")
        comp = REGISTRY[c.type](c.id, c.params, catalog, where)
        needed = list(comp.requires) + list(comp.assumption_refs)
        missing = [k for k in needed if k not in specs]
        if missing:
            raise StackError(f"{where}: needs assumption {missing[0]!r}; declare it under assumptions")
        components.append(comp)
    by_id = {c.id: c for c in components}
    for c in components:
        unknown = [cid for cid in c.client_ids() if cid not in by_id]
        if unknown:
            raise StackError(f"{c.where}: clients: no component {unknown[0]!r} in the stack; it has {', '.join(ids)}")
        c.bind(by_id)
    return Stack(spec, components, specs, path)


def component_reads(comp: Component, wl: Workload, universal: bool = False) -> set[str]:
    """The assumptions ``comp`` reads on ``wl``, found by running every one of its functions
    on a workload that records each field read (universal fields aside unless ``universal``)."""
    recorder = wl.recording()
    comp.metrics(recorder)
    comp.costs(recorder)
    comp.queue(recorder)
    comp.notes(recorder)
    comp.db_connections(recorder)
    return set(recorder.reads) if universal else recorder.reads - set(UNIVERSAL)


def undeclared_reads(stack: Stack) -> list[str]:
    """One line per assumption a component reads without declaring it in ``requires`` (or in
    its params). A database also reads through its clients what they declare."""
    wl = stack.workload()
    problems = []
    by_id = {c.id: c for c in stack.components}
    for comp in stack.components:
        allowed = {*comp.requires, *comp.assumption_refs}
        for cid in comp.client_ids():
            allowed |= {*by_id[cid].requires, *by_id[cid].assumption_refs}
        problems += [
            f"component {comp.id} ({comp.type}) reads assumption {key!r} without declaring it"
            for key in sorted(component_reads(comp, wl) - allowed)
        ]
    return problems


def unread_assumptions(stack: Stack) -> list[str]:
    """Assumptions the stack declares that no component reads (harmless; often a leftover)."""
    read = {k for c in stack.components for k in (*c.requires, *c.assumption_refs)}
    return [k for k in stack.specs if k not in read and k not in UNIVERSAL]


#: Stack file names a page may give: a path of printable characters, at most this long.
MAX_NAME_CHARS = 1024
#: The suffixes of a stack file; nothing else is read.
STACK_SUFFIXES = (".yaml", ".yml")


def stack_source(name: str, root: Path | str | None = None) -> tuple[Path, str]:
    """The file behind a stack name, and the label errors name it by.

    A preset name gives the bundled preset. Anything else is a path to a ``.yaml`` or ``.yml``
    file. With ``root`` (the folder ``capkit app`` serves), the path is taken relative to it,
    every symlink is followed, and the final file must still lie under ``root``; the label is
    then the path relative to ``root``, so a page never shows the server's absolute paths.
    ``root=None`` (the CLI, notebooks) allows any path. Every face resolves names here.
    """
    if name in preset_names():
        return presets_dir() / f"{name}.yaml", f"{name}.yaml"
    if not name or len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise InputError(
            f"stack {shown(name)}: not a preset ({', '.join(preset_names())}) nor a stack file path "
            f"(printable, at most {MAX_NAME_CHARS} characters)"
        )
    try:
        base = Path(root).resolve() if root is not None else None
        final = (base / name if base else Path(name)).resolve()
    except (OSError, RuntimeError) as exc:  # a path too long, a symlink loop
        raise InputError(f"stack {shown(name)}: not a usable path ({type(exc).__name__})") from None
    if base is None:
        label = name
    else:
        if not final.is_relative_to(base):
            raise InputError(f"stack {shown(name)} is refused: the planner opens stack files under its folder only")
        label = final.relative_to(base).as_posix()
    if final.suffix not in STACK_SUFFIXES:
        raise InputError(
            f"unknown stack {shown(name)}: not a preset ({', '.join(preset_names())}) nor a .yaml or .yml file"
        )
    try:
        is_file = final.is_file()
    except OSError:
        is_file = False
    if not is_file:
        raise InputError(f"unknown stack {shown(name)}: no such file; presets: {', '.join(preset_names())}")
    return final, label


def load_stack(name_or_path: str | Path, catalog: Catalog | None = None, root: Path | str | None = None) -> Stack:
    """A preset by name or a stack YAML file by path, validated (pydantic) on load.

    Parameters
    ----------
    name_or_path : str or Path
        A preset name (``aws-serverless``; :func:`preset_names` lists them) or the path of a
        ``.yaml`` or ``.yml`` stack file (see :func:`stack_source`).
    catalog : Catalog, optional
        The prices and limits (default: the bundled catalog, :func:`default_catalog`).
    root : path, optional
        A folder a stack file must lie under (the app's), or anywhere when None.

    Returns
    -------
    Stack
        Its components and its assumptions (``specs``: default, unit, range and source each).
    """
    path, label = stack_source(str(name_or_path), root)
    return _stack_of(read_yaml(path, label, StackError), path, catalog, label)


def stack_from_yaml(text: str, label: str = "<inline stack>", catalog: Catalog | None = None) -> Stack:
    """A stack from YAML text (a stack file's content, written in a notebook cell), validated
    as a file is; errors name ``label``."""
    return _stack_of(parse_yaml(text, label, StackError), Path(label), catalog, label)


def _stack_of(raw: Any, path: Path, catalog: Catalog | None, label: str) -> Stack:
    if not (isinstance(raw, dict) and {"name", "title", "components"} <= raw.keys()):
        raise StackError(f"{label}: not a stack file (a mapping with name, title and components)")
    return build_stack(raw, path, catalog, label)
