"""The capkit command line: a thin layer over the library, one function per verb.

Every verb is a function taking plain arguments and returning text (or a dict), so scripts
can call them directly; ``main`` only parses arguments and prints. Errors that are the
user's (CapkitError) print as one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

import numpy as np
import pandas as pd

from capkit import terminal
from capkit.analysis.uncertainty import MAX_DRAWS
from capkit.engine import MAX_SWEEP_LEVELS, USER_LEVELS
from capkit.errors import CapkitError, InputError, shown
from capkit.files import check_out_file, write_atomically
from capkit.plan import Plan, json_value
from capkit.pricing import STALE_AFTER_DAYS
from capkit.queueing import MAX_COUNTS, servers_for
from capkit.scenario import Scenario, compare_table, comparison
from capkit.stack import load_stack, preset_names
from capkit.tables import (
    KIND_WORDS,
    answer_parts,
    configuration_parts,
    cost_shown,
    count,
    money,
    next_limit_text,
    odds_shown,
    percentiles_shown,
    sensitivity_shown,
    share,
)
from capkit.tables import per_user as per_user_text
from capkit.workload import parse_assignments, parse_settings


def stacks_text() -> str:
    """``capkit stacks``: one line per preset."""
    from capkit.labels import labeller

    rows = []
    for name in preset_names():
        s = load_stack(name)
        names = labeller(s)
        rows.append(
            {"stack": name, "title": s.title, "components": ", ".join(names.component(c.id) for c in s.components)}
        )
    return terminal.table(pd.DataFrame(rows))


def plan(stack: str, settings: Sequence[str] = (), sizing: str = "right-sized", allow_hobby: bool = False) -> Plan:
    """``capkit plan``: a stack with ``key=value`` settings, right-sized (default) or as configured."""
    return Scenario.of(stack, parse_assignments(settings), sizing, allow_hobby=allow_hobby).plan


def plan_text(p: Plan) -> str:
    """A plan as the text the CLI prints: the cost to serve N users, its configuration and the
    actions first, then the figures, the load and every billed item, fitted to the terminal."""
    s = p.summary
    users = p.workload["users"]
    where = next_limit_text(p) or "none"
    figures = [
        ("monthly cost", money(s["monthly_cost_usd"])),
        ("cost per user", per_user_text(s["cost_per_user_usd"])),
        ("paying users", f"{s['paying_users']:,.0f}"),
        ("revenue", f"{money(s['revenue_usd'])} (after payment fees)"),
        ("margin", share(s["margin"], "n/a (no revenue)")),
        ("next limit", where),
    ]
    head = [*headline_lines(p), "", terminal.paragraph(f"{p.title} ({p.stack}) at {users:,.0f} daily active users")]
    head += [terminal.paragraph(f"{label:<16} {text}", "  ", " " * 19) for label, text in figures]
    load = p.load.assign(
        demand=p.load["demand"].map(count),
        limit=p.load["limit"].map(count),
        utilization=p.load["utilization"].map(lambda u: f"{u:.0%}" if math.isfinite(u) else "inf"),
        max_users=p.load["max_users"].map(count),
        kind=p.load["kind"].map(KIND_WORDS),
    )[["label", "demand", "limit", "unit", "utilization", "max_users", "status", "kind"]]
    load_headers = {"label": "limit", "limit": "capacity", "kind": "kind of limit"}
    parts = [
        "\n".join(head),
        "Load",
        terminal.table(load, headers=load_headers, numbers=["demand", "limit", "utilization", "max_users"]),
        "Cost (USD per month)",
        terminal.table(cost_shown(p), headers={"label": "billed item"}),
    ]
    if p.notes:
        parts.append(terminal.items("Notes", p.notes))
    return "\n\n".join(parts)


def headline_lines(p: Plan) -> list[str]:
    """The answer first (:func:`capkit.tables.answer_parts`) as terminal lines; as configured
    and over its limits, a last line says how to get the configuration that fits. A label
    takes a column of 16; its text wraps under itself, a list (actions) one item a line."""
    (lead, between, figure, after), lines = answer_parts(p, "daily active users")
    if p.sizing != "right-sized" and not p.fits:
        lines.append(("", "right-sized", ["capkit plan without --as-configured gives the configuration that fits"]))
    out = [terminal.paragraph(f"{lead}{between}{figure}{after}", "", "  ")]
    for _key, label, pieces in lines:
        if len(label) > 16:  # a longer label (not for a paying product) leads its text, with a colon
            out += [terminal.paragraph(f"{label}: {piece}", "  ", "    ") for piece in pieces]
            continue
        for i, piece in enumerate(pieces):
            out.append(terminal.paragraph(piece, f"  {label if i == 0 else '':<16} ", " " * 21))
    return out


def pricing_formatted(fmt: str = "table", low: bool = False, stale: bool = False, today: dt.date | None = None) -> str:
    """``capkit pricing``: the catalog for people (see :mod:`capkit.catalog_report`)."""
    from capkit.catalog_report import pricing_table, pricing_text

    table = pricing_table(today, low, stale)
    if fmt == "json":
        return table.to_json(orient="records", indent=2) + "\n"
    if fmt == "csv":
        from capkit.export import csv_text

        return csv_text(table)
    return pricing_text(table, pricing_table(today)) + "\n"


def report(
    stack: str,
    settings: Sequence[str] = (),
    out: str = "reports",
    actuals: str | None = None,
    growth: float = 0.1,
    title: str | None = None,
    date: str | None = None,
    sizing: str = "right-sized",
    bills: Sequence[str] = (),
    allow_hobby: bool = False,
):
    """``capkit report``: run the report notebook; returns the written files."""
    from capkit.report import ReportParams, write_report

    day = _date(date)
    params = ReportParams(
        stack,
        parse_assignments(settings),
        actuals,
        growth,
        title,
        day.isoformat() if day else None,
        sizing,
        allow_hobby,
        list(bills) or None,
    )
    return write_report(params, out)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise InputError(f"--date {text!r}: expected YYYY-MM-DD") from None


def case_text(name: str, settings: Sequence[str] = ()) -> str:
    """``capkit case NAME``: the document's figures beside its method and capkit, and the findings."""
    from capkit.casestudy import load_case_study

    cs = load_case_study(name, parse_assignments(settings))
    table = cs.figures_table().drop(columns=["section", "note"])
    title = terminal.paragraph(f"{cs.spec.title} (seed {cs.spec.seed})")
    return f"{title}\n\n{terminal.table(table)}\n\n" + terminal.items("Findings", cs.findings(), indent="")


