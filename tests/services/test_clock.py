"""One clock: instants in UTC, days counted in Viet Nam (UTC+7) whatever zone the server runs in."""

from __future__ import annotations

import datetime as dt

from services.common import clock


def test_a_day_in_viet_nam_starts_at_17_utc() -> None:
    assert clock.vietnam_date(dt.datetime(2026, 1, 1, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 1, 1)
    assert clock.vietnam_date(dt.datetime(2026, 1, 1, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 1, 2)


def test_now_is_aware_utc_and_today_is_the_local_date() -> None:
    before = clock.now()
    today = clock.today()
    after = clock.now()
    assert before.utcoffset() == dt.timedelta(0)
    assert clock.vietnam_now().utcoffset() == dt.timedelta(hours=7)
    assert today in {clock.vietnam_date(before), clock.vietnam_date(after)}
