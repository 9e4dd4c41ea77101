"""The planner's widgets from Python: ranges in the assumptions panel draw a cost band."""

import html
import re

import pytest

import capkit
from capkit.app import Planner
from capkit.tables import money


@pytest.fixture
def planner():
    return Planner("aws-serverless", users=100_000)


def layers(planner):
    return [layer.get("mark", {}).get("type") for layer in planner.chart_curve.chart["layer"]]


def test_a_range_draws_the_band_and_the_plan_uses_the_likely_value(planner):
    assert "area" not in layers(planner)
    planner.inputs["duration_ms"].box.value = "500:2000:4000"
    assert planner.inputs["duration_ms"].error.value == ""
    assert layers(planner)[0] == "area"
    s = capkit.load_stack("aws-serverless")
    expected = capkit.right_size(s, s.workload(users=100_000, duration_ms=2000)).summary["monthly_cost_usd"]
    assert planner.plan.summary["monthly_cost_usd"] == pytest.approx(expected)
    planner.inputs["duration_ms"].box.value = "1500"
    assert "area" not in layers(planner)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4000:2000:500", "a range is low:likely:high"),
        ("-5", "duration_ms = -5 is not allowed"),
        ("1:2", "a range is low:likely:high"),
        ("abc", "the value must be a number or low:likely:high"),
        ("100:200:2000000", "duration_ms = 2,000,000"),
    ],
)
def test_bad_input_shows_next_to_the_box_and_changes_nothing(planner, text, message):
    before = planner.plan.summary["monthly_cost_usd"]
    planner.inputs["duration_ms"].box.value = text
    assert message in planner.inputs["duration_ms"].error.value.replace("&#x27;", "'")
    assert "--set" not in planner.inputs["duration_ms"].error.value
    assert planner.plan.summary["monthly_cost_usd"] == before


def test_the_toggle_shows_the_stack_as_configured_and_the_link_carries_it():
    """render-postgres as written at 100,000 users: Starter's 0.5 CPU against 173.6 requests/s x
    100 ms = 17.4 cores busy is 3,472 %, so the headline says it is over its limits."""
    p = Planner("render-postgres", users=100_000)
    assert p.plan.sizing == "right-sized" and p.plan.fits
    assert "Cost to serve 100,000 users" in p.headline.value and "capkit-over-limits" not in p.headline.value
    p.sizing.value = "as-configured"
    assert p.plan.sizing == "as-configured" and not p.plan.fits
    assert "Over its limits at 100,000 users: " in p.headline.value
    assert p.load_table.value.count("capkit-row-over") == len(p.plan.limits) >= 5
    assert "sizing=as-configured" in p.scenario_query()
    other = Planner("render-postgres", query=p.scenario_query())
    assert other.sizing.value == "as-configured" and other.plan.summary == p.plan.summary


def test_a_bad_sizing_in_the_link_is_said_on_the_page():
    p = Planner("aws-serverless", query="sizing=cheapest&users=5000")
    assert "sizing = 'cheapest' is not one of: right-sized, as-configured" in html.unescape(p.status.value)
    assert p.sizing.value == "right-sized" and p.plan.workload["users"] == 5_000


def test_a_failed_first_refresh_still_gives_a_page():
    """A first value the engine refuses: the charts are there but empty, the page says why, and
    the next valid input draws them."""
    p = Planner("aws-serverless", item_kb=1e9)
    assert "capkit-error" in p.status.value and "item_kb" in p.status.value
    assert p.chart_cost.chart is None and p.chart_cost.widget.children == ()
    assert p.widget is not None and p.charts_zip("svg")  # an empty zip, not an AttributeError
    p.inputs["item_kb"].set_text("2")
    assert p.status.value == "" and p.chart_cost.chart is not None and len(p.chart_cost.widget.children) == 1