def cases_text() -> str:
    from capkit.casestudy import case_study_names, load_case_study

    rows = [{"case study": n, "title": load_case_study(n).spec.title} for n in case_study_names()]
    return terminal.table(pd.DataFrame(rows))


def simulate_text(stack: str, settings: Sequence[str] = (), draws: int = 10_000, seed: int = 0) -> str:
    """``capkit simulate``: percentiles of cost, margin and max_users, and bottleneck odds."""
    from capkit.analysis.uncertainty import simulate
    from capkit.labels import labeller

    s = load_stack(stack)
    values, ranges = parse_settings(settings)
    sim = simulate(s, s.workload(**values), draws, seed, ranges)
    ranged = ", ".join(f"{k} {lo:g}:{mid:g}:{hi:g}" for k, (lo, mid, hi) in sim.ranges.items()) or "none"
    labels = labeller(s)
    odds = odds_shown(
        sim.bottleneck_probability, {k: labels.metric(*k.split(".", 1)) for k in sim.bottleneck_probability.index}
    )
    head = terminal.paragraph(f"{draws:,} draws, seed {seed}; triangular ranges: {ranged}", "", "  ")
    pct = terminal.table(percentiles_shown(sim.percentiles))
    return f"{head}\n\n{pct}\n\nProbability of being the next limit\n\n{terminal.table(odds)}"


def sensitivity_table(stack: str, settings: Sequence[str] = ()) -> pd.DataFrame:
    """``capkit sensitivity``: the tornado table."""
    from capkit.analysis.uncertainty import sensitivity

    s = load_stack(stack)
    values, ranges = parse_settings(settings)
    return sensitivity(s, s.workload(**values), ranges)


