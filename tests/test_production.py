"""Right-sized for a paying product: no plan that sleeps or expires unless asked, the providers'
whole range, read replicas, and only the moves a provider allows."""

from pathlib import Path

import numpy as np
import pytest

import capkit
from capkit import cli
from capkit.analysis.roadmap import choose, roadmap, roadmap_table
from capkit.inputs import Inputs
from capkit.sizing import right_size
from capkit.stack import build_stack

GRID = np.geomspace(1_000, 10_000_000, 41)


@pytest.mark.parametrize("name", capkit.preset_names())
def test_no_right_sized_plan_runs_on_a_plan_unfit_for_production(name):
    """At every level of 1,000 to 10,000,000 users, every component's chosen option is fit for
    a paying product (the catalog's production flags)."""
    s = capkit.load_stack(name)
    choices = choose(s, s.workload(), GRID)
    for comp in s.components:
        c = choices[comp.id]
        for i in set(c.index.tolist()):
            assert comp.unfit(c.options[i]) is None, (comp.id, c.options[i])


def test_allow_hobby_lets_the_free_database_back_in():
    """At 2,000 users the free Postgres fits (1 GB holds 2,000 / 0.2 x 105.5 rows x 0.5 KB =
    0.53 GB, under 70 %): with --allow-hobby it is chosen, and the answer says it expires."""
    s = capkit.load_stack("render-postgres")
    wl = s.workload(users=2_000)
    assert right_size(s, wl).configuration["postgres"]["plan"] != "free"
    hobby = right_size(s, wl, allow_hobby=True)
    assert hobby.configuration["postgres"]["plan"] == "free"
    assert any("expires 30 days after creation" in u for u in hobby.unfit)


def test_the_cli_answers_a_paid_database_and_says_why(capsys):
    assert cli.main(["plan", "--stack", "render-postgres", "--set", "users=2000"]) == 0
    head = capsys.readouterr().out.split("\n\n")[0]
    assert "postgres: free" not in head
    assert "upgrade Render Postgres: Free -> Basic 256 MB (as written, free: expires 30 days" in head
    assert cli.main(["plan", "--stack", "render-postgres", "--set", "users=2000", "--allow-hobby"]) == 0
    head = capsys.readouterr().out.split("\n\n")[0]
    assert "right-sized (hobby plans allowed)" in head and "Render Postgres: Free, 1 GB disk" in head
    assert "not for a paying product: postgres: free: expires 30 days after creation" in head


def test_the_as_configured_view_names_the_plan_that_expires(capsys):
    assert cli.main(["plan", "--stack", "render-firestore", "--set", "users=1000", "--as-configured"]) == 0
    out = capsys.readouterr().out
    assert "not for a paying product: render_web: free: spins down after 15 minutes without traffic" in out


def _features(stack, choices, levels):
    comp = stack.component("postgres")
    c = choices["postgres"]
    return [comp.monotone(c.options[c.index[i]]) for i in range(len(levels))]


def test_render_postgres_never_moves_to_a_smaller_instance_or_disk():
    """Render upgrades a database to a larger instance type, never a smaller one, and never
    shrinks its disk: along the roadmap, memory and disk never fall."""
    s = capkit.load_stack("render-postgres")
    choices = choose(s, s.workload(), GRID)
    seen = _features(s, choices, GRID)
    for before, after in zip(seen, seen[1:], strict=False):
        assert after["memory_gb"] >= before["memory_gb"] and after["disk_gb"] >= before["disk_gb"]
    actions = " | ".join(roadmap_table(roadmap(s, s.workload(), GRID))["actions"])
    assert "Pro 4 GB -> Basic" not in actions and "Pro 16 GB -> Pro 4 GB" not in actions  # never down a type


def test_a_database_written_large_stays_large():
    """A stack written with pro_32gb and a 500 GB disk: at 1,000 users nothing smaller is
    offered (Render cannot shrink it), so the plan keeps at least 32 GB and 500 GB."""
    s = capkit.load_stack("render-postgres")
    raw = s.spec.model_dump()
    for c in raw["components"]:
        if c["id"] == "postgres":
            c["params"].update(plan="pro_32gb", disk_gb=500)
    big = build_stack(raw, Path("big.yaml"))
    plan = right_size(big, big.workload(users=1_000))
    chosen = plan.configuration["postgres"]
    assert big.component("postgres").monotone(chosen)["memory_gb"] >= 32 and chosen["disk_gb"] >= 500


