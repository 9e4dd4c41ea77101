"""Your bill in, your numbers out: fit a stack's assumptions to the usage a bill shows.

Each bill line maps to cost items of the stack (:mod:`capkit.bills`). For every full month the
engine predicts those items' quantities from the month's daily active users and the
assumptions, in one evaluation over arrays (a row per month). The fit is a bounded least
squares on log quantities (``scipy.optimize.least_squares``, trust-region reflective), over
the logs of the assumptions, each within its declared [min, max]; its Jacobian is one more
engine evaluation, a block of months per nudged assumption.

Which assumptions: those the billed components read, with a nonzero value. An assumption no
bill line depends on is held ("no bill line depends on it"); one whose effect on the lines is
(nearly) a combination of assumptions already taken is held too, named with those it cannot be
told apart from (Lambda duration against memory, when only GB-seconds are billed). The order
of preference is calls per user, then the stack's assumptions as declared, then the other
universal fields. ``fit`` frees a held one; ``hold`` keeps a value.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from capkit.bills import USAGE, days_in, line_name, map_lines, read_bill, users_by_month
from capkit.engine import evaluate_arrays
from capkit.errors import InputError, one_line
from capkit.labels import labeller
from capkit.stack import Stack, component_reads, load_stack
from capkit.workload import UNIVERSAL, AssumptionSpec, Workload
from capkit.yamlfile import read_yaml

#: Universal fields that no bill line can inform (revenue) or that the bill itself sets.
NOT_FITTED = (
    "users",
    "days_per_month",
    "peak_factor",
    "conversion_rate",
    "price_usd",
    "payment_fee_rate",
    "payment_fee_usd",
)
#: Relative nudge for the numerical Jacobian (on the log of each assumption).
STEP = 1e-4
#: An assumption whose column, after removing what the kept ones explain, keeps less than this
#: share of its length cannot be told apart from them by the bill's lines.
SEPARABLE = 0.05


@dataclass
class Calibration:
    """What a fit found. ``lines``: a row per bill line and month (actual, before, after, errors,
    quantity and cost); ``summary``: a row per bill line over the fitted months; ``assumptions``:
    every candidate, before and after, fitted or held, with the lines that determined it."""

    stack: Stack
    bills: list[str]
    months: list[str]
    partial_months: list[str]
    values_before: dict[str, float]
    values_after: dict[str, float]
    assumptions: pd.DataFrame
    lines: pd.DataFrame
    summary: pd.DataFrame
    unmapped: pd.DataFrame
    fitted: list[str] = field(default_factory=list)
    #: Fitted assumptions that ended on an end of their declared range, with that end: the
    #: bill asks for more than the range allows, so the value is a wall, not a measurement.
    at_bound: dict[str, str] = field(default_factory=dict)
    #: Each fitted assumption's standard error, in its unit (scipy's Jacobian at the solution;
    #: none when the fit is exact by construction).
    std_errors: dict[str, float] = field(default_factory=dict)
    #: As many free assumptions as bill figures (or more): the fit matches them by construction
    #: and the errors after it are no evidence.
    exact: bool = False
    #: The lines that are not usage (tax, credits, refunds...): kind, lines, cost in USD.
    other_charges: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Each partial month left out, and why ("2026-11: usage on 14 of its 30 days, ...").
    partial_why: list[str] = field(default_factory=list)
    #: The cost column read from each bill.
    cost_columns: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        """``Calibration(aws-serverless against aws-serverless-cur.csv, 2026-01 to 2026-06: 9 fitted)``."""
        bills = ", ".join(Path(b).name for b in self.bills)
        span = f"{self.months[0]} to {self.months[-1]}" if self.months else "no full month"
        return f"Calibration({self.stack.name} against {bills}, {span}: {len(self.fitted)} fitted)"

    def _repr_html_(self) -> str:
        """The sections of :func:`calibration_sections` (without the chart), for a notebook."""
        from capkit.tables import CSS

        return CSS + "".join(calibration_sections(self))

    def plus_minus(self, name: str) -> str:
        """A fitted value with its uncertainty in its unit: "797 ± 12 ms" (or "797 ms, exact fit")."""
        unit = self.stack.specs[name].unit
        value = self.values_after[name]
        se = self.std_errors.get(name)
        if se is None or not math.isfinite(se):
            return f"{value:.4g} {unit}" + (" (exact fit)" if self.exact else "")
        return f"{value:.4g} ± {se:.2g} {unit}"

    def stack_yaml(self) -> str:
        """The original stack file with the fitted values as defaults, each sourced."""
        raw = read_yaml(self.stack.path, str(self.stack.path), InputError)
        names = ", ".join(one_line(Path(b).name) for b in self.bills)
        source = f"calibrated from {names}, {self.months[0]} to {self.months[-1]}"
        raw["name"] = f"{raw['name']}-calibrated"
        raw["title"] = f"{raw['title']} (calibrated)"
        for name in self.fitted:
            value = float(self.values_after[name])
            if name in UNIVERSAL:
                raw.setdefault("defaults", {})[name] = {"value": value, "source": f"{source}: {self.plus_minus(name)}"}
                continue
            spec = raw["assumptions"][name]
            spec["default"] = value
            spec["source"] = f"{source}: {self.plus_minus(name)}"
            # An uncertainty range that no longer brackets the fitted value goes: the bill is the evidence now.
            if not (spec.get("low", value) <= value <= spec.get("high", value)):
                spec.pop("low", None)
                spec.pop("high", None)
        header = f"# {one_line(raw['name'])}: {one_line(source)}. Made by capkit calibrate from {self.stack.name}.\n"
        return header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


class _Model:
    """The stack's predicted quantities and costs of the mapped lines, over arrays of months."""

    def __init__(self, stack: Stack, base: dict[str, float], users: np.ndarray, days: np.ndarray, lines: list):
        self.stack, self.base, self.users, self.days, self.lines = stack, base, users, days, lines

    def evaluate(self, values: dict[str, np.ndarray | float], blocks: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """(quantity, cost) arrays of shape (blocks x months, lines)."""
        n = self.users.size
        fields = {**self.base, **values}
        fields["users"] = np.tile(self.users, blocks)
        fields["days_per_month"] = np.tile(self.days, blocks)
        wl = Workload.build(self.stack.specs, fields)
        ev = evaluate_arrays(self.stack, wl)
        by = {(c.component, c.item.key): c for c in ev.costs}
        q = np.zeros((blocks * n, len(self.lines)))
        cost = np.zeros_like(q)
        for j, (target, items) in enumerate(self.lines):
            for key in items:
                c = by[(target, key)]
                q[:, j] += np.broadcast_to(np.asarray(c.item.quantity, dtype=float), (blocks * n,))
                cost[:, j] += c.cost_usd
        return q, cost


def _candidates(stack: Stack, targets: set[str], values: dict[str, float]) -> list[str]:
    reads: set[str] = set()
    wl = stack.workload(**values)
    for comp in stack.components:
        if comp.id in targets:
            reads |= component_reads(comp, wl, universal=True) | set(comp.requires) | set(comp.assumption_refs)
    order = ["calls_per_user", *[k for k in stack.specs if k not in UNIVERSAL], *UNIVERSAL]
    return [k for k in dict.fromkeys(order) if k in reads and k not in NOT_FITTED]


def calibrate(
    stack: str | Stack,
    bills: Sequence[str | Path],
    users: str | Path,
    fit: Sequence[str] = (),
    hold: Sequence[str] = (),
    settings: dict[str, float] | None = None,
    cost_column: str | None = None,
) -> Calibration:
    """Fit ``stack``'s assumptions to the monthly quantities of ``bills`` (paths), with the daily
    active users of ``users`` (a date,users CSV): bounded least squares on log quantities
    (scipy's least_squares), each assumption's standard error from its Jacobian at the solution.

    ``fit`` frees assumptions the bill cannot separate, ``hold`` keeps values, ``settings``
    starts from other values than the defaults, ``cost_column`` picks each bill's cost column
    (default: its billed cost; see :func:`capkit.bills.read_bill`). Only usage lines are fitted;
    tax, credits, refunds and the like are totalled apart, and months whose usage does not
    cover every day are left out."""
    stack = load_stack(stack) if isinstance(stack, str) else stack
    read = [read_bill(p, cost_column) for p in bills]
    mapped = map_lines(stack, read)
    usage = mapped["kind"] == USAGE
    other = _other_charges(mapped[~usage])
    unmapped = mapped[usage & (mapped["target"] == "")][
        ["file", "row", "month", "service", "usage", "unit", "quantity", "cost_usd"]
    ]
    usable = mapped[usage & (mapped["target"] != "") & ~mapped["partial"]]
    if usable.empty:
        raise InputError(
            f"no full month of any line maps to a cost item of stack {stack.name}; "
            f"{len(unmapped)} unmapped lines (for example {unmapped['service'].iloc[0]} {unmapped['usage'].iloc[0]})"
            if not unmapped.empty
            else f"every month is partial; a fit needs at least one full month of stack {stack.name}'s usage",
            what="bill",
        )
    actual = usable.groupby(["month", "target", "items"], sort=True)[["quantity", "cost_usd"]].sum().reset_index()
    months = sorted(actual["month"].unique())
    line_keys = sorted({(t, i) for t, i in zip(actual["target"], actual["items"], strict=True)})
    monthly_users = users_by_month(users, months)
    values = {k: float(v) for k, v in stack.workload(**(settings or {})).scalars().items()}
    for what, names in (("fit", fit), ("hold", hold)):
        unknown = [k for k in names if k not in stack.specs]
        if unknown:
            raise InputError(
                f"not an assumption of stack {stack.name}", what=what, name=repr(unknown[0]), value=unknown[0]
            )
    business = [k for k in fit if k in NOT_FITTED]
    if business:
        raise InputError(
            "a business input, not something a bill measures; "
            f"assumptions that may be fitted: any the billed components read except {', '.join(NOT_FITTED)}",
            what="fit",
            name=business[0],
        )
    model = _Model(
        stack,
        values,
        np.array([monthly_users[m] for m in months]),
        np.array([float(days_in(m)) for m in months]),
        line_keys,
    )
    observed = _by_month(actual, "quantity", months, line_keys)
    quantity_before, cost_before = model.evaluate({})  # the model before the fit
    use = np.isfinite(observed) & (observed > 0) & (quantity_before > 0)  # log residuals need both sides positive

    candidates = [k for k in _candidates(stack, {t for t, _ in line_keys}, values) if k not in hold]
    candidates += [k for k in fit if k not in candidates]
    candidates = [k for k in candidates if values[k] > 0 or k in fit]
    # A freed assumption at 0 (a share nobody guessed) starts at 1 % of its range: the fit moves
    # the logs of the assumptions, and 0 has none.
    start = {**values, **{k: max(stack.specs[k].min, 0.01 * stack.specs[k].max) for k in fit if values[k] <= 0}}
    jac0 = _log_jacobian(model, start, candidates, use)
    uninformed = [k for k in fit if float(np.linalg.norm(jac0[:, candidates.index(k)])) < 1e-6]
    if uninformed:
        raise InputError(
            "no line of the bill depends on it, so the bill cannot say its value; "
            "only an assumption some billed line informs can be fitted",
            what="fit",
            name=uninformed[0],
        )
    chosen, held = _separable(candidates, jac0, fit)
    for k in hold:
        held[k] = "held at its value (asked)"

    names = [line_name(t, i) for t, i in line_keys]
    effect = np.abs(jac0).reshape(len(months), len(line_keys), -1).max(axis=0)  # line x candidate
    determined = {k: [names[j] for j in np.flatnonzero(effect[:, c] > 1e-3)] for c, k in enumerate(candidates)}
    after = dict(values)
    std_errors: dict[str, float] = {}
    # As many free assumptions as bill lines (or more): each line's level can be matched by its
    # own assumption, so the errors after say nothing of the model.
    exact = bool(chosen) and int(use.any(axis=0).sum()) <= len(chosen)
    if chosen:
        fitted_values, std_errors = _fit(model, start, chosen, observed, use)
        after.update(fitted_values)
    at_bound = {k: _bound_of(stack.specs[k], after[k]) for k in chosen}
    at_bound = {k: b for k, b in at_bound.items() if b}
    quantity_after, cost_after = model.evaluate({k: after[k] for k in chosen})
    cost_obs = _by_month(actual, "cost_usd", months, line_keys)
    lines = _line_table(months, names, (observed, quantity_before, quantity_after), (cost_obs, cost_before, cost_after))
    status = {
        k: (f"at its bound ({at_bound[k]})" if k in at_bound else "fitted") if k in chosen else held.get(k, "held")
        for k in dict.fromkeys([*candidates, *held])
    }
    assumptions = pd.DataFrame(
        [
            {
                "assumption": k,
                "unit": stack.specs[k].unit,
                "before": values[k],
                "after": after[k],
                "std_error": std_errors.get(k, math.nan),
                "status": state,
                "lines": ", ".join(determined.get(k, [])),
            }
            for k, state in status.items()
        ]
    )
    summary = lines.groupby("line", sort=False)[list(_ERRORS_OF)].sum().reset_index()
    return Calibration(
        stack,
        [str(b.path) for b in read],
        months,
        sorted({m for b in read for m in b.partial_months}),
        values,
        after,
        assumptions,
        _with_errors(lines),
        _with_errors(summary),
        unmapped.reset_index(drop=True),
        fitted=list(chosen),
        at_bound=at_bound,
        std_errors=std_errors,
        exact=exact,
        other_charges=other,
        partial_why=[why for b in read for why in b.partial_why],
        cost_columns=[b.cost_column for b in read],
    )


def _other_charges(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines that are not usage, by kind: how many and their cost in USD, largest first."""
    if lines.empty:
        return pd.DataFrame(columns=["kind", "lines", "cost_usd"])
    groups = lines.groupby("kind").agg(lines=("row", "size"), cost_usd=("cost_usd", "sum")).reset_index()
    return groups.reindex(groups["cost_usd"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def _bound_of(spec: AssumptionSpec, value: float) -> str:
    """Which end of its declared range ``value`` sits on ("min 1", "max 10240"), or ""."""
    for end, limit in (("min", spec.min), ("max", spec.max)):
        if math.isclose(value, limit, rel_tol=1e-6, abs_tol=1e-12):
            return f"{end} {limit:g}"
    return ""


#: Figure -> the actual it is compared with, and the name of its error column.
_ERRORS_OF = {
    "actual": None,
    "before": ("actual", "error_before"),
    "after": ("actual", "error_after"),
    "actual_cost_usd": None,
    "cost_before_usd": ("actual_cost_usd", "cost_error_before"),
    "cost_after_usd": ("actual_cost_usd", "cost_error_after"),
}


def _by_month(actual: pd.DataFrame, column: str, months: list[str], lines: list) -> np.ndarray:
    """The bill's ``column`` as a months x lines array (NaN where a month lacks a line)."""
    table = actual.pivot_table(index="month", columns=["target", "items"], values=column, aggfunc="sum")
    return np.column_stack([table[k].reindex(months).to_numpy(dtype=float) for k in lines])


def _line_table(months: list[str], names: list[str], quantities: tuple, costs: tuple) -> pd.DataFrame:
    """A row per bill line and month with a figure the bill has: actual, before, after, in
    quantity and in cost."""
    columns = dict(zip(_ERRORS_OF, (*quantities, *costs), strict=True))
    rows = [
        {"line": name, "month": month, **{k: float(v[i, j]) for k, v in columns.items()}}
        for i, month in enumerate(months)
        for j, name in enumerate(names)
        if np.isfinite(quantities[0][i, j])
    ]
    return pd.DataFrame(rows)


def _with_errors(frame: pd.DataFrame) -> pd.DataFrame:
    """Each model figure's relative error against the bill (NaN where the bill has 0)."""
    for column, compared in _ERRORS_OF.items():
        if compared:
            actual, name = compared
            with np.errstate(divide="ignore", invalid="ignore"):
                frame[name] = np.where(frame[actual] > 0, frame[column] / frame[actual] - 1.0, np.nan)
    return frame


def _log_jacobian(model: _Model, values: dict[str, float], names: list[str], use: np.ndarray) -> np.ndarray:
    """d log(quantity) / d log(assumption), rows (month, line) flattened, one column per name:
    one engine evaluation of (1 + len(names)) blocks of months."""
    n, k = model.users.size, len(names)
    specs = model.stack.specs
    # Nudge down (a size at a round number stays on its side of DynamoDB's 1 KB and 4 KB steps),
    # or up where down would leave the declared range.
    steps = [-STEP if values[name] * math.exp(-STEP) >= specs[name].min else STEP for name in names]
    blocks = {name: np.full((k + 1) * n, values[name]) for name in names}
    for j, name in enumerate(names):
        blocks[name][(j + 1) * n : (j + 2) * n] *= math.exp(steps[j])
    q, _ = model.evaluate(blocks, blocks=k + 1)
    base = q[:n]
    with np.errstate(divide="ignore", invalid="ignore"):
        cols = [
            np.where(use, (np.log(q[(j + 1) * n : (j + 2) * n]) - np.log(base)) / steps[j], 0.0).ravel()
            for j in range(k)
        ]
    return np.column_stack(cols) if cols else np.zeros((base.size, 0))


def _separable(names: list[str], jac: np.ndarray, fit: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Greedy, in order of preference: keep a column that adds a direction the kept ones do not span."""
    chosen: list[str] = []
    held: dict[str, str] = {}
    basis = np.zeros((jac.shape[0], 0))
    spans: list[str] = []  # the name behind each basis column (a forced flat one adds none)
    for j, name in enumerate(names):
        col = jac[:, j]
        norm = float(np.linalg.norm(col))
        if norm < 1e-6 and name not in fit:
            held[name] = "held: no bill line depends on it"
            continue
        rest = col - basis @ (basis.T @ col) if basis.shape[1] else col
        if norm and np.linalg.norm(rest) / norm < SEPARABLE and name not in fit:
            weight = np.abs(basis.T @ col)
            overlap = [spans[i] for i in np.argsort(-weight)[:2] if weight[i] > 1e-6 * norm]
            held[name] = f"held: the bill cannot tell it from {' and '.join(overlap)}; name it to fit to free it"
            continue
        chosen.append(name)
        if norm:
            rest_norm = float(np.linalg.norm(rest))
            if rest_norm > 1e-12:
                basis = np.column_stack([basis, rest / rest_norm])
                spans.append(name)
    return chosen, held


def _fit(model: _Model, values: dict[str, float], names: list[str], observed: np.ndarray, use: np.ndarray):
    """Bounded least squares on log quantities over the logs of ``names`` (scipy)."""
    from scipy.optimize import least_squares

    specs = model.stack.specs
    lo = np.array([math.log(max(specs[k].min, values[k] * 1e-6, 1e-12)) for k in names])
    hi = np.array([math.log(specs[k].max) for k in names])
    x0 = np.clip(np.log([max(values[k], 1e-12) for k in names]), lo + 1e-9, hi - 1e-9)
    log_obs = np.log(np.where(use, observed, 1.0))

    def residuals(x: np.ndarray) -> np.ndarray:
        q, _ = model.evaluate(dict(zip(names, np.exp(x), strict=True)))
        with np.errstate(divide="ignore"):
            return np.where(use, np.log(np.maximum(q, 1e-300)) - log_obs, 0.0).ravel()

    def jacobian(x: np.ndarray) -> np.ndarray:
        current = {**values, **dict(zip(names, np.exp(x), strict=True))}
        return _log_jacobian(model, current, names, use)

    solution = least_squares(residuals, x0, jac=jacobian, bounds=(lo, hi), method="trf", x_scale="jac")
    values_after = {k: float(v) for k, v in zip(names, np.exp(solution.x), strict=True)}
    return values_after, _std_errors(solution, names, values_after, int(use.sum()))


def _std_errors(solution: Any, names: list[str], values: dict[str, float], n_obs: int) -> dict[str, float]:
    """Each fitted value's standard error in its unit: the covariance of the log values is
    s^2 (J^T J)^-1 at the solution (J: scipy's Jacobian of the residuals, s^2 the residual
    variance over n_obs - n_params degrees of freedom), carried to the value by the delta
    method (se of v = v x se of log v). None without a degree of freedom (an exact fit)."""
    dof = n_obs - len(names)
    if dof <= 0:
        return {}
    jac = np.asarray(solution.jac, dtype=float)
    s2 = float(np.sum(solution.fun**2)) / dof
    cov = np.linalg.pinv(jac.T @ jac) * s2
    se_log = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return {k: values[k] * float(se) for k, se in zip(names, se_log, strict=True)}


def _line_words(stack: Stack, line: str) -> str:
    """A bill line's target as words: "DynamoDB: write request units tables + write request
    units gsis" for ``dynamodb: write_request_units_tables+write_request_units_gsis``."""
    cid, _, items = line.partition(": ")
    names = labeller(stack)
    return f"{names.component(cid)}: {' + '.join(i.replace('_', ' ') for i in items.split('+'))}"


def _pct(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:+.1%}"


def calibration_tables(result: Calibration) -> dict[str, pd.DataFrame]:
    """The report's tables, formatted for people: lines (a row per bill line over the fitted
    months), assumptions (before -> after with its uncertainty, status, lines), unmapped lines
    (grouped) and the charges that are not usage (tax, credits...)."""
    s = result.summary
    lines = pd.DataFrame(
        {
            "bill line": s["line"].map(lambda line: _line_words(result.stack, line)),
            "actual": s["actual"].map(lambda v: f"{v:,.4g}"),
            "model before": s["before"].map(lambda v: f"{v:,.4g}"),
            "error": s["error_before"].map(_pct),
            "model after": s["after"].map(lambda v: f"{v:,.4g}"),
            "error after": s["error_after"].map(_pct),
            "cost actual": s["actual_cost_usd"].map(lambda v: f"${v:,.2f}"),
            "cost after": s["cost_after_usd"].map(lambda v: f"${v:,.2f}"),
            "cost error after": s["cost_error_after"].map(_pct),
        }
    )
    a = result.assumptions
    assumptions = pd.DataFrame(
        {
            "assumption": a["assumption"],
            "before": a["before"].map(lambda v: f"{v:.6g}"),
            "after": a["after"].map(lambda v: f"{v:.6g}"),
            "± (std. error)": a["std_error"].map(lambda v: f"{v:.2g}" if math.isfinite(v) else ""),
            "unit": a["unit"],
            "status": a["status"],
            "from bill lines": a["lines"],
        }
    )
    other = result.other_charges
    charges = pd.DataFrame(
        {
            "kind": other.get("kind", pd.Series(dtype=str)),
            "lines": other.get("lines", pd.Series(dtype=int)).map(lambda n: f"{n:,}"),
            "cost": other.get("cost_usd", pd.Series(dtype=float)).map(_usd),
        }
    )
    return {
        "lines": lines,
        "assumptions": assumptions,
        "unmapped": unmapped_groups(result.unmapped),
        "other": charges,
    }


#: Groups of unmapped lines shown; the rest are summed in one row.
UNMAPPED_SHOWN = 20


def unmapped_groups(unmapped: pd.DataFrame) -> pd.DataFrame:
    """Unmapped usage lines grouped by service and usage type (or description), dearest first:
    lines, months, the usage summed in its unit and the cost each; past UNMAPPED_SHOWN groups
    one row sums the rest; a last row totals them all."""
    columns = ["service and usage", "lines", "months", "usage", "cost"]
    if unmapped.empty:
        return pd.DataFrame(columns=columns)
    unit = unmapped["unit"] if "unit" in unmapped else ""
    keyed = unmapped.assign(line=(unmapped["service"] + " " + unmapped["usage"]).str.strip().map(one_line), unit=unit)
    groups = (
        keyed.groupby(["line", "unit"], sort=False)
        .agg(lines=("row", "size"), months=("month", "nunique"), quantity=("quantity", "sum"), cost=("cost_usd", "sum"))
        .reset_index()
    )
    groups = groups.reindex(groups["cost"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    months = int(keyed["month"].nunique())
    if len(groups) > UNMAPPED_SHOWN:
        rest = groups.iloc[UNMAPPED_SHOWN:]
        other = {"line": f"{len(rest):,} other groups", "unit": "", "lines": int(rest["lines"].sum()), "months": months}
        other |= {"quantity": math.nan, "cost": float(rest["cost"].sum())}
        groups = pd.concat([groups.iloc[:UNMAPPED_SHOWN], pd.DataFrame([other])], ignore_index=True)
    total = {"line": "total", "unit": "", "lines": int(groups["lines"].sum()), "months": months, "quantity": math.nan}
    groups = pd.concat([groups, pd.DataFrame([total | {"cost": float(unmapped["cost_usd"].sum())}])], ignore_index=True)
    return pd.DataFrame(
        {
            "service and usage": groups["line"],
            "lines": groups["lines"].map(lambda n: f"{n:,}"),
            "months": groups["months"],
            "usage": [
                "" if not math.isfinite(q) else f"{q:,.4g} {u}".strip()
                for q, u in zip(groups["quantity"], groups["unit"], strict=True)
            ],
            "cost": groups["cost"].map(_usd),
        }
    )


def _usd(value: float) -> str:
    """USD to the cent, the sign before the dollar sign (a credit reads -$2.61)."""
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def calibration_sections(result: Calibration, chart: bool = False) -> list[Any]:
    """The model against the bill as HTML parts in the one table style, for the report and a
    notebook: the lines (then, with ``chart``, the altair chart of actual against model), the
    assumptions before and after, what the fit's errors mean, the partial months left out, the
    charges that are not usage and the unmapped usage."""
    from capkit.tables import html_table

    t = calibration_tables(result)
    parts: list[Any] = [html_table(t["lines"], "capkit-bill-lines")]
    if chart:
        from capkit import charts

        parts.append(charts.bill_fit(result.lines))
    parts += [
        "<h3>Assumptions, before and after</h3>",
        html_table(t["assumptions"], "capkit-bill-assumptions"),
        f"<p>{html.escape(fit_note(result))}</p>",
    ]
    if result.partial_why:
        parts.append(f"<p>Partial months left out: {html.escape('; '.join(result.partial_why))}.</p>")
    if len(t["other"]):
        parts += ["<h3>Charges that are not usage (beside the fit)</h3>", html_table(t["other"], "capkit-bill-other")]
    if len(t["unmapped"]):
        parts += ["<h3>Usage lines that map to no cost item</h3>", html_table(t["unmapped"], "capkit-bill-unmapped")]
    return parts


def fit_note(result: Calibration) -> str:
    """What the fit's errors mean: exact by construction, or fitted with degrees of freedom."""
    if result.exact:
        return (
            f"The fit is exact by construction: {len(result.fitted)} free assumptions for as many bill lines or "
            "fewer, so the errors after it are no evidence of the model; hold some assumptions at their values "
            "or add bill lines."
        )
    return "Uncertainties: one standard error from the fit (scipy's Jacobian at the solution)."


def calibration_text(result: Calibration) -> str:
    """``capkit calibrate``'s report: the model against the bill, before and after, the
    assumptions fitted (each with its uncertainty) and held, the charges that are not usage,
    the lines that map to nothing, the months left out and why."""
    from capkit import terminal

    t = calibration_tables(result)
    columns = ", ".join(dict.fromkeys(result.cost_columns))
    head = (
        f"Model against your bill: stack {result.stack.name}, {len(result.months)} full "
        f"month{'s' if len(result.months) != 1 else ''} "
        f"({result.months[0]} to {result.months[-1]}) from {', '.join(one_line(Path(b).name) for b in result.bills)}; "
        f"cost column {columns}"
    )
    parts = [terminal.paragraph(head), "", terminal.table(t["lines"]), "", "Assumptions, before -> after:"]
    for r in result.assumptions.itertuples():
        moved = r.status == "fitted" or r.status.startswith("at its bound")
        change = f"{r.before:.6g} -> {result.plus_minus(r.assumption)}" if moved else f"{r.before:.6g} {r.unit}"
        why = f"fitted from {r.lines}" if r.status == "fitted" else r.status
        parts.append(terminal.paragraph(f"{r.assumption}: {change}; {why}", "  ", "      "))
    parts += ["", terminal.paragraph(fit_note(result))]
    if result.partial_why:
        parts += ["", terminal.items("Partial months left out of the fit:", result.partial_why)]
    if len(t["other"]):
        parts += ["", "Charges that are not usage (beside the fit, not in it):", "", terminal.table(t["other"])]
    if len(t["unmapped"]):
        parts += ["", "Usage lines that map to no cost item of the stack:", "", terminal.table(t["unmapped"])]
    return "\n".join(parts) + "\n"


def calibration_json(result: Calibration) -> dict:
    """The same as plain data (numbers unformatted; undefined errors as null)."""

    def records(frame: pd.DataFrame) -> list[dict]:
        return [
            {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")
        ]

    return {
        "stack": result.stack.name,
        "bills": result.bills,
        "cost_columns": result.cost_columns,
        "months": result.months,
        "partial_months": result.partial_months,
        "partial_why": result.partial_why,
        "exact_fit": result.exact,
        "fitted": {k: result.values_after[k] for k in result.fitted},
        "std_errors": {k: result.std_errors.get(k) for k in result.fitted},
        "assumptions": records(result.assumptions),
        "lines": records(result.summary),
        "monthly": records(result.lines),
        "other_charges": records(result.other_charges),
        "unmapped": records(result.unmapped),
    }


def example_bill() -> tuple[list[str], str]:
    """capkit's example bill and users (data/examples): six months of aws-serverless usage made
    by capkit's own model at 14 calls per user and 800 ms, each line off by up to 3 %."""
    from capkit.pricing import data_path

    folder = data_path("examples")
    return [str(folder / "aws-serverless-cur.csv")], str(folder / "aws-serverless-users.csv")
