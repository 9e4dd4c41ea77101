"""Queueing for fixed-capacity pools (M/M/c), over arrays: the public toolkit.

An M/M/c queue has Poisson arrivals at rate lambda, c servers and exponential service at rate
mu per server, both rates per the same unit of time (per second, per minute: any, as long as
it is one; waits and times come out in that unit). With a = lambda / mu (offered load, erlangs)
and rho = a / c (utilization), for rho < 1 (Kleinrock, Queueing Systems vol. 1, sec. 3.5;
Gross and Harris, Fundamentals of Queueing Theory, sec. 2.3):

- C = P(wait), Erlang C, from Erlang B as a ratio of Poisson probabilities,
  B(c, a) = P(X = c) / P(X <= c) for X ~ Poisson(a) (Jagerman, "Some properties of the Erlang
  loss function", 1974), in logs with scipy's gammaln and regularized gammaincc, and
  C = c B / (c - a (1 - B)): one step per pool, however many servers;
- P0 = 1 / [sum_{k<c} a^k / k! + a^c / (c! (1 - rho))], computed in logs;
- Lq = C rho / (1 - rho), L = Lq + a, Wq = C / (c mu - lambda), W = Wq + 1 / mu (Little's law);
- P(Wq <= t) = 1 - C e^(-(c mu - lambda) t), the service level within t;
- the response time T = Wq + S has the tail
  P(T > t) = (1 - C) e^(-mu t) + C (theta e^(-mu t) - mu e^(-theta t)) / (theta - mu),
  theta = c mu - lambda (for c = 1, e^(-(mu - lambda) t)); its percentiles are found by
  scipy's bracketing root finder (``scipy.optimize.elementwise.find_root``).

At rho >= 1 the queue grows without bound and has no steady state: :class:`MMC` refuses to
give a wait or a percentile for it (a one-line :class:`~capkit.errors.InputError`), while the
array functions below, which the planner's latency chart uses, return inf there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from capkit.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

#: The most servers a pool may have.
MAX_SERVERS = 100_000
#: The most server counts one table or search covers (``capkit queue --servers LOW:HIGH``).
MAX_COUNTS = 10_000


# --- array functions (inf where the queue is saturated) ---------------------------------------
# Scalars in, scalars out, as numpy's own functions: all-scalar arguments give a numpy scalar,
# any array gives an array of the broadcast shape (``_same_kind``).
def _same_kind(result: np.ndarray, *given: object) -> np.ndarray | np.floating:
    """``result`` as a numpy scalar when every one of ``given`` is a scalar, else as an array."""
    if all(np.ndim(g) == 0 for g in given):
        return np.asarray(result).reshape(-1)[0][()]
    return result


def erlang_b(servers: np.ndarray | int, offered_load: np.ndarray | float) -> np.ndarray:
    """The share of arrivals an M/M/c/c loss system turns away (Erlang B) for ``servers`` c
    and ``offered_load`` a (erlangs): P(X = c) / P(X <= c) for X ~ Poisson(a), in logs."""
    from scipy.special import gammaincc, gammaln

    c, a = np.broadcast_arrays(np.asarray(servers, dtype=float), np.asarray(offered_load, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # log P(X = c) = c log a - a - log c!;  P(X <= c) = Q(c + 1, a), the regularized upper gamma.
        log_b = c * np.log(a) - a - gammaln(c + 1.0) - np.log(gammaincc(c + 1.0, a))
        return _same_kind(np.where(a > 0, np.exp(log_b), np.where(c > 0, 0.0, 1.0)), servers, offered_load)


def erlang_c(servers: np.ndarray | int, offered_load: np.ndarray | float) -> np.ndarray:
    """P(wait) in an M/M/c queue (Erlang C) for ``servers`` c (count) and ``offered_load``
    a = lambda / mu (erlangs); 1 where a >= c (every arrival waits)."""
    c, a = np.broadcast_arrays(np.asarray(servers, dtype=float), np.asarray(offered_load, dtype=float))
    b = erlang_b(c, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = c * b / (c - a * (1.0 - b))
    return _same_kind(np.where(a < c, wait, 1.0), servers, offered_load)


def mean_wait(servers: np.ndarray | int, arrival_rate: np.ndarray, service_rate: np.ndarray | float) -> np.ndarray:
    """Mean time in the queue of an M/M/c queue, Wq = C / (c mu - lambda) (Erlang C,
    Kleinrock vol. 1, 3.5); inf when saturated. Scalars in, a numpy scalar out.

    Parameters
    ----------
    servers : int or array
        c, whole servers.
    arrival_rate : float or array
        lambda, arrivals per time unit.
    service_rate : float or array
        mu, completions per server per the same time unit.

    Returns
    -------
    float or array
        Wq, in that time unit.
    """
    lam, mu = np.asarray(arrival_rate, dtype=float), np.asarray(service_rate, dtype=float)
    theta = servers * mu - lam
    with np.errstate(divide="ignore"):
        wait = np.where(theta > 0, erlang_c(servers, lam / mu) / theta, np.inf)
    return _same_kind(wait, servers, arrival_rate, service_rate)


def _tail(t: np.ndarray, wait: np.ndarray, theta: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """P(T > t) given Erlang C ``wait`` and the drain rate ``theta`` = c mu - lambda (module docstring)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mixed = np.where(
            np.isclose(theta, mu),
            (1.0 + mu * t) * np.exp(-mu * t),  # the limit theta -> mu
            (theta * np.exp(-mu * t) - mu * np.exp(-theta * t)) / (theta - mu),
        )
        tail = (1.0 - wait) * np.exp(-mu * t) + wait * mixed
    return np.where(theta > 0, tail, 1.0)


