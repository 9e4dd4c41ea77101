"""Bills in: AWS Cost and Usage Reports, Google Cloud billing exports and capkit's own CSV,
read into one table of monthly lines, and mapped to a stack's cost items by data/bill-mapping.yaml.

Column dictionaries followed:
- AWS CUR (legacy): https://docs.aws.amazon.com/cur/latest/userguide/Lineitem-columns.html
  (``lineItem/UsageStartDate``, ``lineItem/ProductCode``, ``lineItem/UsageType``,
  ``lineItem/UsageAmount``, ``lineItem/UnblendedCost``, ``lineItem/CurrencyCode``);
- AWS CUR 2.0: https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
  (``line_item_usage_start_date``, ``line_item_product_code``, ...);
- Google Cloud standard usage cost export:
  https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage
  (``service.description``, ``sku.description``, ``usage.amount``, ``usage.unit``, ``cost``,
  ``currency``, ``usage_start_time``), as a CSV with those column names;
- FOCUS 1.0 and later, the FinOps Open Cost and Usage Specification that AWS Data Exports,
  Google Cloud, Azure and Oracle produce: https://focus.finops.org/focus-specification/v1-0/
  (``ServiceName``, ``ChargeDescription``, ``ConsumedQuantity``, ``ConsumedUnit``,
  ``BilledCost`` or ``EffectiveCost``, ``BillingCurrency``, ``ChargeCategory``,
  ``ChargeClass``, ``ChargePeriodStart``, ``ChargePeriodEnd``; ``NULL`` for an empty value);
- capkit's CSV: ``month,component,item,quantity,cost_usd`` (an invoice copied by hand; ``item``
  is a cost item key, see ``capkit plan --format json``).

Each line has a kind from its line type (CUR ``lineItem/LineItemType``, FOCUS ``ChargeCategory``
and ``ChargeClass``, Google's ``cost_type``; data/bill-mapping.yaml's ``line_types``): usage
lines are what the model predicts; tax, credits, refunds, discounts, savings plans,
reservations, fees and corrections are kept apart with their totals.

Every refusal names the file, the row (as a spreadsheet numbers it: the header is row 1) and
what is allowed.
"""

from __future__ import annotations

import calendar
import fnmatch
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from capkit.csvfile import read_table
from capkit.errors import InputError
from capkit.pricing import data_model
from capkit.stack import Stack
from capkit.units import BYTES_PER_GIB, S_PER_DAY

#: A bill's columns by format: what capkit reads, under each format's own names.
FORMATS: dict[str, dict[str, str]] = {
    "aws-cur": {
        "start": "lineItem/UsageStartDate",
        "end": "lineItem/UsageEndDate",
        "service": "lineItem/ProductCode",
        "usage": "lineItem/UsageType",
        "quantity": "lineItem/UsageAmount",
        "cost": "lineItem/UnblendedCost",
        "currency": "lineItem/CurrencyCode",
        "category": "lineItem/LineItemType",
    },
    "aws-cur2": {
        "start": "line_item_usage_start_date",
        "end": "line_item_usage_end_date",
        "service": "line_item_product_code",
        "usage": "line_item_usage_type",
        "quantity": "line_item_usage_amount",
        "cost": "line_item_unblended_cost",
        "currency": "line_item_currency_code",
        "category": "line_item_line_item_type",
    },
    "focus": {
        "start": "ChargePeriodStart",
        "end": "ChargePeriodEnd",
        "service": "ServiceName",
        "usage": "ChargeDescription",
        "quantity": "ConsumedQuantity",
        "unit": "ConsumedUnit",
        "cost": "BilledCost",
        "currency": "BillingCurrency",
        "category": "ChargeCategory",
        "class": "ChargeClass",
    },
    "gcp": {
        "start": "usage_start_time",
        "end": "usage_end_time",
        "service": "service.description",
        "usage": "sku.description",
        "quantity": "usage.amount",
        "unit": "usage.unit",
        "cost": "cost",
        "currency": "currency",
        "category": "cost_type",
    },
    "capkit": {"month": "month", "component": "component", "usage": "item", "quantity": "quantity", "cost": "cost_usd"},
}
#: Columns a format cannot do without (the rest are read when present).
REQUIRED = {"start", "service", "usage", "quantity", "cost", "month", "component"}
#: How FOCUS (and some exports) write an empty value.
EMPTY = {"", "null", "none", "nan"}
#: The kind of a line the model predicts; every other kind is kept apart (see line_types).
USAGE = "usage"


