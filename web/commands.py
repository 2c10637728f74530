"""The command line of `server.py` but `serve`: migrate, demo, export-schema, labels, catalog, worker,
report, reminders, create-admin, trusted-documents, backup, restore, verify, export (their usage is in server.py's docstring and `python server.py --help`)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, cast

import orjson
import structlog

import schema as graphql_schema
from models import Job
from services.common import db, instance, storage
from services.common.errors import DomainError
from services.common.settings import Settings
from services.fairs.catalog import job as catalog_job
from services.jobs import queue as jobs
from services.labels import runs as label_runs
from services.policy import SYSTEM
from services.registry import reference

log = structlog.get_logger("ocop")


async def _migrate(settings: Settings, demo_if_empty: bool) -> None:
    # Replicas started together run this one at a time (a PostgreSQL advisory lock): the first applies
    # the migrations and loads the demo, the others find nothing left to do.
    async with db.migration_lock(settings.database_url):
        await db.migrate(settings.database_url)
        await db.connect(settings.database_url, pool_size=settings.db_pool_size)
        try:
            await reference.sync_all()
            await announce_identity(settings)
            if demo_if_empty and not settings.is_production:
                from services.demo import loader as demo

                if await demo.is_empty():
                    counts = await demo.load(
                        with_accounts=not settings.is_production, base_url=settings.public_base_url
                    )
                    log.info("demo data loaded", **counts)
        finally:
            await db.disconnect()


async def announce_identity(settings: Settings) -> str:
    """Mint the installation's identity on its first start (services/common/instance.py) and say, when the
    configured public base URL is another, that both are answered and which one the identifiers keep."""
    minted = await instance.identity_base(settings.public_base_url)
    if minted != settings.public_base_url:
        log.warning(
            "public base URL moved",
            configured=settings.public_base_url,
            minted=minted,
            meaning=f"pages, new labels and links use {settings.public_base_url}; recorded events keep their "
            f"identifiers and hashes under {minted}, and QR codes printed with {minted} keep resolving if that "
            "domain reaches this server",
        )
    return minted


async def _demo(settings: Settings) -> None:
    from services.demo import loader as demo

    if settings.is_production:
        raise SystemExit(
            "The demo data set (fictional producers, a published password) is never loaded in production."
        )
    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        await reference.sync_all()
        counts = await demo.load(with_accounts=True, base_url=settings.public_base_url)
        log.info("demo data loaded", **counts)
    finally:
        await db.disconnect()


async def _labels(settings: Settings, args: argparse.Namespace) -> int:
    """Operators' path to a label run: created as the system, written with a progress bar."""
    from tqdm import tqdm

    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        data = label_runs.LabelRunData(
            batch_id=args.batch_id,
            template=args.template,
            count=args.count,
            serialized=args.serialized,
            start_slot=args.start_slot,
            language=args.language,
            confirm_expired=args.confirm_expired,
        )
        try:
            run = await label_runs.create_label_run(
                data, SYSTEM, user_id=None, base_url=settings.public_base_url
            )
        except DomainError as exc:
            for p in exc.problems:
                sys.stderr.write(f"{p.field}: {p.message_en}\n")
            return 2
        for warning in label_runs.run_warnings(run):
            sys.stderr.write(f"warning: {warning.message_en}\n")
        job = await label_runs.job_of(run)
        target = args.output or Path(label_runs.file_name(run, args.format))
        with tqdm(total=run.count, unit="label", desc=f"run {run.id}") as bar, target.open("wb") as out:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            await asyncio.to_thread(label_runs.write_output, job, args.format, out, progress)
        try:
            await label_runs.record_checksum(run, args.format, target.read_bytes())
        except label_runs.OutputMismatch as mismatch:
            # The run's reference bytes for this format differ: the file written is not those labels.
            sys.stderr.write(f"{mismatch}: {target} differs from the labels first delivered\n")
            return 1
        serials = (
            f", serials {run.first_serial}-{run.first_serial + run.count - 1}" if run.first_serial else ""
        )
        sys.stdout.write(f"label run {run.id}: {run.count} labels{serials} -> {target}\n")
        return 0
    finally:
        await db.disconnect()