def test_inputs_round_trip_through_a_link_without_widgets():
    """The input state alone: a link's fields are checked, the refused ones named, the rest kept."""
    from capkit.inputs import Inputs, parse_query

    stack = capkit.load_stack("aws-serverless")
    state = Inputs.of(stack, "aws-serverless")
    name, fields = parse_query("?stack=aws-serverless&users=5000&price_usd=150&duration_ms=500:800:2000&x=1&sizing=big")
    errors = state.apply(fields)
    assert name == "aws-serverless"
    assert errors == [
        "'x' is not a field of stack aws-serverless",
        "sizing = 'big' is not one of: right-sized, as-configured",
    ]
    # A price above the slider's $100 stretches it (to twice the price) rather than being refused.
    assert state.sliders["users"] == 5000 and state.sliders["price_usd"] == 150
    assert state.ranges() == {"duration_ms": (500.0, 800.0, 2000.0)} and state.values()["duration_ms"] == 800
    again = Inputs.of(stack, "aws-serverless")
    assert again.apply(parse_query(state.query())[1]) == [] and again.values() == state.values()


def test_compare_holds_one_business_workload():
    """Every stack gets the same users, calls, conversion and price: the same revenue."""
    from capkit.app import Compare

    c = Compare(["aws-serverless", "render-postgres", "vercel-supabase"], users=50_000, price_usd=9.99)
    revenue = {cell for cell in re.findall(r"<td class='num'>(\$[\d,]+)</td>", c.table.value)}
    frame = capkit.compare(
        ["aws-serverless", "render-postgres", "vercel-supabase"], {"users": 50_000, "price_usd": 9.99}
    )
    assert len(set(frame["revenue_usd"])) == 1 and money(frame["revenue_usd"].iloc[0]) in revenue
    assert "<td class='text name'>users</td><td class='num'>50,000</td>" in c.workload.value
    c.picker.value = ("aws-serverless",)
    assert "give two to four stacks" in c.status.value


def test_compare_and_analysis_pages_read_their_link_and_offer_one(monkeypatch):
    """A compare link sets the stacks and sliders and says what it refuses; the page's own
    link reproduces it. The analysis page reads users, growth and draws the same way."""
    from capkit.app import Analysis, Compare

    monkeypatch.setenv("VOILA_BASE_URL", "/")  # served by Voila: the pages have a URL to link to
    c = Compare(query="stacks=render-postgres,vercel-supabase&users=20000&price_usd=abc&colour=red")
    assert c.picker.value == ("render-postgres", "vercel-supabase") and c.sliders["users"].value == 20_000
    said = html.unescape(c.status.value)
    assert "price_usd = 'abc' is not a number" in said and "'colour' is not an input of this page" in said
    query = c.link.value.split("href='?")[1].split("'")[0]
    again = Compare(query=query.replace("&amp;", "&"))
    assert again.picker.value == c.picker.value and again.values() == c.values() and "error" not in again.status.value
    a = Analysis("render-postgres", query="stack=vercel-supabase&users=30000&growth_rate_monthly=0.2&draws=300")
    a.wait()
    assert (a.stack_picker.value, a.users.value, a.growth.value, a.draws.value) == ("vercel-supabase", 30_000, 0.2, 300)
    assert "growth_rate_monthly=0.2" in a.link.value and "error" not in a.status.value


def test_a_stack_file_opened_by_link_shows_its_path_not_a_preset(tmp_path):
    """/?stack=bookly.yaml: the figures are the file's, the path box holds its name and the
    preset picker picks nothing (it read aws-serverless before)."""
    from capkit.app import Planner
    from capkit.stackfiles import show_text

    (tmp_path / "bookly.yaml").write_text(show_text("render-firestore"), encoding="utf-8")
    p = Planner(query="stack=bookly.yaml&users=5000", root=tmp_path)
    assert p.stack_picker.value is None and p.path_box.value == "bookly.yaml"
    assert p.stack_name == "bookly.yaml" and p.plan.workload["users"] == 5000
    p.stack_picker.value = "aws-serverless"  # picking a preset afterwards still switches
    assert p.stack_name == "aws-serverless"


def test_no_scenario_link_where_the_notebook_is_not_a_page(monkeypatch):
    """In JupyterLab (no Voila page, so no URL) the planner shows no link; in Voila it does."""
    from capkit.app import Planner

    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert Planner("aws-serverless").link.value == ""
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    assert "capkit-scenario-link" in Planner("aws-serverless").link.value