@dataclass(frozen=True)
class Bill:
    """One bill file as monthly lines: file, row, month (YYYY-MM), service, usage (usage type,
    SKU or charge description), component (capkit CSV only), quantity, unit, cost_usd and kind
    (usage, tax, credit...); the months its usage lines cover only in part (left out of a fit),
    each with why; and the cost column read."""

    path: Path
    format: str
    lines: pd.DataFrame
    partial_months: tuple[str, ...]
    cost_column: str = ""
    #: Each partial month and why, in words ("usage on 14 of its 30 days, 2026-11-01 to 2026-11-14").
    partial_why: tuple[str, ...] = ()


def _format_of(path: Path, columns: list[str]) -> str:
    for name, cols in FORMATS.items():
        if all(cols[k] in columns for k in cols if k in REQUIRED):
            return name
    expected = "; ".join(
        f"{name}: {', '.join(cols[k] for k in cols if k in REQUIRED)}" for name, cols in FORMATS.items()
    )
    raise InputError(
        f"unknown columns {', '.join(columns[:6])}...; expected one of: {expected}", what="bill", name=str(path)
    )


def _row_error(path: Path, row: int, column: str, value: object, detail: str, allowed: str | None = None) -> InputError:
    """A bill row refused: the file, the row as a spreadsheet numbers it, the column, the value."""
    return InputError(
        f"row {row}: {detail}", what="bill", name=str(path), row=row, field=column, value=value, allowed=allowed
    )