async def _job_to_file(job: Job, label: str, output: Path | None) -> int:
    """Run a submitted job here (in a child process) unless it exists or another worker is making it, with
    a progress bar, and copy its file to `output` (default: the job's file name)."""

    from tqdm import tqdm

    with tqdm(total=100, unit="%", desc=label) as bar:

        def progress(percent: int) -> None:
            bar.update(max(0, percent - bar.n))

        worker = jobs.worker_name()
        claimed = await jobs.claim(worker, job.id) if job.status == "queued" else None
        if claimed is not None:
            job = await jobs.execute(claimed, worker, on_progress=progress)
        elif job.status in ("queued", "running"):
            job = await jobs.wait_for(job.id, on_progress=progress)
        if job.status == "succeeded":
            progress(100)
    if job.status != "succeeded":
        sys.stderr.write(f"{job.kind} job {job.id} failed: {job.error}\n")
        return 1
    key = cast(str, jobs.result_key(job))
    target = output or Path(job.result_name or key.rsplit("/", 1)[-1])
    size = await storage.current().save_to(key, target)
    sys.stdout.write(f"{job.kind} job {job.id}: {size:,} bytes, sha256 {job.result_sha256} -> {target}\n")
    return 0


def _refused(exc: DomainError) -> int:
    for p in exc.problems:
        sys.stderr.write(f"{p.field}: {p.message_en}\n")
    return 2


async def _catalog(settings: Settings, args: argparse.Namespace) -> int:
    """A fair's catalog as a PDF file."""
    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        try:
            job = await catalog_job.generate_catalog_for_slug(
                args.fair, args.language, args.paper, base_url=settings.public_base_url
            )
        except DomainError as exc:
            return _refused(exc)
        return await _job_to_file(job, f"catalog {args.fair} ({args.language}, {args.paper})", args.output)
    finally:
        await db.disconnect()


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    """A programme report as a PDF file, as the system (docs/coordination.md)."""
    from services.registry.report import job as report_job

    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        try:
            job = await report_job.start_programme_report(
                SYSTEM, args.scope, args.code, args.start, args.end, args.language, user_id=None
            )
        except DomainError as exc:
            return _refused(exc)
        where = args.scope if not args.code else f"{args.scope} {args.code}"
        return await _job_to_file(job, f"report {where} ({args.language})", args.output)
    finally:
        await db.disconnect()


async def subscription_dispatcher(settings: Settings) -> None:
    """Send EPCIS subscriptions' deliveries until cancelled (services/trace/epcis_subscriptions.py)."""
    from services.trace import epcis_subscriptions
    from web.webhooks import WebhookSender

    sender = WebhookSender()
    try:
        await epcis_subscriptions.Dispatcher(
            sender.send, settings.public_base_url, f"epcis-{jobs.worker_name()}"
        ).run()
    finally:
        await sender.close()