def sensitivity_text(stack: str, settings: Sequence[str] = ()) -> str:
    """``capkit sensitivity`` for people: the tornado table, its figures rounded."""
    return terminal.table(sensitivity_shown(sensitivity_table(stack, settings)))


def roadmap_text(stack: str, settings: Sequence[str] = (), users: str | None = None, allow_hobby: bool = False) -> str:
    """``capkit roadmap``: one block per phase: users, cost, actions, configuration."""
    from capkit.analysis.roadmap import roadmap
    from capkit.labels import component_names

    s = load_stack(stack)
    wl = s.workload(**parse_assignments(settings))
    phases = roadmap(s, wl, None if users is None else sweep_levels(users), allow_hobby)
    names = component_names(s)
    blocks = []
    for p in phases:
        lines = [
            f"from {count(p.users_from)} to {count(p.users_to)} users: ${p.cost_from_usd:,.0f} to "
            f"${p.cost_to_usd:,.0f}/month"
        ]
        if not p.fits:
            lines.append(terminal.items("  no option fits:", p.limits, indent="    ", split_long=True))
        lines.append(terminal.items("  do:", p.actions or ["nothing: the configuration carries on"], indent="    "))
        run = configuration_parts(p.config, names)
        lines.append(terminal.items("  run:", run or ["nothing to choose"], indent="    "))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def plan_formatted(
    stack: str, settings: Sequence[str] = (), fmt: str = "table", sizing: str = "right-sized", allow_hobby: bool = False
) -> str:
    """``capkit plan --format``: the plan as the text table, the JSON contract, or a long CSV."""
    from capkit.export import plan_csv, plan_json

    p = plan(stack, settings, sizing, allow_hobby)
    return {"table": lambda: plan_text(p) + "\n", "json": lambda: plan_json(p), "csv": lambda: plan_csv(p)}[fmt]()


def sweep_formatted(
    stack: str,
    settings: Sequence[str] = (),
    users: str | None = None,
    fmt: str = "csv",
    sizing: str = "right-sized",
    allow_hobby: bool = False,
) -> str:
    """``capkit sweep``: the plan at log-spaced user levels, as CSV or JSON records."""
    from capkit.export import csv_text, sweep_json

    levels = USER_LEVELS if users is None else sweep_levels(users)
    table = Scenario.of(stack, parse_assignments(settings), sizing, allow_hobby=allow_hobby).sweep(levels)
    return csv_text(table) if fmt == "csv" else sweep_json(table)


def compare_formatted(
    stacks: str,
    settings: Sequence[str] = (),
    fmt: str = "table",
    sizing: str = "right-sized",
    allow_hobby: bool = False,
    workload_from: str | None = None,
) -> str:
    """``capkit compare``: two to four stacks on one business workload, a row each, after the
    workload it used and where each value comes from."""
    import json

    c = comparison(
        stacks.split(","), parse_assignments(settings), sizing, allow_hobby=allow_hobby, workload_from=workload_from
    )
    frame = c.frame.drop(columns="configuration_text")
    if fmt == "json":
        rows = [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]
        workload = {"values": c.workload.values, "sources": c.workload.sources, "replaced": c.workload.replaced}
        return json.dumps({"workload": workload, "stacks": rows}, indent=2) + "\n"
    if fmt == "csv":
        flat = frame.assign(
            configuration=c.frame["configuration_text"],
            actions=frame["actions"].map("; ".join),
            no_fit=frame["no_fit"].map("; ".join),
        )
        from capkit.export import csv_text

        return csv_text(flat)
    users = count(float(frame["users"].iloc[0]))
    head = f"{len(frame)} stacks at {users} daily active users, one business workload, {frame['sizing'].iloc[0]}"
    sources = {"set": "--set", "capkit's default": "capkit's default"}
    workload = c.workload.table().assign(**{"from": lambda t: t["from"].map(lambda x: sources.get(x, x))})
    if workload_from is not None:
        workload["from"] = workload["from"].replace(
            f"{c.scenarios[workload_from].stack.name}'s", f"--workload-from {workload_from}"
        )
    parts = [terminal.paragraph(head), "Business workload", terminal.table(workload)]
    if c.workload.replaced:
        parts.append(
            terminal.items("Replaced by the shared workload (--workload-from STACK keeps one):", c.workload.replaced)
        )
    parts.append(terminal.table(compare_table(c.frame)))
    return "\n\n".join(parts) + "\n"


