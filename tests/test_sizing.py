"""Right-sizing: the roadmap's choice at one level, its plan, its sweep and its levers."""

import numpy as np
import pytest

import capkit
from capkit.analysis.roadmap import roadmap
from capkit.engine import WATCH_AT, sweep_table
from capkit.sizing import levers, right_size, right_sized_evaluation


@pytest.fixture(scope="module")
def render_postgres():
    return capkit.load_stack("render-postgres")


def test_render_postgres_at_100k_users(render_postgres):
    """Worked from the preset's assumptions and Render's published plans.

    Peak requests: 100,000 users x 50 calls / 86,400 s x peak factor 3 = 173.6/s.
    CPU: 173.6/s x 100 ms = 17.4 cores busy; under watch (70 %) needs more than 24.8 cores:
    Starter (0.5 CPU) ceil(24.8 / 0.5) = 50 instances x $7 = $350 (Render scales a service to
    100), against Standard's 25 x $25 = $625 and Pro's 13 x $85 = $1,105. Workers: each slot
    serves 1000 / 300 ms = 3.33/s, so 173.6 / (0.7 x 3.33) = 74.4 slots: 50 x 2 processes =
    100 (x 1 = 50 is short); 2 x 125 MB = 250 MB is under 70 % of Starter's 512 MB.
    Postgres: 100 connections need more than 100 / 0.7 = 143 (pro_8gb's 200 or more);
    173.6/s x 5 queries x (1 - 0.5 cache hits) = 434 queries/s at 5 ms = 2.17 cores busy need
    more than 3.1 cores: pro_16gb (4 CPU) at $200. A read replica of pro_8gb (2 CPU) would
    carry it too (the primary keeps 10 % writes + 90 % / 2 reads = 55 %: 1.19 cores, 60 %),
    but two pro_8gb instances cost $200 and two disks. Disk: 100,000 / 0.2 DAU/MAU x 105.5
    rows x 0.5 KB = 26.4 GB; under 70 % needs 37.7 GB: the 40 GB step ($12).
    """
    s = render_postgres
    plan = right_size(s, s.workload(users=100_000))
    assert plan.sizing == "right-sized" and plan.fits
    assert plan.configuration["render_web"] == {"plan": "starter", "instances": 50, "processes_per_instance": 2}
    assert plan.configuration["postgres"] == {"plan": "pro_16gb", "read_replicas": 0, "disk_gb": 40.0}
    web = plan.cost[plan.cost["component"] == "render_web"]
    assert web["item"].iloc[0] == "starter instances" and web["cost_usd"].iloc[0] == pytest.approx(50 * 7.0)
    db = plan.cost[plan.cost["component"] == "postgres"]
    assert db["cost_usd"].sum() == pytest.approx(200.0 + 40 * 0.30)
    assert "scale Render web service: 1 -> 50 instances" in plan.actions
    assert any(a.startswith("upgrade Render Postgres: Free -> Pro 16 GB") for a in plan.actions)
    assert (plan.load.loc[plan.load["kind"] != "free_tier", "utilization"] < WATCH_AT).all()
    document = plan.to_json()
    assert document["sizing"] == "right-sized" and document["fits"] is True
    assert document["configuration"]["postgres"]["plan"] == "pro_16gb"


LEVELS = np.geomspace(1_000, 10_000_000, 121)


@pytest.mark.parametrize("name", capkit.preset_names())
def test_right_sized_cost_never_falls_as_users_grow(name):
    """More users never make the cheapest fitting configuration cheaper: every option's cost
    grows with users and the options that fit only shrink."""
    s = capkit.load_stack(name)
    cost = right_sized_evaluation(s, s.workload(), LEVELS).monthly_cost_usd()
    assert (np.diff(cost) >= -1e-9 * cost[1:]).all()


@pytest.mark.parametrize("name", capkit.preset_names())
@pytest.mark.parametrize("users", [2_000.0, 150_000.0, 3_000_000.0])
def test_right_size_is_the_roadmaps_choice(name, users):
    """The plan at one level costs what the roadmap's phase costs at that level."""
    s = capkit.load_stack(name)
    wl = s.workload(users=users)
    plan = right_size(s, wl)
    phases = roadmap(s, wl, [users, users * 1.01])
    assert plan.summary["monthly_cost_usd"] == pytest.approx(phases[0].cost_from_usd, rel=1e-9)
    assert plan.fits == phases[0].fits
    sweep = sweep_table(right_sized_evaluation(s, wl, np.array([users])))
    assert sweep["monthly_cost_usd"].iloc[0] == pytest.approx(plan.summary["monthly_cost_usd"], rel=1e-9)


def test_no_option_fits_names_the_batch_window_and_its_lever():
    """render-firestore's weekly batch: MAU x 0.111 s/user / parallelism must stay under 70 % of
    60 minutes. At 100,000 DAU (200,000 MAU at DAU/MAU 0.5): 200,000 x 0.111 / 60 = 370 min
    with one worker; 370 / (0.7 x 60) = 8.8 workers bring it under watch, so the nearest
    parallelism tried that fits lies between 8.8 and 9.9 (the candidates step 1.048x apart)."""
    s = capkit.load_stack("render-firestore")
    plan = right_size(s, s.workload(users=100_000))
    assert not plan.fits
    (limit,) = plan.limits
    assert (limit["component"], limit["metric"]) == ("batch_jobs", "duration_min")
    lever = {x["assumption"]: x for x in limit["levers"]}["batch_parallelism"]
    assert lever["now"] == 1 and 8.8 <= lever["fits_at"] <= 8.8 * 1.06


def test_levers_leave_business_inputs_alone(render_postgres):
    s = render_postgres
    found = levers(s, s.workload(users=100_000), "render_web", "cpu")
    assert [x["assumption"] for x in found] == ["cpu_ms_per_call"]


@pytest.mark.parametrize("name", capkit.preset_names())
@pytest.mark.parametrize("users", [1_000.0, 100_000.0, 10_000_000.0])
def test_every_line_past_a_hard_limit_is_over(name, users):
    """Past 100 % of a hard limit the status is over (act stays for 90-100 %); a free allowance
    is never over: billed from 100 % on. Both sizings, every preset."""
    s = capkit.load_stack(name)
    for plan in (capkit.evaluate(s, s.workload(users=users)), right_size(s, s.workload(users=users))):
        load = plan.load
        hard = load["kind"] != "free_tier"
        assert (load.loc[hard & (load["utilization"] > 1), "status"] == "over").all()
        assert (load.loc[hard & (load["utilization"] <= 1), "status"] != "over").all()
        assert (load.loc[hard & (load["utilization"] >= 0.9) & (load["utilization"] <= 1), "status"] == "act").all()
        assert set(load.loc[~hard, "status"]) <= {"free", "billed"}
        assert (load.loc[~hard & (load["utilization"] >= 1), "status"] == "billed").all()
        over = {(x["component"], x["metric"]) for x in plan.limits}
        if plan.sizing == "as-configured":
            rows = load[load["status"] == "over"]
            assert over == set(zip(rows["component"], rows["metric"], strict=True))


def test_a_report_takes_the_sizing():
    from capkit.report import Report, ReportParams

    sized = Report.build(ReportParams("render-postgres", {"users": 100_000}))
    written = Report.build(ReportParams("render-postgres", {"users": 100_000}, sizing="as-configured"))
    assert sized.plan.sizing == "right-sized" and written.plan.sizing == "as-configured"
    assert "Over its limits at 100,000 users" in written.headline().markup
    assert "Cost to serve 100,000 users" in sized.headline().markup