def test_render_web_scales_to_the_catalogs_hundred_instances():
    s = capkit.load_stack("render-postgres")
    counts = {o["instances"] for o in s.component("render_web").options()}
    assert max(counts) == 100 == s.catalog.value("render.web.max_instances")


def test_render_read_replicas_are_billed_as_the_primary_and_split_reads():
    """pro_8gb ($100, 2 CPU) with 2 read replicas on a 20 GB disk: three instances and three
    disks, 3 x $100 + 3 x 20 GB x $0.30 = $318. With 90 % reads the primary runs 10 % + 90 % / 3
    = 40 % of the queries: at 100,000 users 434 queries/s (see test_sizing) become 173.6/s."""
    s = capkit.load_stack("render-postgres")
    raw = s.spec.model_dump()
    for c in raw["components"]:
        if c["id"] == "postgres":
            c["params"].update(plan="pro_8gb", disk_gb=20, read_replicas=2)
    stack = build_stack(raw, Path("replicas.yaml"))
    plan = capkit.evaluate(stack, stack.workload(users=100_000))
    db = plan.cost[plan.cost["component"] == "postgres"]
    assert db["cost_usd"].sum() == pytest.approx(318.0)
    queries = plan.load[(plan.load["component"] == "postgres") & (plan.load["metric"] == "queries_per_s")]
    peak = 100_000 * 50 / 86_400 * 3 * 5 * 0.5
    assert queries["demand"].iloc[0] == pytest.approx(peak * 0.4)


def test_read_replicas_beyond_the_plans_allowance_are_refused():
    s = capkit.load_stack("render-postgres")
    raw = s.spec.model_dump()
    for c in raw["components"]:
        if c["id"] == "postgres":
            c["params"].update(plan="basic_256mb", disk_gb=20, read_replicas=1)
    with pytest.raises(capkit.CapkitError, match="read_replicas 1: plan basic_256mb allows at most 0"):
        build_stack(raw, Path("bad.yaml"))


def test_supabase_reproduces_its_read_replica_billing_example():
    """Supabase's 'Manage Read Replica usage' example: Pro $25, a Small primary and a Small
    replica for 744 hours ($0.0206/h: $15.33 each, shown rounded as $15), the primary's 8 GB
    disk within the plan and the replica's 10 GB (1.25 x 8) at $0.125 = $1.25, less the $10
    compute credit, which covers the primary only: 25 + 15.33 - 10 + 15.33 + 1.25 = $46.91
    (the page, rounding compute to $15, says $46.25)."""
    s = capkit.load_stack("vercel-supabase")
    raw = s.spec.model_dump()
    for c in raw["components"]:
        if c["id"] == "supabase":
            c["params"].update(compute="small", read_replicas=1, database_gb={"per_month": 1})
    stack = build_stack(raw, Path("sb.yaml"))
    plan = capkit.evaluate(stack, stack.workload(users=1_000, days_per_month=31))
    items = plan.cost[plan.cost["component"] == "supabase"].set_index("key")["cost_usd"]
    compute = 744 * 0.0206
    assert items["replica_compute"] == pytest.approx(compute)
    assert items["replica_disk"] == pytest.approx(10 * 0.125)
    assert items[["plan", "compute", "disk", "replica_compute", "replica_disk"]].sum() == pytest.approx(
        25 + compute - 10 + compute + 1.25
    )


def test_the_roadmap_adds_replicas_where_they_cost_less():
    """With reads at 90 %, somewhere from 1,000 to 10,000,000 users a replica of the same
    instance type is cheaper than the next type: the roadmap says "add ... read replica"."""
    s = capkit.load_stack("render-postgres")
    actions = " | ".join(roadmap_table(roadmap(s, s.workload(), GRID))["actions"])
    assert "read replica" in actions and "reads split" in actions


@pytest.mark.parametrize("name", capkit.preset_names())
def test_no_phase_is_one_level_wide_and_no_move_saves_nothing(name):
    s = capkit.load_stack(name)
    phases = roadmap(s, s.workload(), GRID)
    for p in phases[:-1]:
        assert p.users_to > p.users_from, p
    for p in phases:
        for action in p.actions:
            assert "saves $0/" not in action, action


def test_the_link_carries_allow_hobby():
    s = capkit.load_stack("render-postgres")
    state = Inputs.of(s, "render-postgres")
    assert "allow_hobby" not in state.query()
    assert state.apply({"allow_hobby": "1"}) == [] and state.allow_hobby
    assert "allow_hobby=1" in state.query()
    assert state.apply({"allow_hobby": "maybe"}) == ["allow_hobby = 'maybe' is not one of: 1, 0, true, false"]