def calibrate_formatted(
    stack: str,
    bills: Sequence[str],
    users: str,
    out: str | None = None,
    fit: Sequence[str] = (),
    hold: Sequence[str] = (),
    settings: Sequence[str] = (),
    fmt: str = "table",
    allow_bound: bool = False,
    cost_column: str | None = None,
) -> str:
    """``capkit calibrate``: the model against the bill; with ``out``, the calibrated stack file.

    A fitted assumption that ends on an end of its declared range is refused (the bill asks for
    a value the range excludes) unless ``allow_bound``."""
    import json

    from capkit.calibrate import calibrate, calibration_json, calibration_text

    target = check_out_file(out) if out is not None else None  # before any work
    result = calibrate(stack, bills, users, fit, hold, parse_assignments(settings), cost_column)
    if result.at_bound and not allow_bound:
        walls = "; ".join(f"{k} at its {end}" for k, end in result.at_bound.items())
        raise InputError(
            f"the fit ends on the edge of a declared range ({walls}): the bill asks for a value the range "
            "excludes; check the bill and the users file, widen the range, or accept it with --allow-bound"
        )
    if target is not None:
        write_atomically(target, result.stack_yaml())
    if fmt == "json":
        return json.dumps(calibration_json(result), indent=2, default=float) + "\n"
    return calibration_text(result) + (f"\nCalibrated stack written to {out}\n" if out else "")


def server_counts(spec: str) -> np.ndarray:
    """``N`` or ``LOW:HIGH`` as whole server counts, at most ``MAX_COUNTS`` of them."""
    try:
        text_low, _, text_high = spec.partition(":")
        low, high = int(text_low), int(text_high or text_low)
    except ValueError:
        raise InputError(f"--servers {spec!r}: expected a whole number or LOW:HIGH, e.g. 2:8") from None
    if low > high:
        raise InputError(f"--servers {spec!r}: LOW must not be above HIGH")
    if high - low + 1 > MAX_COUNTS:
        raise InputError(
            f"--servers {spec!r}: {high - low + 1:,} server counts; at most {MAX_COUNTS:,} a table (narrow the range)"
        )
    return np.arange(low, high + 1, dtype=float)


def queue_table(
    arrival_rate: float, service_rate: float, servers: str = "1:8", within: float | None = None
) -> pd.DataFrame:
    """``capkit queue``'s table: :func:`capkit.queueing.queue_table` over ``N`` or ``LOW:HIGH``."""
    from capkit.queueing import queue_table as table_of

    return table_of(arrival_rate, service_rate, server_counts(servers), within, servers)


#: The queue table's headers: the M/M/c figures in words (Kleinrock's symbols in brackets).
QUEUE_HEADERS = {
    "p0": "P(idle) (p0)",
    "p_wait": "P(wait) (C)",
    "lq": "mean queue (Lq)",
    "l": "mean in system (L)",
    "wq": "mean wait (Wq)",
    "w": "mean time in system (W)",
    "p50": "median time",
    "p95": "95th percentile time",
    "p99": "99th percentile time",
}


def queue_formatted(
    arrival_rate: float,
    service_rate: float,
    servers: str = "1:8",
    fmt: str = "table",
    within: float | None = None,
    targets: Mapping[str, object] | None = None,
) -> str:
    """``capkit queue`` as a table or JSON; with ``targets`` (servers_for's), the fewest servers
    meeting them on a line of their own."""
    import json

    table = queue_table(arrival_rate, service_rate, servers, within)
    fewest = servers_for(arrival_rate, service_rate, **targets) if targets else None
    if fmt == "json":
        rows = [{k: json_value(v) for k, v in row.items() if not _missing(v)} for row in table.to_dict("records")]
        out: dict[str, object] = {"arrival_rate": arrival_rate, "service_rate": service_rate, "rows": rows}
        if fewest is not None:
            out["servers_for_targets"] = fewest
        return json.dumps(out, indent=2) + "\n"
    shown_table = table.drop(columns="stable").astype(object).where(table.notna(), "unstable")
    shown_table["utilization"] = table["utilization"].map(lambda u: f"{u:.1%}")
    for col in shown_table.columns:
        if col not in ("servers", "utilization"):
            shown_table[col] = shown_table[col].map(lambda v: v if isinstance(v, str) else f"{v:.4g}")
    head = (
        f"M/M/c: arrivals {arrival_rate:g} and service {service_rate:g} per server, per time unit; "
        "waits and times in that unit"
    )
    text = terminal.paragraph(head) + "\n\n" + terminal.table(shown_table, headers=QUEUE_HEADERS) + "\n"
    if fewest is not None:
        text += f"\nfewest servers meeting every target: {fewest}\n"
    return text


