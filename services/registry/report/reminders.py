"""Expiry reminders (issue 19 item 4): an e-mail digest to each province officer and each producer of the
certificates that end within 90 days (services/registry/report/figures.py `expiring_query`, the same list
as GraphQL's `expiringCertificates` and the printed report), bilingual, at most one per recipient a week.

Off by default: nothing is sent unless OCOP_SMTP_URL names a server (services/common/settings.py). Run by
`server.py reminders send` (daily from cron or a systemd timer; a second run in the same week sends only
to recipients not reached yet).

One a week, across workers: before sending, a sender inserts the (recipient, ISO week) row of
`ReminderDigest`, whose unique key lets only one insert win; the loser skips the recipient. A failed send
deletes its row, so a later run tries again; a process killed between the claim and the send leaves the
row, and that recipient gets nothing that week (at most once, never twice). SMTP runs in a thread (the
standard library's smtplib), never on the event loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import structlog
from tortoise.exceptions import IntegrityError

from models import Membership, ReminderDigest, Role
from services.common import clock, settings
from services.common.settings import SmtpSettings
from services.common.text import nfc
from services.registry.report.figures import (
    EXPIRING_DAYS,
    Expiring,
    ScopeKind,
    expiring_query,
    expiring_rows,
    producers_of,
    resolve_scope,
)

log = structlog.get_logger("ocop.reminders")

SMTP_TIMEOUT_S = 30.0


@dataclass(slots=True)
class Digest:
    recipient: str  # lower-case
    certificates: dict[int, Expiring] = field(default_factory=dict)  # by evaluation id
    as_officer: set[str] = field(default_factory=set)  # province names
    as_producer: set[str] = field(default_factory=set)  # producer names


@dataclass(frozen=True, slots=True)
class ReminderRun:
    off: bool = False  # no SMTP server configured: nothing was sent
    sent: int = 0
    already_this_week: int = 0
    failed: int = 0
    recipients: tuple[str, ...] = ()  # those sent to


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


async def digests(today: dt.date, within_days: int = EXPIRING_DAYS) -> list[Digest]:
    """Who gets which certificates: the active officers of each province the certificates of their
    province; each producer with an e-mail address its own. One digest per address, merged."""
    found: dict[str, Digest] = {}

    def digest(address: str) -> Digest:
        key = address.strip().lower()
        return found.setdefault(key, Digest(key))

    offices = await Membership.filter(
        role=Role.PROVINCE_OFFICER, user__is_active=True, province_id__isnull=False
    ).values("user__email", code="province__code")
    officers: dict[str, set[str]] = defaultdict(set)
    for row in offices:
        officers[row["code"]].add(row["user__email"])
    for code, addresses in sorted(officers.items()):
        scope = await resolve_scope(ScopeKind.PROVINCE, code)
        rows = await expiring_rows(expiring_query(await producers_of(scope), today, within_days), today)
        for address in addresses:
            if rows:
                d = digest(address)
                d.as_officer.add(scope.name)
                d.certificates.update((r.evaluation_id, r) for r in rows)

    everything = expiring_query(None, today, within_days)
    producer_rows = await everything.filter(product__producer__email__isnull=False).values(
        "id", email="product__producer__email"
    )
    emails = {r["id"]: r["email"] for r in producer_rows if r["email"] and "@" in r["email"]}
    if emails:
        for item in await expiring_rows(everything.filter(id__in=list(emails)), today):
            d = digest(emails[item.evaluation_id])
            d.as_producer.add(item.producer)
            d.certificates[item.evaluation_id] = item
    return [found[k] for k in sorted(found)]


def _line(row: Expiring, english: bool) -> str:
    until = row.valid_until.isoformat() if english else row.valid_until.strftime("%d/%m/%Y")
    if english:
        return f"- {row.product} ({row.stars} stars), {row.producer}, {row.province}: valid until {until}, {row.days_left} days left"
    return f"- {row.product} ({row.stars} sao), {row.producer}, {row.province}: hiệu lực đến {until}, còn {row.days_left} ngày"


def message(d: Digest, sender: str, today: dt.date, within_days: int = EXPIRING_DAYS) -> EmailMessage:
    """The bilingual digest (Vietnamese first), plain text, NFC."""
    rows = sorted(d.certificates.values(), key=lambda r: (r.valid_until, r.product))
    count = len(rows)
    mail = EmailMessage()
    mail["Subject"] = nfc(f"[OCOP] {count} chứng nhận sắp hết hạn / {count} certificate(s) about to expire")
    mail["From"] = formataddr(("ocop-hub", sender))
    mail["To"] = d.recipient
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    mail["Auto-Submitted"] = "auto-generated"
    vi = [
        "Kính gửi Quý cơ quan, Quý chủ thể,",
        "",
        f"Các chứng nhận sản phẩm OCOP sau hết hiệu lực trong {within_days} ngày tới (tính từ "
        f"{today.strftime('%d/%m/%Y')}). Sau khi hết hạn, không được in logo OCOP và số sao trên bao bì; "
        "hãy chuẩn bị hồ sơ đánh giá lại.",
        "",
        *(_line(r, english=False) for r in rows),
    ]
    en = [
        "Dear office, dear producer,",
        "",
        f"The following OCOP certificates end within the next {within_days} days (from {today.isoformat()}). "
        "Once a certificate has expired, the OCOP logo and stars may no longer be printed on packaging; "
        "please prepare the re-evaluation.",
        "",
        *(_line(r, english=True) for r in rows),
    ]
    footer = [
        "",
        "-- ",
        "ocop-hub: thư tự động, tối đa một thư mỗi tuần / an automatic e-mail, at most one a week.",
    ]
    mail.set_content(nfc("\n".join([*vi, "", "", *en, *footer])), charset="utf-8")
    return mail


def _send(config: SmtpSettings, mail: EmailMessage) -> None:
    """One e-mail over SMTP (in a worker thread)."""
    client: smtplib.SMTP
    if config.security == "tls":
        client = smtplib.SMTP_SSL(
            config.host, config.port, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_S)
    with client:
        if config.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config.username:
            client.login(config.username, config.password or "")
        client.send_message(mail)


async def send_reminders(today: dt.date | None = None, within_days: int = EXPIRING_DAYS) -> ReminderRun:
    """Send this week's digests that have not been sent yet; off (nothing read, nothing sent) without an
    SMTP server."""
    config = settings.current().smtp
    if config is None:
        return ReminderRun(off=True)
    today = today or clock.today()
    week = week_of(today)
    sent: list[str] = []
    already = failed = 0
    for d in await digests(today, within_days):
        try:
            claim = await ReminderDigest.create(
                recipient=d.recipient, week=week, certificates=len(d.certificates)
            )
        except IntegrityError:
            already += 1
            continue
        try:
            await asyncio.to_thread(_send, config, message(d, config.sender, today, within_days))
        except (smtplib.SMTPException, OSError) as error:
            await claim.delete()
            failed += 1
            log.warning("reminder not sent", recipient=d.recipient, error=str(error))
            continue
        claim.sent_at = clock.now()
        await claim.save(update_fields=["sent_at"])
        sent.append(d.recipient)
    log.info("reminders", sent=len(sent), already_this_week=already, failed=failed, week=week.isoformat())
    return ReminderRun(sent=len(sent), already_this_week=already, failed=failed, recipients=tuple(sent))
