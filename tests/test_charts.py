"""Charts: Vega-Lite specs with the plan's own figures, drawn offline."""

import json

import capkit
from capkit import charts
from capkit.scenario import Scenario


def test_cost_by_component_carries_each_components_monthly_cost():
    s = capkit.load_stack("render-postgres")
    plan = capkit.right_size(s, s.workload(users=100_000))
    spec = charts.spec_of(charts.cost_by_component(plan))
    values = {row["component"]: row["cost_usd"] for data in spec["datasets"].values() for row in data}
    costs = plan.component_costs()
    assert set(values) == {plan.names[c] for c in costs.index}
    assert abs(sum(values.values()) - plan.summary["monthly_cost_usd"]) < 1e-6


def test_the_three_planner_charts_are_offline_specs():
    s = capkit.load_stack("aws-serverless")
    specs = {name: charts.spec_of(c) for name, c in Scenario(s, s.workload()).charts().items()}
    assert set(specs) == {"cost-by-component", "cost-and-revenue", "utilization"}
    text = json.dumps(specs)
    assert "http://" not in text and "https://" not in text.replace("https://vega.github.io/schema", "")


def test_a_chart_renders_to_svg_without_a_network():
    s = capkit.load_stack("aws-serverless")
    svg = charts.to_svg(charts.cost_by_component(capkit.evaluate(s, s.workload())))
    assert svg.startswith("<svg") and "</svg>" in svg