def _missing(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def export_infracost(stack: str, settings: Sequence[str] = ()) -> str:
    """``capkit export infracost``: the plan's monthly usage as an Infracost usage file."""
    from capkit.export import infracost_yaml

    s = load_stack(stack)
    return infracost_yaml(s, s.workload(**parse_assignments(settings)))


def sweep_levels(spec: str) -> np.ndarray:
    """``LOW:HIGH:N`` as N log-spaced user levels."""
    try:
        lo, hi, n = spec.split(":")
        low, high, count = float(lo), float(hi), int(n)
    except ValueError:
        raise InputError(f"--users {spec!r}: expected LOW:HIGH:N, e.g. 1000:10000000:50") from None
    if not 1 <= count <= MAX_SWEEP_LEVELS:
        raise InputError(f"--users {spec!r}: N = {count:,} levels; from 1 to {MAX_SWEEP_LEVELS:,}")
    try:
        return np.geomspace(low, high, count)
    except ValueError:
        raise InputError(f"--users {spec!r}: LOW and HIGH must be numbers above 0") from None


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other capkit error (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"capkit: error: {self.prog}: {message}\n")


def _number_in(kind: type, low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a ``kind`` number from ``low`` to ``high``, else a one-line error."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{shown(text)} is not {what}") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{shown(text)} is outside {low:,} to {high:,}")
        return value

    return parse


def _int_in(low: int, high: int) -> Callable[[str], float]:
    return _number_in(int, low, high)


def _sizing_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-configured",
        action="store_const",
        const="as-configured",
        default="right-sized",
        dest="sizing",
        help="price the stack as written (default: right-sized, the cheapest configuration that fits)",
    )
    _hobby_flag(parser)


def _hobby_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-hobby",
        action="store_true",
        help="let right-sizing choose plans unfit for a paying product (free tiers that sleep or expire, "
        "non-commercial plans)",
    )


def _stack_args(p: argparse.ArgumentParser, metavar: str = "KEY=VALUE", help: str = "override an assumption") -> None:
    """The --stack and --set every verb on one stack takes."""
    p.add_argument("--stack", required=True, help="preset name or path to a stack YAML")
    p.add_argument("--set", action="append", default=[], metavar=metavar, help=help)


def _plan_args(p: argparse.ArgumentParser) -> None:
    _stack_args(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="table (default), json or csv")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    _sizing_flag(p)


def _sweep_args(p: argparse.ArgumentParser) -> None:
    _stack_args(p)
    p.add_argument(
        "--users", help="LOW:HIGH:N log-spaced levels (default: capkit's grid, 100 to 100,000,000 at 20 a decade)"
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")
    _sizing_flag(p)


def _compare_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stacks", required=True, metavar="A,B[,C,D]", help="two to four presets or stack files")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a business input or assumption")
    p.add_argument(
        "--workload-from",
        metavar="STACK",
        help="one of --stacks: its own users, calls per user, conversion and prices are the shared workload "
        "(default: capkit's defaults)",
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="table (default), json or csv")
    _sizing_flag(p)


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("tool", choices=("infracost",))
    _stack_args(p)


def _simulate_args(p: argparse.ArgumentParser) -> None:
    _stack_args(p, "KEY=VALUE|LOW:LIKELY:HIGH")
    p.add_argument("--draws", type=_int_in(1, MAX_DRAWS), default=10_000)
    p.add_argument("--seed", type=_int_in(0, 2**32 - 1), default=0)