def _numbers(path: Path, frame: pd.DataFrame, column: str, usage: np.ndarray, negative: bool = True) -> np.ndarray:
    """A column of amounts, each a finite number. Negative ones stay (a credit's cost; a usage
    line reversing an earlier one, as real exports carry) unless not ``negative`` (an invoice
    copied by hand has no reversals); an empty value (FOCUS writes NULL) is 0 on a line that
    is not usage and refused on a usage line."""
    text = frame[column].str.strip()
    empty = text.str.lower().isin(EMPTY).to_numpy()
    values = pd.to_numeric(text.where(~empty, "0"), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (usage & empty) | (~negative & (values < 0))
    if bad.any():
        i = int(np.argmax(bad))
        allowed = (
            "a number of at least 0"
            if not negative
            else "a number (a usage line needs one)"
            if usage[i]
            else "a number or empty"
        )
        raise _row_error(
            path,
            i + 2,
            column,
            frame[column].iloc[i],
            f"{column} {frame[column].iloc[i]!r} is not allowed: {allowed}",
            allowed,
        )
    return values


def _kinds(frame: pd.DataFrame, cols: dict[str, str]) -> np.ndarray:
    """Each line's kind from its line type (data/bill-mapping.yaml's line_types): usage, tax,
    credit...; a FOCUS correction (ChargeClass Correction) is a correction whatever its
    category; an unknown type is "other (TYPE)"; without a type column every line is usage."""
    column = cols.get("category")
    if column not in frame.columns:
        return np.full(len(frame), USAGE, dtype=object)
    known = {k.lower(): v for k, v in mapping().line_types.items()}
    kinds = np.array(
        [known.get(t.strip().lower(), f"other ({t.strip()})") for t in frame[column].fillna("")], dtype=object
    )
    if cols.get("class") in frame.columns:
        kinds[frame[cols["class"]].str.strip().str.lower().eq("correction").to_numpy()] = "correction"
    return kinds


def _dates(path: Path, frame: pd.DataFrame, column: str) -> pd.Series:
    dates = pd.to_datetime(frame[column], errors="coerce", utc=True, format="mixed")
    if dates.isna().any():
        i = int(np.argmax(dates.isna().to_numpy()))
        raise _row_error(
            path, i + 2, column, frame[column].iloc[i], f"{column} {frame[column].iloc[i]!r} is not a date"
        )
    return dates.dt.tz_localize(None)


def read_bill(path: Path | str, cost_column: str | None = None) -> Bill:
    """Read one bill (the format is told by its columns); refuse empty bills, unknown columns,
    currencies other than USD, amounts that are not numbers and unreadable dates.

    ``cost_column`` picks the cost (default: the format's billed cost, ``lineItem/UnblendedCost``,
    ``BilledCost``, ``cost``; for example ``EffectiveCost`` or ``lineItem/NetUnblendedCost`` for
    the cost after discounts and commitments)."""
    path = Path(path)
    raw = read_table(path, "bill", "a CSV bill with a header and lines")
    fmt = _format_of(path, list(raw.columns))
    if raw.empty:
        raise InputError("no lines under the header; expected at least one month of usage", what="bill", name=str(path))
    cols = dict(FORMATS[fmt])
    if cost_column is not None:
        if cost_column not in raw.columns:
            costs = [c for c in raw.columns if "cost" in c.lower()]
            raise InputError(
                f"not a column of {path.name}; its cost columns: {', '.join(costs) or 'none'}",
                what="cost_column",
                name=repr(cost_column),
                allowed=", ".join(costs),
            )
        cols["cost"] = cost_column
    currency = cols.get("currency")
    if currency in raw.columns:
        other = raw[currency].str.strip().str.upper().ne("USD")
        if other.any():
            i = int(np.argmax(other.to_numpy()))
            raise _row_error(
                path,
                i + 2,
                currency,
                raw[currency].iloc[i],
                f"currency {raw[currency].iloc[i]!r} is not allowed: "
                "every line must say USD (capkit's prices are in USD; export the bill in USD)",
                "USD",
            )
    kind = _kinds(raw, cols)
    usage = kind == USAGE
    lines = pd.DataFrame(
        {
            "file": str(path),
            "row": np.arange(2, len(raw) + 2),
            "service": _text(raw, cols.get("service")),
            "usage": _text(raw, cols["usage"]),
            "component": _text(raw, cols.get("component")),
            "quantity": _numbers(path, raw, cols["quantity"], usage, negative=fmt != "capkit"),
            "unit": _text(raw, cols.get("unit")),
            "cost_usd": _numbers(path, raw, cols["cost"], usage),
            "kind": kind,
        }
    )
    partial: dict[str, str] = {}
    if fmt == "capkit":
        months = pd.to_datetime(raw["month"].str.strip(), format="%Y-%m", errors="coerce")
        if months.isna().any():
            i = int(np.argmax(months.isna().to_numpy()))
            raise _row_error(
                path, i + 2, "month", raw["month"].iloc[i], f"month {raw['month'].iloc[i]!r} is not YYYY-MM", "YYYY-MM"
            )
        lines["month"] = months.dt.strftime("%Y-%m").to_numpy()
    else:
        start = _dates(path, raw, cols["start"])
        end = _dates(path, raw, cols["end"]) if cols["end"] in raw.columns else None
        lines["month"] = start.dt.strftime("%Y-%m").to_numpy()
        partial = _partial_months(start[usage], None if end is None else end[usage])
        if fmt == "gcp":
            lines.loc[usage, "quantity"] = _gcp_quantities(path, lines[usage])
    return Bill(path, fmt, lines, tuple(partial), cols["cost"], tuple(partial.values()))


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series | str:
    """A text column stripped, FOCUS's NULL as empty; "" where the format has no such column."""
    if column is None or column not in frame.columns:
        return ""
    text = frame[column].str.strip()
    return text.where(~text.str.lower().isin(EMPTY), "")


def _partial_months(start: pd.Series, end: pd.Series | None) -> dict[str, str]:
    """The months the usage lines do not cover day by day, each with why.

    A month is full when every one of its days has usage: the days from each line's start to
    its end (the end excluded, as providers write the next hour or day), or the start day alone
    without an end. Monthly line items (every line starting on the 1st and ending on the next
    1st or without an end) cover the whole month. Lines of other kinds (tax, credits) are not
    usage and prove nothing: a bill's tax is dated to the whole billing period."""
    out: dict[str, str] = {}
    month = start.dt.to_period("M")
    for period in sorted(month.unique()):
        s = start[month == period]
        first, n_days = period.start_time, period.days_in_month
        e = None if end is None else end[month == period]
        monthly = (s == first).all() and (e is None or (e == period.end_time.normalize() + pd.Timedelta(days=1)).all())
        if monthly:
            continue
        # Each line's first and last day of the month (0-based), counted on a difference array.
        stop = s if e is None else np.maximum(s, e - pd.Timedelta(microseconds=1))
        first_day = (s.dt.normalize() - first).dt.days.to_numpy()
        last_day = np.minimum((stop.dt.normalize() - first).dt.days.to_numpy(), n_days - 1)
        steps = np.zeros(n_days + 1)
        np.add.at(steps, first_day, 1)
        np.add.at(steps, last_day + 1, -1)
        days = np.flatnonzero(np.cumsum(steps)[:n_days] > 0) + 1
        if len(days) < n_days:
            span = f", {period}-{days[0]:02d} to {period}-{days[-1]:02d}" if len(days) else ""
            out[str(period)] = f"{period}: usage on {len(days)} of its {n_days} days{span}"
    return out


def _gcp_quantities(path: Path, lines: pd.DataFrame) -> np.ndarray:
    """Google Cloud usage in capkit's units: storage byte-seconds as GiB-months (over the
    month's own length), the other units by data/bill-mapping.yaml's factors."""
    factors = mapping().gcp_units
    out = lines["quantity"].to_numpy(dtype=float).copy()
    for i, unit in enumerate(lines["unit"].str.lower()):
        if unit == "byte-seconds":
            days = days_in(lines["month"].iloc[i])
            out[i] = out[i] / BYTES_PER_GIB / (days * S_PER_DAY)  # byte-seconds to GiB-months
        elif unit in factors:
            out[i] = out[i] * factors[unit]
        else:
            allowed = ", ".join(["byte-seconds", *factors])
            raise _row_error(path, i + 2, "usage.unit", unit, f"usage.unit {unit!r} is not one of: {allowed}", allowed)
    return out


# --- mapping --------------------------------------------------------------------------------
class Rule(BaseModel):
    """A bill line pattern and the cost items it bills."""

    model_config = ConfigDict(extra="forbid")

    product: str | None = None
    usage_type: str | None = None
    service: str | None = None
    sku: str | None = None
    #: FOCUS: the charge description and the consumed unit.
    description: str | None = None
    unit: str | None = None
    type: str = Field(min_length=1)
    items: list[str] = Field(min_length=1)
    scale: float = Field(1.0, gt=0, allow_inf_nan=False)

    def matches(self, service: str, usage: str, unit: str = "") -> bool:
        """Whether a line of ``service`` and ``usage`` (usage type, SKU or description) in
        ``unit`` matches this rule's patterns (globs, without case)."""
        svc = self.product if self.product is not None else self.service
        use = self.usage_type or self.sku or self.description
        return all(
            fnmatch.fnmatch(text.lower(), (pattern or "*").lower())
            for text, pattern in ((service, svc), (usage, use), (unit, self.unit))
        )


class BillMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aws: list[Rule]
    gcp: list[Rule]
    focus: list[Rule]
    gcp_units: dict[str, float]
    #: A line type (CUR, FOCUS, Google) -> its kind: usage, or what else it is (tax, credit...).
    line_types: dict[str, str]


@functools.cache
def mapping() -> BillMapping:
    """data/bill-mapping.yaml, validated."""
    return data_model("bill-mapping.yaml", BillMapping)


def map_lines(stack: Stack, bills: list[Bill]) -> pd.DataFrame:
    """Every bill line with the component id and item keys it bills in ``stack`` (empty where
    none: listed, never dropped). A line goes to the first component of the rule's type;
    capkit's CSV names its component and item key itself."""
    by_type: dict[str, str] = {}
    for c in stack.components:
        by_type.setdefault(c.type, c.id)
    keys_of = {c.id: {i.key for i in c.costs(stack.workload())} for c in stack.components}
    frames = []
    for bill in bills:
        lines = bill.lines.copy()
        rules = {"aws-cur": mapping().aws, "aws-cur2": mapping().aws, "focus": mapping().focus}.get(
            bill.format, mapping().gcp
        )
        targets, items, scales = [], [], []
        for r in lines.itertuples():
            if r.kind != USAGE:  # tax, credits, ...: beside the fit, never in it
                targets.append("")
                items.append(())
                scales.append(1.0)
                continue
            if bill.format == "capkit":
                ok = r.component in keys_of and r.usage in keys_of[r.component]
                targets.append(r.component if ok else "")
                items.append((r.usage,) if ok else ())
                scales.append(1.0)
                continue
            rule = next((rule for rule in rules if rule.matches(r.service, r.usage, r.unit)), None)
            cid = by_type.get(rule.type, "") if rule else ""
            keys = tuple(k for k in rule.items if k in keys_of.get(cid, ())) if rule and cid else ()
            targets.append(cid if keys else "")
            items.append(keys)
            scales.append(rule.scale if rule and keys else 1.0)
        lines["target"] = targets
        lines["items"] = items
        lines["quantity"] = lines["quantity"] * np.asarray(scales)
        lines["partial"] = lines["month"].isin(bill.partial_months)
        frames.append(lines)
    return pd.concat(frames, ignore_index=True)


def line_name(target: str, items: tuple[str, ...]) -> str:
    """How a mapped line is named in tables: ``lambda: compute``, ``dynamodb: write_request_units_tables+...``."""
    return f"{target}: {'+'.join(items)}"


def users_by_month(path: Path | str, months: list[str]) -> dict[str, float]:
    """Mean daily active users in each month of ``months`` from a date,users CSV (the reports'
    actuals file); a month without a row is refused naming it."""
    from capkit.growth import read_actuals

    actuals = read_actuals(path, "users", least=1)
    period = pd.to_datetime(actuals["date"]).dt.strftime("%Y-%m")
    means = actuals.groupby(period)["users"].mean()
    missing = [m for m in months if m not in means.index]
    if missing:
        raise InputError(
            f"no daily active users for {', '.join(missing)}; add date,users rows in those months",
            what="users",
            name=str(path),
        )
    return {m: float(means[m]) for m in months}


def days_in(month: str) -> int:
    """Days in a YYYY-MM month (the billing month's length)."""
    year, mon = (int(x) for x in month.split("-"))
    return calendar.monthrange(year, mon)[1]


# --- a bill of the model's own usage (examples, tests, benchmarks) ---------------------------
#: capkit cost item -> (CUR product code, usage type without the region prefix).
CUR_USAGE = {
    ("aws_lambda", "requests"): ("AWSLambda", "Request"),
    ("aws_lambda", "compute"): ("AWSLambda", "Lambda-GB-Second"),
    ("aws_dynamodb", "read_request_units"): ("AmazonDynamoDB", "ReadRequestUnits"),
    ("aws_dynamodb", "write_request_units_tables"): ("AmazonDynamoDB", "WriteRequestUnits"),
    ("aws_dynamodb", "write_request_units_gsis"): ("AmazonDynamoDB", "WriteRequestUnits"),
    ("aws_dynamodb", "storage"): ("AmazonDynamoDB", "TimedStorage-ByteHrs"),
    ("aws_dynamodb", "pitr_storage"): ("AmazonDynamoDB", "TimedPITRStorage-ByteHrs"),
    ("aws_s3", "storage"): ("AmazonS3", "TimedStorage-ByteHrs"),
    ("aws_s3", "put_requests"): ("AmazonS3", "Requests-Tier1"),
    ("aws_s3", "get_requests"): ("AmazonS3", "Requests-Tier2"),
    ("aws_s3", "transfer_out"): ("AWSDataTransfer", "DataTransfer-Out-Bytes"),
}
CUR_COLUMNS = [
    "identity/LineItemId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedCost",
]


def model_cur(
    stack: Stack,
    values: dict[str, float],
    monthly_users: dict[str, float],
    noise: float = 0.0,
    seed: int = 0,
    region_prefix: str = "EUN1-",
    rows_per_line: int = 1,
) -> pd.DataFrame:
    """A Cost and Usage Report (legacy columns, monthly line items) of what ``stack`` bills at
    ``values`` for each month's daily active users, each line's quantity and cost times
    (1 + uniform(-noise, noise)) and split over ``rows_per_line`` rows (as operations split a
    real bill). For trying ``capkit calibrate``, and for testing and timing it."""
    from capkit.engine import evaluate_arrays

    months = list(monthly_users)
    days = np.array([days_in(m) for m in months], dtype=float)
    wl = stack.workload(**values).replace(users=np.array(list(monthly_users.values())), days_per_month=days)
    ev = evaluate_arrays(stack, wl)
    type_of = {c.id: c.type for c in stack.components}
    lines: dict[tuple[str, str], list[np.ndarray]] = {}
    for c in ev.costs:
        usage = CUR_USAGE.get((type_of[c.component], c.item.key))
        if usage:
            q = np.broadcast_to(np.asarray(c.item.quantity, dtype=float), (len(months),))
            total = lines.setdefault(usage, [np.zeros(len(months)), np.zeros(len(months))])
            total[0], total[1] = total[0] + q, total[1] + c.cost_usd
    rng = np.random.default_rng(seed)
    rows = []
    for i, month in enumerate(months):
        start = pd.Period(month, "M")
        begin, end = f"{start.start_time:%Y-%m-%d}T00:00:00Z", f"{(start + 1).start_time:%Y-%m-%d}T00:00:00Z"
        for (product, usage), (q, cost) in lines.items():
            factor = 1.0 + rng.uniform(-noise, noise)
            for part in range(rows_per_line):
                rows.append(
                    [
                        f"{month}-{len(rows)}",
                        "Usage",
                        begin,
                        end,
                        product,
                        f"{region_prefix}{usage}",
                        f"op{part}",
                        q[i] * factor / rows_per_line,
                        "USD",
                        cost[i] * factor / rows_per_line,
                    ]
                )
    return pd.DataFrame(rows, columns=CUR_COLUMNS)