def response_tail(
    t: np.ndarray | float, servers: np.ndarray | int, arrival_rate: np.ndarray, service_rate: np.ndarray | float
) -> np.ndarray:
    """P(response time > t), wait plus service, of an M/M/c queue (the tail in the module
    docstring; Gross and Harris, 2.3). Scalars in, a numpy scalar out.

    Parameters
    ----------
    t : float or array
        Time, in the rates' time unit.
    servers : int or array
        c, whole servers.
    arrival_rate : float or array
        lambda, arrivals per time unit.
    service_rate : float or array
        mu, completions per server per time unit.
    """
    lam, mu = np.asarray(arrival_rate, dtype=float), np.asarray(service_rate, dtype=float)
    tail = _tail(np.asarray(t, dtype=float), erlang_c(servers, lam / mu), servers * mu - lam, mu)
    return _same_kind(tail, t, servers, arrival_rate, service_rate)


def response_quantile(
    q: float, servers: np.ndarray | int, arrival_rate: np.ndarray, service_rate: np.ndarray | float
) -> np.ndarray:
    """The q-quantile of the response time of an M/M/c queue, solving P(T > t) = 1 - q with
    scipy's bracketing root finder; inf when saturated. Scalars in, a numpy scalar out.

    Parameters
    ----------
    q : float
        The quantile, 0 < q < 1 (0.95 for the 95th percentile).
    servers : int or array
        c, whole servers.
    arrival_rate : float or array
        lambda, arrivals per time unit.
    service_rate : float or array
        mu, completions per server per time unit.

    Returns
    -------
    float or array
        The response time, in the rates' time unit.
    """
    from scipy.optimize.elementwise import find_root

    lam = np.atleast_1d(np.asarray(arrival_rate, dtype=float))
    c, lam, mu = np.broadcast_arrays(np.asarray(servers, dtype=float), lam, np.asarray(service_rate, dtype=float))
    theta = c * mu - lam
    stable = theta > 0
    wait = erlang_c(c, lam / mu)  # independent of t: once, not per step
    # A bracket: T is at most as slow as Gamma(2, r), r = min(mu, theta), whose tail
    # (1 + r t) e^(-r t) <= 2 e^(-r t / 2); that is below 1 - q from t = 2 ln(2 / (1 - q)) / r.
    rate = np.where(stable, np.minimum(mu, np.where(stable, theta, 1.0)), 1.0)
    hi = 2.0 * np.log(2.0 / (1.0 - q)) / rate
    theta_ok = np.where(stable, theta, mu + 1.0)  # any stable value where saturated: masked below
    found = find_root(
        lambda t, w, th, m: _tail(t, w, th, m) - (1.0 - q),
        (np.zeros_like(hi), hi),
        args=(wait, theta_ok, mu),
        tolerances={"xrtol": 1e-12, "xatol": 0.0},
    )
    return _same_kind(np.where(stable, found.x, np.inf), servers, arrival_rate, service_rate)