def _roadmap_args(p: argparse.ArgumentParser) -> None:
    _stack_args(p)
    p.add_argument("--users", help="LOW:HIGH:N log-spaced levels (default: 1,000 to 10,000,000 at 60 a decade)")
    _hobby_flag(p)


def _pricing_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--low", action="store_true", help="only low-confidence entries, with who uses them and why")
    p.add_argument("--stale", action="store_true", help=f"only entries read more than {STALE_AFTER_DAYS} days ago")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")


def _calibrate_args(p: argparse.ArgumentParser) -> None:
    _stack_args(p, help="start from another value")
    p.add_argument(
        "--bill",
        action="append",
        required=True,
        help="AWS CUR, FOCUS 1.x export, Google Cloud billing export or capkit CSV",
    )
    p.add_argument(
        "--cost-column",
        metavar="NAME",
        help="the bill's cost column (default: its billed cost, e.g. lineItem/UnblendedCost or BilledCost; "
        "EffectiveCost for the cost after discounts and commitments)",
    )
    p.add_argument("--users", required=True, help="CSV date,users: daily active users over the billed months")
    p.add_argument("--out", help="write the calibrated stack file here")
    p.add_argument(
        "--allow-bound",
        action="store_true",
        help="accept a fit that ends on the edge of an assumption's declared range",
    )
    p.add_argument(
        "--fit", action="append", default=[], metavar="NAME", help="fit an assumption the bill cannot separate"
    )
    p.add_argument("--hold", action="append", default=[], metavar="NAME", help="keep an assumption at its value")
    p.add_argument("--format", choices=["table", "json"], default="table")


def _queue_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arrival-rate", required=True, type=_number_in(float, 0, 1e12), help="arrivals per time unit")
    p.add_argument(
        "--service-rate", required=True, type=_number_in(float, 1e-12, 1e12), help="completions per server per unit"
    )
    p.add_argument("--servers", default="1:8", help="a count or LOW:HIGH (default 1:8)")
    p.add_argument("--within", type=_number_in(float, 0, 1e12), help="also show P(wait <= WITHIN)")
    p.add_argument("--max-wait", type=_number_in(float, 0, 1e12), help="target: mean wait at most this")
    p.add_argument(
        "--service-level",
        nargs=2,
        type=float,
        metavar=("SHARE", "T"),
        help="target: at least SHARE (0 to 1) of arrivals wait at most T",
    )
    p.add_argument("--max-utilization", type=_number_in(float, 0, 1), help="target: utilization at most this")
    p.add_argument("--format", choices=["table", "json"], default="table")


def _stack_file_args(p: argparse.ArgumentParser) -> None:
    verbs = p.add_subparsers(dest="stack_verb", required=True)
    show = verbs.add_parser("show", help="print a preset's YAML, commented, to start your own stack file")
    show.add_argument("name", help="preset name (capkit stacks lists them)")
    verbs.add_parser("check", help="validate a stack file; list its assumptions").add_argument("file")
    verbs.add_parser("types", help="every component type and its params (Markdown)")


def _case_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="case study name (omit to list them)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override capkit's final step")


def _report_args(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--stack", help="preset name or path to a stack YAML")
    which.add_argument("--case", help="a case study name (see capkit case): run its notebook instead")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override an assumption")
    p.add_argument("--out", default="reports", help="folder for the HTML and the executed notebook")
    p.add_argument("--actuals", help="CSV with columns date,users: fit the growth rate to it")
    p.add_argument(
        "--growth",
        type=_number_in(float, -0.99, 10.0),
        default=0.1,
        help="monthly growth without actuals (0.1 = 10 %%)",
    )
    p.add_argument(
        "--bill", action="append", default=[], help="a bill (CUR, GCP export, capkit CSV): adds the model against it"
    )
    p.add_argument("--title", help="report title (default: the stack's title)")
    p.add_argument("--date", help="report date YYYY-MM-DD (default: today), in the file name and header")
    _sizing_flag(p)


def _app_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=_int_in(1, 65_535), default=8866)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--notebook", default="planner.ipynb", help="bundled notebook to serve (planner, compare, analysis)")
    p.add_argument(
        "--max-sessions",
        type=_int_in(1, 10_000),
        help="pages served at once; past it a page says busy (default: what 75 %% of the memory holds, "
        "at the MB a kernel of the notebook declares)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="accept only this Host header name (and loopback addresses), to serve behind a proxy",
    )


