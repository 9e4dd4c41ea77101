"""Exports: a plan or a sweep as CSV or JSON, and a plan's usage as an Infracost usage file.

Every number comes from the same evaluation the CLI prints; these functions only reshape it.
``capkit plan --format``, ``capkit sweep --format`` and ``capkit export infracost`` call them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import yaml

from capkit.engine import evaluate_arrays
from capkit.errors import InputError
from capkit.plan import Plan, json_value
from capkit.stack import Stack
from capkit.workload import Workload

INFRACOST_DOCS = "https://www.infracost.io/docs/features/usage_based_resources/"


def plan_frame(plan: Plan) -> pd.DataFrame:
    """A plan as one long table: inputs, summary, load rows and cost rows, one per line.

    Columns: section, component, name, value, unit, limit, utilization, max_users, status,
    cost_usd. Sections: input, summary (with sizing and fits), configuration (the options each
    component runs with), action (what changes from the stack as written), load, cost. A
    spreadsheet filters on section; empty cells mean "not applicable" or "never".
    """
    rows: list[dict[str, Any]] = [{"section": "input", "name": k, "value": v} for k, v in plan.workload.items()]
    s = plan.summary
    for key in ("monthly_cost_usd", "cost_per_user_usd", "paying_users", "revenue_usd", "profit_usd", "margin"):
        rows.append({"section": "summary", "name": key, "value": s[key]})
    b = s["bottleneck"]
    rows.append(
        {"section": "summary", "name": "bottleneck", "value": None if b is None else f"{b['component']}.{b['metric']}"}
    )
    rows.append({"section": "summary", "name": "max_users", "value": s["max_users"]})
    rows.append({"section": "summary", "name": "sizing", "value": plan.sizing})
    rows.append({"section": "summary", "name": "fits", "value": plan.fits})
    for cid, option in plan.configuration.items():
        rows += [{"section": "configuration", "component": cid, "name": k, "value": v} for k, v in option.items()]
    rows += [{"section": "action", "name": "action", "value": a} for a in plan.actions]
    for r in plan.load.itertuples():
        rows.append(
            {
                "section": "load",
                "component": r.component,
                "name": r.metric,
                "key": r.metric,
                "value": r.demand,
                "unit": r.unit,
                "limit": r.limit,
                "utilization": r.utilization,
                "max_users": r.max_users,
                "status": r.status,
            }
        )
    for r in plan.cost.itertuples():
        rows.append(
            {
                "section": "cost",
                "component": r.component,
                "name": r.item,
                "key": r.key,
                "value": r.quantity,
                "unit": r.unit,
                "cost_usd": r.cost_usd,
            }
        )
    columns = [
        "section",
        "component",
        "name",
        "key",
        "value",
        "unit",
        "limit",
        "utilization",
        "max_users",
        "status",
        "cost_usd",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(object).map(json_value).where(frame.notna(), None)


#: What a spreadsheet reads as a formula at the start of a cell (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
    carriage return) written as text, with a leading apostrophe; numbers, and text that reads
    as a number ("-5"), stay as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


#: Significant digits of a number in CSV: past them a float's binary noise shows (0.1 x 3 is
#: 0.30000000000000004); twelve keep every figure capkit computes and no noise.
CSV_DIGITS = 12


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV for spreadsheets: no index, formula-like text cells neutralised, numbers
    to :data:`CSV_DIGITS` significant digits (454.529, not 454.52900000000005)."""
    return frame.map(spreadsheet_cell).to_csv(index=False, float_format=f"%.{CSV_DIGITS}g")


def plan_csv(plan: Plan) -> str:
    return csv_text(plan_frame(plan))


def plan_json(plan: Plan) -> str:
    """The JSON contract of ``capkit plan --json``."""
    return json.dumps(plan.to_json(), indent=2) + "\n"