def service_level(
    t: np.ndarray | float, servers: np.ndarray | int, arrival_rate: np.ndarray, service_rate: np.ndarray | float
) -> np.ndarray:
    """P(wait <= t) = 1 - C e^(-(c mu - lambda) t) of an M/M/c queue (Erlang C's service
    level; 0 when saturated). Scalars in, a numpy scalar out.

    Parameters
    ----------
    t : float or array
        The wait, in the rates' time unit.
    servers : int or array
        c, whole servers.
    arrival_rate : float or array
        lambda, arrivals per time unit.
    service_rate : float or array
        mu, completions per server per time unit.
    """
    lam, mu = np.asarray(arrival_rate, dtype=float), np.asarray(service_rate, dtype=float)
    theta = servers * mu - lam
    with np.errstate(over="ignore"):
        level = 1.0 - erlang_c(servers, lam / mu) * np.exp(-np.maximum(theta, 0.0) * np.asarray(t, dtype=float))
    return _same_kind(np.where(theta > 0, level, 0.0), t, servers, arrival_rate, service_rate)


def arrival_rate_at_quantile(q: float, target: float, servers: int, service_rate: float) -> float:
    """The arrival rate at which the q-quantile response time of an M/M/c queue reaches
    ``target`` (0 if the service alone misses it), by scipy's brentq on
    :func:`response_quantile`.

    Parameters
    ----------
    q : float
        The quantile, 0 < q < 1.
    target : float
        The response time, in the rates' time unit.
    servers : int
        c, whole servers.
    service_rate : float
        mu, completions per server per time unit.

    Returns
    -------
    float
        lambda, arrivals per time unit.
    """
    from scipy.optimize import brentq

    if response_quantile(q, servers, 0.0, service_rate) >= target:
        return 0.0
    capacity = servers * service_rate  # the quantile grows without bound as arrivals reach it
    return float(
        brentq(lambda lam: response_quantile(q, servers, lam, service_rate) - target, 0.0, capacity * (1 - 1e-12))
    )


# --- the public queue ------------------------------------------------------------------------
def _checked(name: str, values: np.ndarray | float, low: float, strict: bool) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    bad = ~np.isfinite(array) | ((array <= low) if strict else (array < low))
    if bad.any():
        allowed = f"above {low:g}" if strict else f"at least {low:g}"
        raise InputError(f"{name} = {array[np.argmax(bad)]:g} is not allowed: it must be a finite number {allowed}")
    return array