#: Every verb's help line and its arguments, in the order ``capkit --help`` lists them.
PARSERS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None] | None]] = {
    "stacks": ("list the preset stacks", None),
    "plan": ("evaluate a stack at one workload", _plan_args),
    "sweep": ("evaluate a stack over log-spaced user levels (CSV)", _sweep_args),
    "compare": ("two to four stacks on one business workload, right-sized", _compare_args),
    "export": ("the plan's usage for other tools: infracost (usage file YAML)", _export_args),
    "simulate": ("Monte Carlo over assumption ranges (--set key=low:likely:high)", _simulate_args),
    "sensitivity": (
        "each assumption at its low and high value: the cost swing, sorted",
        lambda p: _stack_args(p, "KEY=VALUE|LOW:LIKELY:HIGH"),
    ),
    "roadmap": ("the cheapest configuration that fits, phase by phase, as users grow", _roadmap_args),
    "pricing": ("every price and limit with its source, date, confidence and users", _pricing_args),
    "calibrate": ("fit a stack's assumptions to your bill; write the calibrated stack", _calibrate_args),
    "queue": ("an M/M/c queue: waits, percentiles and the servers a target needs", _queue_args),
    "stack": ("your own stack file: start from a preset, check it, list component types", _stack_file_args),
    "schema": (
        "the JSON Schema of a stack file, for editors",
        lambda p: p.add_argument("--out", help="write to this file instead of standard output"),
    ),
    "case": ("a seed analysis reproduced: its figures, its method recomputed, capkit's answer", _case_args),
    "report": ("write the HTML report of one plan or case study (papermill, offline HTML)", _report_args),
    "app": ("serve the planner (Voila) on 127.0.0.1", _app_args),
}


def build_parser() -> argparse.ArgumentParser:
    """capkit's argument parser: a sub-command per verb of :data:`PARSERS`."""
    parser = _Parser(prog="capkit", description="Capacity and cost planning for app backends.")
    sub = parser.add_subparsers(dest="verb", required=True)
    for verb, (help_line, add_arguments) in PARSERS.items():
        verb_parser = sub.add_parser(verb, help=help_line)
        if add_arguments is not None:
            add_arguments(verb_parser)
    return parser


def _plan(args: argparse.Namespace) -> str:
    return plan_formatted(args.stack, args.set, "json" if args.json else args.format, args.sizing, args.allow_hobby)


def _queue(args: argparse.Namespace) -> str:
    given = {
        "max_wait": args.max_wait,
        "service_level": tuple(args.service_level) if args.service_level else None,
        "max_utilization": args.max_utilization,
    }
    targets = {k: v for k, v in given.items() if v is not None}
    return queue_formatted(args.arrival_rate, args.service_rate, args.servers, args.format, args.within, targets)


def _stack_verb(args: argparse.Namespace) -> str:
    from capkit import stackfiles

    if args.stack_verb == "show":
        return stackfiles.show_text(args.name)
    if args.stack_verb == "check":
        return stackfiles.check_text(args.file) + "\n"
    return stackfiles.component_reference()


def _schema(args: argparse.Namespace) -> str:
    from capkit.stackfiles import schema_text

    if args.out is None:
        return schema_text()
    write_atomically(check_out_file(args.out), schema_text())
    return f"{args.out}\n"


def _report(args: argparse.Namespace) -> str:
    if args.case:
        from capkit.report import write_case_study

        files = write_case_study(args.case, parse_assignments(args.set), args.out, _date(args.date))
    else:
        options = (args.actuals, args.growth, args.title, args.date, args.sizing, args.bill, args.allow_hobby)
        files = report(args.stack, args.set, args.out, *options)
    return f"{files.html}\n{files.notebook}\n"


def _app(args: argparse.Namespace) -> int:
    from capkit.serve import serve

    return serve(args.port, args.host, not args.no_browser, args.notebook, args.max_sessions, args.allow_host)


