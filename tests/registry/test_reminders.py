"""Expiry reminders by e-mail (issue 19 item 4), sent to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from models import ReminderDigest, Role, UnitEra
from services.common import settings
from services.common.settings import SmtpSettings, parse_smtp_url
from services.registry.manage import find_province
from services.registry.report import reminders
from tests.conftest import Database
from tests.factories import make_user
from tests.registry.report_data import seed_report_registry


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 try again later"
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its server by connecting to the port asked)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = parse_smtp_url(f"smtp+plain://127.0.0.1:{port}", "nhac-han@ocop.test")
        with settings.overridden(smtp=config):
            yield handler
    finally:
        controller.stop()


async def _officer(code: str, address: str) -> None:
    province = await find_province(code, UnitEra.LEGACY)
    assert province is not None
    await make_user(address, Role.PROVINCE_OFFICER, province_id=province.id)


async def test_each_office_and_producer_gets_one_digest_a_week(inbox: Inbox, db: Database) -> None:
    seeded = await seed_report_registry()
    await _officer("83", "ocop@bentre.test")
    await _officer("46", "ocop@hue.test")  # Huế has nothing expiring: no e-mail
    producer = await (await seeded.ending_soon.product).producer
    producer.email = "htx@duaxanh.test"
    await producer.save(update_fields=["email"])

    first = await reminders.send_reminders()
    assert (first.sent, first.already_this_week, first.failed) == (2, 0, 0)
    assert sorted(m["To"] for m in inbox.messages) == ["htx@duaxanh.test", "ocop@bentre.test"]
    mail = inbox.messages[0]
    assert "chứng nhận sắp hết hạn" in mail["Subject"]
    assert "about to expire" in mail["Subject"]
    body = mail.get_content()
    assert "Rượu Phú Lễ (5 sao)" in body  # stored NFC from an NFD name, sent as stored
    assert "Rượu Phú Lễ (5 stars)" in body
    assert f"hiệu lực đến {seeded.ending_soon_until.strftime('%d/%m/%Y')}" in body

    again = await reminders.send_reminders()  # the same week: nobody twice
    assert (again.sent, again.already_this_week) == (0, 2)
    assert len(inbox.messages) == 2
    later = await reminders.send_reminders(dt.date.today() + dt.timedelta(days=7))  # the next week
    assert later.sent == 2
    assert await ReminderDigest.filter(sent_at__isnull=False).count() == 4


async def test_two_senders_at_once_send_each_digest_once(inbox: Inbox, db: Database) -> None:
    await seed_report_registry()
    await _officer("83", "ocop@bentre.test")
    runs = await asyncio.gather(reminders.send_reminders(), reminders.send_reminders())
    assert sum(r.sent for r in runs) == 1
    assert len(inbox.messages) == 1


async def test_a_failed_send_is_tried_again_later(inbox: Inbox, db: Database) -> None:
    await seed_report_registry()
    await _officer("83", "ocop@bentre.test")
    inbox.refuse = True
    failed = await reminders.send_reminders()
    assert (failed.sent, failed.failed) == (0, 1)
    assert await ReminderDigest.all().count() == 0  # the claim was given back
    inbox.refuse = False
    assert (await reminders.send_reminders()).sent == 1


async def test_reminders_are_off_without_an_smtp_server(db: Database) -> None:
    await seed_report_registry()
    await _officer("83", "ocop@bentre.test")
    assert settings.load_settings({}).smtp is None  # off by default
    with settings.overridden(smtp=None):
        run = await reminders.send_reminders()
    assert run.off
    assert await ReminderDigest.all().count() == 0


def test_a_malformed_smtp_url_is_refused_at_start_up() -> None:
    for url in (
        "mail.example.vn",
        "http://mail.example.vn",
        "smtp://",
        "smtp://host:notaport",
        "smtp://host/x",
    ):
        with pytest.raises(ValueError, match="OCOP_SMTP_URL"):
            settings.load_settings({"OCOP_SMTP_URL": url})
    with pytest.raises(ValueError, match="OCOP_SMTP_FROM"):
        settings.load_settings(
            {"OCOP_SMTP_URL": "smtp://mail.example.vn", "OCOP_SMTP_FROM": "not an address"}
        )
    parsed = settings.load_settings({"OCOP_SMTP_URL": "smtps://nhac%40han:p%3Ass@mail.example.vn"}).smtp
    assert parsed == SmtpSettings(
        "mail.example.vn", 465, "tls", "nhac@han", "p:ss", "ocop-hub@mail.example.vn"
    )