async def _worker(settings: Settings, args: argparse.Namespace) -> int:
    """Run background jobs until SIGINT/SIGTERM: procrastinate workers on PostgreSQL (when installed), the
    local worker loop otherwise (on PostgreSQL several such processes share the queue too)."""
    import signal

    from services.common import tracing
    from web import probes

    tracing.configure(settings)  # its renders' spans, with OTEL_EXPORTER_OTLP_ENDPOINT
    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    dispatcher = asyncio.create_task(subscription_dispatcher(settings), name="epcis-subscriptions")
    # Its own metrics (render durations, the queue, the loop's lag) on --metrics-port, else OCOP_METRICS_PORT,
    # else none: a worker serves no HTTP (docs/monitoring.md).
    lag = probes.LoopLag(settings.loop_lag_interval_s, settings.loop_lag_warn_ms)
    monitoring = probes.Monitoring.start(lag, settings, port=args.metrics_port)
    try:
        postgres = settings.database_url.startswith(("postgres://", "postgresql://"))
        if postgres and not args.local:
            from services.jobs import procrastinate_backend as jobs_procrastinate

            if jobs_procrastinate.available():
                log.info("job worker: procrastinate", concurrency=args.concurrency)
                await jobs_procrastinate.Procrastinate(settings.database_url).run_worker(
                    concurrency=args.concurrency
                )
                return 0
            log.warning("procrastinate is not installed: running the local worker loop instead")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        log.info("job worker: local loop", concurrency=args.concurrency)
        local_workers = [jobs.LocalWorker() for _ in range(max(1, args.concurrency))]
        workers = [asyncio.create_task(worker.run()) for worker in local_workers]
        await stop.wait()
        # A graceful stop (a rolling update's SIGTERM): claim nothing new, give the running jobs the grace
        # period to finish, then put what still runs back in the queue (its render child is killed) for
        # another worker. A job is never lost, and never finished twice.
        grace = settings.shutdown_grace_s
        log.info("job worker stopping", grace_s=grace, busy=sum(worker.busy for worker in local_workers))
        for worker in local_workers:
            worker.stop_claiming()
        _, running = await asyncio.wait(workers, timeout=grace) if grace > 0 else (set(), set(workers))
        for task in running:
            task.cancel()  # its job goes back to the queue
        await asyncio.gather(*workers, return_exceptions=True)
        return 0
    finally:
        monitoring.stop()
        dispatcher.cancel()
        await asyncio.gather(dispatcher, return_exceptions=True)
        await storage.close_clients()
        await db.disconnect()


async def _reminders(settings: Settings, args: argparse.Namespace) -> int:
    """E-mail this week's expiry reminders not sent yet (off without OCOP_SMTP_URL)."""
    from services.registry.report import reminders

    if settings.smtp is None:
        sys.stdout.write("reminders are off: set OCOP_SMTP_URL to send them (docs/operators.md)\n")
        return 0
    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        result = await reminders.send_reminders()
    finally:
        await db.disconnect()
    sys.stdout.write(
        f"reminders: {result.sent} sent, {result.already_this_week} already sent this week, "
        f"{result.failed} failed\n"
    )
    return 1 if result.failed else 0


async def _trace_snapshots(settings: Settings) -> int:
    """Build the trace page snapshots lots do not have yet (after upgrading to migration 0018)."""
    from services.trace import snapshot

    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        built = await snapshot.build_missing()
    finally:
        await db.disconnect()
    sys.stdout.write(f"trace snapshots: {built} built\n")
    return 0


def read_password(stdin: TextIO, prompt: Callable[[str], str]) -> str:
    """The new password: asked twice at a terminal (not echoed), else the first line of standard input
    (`printf '%s\\n' "$PASSWORD" | server.py create-admin ...`, a secret file, a pipe). Never an argument:
    a command line is visible to every user of the machine (ps, /proc) and kept in shell histories."""
    if stdin.isatty():
        password = prompt("New administrator password: ")
        if prompt("Again: ") != password:
            raise ValueError("the two passwords differ")
        return password
    return stdin.readline().rstrip("\r\n")


async def create_admin(args: argparse.Namespace, stdin: TextIO, prompt: Callable[[str], str]) -> int:
    """`create-admin` on a connected database: 0 when done, 2 when refused (the reason on stderr)."""
    from services.accounts import admins

    try:
        password = read_password(stdin, prompt)
    except (ValueError, EOFError) as exc:
        sys.stderr.write(f"password: {exc or 'no password given'}\n")
        return 2
    try:
        outcome = await admins.create_admin(
            args.email, password, display_name=args.name, reset_password=args.reset_password
        )
    except DomainError as exc:
        for p in exc.problems:
            sys.stderr.write(f"{p.field}: {p.message_en}\n")
        return 2
    did = "created" if outcome.created else "password reset, sessions and API tokens revoked"
    role = ", central-admin membership added" if outcome.membership_added else ""
    sys.stdout.write(f"administrator {outcome.user.email} (id {outcome.user.id}): {did}{role}\n")
    return 0