#: Every verb: the library function it calls, on the parsed arguments; each returns the text
#: to print (``capkit app`` returns Voila's exit status instead).
VERBS: dict[str, Callable[[argparse.Namespace], str | int]] = {
    "stacks": lambda a: stacks_text() + "\n",
    "plan": _plan,
    "sweep": lambda a: sweep_formatted(a.stack, a.set, a.users, a.format, a.sizing, a.allow_hobby),
    "compare": lambda a: compare_formatted(a.stacks, a.set, a.format, a.sizing, a.allow_hobby, a.workload_from),
    "export": lambda a: export_infracost(a.stack, a.set),
    "simulate": lambda a: simulate_text(a.stack, a.set, a.draws, a.seed) + "\n",
    "sensitivity": lambda a: sensitivity_text(a.stack, a.set) + "\n",
    "roadmap": lambda a: roadmap_text(a.stack, a.set, a.users, a.allow_hobby) + "\n",
    "pricing": lambda a: pricing_formatted(a.format, a.low, a.stale),
    "calibrate": lambda a: calibrate_formatted(
        a.stack, a.bill, a.users, a.out, a.fit, a.hold, a.set, a.format, a.allow_bound, a.cost_column
    ),
    "queue": _queue,
    "stack": _stack_verb,
    "schema": _schema,
    "case": lambda a: (case_text(a.name, a.set) if a.name else cases_text()) + "\n",
    "report": _report,
    "app": _app,
}


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run one verb (:data:`VERBS`); returns the exit status."""
    args = build_parser().parse_args(argv)
    result = VERBS[args.verb](args)
    if isinstance(result, int):
        return result
    _print(result, end="")
    return 0


#: Control characters (C0 but newline and tab, DEL, C1) and Unicode's bidirectional overrides:
#: a title or a name from a stack file must not move the cursor or recolour the terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character written out as ``\\xNN`` or ``\\uNNNN``."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _print(text: str, end: str = "\n") -> None:
    sys.stdout.write(terminal_safe(str(text)) + end)


class Stopped(Exception):
    """SIGTERM asked the command to stop."""


def _stop_on_sigterm(signum: int, frame: object) -> NoReturn:
    raise Stopped


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: user errors print one line and exit 2; Ctrl+C (SIGINT) and SIGTERM
    stop quietly with a line and the shell's status for them (130, 143). Numerical warnings
    (an empty slice, a division by zero already handled) stay out of the terminal: every figure
    capkit prints is checked to be finite where it must be."""
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if _main_thread() else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            status = run(argv)
        sys.stdout.flush()  # a closed pipe shows here, inside the try
        return status
    except KeyboardInterrupt:
        sys.stderr.write("\ncapkit: stopped (Ctrl+C)\n")
        return 130
    except Stopped:
        sys.stderr.write("capkit: stopped (SIGTERM)\n")
        return 143
    except CapkitError as exc:
        sys.stderr.write(error_text(exc, _is_terminal(sys.stderr)) + "\n")
        return 2
    except BrokenPipeError:
        # The reader stopped early (`capkit pricing | head -1`): say so once; send what is still
        # buffered to /dev/null so Python's exit does not fail on the same pipe (Python docs,
        # "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.stderr.write("capkit: error: the output was closed before capkit finished writing it\n")
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


#: The library's inputs (:data:`capkit.errors.INPUT_WORDS`) by the flag that gives each here.
FLAGS = {
    "bill": "--bill",
    "users": "--users",
    "actuals": "--actuals",
    "out": "--out",
    "stacks": "--stacks",
    "setting": "--set",
    "fit": "--fit",
    "hold": "--hold",
    "workload_from": "--workload-from",
    "servers": "--servers",
    "cost_column": "--cost-column",
}


def error_text(exc: CapkitError, wrap: bool) -> str:
    """A user error as the CLI prints it, the input it names by its flag (an InputError's
    ``what``): one line, for logs and scripts to grep, or, in a terminal (``wrap``), wrapped to
    its width under a hanging indent."""
    message = exc.worded(FLAGS) if isinstance(exc, InputError) else str(exc)
    text = f"capkit: error: {terminal_safe(message)}"
    return terminal.paragraph(text, "", "  ") if wrap else text


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