@dataclass(frozen=True)
class MMC:
    """An M/M/c queue (or one per element of its arrays). Make it with :func:`mmc`:
    ``arrival_rate`` lambda and ``service_rate`` mu (per server) per one time unit, and
    ``servers`` c, each held as an array.

    Scalars in, scalars out: a queue made of scalars gives each figure as a float (``mmc(10,
    12, 2).p_wait`` is 0.2451); one made with an array gives arrays of the broadcast shape."""

    arrival_rate: np.ndarray
    service_rate: np.ndarray
    servers: np.ndarray
    #: Every input was a scalar: the figures come out as floats.
    scalar: bool = False

    def _out(self, values: np.ndarray) -> np.ndarray | float:
        """A figure as given back: a float for a scalar queue, else the array."""
        return float(np.asarray(values).reshape(-1)[0]) if self.scalar else values

    # The figures as arrays, whatever the inputs (the formulas and the checks use these).
    @property
    def _load(self) -> np.ndarray:
        return self.arrival_rate / self.service_rate

    @property
    def _rho(self) -> np.ndarray:
        return self._load / self.servers

    @property
    def _stable(self) -> np.ndarray:
        return self._rho < 1.0

    @property
    def offered_load(self) -> np.ndarray | float:
        """a = lambda / mu, in erlangs (busy servers on average)."""
        return self._out(self._load)

    @property
    def utilization(self) -> np.ndarray | float:
        """rho = a / c, the share of time each server is busy."""
        return self._out(self._rho)

    @property
    def stable(self) -> np.ndarray | bool:
        """True where rho < 1 (a steady state exists)."""
        return bool(self._stable.reshape(-1)[0]) if self.scalar else self._stable

    def require_stable(self, asked: str = "", name: str | None = None) -> None:
        """Raise a one-line InputError if any element is unstable, naming the figure ``asked``
        for and the servers (``name``: as given)."""
        if not self._stable.all():
            i = int(np.argmin(self._stable))
            c, rho = int(self.servers.reshape(-1)[i]), float(self._rho.reshape(-1)[i])
            need = math.floor(float(self._load.reshape(-1)[i])) + 1
            raise InputError(
                f"{asked + ': ' if asked else ''}with {c} server{'' if c == 1 else 's'} utilization is {rho:.3g} "
                "(at least 1), "
                f"so the queue grows without bound; use at least {need} servers or a lower arrival rate",
                what="servers",
                name=name,
                value=c,
                allowed=f"at least {need} servers",
            )

    @property
    def _p_wait(self) -> np.ndarray:
        return np.asarray(erlang_c(self.servers, self._load))

    @property
    def p_wait(self) -> np.ndarray | float:
        """P(an arrival waits), Erlang C (1 where unstable)."""
        return self._out(self._p_wait)

    @property
    def p0(self) -> np.ndarray | float:
        """P(the system is empty)."""
        self.require_stable("P0")
        a, c = self._load, self.servers
        from scipy.special import gammaincc, gammaln

        # 1/P0 = sum_{k<c} a^k/k! + a^c / (c! (1 - rho)), and sum_{k<c} a^k/k! = e^a P(X <= c - 1)
        # = e^a Q(c, a) for X ~ Poisson(a): added in logs, so that large pools do not overflow.
        with np.errstate(divide="ignore"):
            log_sum = a + np.log(gammaincc(c, a))
            log_last = c * np.log(a) - gammaln(c + 1.0) - np.log1p(-self._rho)
            log_p0 = -np.logaddexp(log_sum, log_last)
        return self._out(np.where(a > 0, np.exp(log_p0), 1.0))

    @property
    def _lq(self) -> np.ndarray:
        self.require_stable("Lq")
        rho = self._rho
        return self._p_wait * rho / (1.0 - rho)

    @property
    def lq(self) -> np.ndarray | float:
        """Mean number waiting, Lq = C rho / (1 - rho)."""
        return self._out(self._lq)

    @property
    def l(self) -> np.ndarray | float:  # noqa: E743 (L is the queueing literature's name)
        """Mean number in the system, L = Lq + a (Little's law: L = lambda W)."""
        return self._out(self._lq + self._load)

    @property
    def _wq(self) -> np.ndarray:
        self.require_stable("Wq")
        return np.asarray(mean_wait(self.servers, self.arrival_rate, self.service_rate))

    @property
    def wq(self) -> np.ndarray | float:
        """Mean wait in the queue, Wq = Lq / lambda = C / (c mu - lambda), in the rates' time unit."""
        return self._out(self._wq)

    @property
    def w(self) -> np.ndarray | float:
        """Mean time in the system, W = Wq + 1 / mu, in the rates' time unit."""
        return self._out(self._wq + 1.0 / self.service_rate)

    def service_level(self, t: float) -> np.ndarray | float:
        """P(wait <= t), ``t`` in the rates' time unit."""
        self.require_stable("service level")
        _checked("t", t, 0.0, strict=False)
        return self._out(np.asarray(service_level(t, self.servers, self.arrival_rate, self.service_rate)))

    def response_percentile(self, percent: float) -> np.ndarray | float:
        """The response time (wait plus service) that ``percent`` % of arrivals stay within, in
        the rates' time unit."""
        if not 0 < percent < 100:
            raise InputError(f"percentile = {percent:g} is not allowed: it must be above 0 and below 100")
        self.require_stable(f"p{percent:g} response time")
        return self._out(
            np.asarray(response_quantile(percent / 100.0, self.servers, self.arrival_rate, self.service_rate))
        )

    def __repr__(self) -> str:
        if self.scalar:
            rho = float(self._rho.reshape(-1)[0])
            return (
                f"MMC(arrival_rate={float(self.arrival_rate.reshape(-1)[0]):g}, service_rate="
                f"{float(self.service_rate.reshape(-1)[0]):g}, servers={int(self.servers.reshape(-1)[0])}: "
                f"utilization {rho:.1%}{'' if rho < 1 else ', unstable'})"
            )
        return f"MMC({self.servers.size} queues, servers {int(self.servers.min())} to {int(self.servers.max())})"

    def _repr_html_(self) -> str:
        from capkit.tables import CSS, html_table

        return CSS + html_table(queue_frame(self), "capkit-queue")


