"""Redis, email and Sentry plans against their published prices and caps."""

import pytest

from tests.conftest import cost_of, load_row, plan_of, stack_of

CACHE = dict(cache_ops_per_call=1.3, cached_kb_per_user=2, cached_user_share=1, cache_hit_rate=0.5)


def redis(provider, plan):
    return stack_of([{"id": "r", "type": "redis", "params": {"provider": provider, "plan": plan}}], **CACHE)


def test_upstash_pay_as_you_go():
    # 20,000 users x 50 calls x 30.4 days x 1.3 = 39,520,000 commands x $0.20 / 100,000 = $79.04.
    p = plan_of(redis("upstash", "payg"), users=20_000, calls_per_user=50, days_per_month=30.4)
    assert cost_of(p, "r", "commands") == pytest.approx(79.04)


def test_upstash_free_monthly_commands_cap():
    # 500,000 commands a month: reached at 500,000 / (10 x 30 x 1.3) = 1,282 users.
    p = plan_of(redis("upstash", "free"), users=100, calls_per_user=10, days_per_month=30)
    assert load_row(p, "r", "commands_per_month")["max_users"] == pytest.approx(500_000 / (10 * 30 * 1.3))


def test_render_key_value_memory():
    # Starter 256 MB; 100,000 MAU x 2 KB = 200 MB: 78%, watch.
    row = load_row(plan_of(redis("render_keyvalue", "starter"), users=50_000, dau_mau=0.5), "r", "memory_mb")
    assert row["demand"] == pytest.approx(200) and row["status"] == "watch"


def email(plan):
    return stack_of([{"id": "mail", "type": "email", "params": {"plan": plan}}], emails_per_user_month=2)


def test_gmail_daily_cap():
    # 100,000 MAU x 2 / 30.4 = 6,579 emails a day against Gmail's 500: max users 50,000 x 500 / 6,579.
    row = load_row(
        plan_of(email("gmail_consumer"), users=50_000, dau_mau=0.5, days_per_month=30.4), "mail", "emails_per_day"
    )
    assert row["demand"] == pytest.approx(6578.947, rel=1e-6)
    assert row["max_users"] == pytest.approx(3800)


def test_sendgrid_overage_and_ses():
    # 100,000 emails: $19.95 + 50,000 over x $0.0013 = $84.95 on Essentials 50K.
    p = plan_of(email("sendgrid_essentials_50k"), users=50_000, dau_mau=1)
    assert cost_of(p, "mail", "plan") + cost_of(p, "mail", "emails_over_plan") == pytest.approx(84.95)
    # SES Essentials: 100,000 x $0.16 / 1,000 = $16.
    assert cost_of(
        plan_of(email("ses_essentials"), users=50_000, dau_mau=1), "mail", "emails_over_plan"
    ) == pytest.approx(16)


def sentry(plan):
    return stack_of([{"id": "s", "type": "sentry", "params": {"plan": plan}}], error_rate=0.0005)


def test_sentry_graduated_overage():
    # 300,000 users x 50 x 30.4 x 0.0005 = 228,000 errors; Team includes 50,000.
    # (100,000 - 50,000) x $0.0003625 + (228,000 - 100,000) x $0.0002188 = 18.125 + 28.0064.
    p = plan_of(sentry("team"), users=300_000, calls_per_user=50, days_per_month=30.4)
    assert cost_of(p, "s", "errors_over_plan") == pytest.approx(46.1314)
    assert cost_of(p, "s", "plan") == 26


def test_sentry_developer_is_capped():
    row = load_row(
        plan_of(sentry("developer"), users=1000, calls_per_user=10, days_per_month=30), "s", "errors_per_month"
    )
    # 1,000 x 10 x 30 x 0.0005 = 150 errors of 5,000; the cap is a quota (events dropped).
    assert row["demand"] == pytest.approx(150) and row["kind"] == "quota"