def sweep_json(table: pd.DataFrame) -> str:
    """A sweep as JSON records (one per user level); infinite max_users become null."""
    records = [{k: json_value(v) for k, v in row.items()} for row in table.astype(object).to_dict(orient="records")]
    return json.dumps(records, indent=1, default=_json_default) + "\n"


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return json_value(x.item())
    if x is pd.NA:
        return None
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


# --- Infracost --------------------------------------------------------------------------------
def _count(x: np.ndarray) -> int:
    return int(round(float(np.asarray(x).ravel()[0])))


def _gb(x: np.ndarray) -> float:
    return round(float(np.asarray(x).ravel()[0]), 3)


def infracost_usage(stack: Stack, wl: Workload) -> dict[str, Any]:
    """The plan's monthly usage in Infracost's usage-file format (``version: 0.1``).

    One Lambda function and one S3 bucket go under ``resource_type_default_usage`` (they apply to
    every resource of the type); DynamoDB tables go there too when there is one, else each under
    ``resource_usage`` as ``aws_dynamodb_table.<table name>`` (rename to your Terraform addresses).
    """
    ev = evaluate_arrays(stack, wl)
    defaults: dict[str, Any] = {}
    per_resource: dict[str, Any] = {}
    for comp in stack.components:
        items = {c.item.key: c.item.quantity for c in ev.costs if c.component == comp.id}
        if comp.type == "aws_lambda":
            defaults["aws_lambda_function"] = {
                "monthly_requests": _count(items["requests"]),  # invocations a month
                "request_duration_ms": _count(wl["duration_ms"]),
            }
        elif comp.type == "aws_s3":
            defaults["aws_s3_bucket"] = {
                "standard": {
                    "storage_gb": _gb(items["storage"]),
                    "monthly_tier_1_requests": _count(items["put_requests"]),  # PUT, COPY, POST, LIST
                    "monthly_tier_2_requests": _count(items["get_requests"]),  # GET and the rest
                }
            }
        elif comp.type == "aws_dynamodb":
            tables = comp.table_usage(wl)
            for t in tables:
                usage = {
                    "monthly_read_request_units": _count(t["read_units"]),
                    "monthly_write_request_units": _count(t["write_units"]),
                    "storage_gb": _gb(t["storage_gb"]),
                }
                if comp.params.pitr:
                    usage["pitr_backup_storage_gb"] = _gb(t["storage_gb"])
                if len(tables) == 1:
                    defaults["aws_dynamodb_table"] = usage
                else:
                    per_resource[f"aws_dynamodb_table.{t['table']}"] = usage
    if not defaults and not per_resource:
        raise InputError(
            f"stack {stack.name} has no component Infracost prices from usage (aws_lambda, aws_dynamodb, aws_s3)"
        )
    out: dict[str, Any] = {"version": "0.1", "resource_type_default_usage": defaults}
    if per_resource:
        out["resource_usage"] = per_resource
    return out


def infracost_yaml(stack: Stack, wl: Workload) -> str:
    """The usage file as YAML, with a header saying where its numbers come from."""
    usage = infracost_usage(stack, wl)
    skipped = [c.id for c in stack.components if c.type not in ("aws_lambda", "aws_s3", "aws_dynamodb")]
    header = [
        f"# Infracost usage file from capkit: stack {stack.name} at {_count(wl.users):,} daily active users,",
        f"# {float(wl.calls_per_user[0]):g} calls per user per day, {float(wl.days_per_month[0]):g} days a month.",
        f"# Use: infracost breakdown --path . --usage-file infracost-usage.yml   (see {INFRACOST_DOCS})",
    ]
    if "resource_usage" in usage:
        header.append("# DynamoDB tables are keyed by table name: rename them to your Terraform resource addresses.")
    if skipped:
        header.append(f"# Not exported (no usage-based Infracost resource): {', '.join(skipped)}.")
    return "\n".join(header) + "\n" + yaml.safe_dump(usage, sort_keys=False)