def mmc(arrival_rate: np.ndarray | float, service_rate: np.ndarray | float, servers: np.ndarray | int) -> MMC:
    """An M/M/c queue: ``arrival_rate`` lambda (at least 0) and ``service_rate`` mu of one server
    (above 0), per the same time unit, and ``servers`` c (whole, 1 to 100,000). Arrays
    broadcast; all-scalar inputs give a queue whose figures are floats (Kleinrock vol. 1, 3.5)."""
    scalar = all(np.ndim(x) == 0 for x in (arrival_rate, service_rate, servers))
    lam = _checked("arrival_rate", arrival_rate, 0.0, strict=False)
    mu = _checked("service_rate", service_rate, 0.0, strict=True)
    c = _checked("servers", servers, 1.0, strict=False)
    if (c != np.round(c)).any() or c.max() > MAX_SERVERS:
        bad = c[np.argmax((c != np.round(c)) | (c > MAX_SERVERS))]
        raise InputError(f"servers = {bad:g} is not allowed: it must be a whole number from 1 to {MAX_SERVERS:,}")
    lam, mu, c = np.broadcast_arrays(lam, mu, c)
    return MMC(lam.astype(float), mu.astype(float), c.astype(float), scalar)


def servers_for(
    arrival_rate: float,
    service_rate: float,
    *,
    max_wait: float | None = None,
    service_level: tuple[float, float] | None = None,
    max_utilization: float | None = None,
) -> int:
    """The fewest servers of an M/M/c queue that meet every target given (Erlang C staffing).

    Parameters
    ----------
    arrival_rate : float
        lambda, arrivals per time unit (any one unit: per second, per minute).
    service_rate : float
        mu, completions per server per the same time unit.
    max_wait : float, optional
        The mean wait Wq must be at most this, in that time unit.
    service_level : (float, float), optional
        (share, t): at least that share (0 to 1) of arrivals wait at most t.
    max_utilization : float, optional
        Utilization at most this (0 to 1).

    Returns
    -------
    int
        The fewest servers; with no target, the fewest that are stable (rho < 1).
    """
    queue = mmc(arrival_rate, service_rate, 1)
    if max_utilization is not None and not 0 < max_utilization <= 1:
        raise InputError(f"max_utilization = {max_utilization:g} is not allowed: it must be above 0 and at most 1")
    if max_wait is not None:
        _checked("max_wait", max_wait, 0.0, strict=True)  # no finite pool waits 0 on average
    if service_level is not None:
        share, t = service_level
        if not 0 < share < 1:
            raise InputError(f"service level share = {share:g} is not allowed: it must be above 0 and below 1")
        _checked("service level time", t, 0.0, strict=False)
    a = float(queue._load.reshape(-1)[0])
    c = math.floor(a) + 1  # the fewest stable servers
    if max_utilization is not None:
        c = max(c, math.ceil(a / max_utilization - 1e-12))
    # Every count from there, a block at a time (each block one vectorized queue): waits only
    # shrink as servers are added, so the first count that meets the targets is the answer.
    while c <= MAX_SERVERS:
        counts = np.arange(c, min(c + MAX_COUNTS, MAX_SERVERS + 1), dtype=float)
        q = mmc(arrival_rate, service_rate, counts)
        ok = np.ones(counts.size, dtype=bool)
        if max_wait is not None:
            ok &= q.wq <= max_wait
        if service_level is not None:
            ok &= q.service_level(service_level[1]) >= service_level[0]
        if ok.any():
            return int(counts[np.argmax(ok)])
        c = int(counts[-1]) + 1
    raise InputError(f"no pool of up to {MAX_SERVERS:,} servers meets the targets")


