"""The pricing catalog: prices and limits loaded from data/pricing/*.yaml and validated.

Each file holds one provider's entries. An entry has a value, a unit, a source URL, the date
it was read (as_of) and a confidence. Keys are flat and dotted, ``<provider>.<key>``, like
``aws.lambda.request_usd_per_million``: the catalog is a registry, in the manner of pint's
definitions file, and the components look their numbers up in it by key.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from capkit.errors import PricingDataError, first_error
from capkit.yamlfile import read_yaml

ModelT = TypeVar("ModelT", bound=BaseModel)

#: The field that marks a plan unfit for a paying product: ``render.web.free.production`` is 0,
#: and its note says why (it sleeps, expires, pauses, or is for non-commercial use only).
PRODUCTION_FIELD = "production"

#: An entry older than this is flagged as stale by ``capkit pricing``.
STALE_AFTER_DAYS = 365


class PriceEntry(BaseModel):
    """One price or limit, with where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1)
    source: HttpUrl
    as_of: dt.date
    confidence: Literal["high", "medium", "low"]
    note: str = ""


class _PricingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    entries: dict[str, PriceEntry]


def data_path(name: str) -> Path:
    """``data/<name>``: inside the installed wheel (capkit/data), else the checkout's data/."""
    packaged = resources.files("capkit") / "data" / name
    if packaged.is_dir() or packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "data" / name


#: Environment variable naming a folder of pricing files to use instead of the bundled ones
#: (prices you negotiated, or a frozen copy that tests compute by hand against).
PRICING_DIR_VARIABLE = "CAPKIT_PRICING_DIR"


def data_model(name: str, model: type[ModelT]) -> ModelT:
    """``data/<name>`` (YAML) validated by the pydantic ``model``; a bad file raises
    PricingDataError naming the file and the first field at fault."""
    path = data_path(name)
    try:
        return model.model_validate(read_yaml(path, str(path), PricingDataError))
    except ValidationError as exc:
        raise PricingDataError(f"{path}: {first_error(exc, model)}") from None


def data_dir() -> Path:
    """The folder holding pricing YAML files: ``$CAPKIT_PRICING_DIR`` if set, else the bundled data."""
    chosen = os.environ.get(PRICING_DIR_VARIABLE)
    if not chosen:
        return data_path("pricing")
    if not Path(chosen).is_dir():
        raise PricingDataError(f"{PRICING_DIR_VARIABLE}={chosen}: not a folder; unset it to use the bundled prices")
    return Path(chosen)


def load_pricing_file(path: Path) -> dict[str, PriceEntry]:
    """Read and validate one pricing file; keys come back prefixed with the provider."""
    raw = read_yaml(path, str(path), PricingDataError)
    if not isinstance(raw, dict):
        raise PricingDataError(f"{path}: expected a mapping with provider, title, entries")
    entries = raw.get("entries")
    if isinstance(entries, dict):
        for key, entry in entries.items():
            try:
                PriceEntry.model_validate(entry)
            except ValidationError as exc:
                raise PricingDataError(f"{path}: entry {key}: {first_error(exc, PriceEntry)}") from None
    try:
        parsed = _PricingFile.model_validate(raw)
    except ValidationError as exc:
        raise PricingDataError(f"{path}: {first_error(exc, _PricingFile)}") from None
    return {f"{parsed.provider}.{key}": entry for key, entry in parsed.entries.items()}


class Catalog:
    """Every price and limit, by dotted key. Build one with :func:`load_catalog`."""

    def __init__(self, entries: dict[str, PriceEntry], files: dict[str, Path]):
        self._entries = entries
        self._files = files
        self._names: dict[str, list[str]] = {}  # names() by prefix; entries never change

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, key: str) -> PriceEntry:
        """The entry for ``key``; a PricingDataError names the missing key."""
        try:
            return self._entries[key]
        except KeyError:
            raise PricingDataError(f"pricing catalog has no entry {key!r} (files: {data_dir()})") from None

    def value(self, key: str) -> float:
        """The number stored under ``key``."""
        return self.entry(key).value

    def names(self, prefix: str) -> list[str]:
        """The distinct next key parts under ``prefix``: the plan names of a plan table."""
        start = prefix.rstrip(".") + "."
        cache = self._names
        if start not in cache:
            seen: dict[str, None] = {}
            for key in self._entries:
                if key.startswith(start):
                    seen[key[len(start) :].split(".", 1)[0]] = None
            cache[start] = list(seen)
        return list(cache[start])

    def plans(self, prefix: str, field: str = "price_usd_per_month") -> list[str]:
        """The plan names under ``prefix``: the names that have a ``field`` (their price)."""
        return [name for name in self.names(prefix) if f"{prefix}.{name}.{field}" in self._entries]

    def unfit_reason(self, prefix: str, plan: object) -> str | None:
        """Why plan ``plan`` of the table ``prefix`` is unfit for a product that takes money
        (its ``<prefix>.<plan>.production`` entry is 0: it sleeps, expires, pauses or is for
        non-commercial use), in the entry's own words; None for a plan fit for production."""
        key = f"{prefix}.{plan}.{PRODUCTION_FIELD}"
        if key not in self._entries or self._entries[key].value:
            return None
        return self._entries[key].note or f"the provider does not offer {plan} for production use"

    def with_values(self, values: Mapping[str, float], note: str) -> Catalog:
        """A copy with some values replaced (unit and source kept; ``note`` says why, confidence low).

        The case studies use it to price a stack with a document's own prices.
        """
        entries = dict(self._entries)
        for key, value in values.items():
            entries[key] = self.entry(key).model_copy(update={"value": value, "note": note, "confidence": "low"})
        return Catalog(entries, dict(self._files))

    def is_stale(self, key: str, today: dt.date | None = None) -> bool:
        """True when the entry was read more than STALE_AFTER_DAYS before ``today``."""
        return is_stale(self.entry(key), today)


def is_stale(entry: PriceEntry, today: dt.date | None = None) -> bool:
    """True when ``entry`` was read more than STALE_AFTER_DAYS before ``today`` (default: today)."""
    return ((today or dt.date.today()) - entry.as_of).days > STALE_AFTER_DAYS


def load_catalog(directory: Path | str | None = None) -> Catalog:
    """Load every ``*.yaml`` in ``directory`` (default: the bundled pricing data)."""
    directory = Path(directory) if directory is not None else data_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise PricingDataError(f"{directory}: no pricing files (*.yaml) found")
    entries: dict[str, PriceEntry] = {}
    providers: dict[str, Path] = {}
    for path in files:
        loaded = load_pricing_file(path)
        provider = next(iter(loaded)).split(".", 1)[0] if loaded else path.stem
        if provider in providers:
            raise PricingDataError(f"{path}: provider {provider!r} also in {providers[provider]}")
        providers[provider] = path
        entries.update(loaded)
    return Catalog(entries, providers)


@functools.cache
def default_catalog() -> Catalog:
    """The bundled catalog, loaded once per process."""
    return load_catalog()
