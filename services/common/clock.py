"""The one clock: moments are stored in UTC, days are counted in Viet Nam.

OCOP certificates, fair days, label run dates and "today" on public pages are all local dates in Viet Nam
(UTC+7, no daylight saving), whatever zone the server runs in; instants (created_at, expiry) are aware UTC.
Modules import these names instead of building their own zone, so a test can patch one place.
"""

from __future__ import annotations

import datetime as dt

# A fixed offset, not zoneinfo("Asia/Ho_Chi_Minh"): the country has kept UTC+7 since 1975 and the
# tz database may be missing in slim containers.
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def vietnam_now() -> dt.datetime:
    """The current instant, aware, on Viet Nam's wall clock."""
    return dt.datetime.now(VIETNAM)


def today() -> dt.date:
    """Today's date in Viet Nam: certificate validity and fair days are counted in local days."""
    return vietnam_now().date()


def vietnam_date(moment: dt.datetime) -> dt.date:
    """The Viet Nam calendar day of an aware instant."""
    return moment.astimezone(VIETNAM).date()