def queue_table(
    arrival_rate: float,
    service_rate: float,
    servers: np.ndarray,
    within: float | None = None,
    name: str | None = None,
) -> pd.DataFrame:
    """An M/M/c queue at each server count of ``servers``, as a pandas table (Erlang C,
    Little's law; Kleinrock vol. 1, 3.5).

    Parameters
    ----------
    arrival_rate : float
        lambda, arrivals per time unit of your choice (waits come out in it).
    service_rate : float
        mu, completions per server per that time unit.
    servers : array of int
        Whole server counts.
    within : float, optional
        Also give the share waiting at most this long, in that time unit.
    name : str, optional
        The servers as the caller gave them, for the error when no count is stable.

    Returns
    -------
    DataFrame
        A row per count: servers, utilization, stable, p0, p_wait, lq, l, wq, w, the p50,
        p95 and p99 response times and, with ``within``, the share waiting at most that long.
        An unstable count (utilization at least 1) has its steady-state columns empty; when no
        count is stable, an InputError names the servers and the fewest stable ones.
    """
    import pandas as pd

    counts = np.atleast_1d(np.asarray(servers, dtype=float))
    whole = mmc(arrival_rate, service_rate, counts)
    if not whole.stable.any():
        whole.require_stable(name=name)
    table = pd.DataFrame({"servers": counts.astype(int), "utilization": whole.utilization, "stable": whole.stable})
    q = mmc(arrival_rate, service_rate, counts[whole.stable])  # the steady-state figures, all at once
    figures = {k: getattr(q, k) for k in ("p0", "p_wait", "lq", "l", "wq", "w")}
    figures.update({f"p{p}": q.response_percentile(p) for p in (50, 95, 99)})
    if within is not None:
        figures[f"within_{within:g}"] = q.service_level(within)
    for column, values in figures.items():
        table.loc[whole.stable, column] = values  # unstable counts stay empty (NaN)
    return table


def queue_frame(queue: MMC) -> pd.DataFrame:
    """A queue's figures for people, a row per element: servers, utilization, and for a stable
    one P(wait), the mean queue and wait, the mean and 95th percentile time in the system (in
    the rates' time unit); an unstable one says so."""
    import pandas as pd

    from capkit.tables import count, share

    lam, mu, c = (
        np.atleast_1d(x).reshape(-1) for x in np.broadcast_arrays(queue.arrival_rate, queue.service_rate, queue.servers)
    )
    rows = []
    for i in range(c.size):
        one = mmc(float(lam[i]), float(mu[i]), int(c[i]))
        row = {"servers": count(c[i]), "utilization": share(one.utilization)}
        if one.stable:
            row.update(
                {
                    "P(wait)": share(one.p_wait),
                    "mean queue": f"{one.lq:.4g}",
                    "mean wait": f"{one.wq:.4g}",
                    "mean time in system": f"{one.w:.4g}",
                    "95th percentile time": f"{one.response_percentile(95):.4g}",
                }
            )
        else:
            row["P(wait)"] = "unstable: the queue grows without bound"
        rows.append(row)
    return pd.DataFrame(rows)