async def _create_admin(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        return await create_admin(args, sys.stdin, getpass.getpass)
    finally:
        await db.disconnect()


def load_manifest(path: Path) -> object:
    """The JSON of a manifest file, its size checked before it is read; a ValueError saying what is wrong."""
    from services.api import trusted_documents

    try:
        size = path.stat().st_size
        if size > trusted_documents.MAX_MANIFEST_BYTES:
            raise ValueError(f"{size} bytes, more than {trusted_documents.MAX_MANIFEST_BYTES}")
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ValueError(str(exc)) from exc


async def trusted_documents_command(args: argparse.Namespace, manifest: object = None) -> int:
    """`trusted-documents register FILE` (its JSON is `manifest`) or `list`, on a connected database: 0 when
    done, 2 when refused (each refused entry on stderr, nothing registered)."""
    import getpass

    from schema.trusted import validator
    from services.api import trusted_documents

    if args.action == "list":
        for row in await trusted_documents.listed():
            name = row.operation_name or "(anonymous)"
            when = f"{row.registered_at:%Y-%m-%d %H:%M}"
            sys.stdout.write(f"sha256:{row.sha256} {row.operation_type} {name} {when} {row.registered_by}\n")
        return 0
    schema = graphql_schema.build_schema()
    try:
        entries = trusted_documents.read_manifest(manifest)
        outcome = await trusted_documents.register(
            entries,
            validate=validator(schema, graphql_schema.LIMITS),
            reach=SYSTEM,
            registered_by=f"cli:{getpass.getuser()}",
        )
    except DomainError as exc:
        for p in exc.problems:
            sys.stderr.write(f"{p.field or args.file}: {p.message_en}\n")
        return 2
    sys.stdout.write(f"{outcome.added} documents registered, {outcome.already} already registered\n")
    return 0


async def _trusted_documents(settings: Settings, args: argparse.Namespace, manifest: object) -> int:
    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        return await trusted_documents_command(args, manifest)
    finally:
        await db.disconnect()


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    """A producer's own data as a zip (services/registry/portability/), as the system."""
    from services.registry.portability import job as portability

    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        try:
            job = await portability.start_export(
                args.producer, SYSTEM, user_id=None, base_url=settings.public_base_url
            )
        except DomainError as exc:
            return _refused(exc)
        return await _job_to_file(job, f"export producer {args.producer}", args.output)
    finally:
        await db.disconnect()


async def _backup(settings: Settings, args: argparse.Namespace) -> int:
    """`backup`, `restore` and `verify` (services/backup/, docs/operators.md "Backup and restore")."""
    from services.backup import archive, verify
    from services.backup.database import BackupError

    try:
        if args.command == "backup":
            done = await archive.backup(settings.database_url, args.output, with_files=args.files)
            listed = done["files"]["files"]
            sys.stdout.write(
                f"backup {args.output}: {done['database']['kind']} {done['database']['bytes']:,} bytes, "
                f"{len(listed)} stored files listed{' and copied' if args.files else ''}\n"
            )
            return 0
        if args.command == "restore":
            target_url = args.database_url or settings.database_url
            restored = await archive.restore(args.backup, target_url, force=args.force)
            sys.stdout.write(
                f"restored into {restored['database']}: {restored['files_restored']} files copied\n"
            )
            return 0
        manifest = archive.read(args.manifest)["files"] if args.manifest else None
    except BackupError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    await db.connect(settings.database_url, pool_size=settings.db_pool_size)
    try:
        report = await verify.verify(settings.public_base_url, manifest)
    finally:
        await db.disconnect()
    (sys.stdout if report.ok else sys.stderr).write("\n".join(report.lines()) + "\n")
    return 0 if report.ok else 1


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="server.py", description="ocop-hub")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the API")
    migrate = commands.add_parser("migrate", help="apply migrations and load reference data")
    migrate.add_argument(
        "--demo-if-empty", action="store_true", help="load the demo data into an empty database"
    )
    commands.add_parser("demo", help="load the demo data set (idempotent)")
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path)
    labels = commands.add_parser("labels", help="create a label run for a lot and write its output")
    labels.add_argument("--batch-id", type=int, required=True, help="the lot (database id)")
    labels.add_argument("--template", default="L7160", help="label template code (default L7160)")
    labels.add_argument("--count", type=int, required=True)
    labels.add_argument("--serialized", action="store_true", help="one serial (AI 21) per label")
    labels.add_argument("--start-slot", type=int, default=1, help="first free slot of a part-used sheet")
    labels.add_argument("--language", choices=("vi", "en"), default="vi")
    labels.add_argument("--confirm-expired", action="store_true", help="print labels for an expired lot")
    labels.add_argument("--format", default="pdf", choices=label_runs.FORMATS)
    labels.add_argument("-o", "--output", type=Path, help="file to write (default: a name from the run)")
    catalog = commands.add_parser("catalog", help="render a fair's printable catalog (PDF) and write it")
    catalog.add_argument("--fair", required=True, metavar="SLUG", help="the fair's slug")
    catalog.add_argument("--language", choices=catalog_job.CATALOG_LANGUAGES, default="vi")
    catalog.add_argument("--paper", choices=catalog_job.CATALOG_PAPERS, default="A4")
    catalog.add_argument("-o", "--output", type=Path, help="file to write (default: a name from the fair)")
    report = commands.add_parser("report", help="render a programme report (PDF) and write it")
    report.add_argument("--scope", choices=("country", "region", "province"), default="country")
    report.add_argument("--code", help="the region (TDMNPB, DBSH, BTBDHMT, TN, DNB, DBSCL) or province code")
    report.add_argument("--start", type=dt.date.fromisoformat, required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--end", type=dt.date.fromisoformat, required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--language", choices=("vi", "en", "bilingual"), default="vi")
    report.add_argument("-o", "--output", type=Path, help="file to write (default: a name from the report)")
    worker = commands.add_parser(
        "worker", help="run background jobs: procrastinate on PostgreSQL, a local loop otherwise"
    )
    worker.add_argument("--concurrency", type=int, default=1, help="jobs at once (each in a child process)")
    worker.add_argument("--local", action="store_true", help="the local loop even on PostgreSQL")
    worker.add_argument(
        "--metrics-port",
        type=int,
        help="serve this worker's /metrics on this port (default OCOP_METRICS_PORT)",
    )
    reminders = commands.add_parser(
        "reminders", help="e-mail each province officer and producer its certificates expiring within 90 days"
    )
    reminders.add_argument("action", choices=("send",), help="send this week's digests not sent yet")
    admin = commands.add_parser(
        "create-admin",
        help="create a central administrator (the password is read from a prompt or standard input)",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", help="display name (default: Quản trị viên)")
    admin.add_argument(
        "--reset-password",
        action="store_true",
        help="the e-mail exists: set its new password, revoke its tokens, make it a central admin",
    )
    trusted = commands.add_parser(
        "trusted-documents", help="register the GraphQL documents of a client's manifest, or list them"
    )
    actions = trusted.add_subparsers(dest="action", required=True)
    register = actions.add_parser(
        "register",
        help="register a manifest: graphql-codegen's persisted-documents.json or Apollo's persisted-query manifest",
    )
    register.add_argument("file", type=Path)
    actions.add_parser("list", help="print the registered documents, newest first")
    files = commands.add_parser("storage", help="the shared file storage (docs/operators.md, 'File storage')")
    storage_actions = files.add_subparsers(dest="action", required=True)
    copy = storage_actions.add_parser(
        "copy", help="copy every stored file to another store (idempotent, each file verified by sha256)"
    )
    copy.add_argument("--from", dest="source", required=True, help="e.g. file://var/media")
    copy.add_argument("--to", dest="target", required=True, help="e.g. s3://ocop-media?endpoint=https://…")
    copy.add_argument("--prefix", default="", help="only keys under this prefix (e.g. uploads/)")
    backup = commands.add_parser("backup", help="dump the database and list the stored files (sha256)")
    backup.add_argument("-o", "--output", type=Path, required=True, help="a new directory to write")
    backup.add_argument("--files", action="store_true", help="copy the stored files too (not only list them)")
    restore = commands.add_parser("restore", help="restore a backup into a fresh database")
    restore.add_argument("backup", type=Path, help="the backup's directory")
    restore.add_argument("--database-url", help="where to restore (default: DATABASE_URL)")
    restore.add_argument("--force", action="store_true", help="replace what a non-empty target holds")
    export_data = commands.add_parser("export", help="a producer's own data as a zip (products, lots, EPCIS)")
    export_data.add_argument("--producer", type=int, required=True, help="the producer (database id)")
    export_data.add_argument(
        "-o", "--output", type=Path, help="file to write (default: a name from the producer)"
    )
    check = commands.add_parser("verify", help="check every lot's hash chain and every stored file's sha256")
    check.add_argument("--manifest", type=Path, help="a backup's directory: its files must all be there")
    commands.add_parser(
        "trace-snapshots", help="build the trace page snapshots lots lack (once, after upgrading)"
    )
    return parser


def run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    """Run one command other than `serve` (server.py serves)."""
    if command == "export-schema":
        text = graphql_schema.sdl()
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if command == "migrate":
        asyncio.run(_migrate(settings, args.demo_if_empty))
        return 0
    if command == "demo":
        asyncio.run(_demo(settings))
        return 0
    if command == "labels":
        return asyncio.run(_labels(settings, args))
    if command == "catalog":
        return asyncio.run(_catalog(settings, args))
    if command == "worker":
        return asyncio.run(_worker(settings, args))
    if command == "report":
        return asyncio.run(_report(settings, args))
    if command == "reminders":
        return asyncio.run(_reminders(settings, args))
    if command == "trace-snapshots":
        return asyncio.run(_trace_snapshots(settings))
    if command == "create-admin":
        return asyncio.run(_create_admin(settings, args))
    if command == "export":
        return asyncio.run(_export(settings, args))
    if command in ("backup", "restore", "verify"):
        return asyncio.run(_backup(settings, args))
    if command == "trusted-documents":
        manifest = None
        if args.action == "register":
            try:
                manifest = load_manifest(args.file)
            except ValueError as exc:
                sys.stderr.write(f"{args.file}: {exc}\n")
                return 2
        return asyncio.run(_trusted_documents(settings, args, manifest))
    if command == "storage":
        return asyncio.run(_storage_copy(args))
    raise ValueError(f"unknown command {command!r}")


async def _storage_copy(args: argparse.Namespace) -> int:
    """server.py storage copy --from URL --to URL: services/common/storage.copy_store."""
    try:
        source, target = storage.open_storage(args.source), storage.open_storage(args.target)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    try:
        report = await storage.copy_store(
            source,
            target,
            prefix=args.prefix,
            on_file=lambda key, outcome: sys.stdout.write(f"{outcome} {key}\n"),
        )
    finally:
        await storage.close_clients()
    sys.stdout.write(
        f"{report.copied} copied ({report.bytes:,} bytes), {report.present} already there, "
        f"{len(report.damaged)} damaged (not copied) from {source.url} to {target.url}\n"
    )
    return 1 if report.damaged else 0
