"""Settings are read once, at start-up: no module reads the environment when it is imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from services.common import settings

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: replace os.environ with a copy that raises when code of this project reads it
# (libraries may read their own variables: strawberry does when schema/ builds the schema), then import
# every module of services/, models/ and schema/.
_PROBE = textwrap.dedent(
    """
    import importlib, os, sys, traceback
    from pathlib import Path

    OURS = ("services", "models", "schema")
    ROOT = Path.cwd().resolve()

    def ours(frame):
        while frame is not None and frame.f_code.co_filename in (os.__file__, "<frozen os>"):
            frame = frame.f_back  # os.getenv and friends: who called them
        if frame is None or frame.f_code.co_filename.startswith("<"):
            return False  # frozen standard modules, this probe
        name = Path(frame.f_code.co_filename).resolve()
        return name.is_relative_to(ROOT) and ".venv" not in name.parts

    class Poisoned(dict):
        def _guard(method):
            def guarded(self, *args, **kwargs):
                if ours(sys._getframe(1)):
                    raise RuntimeError("the environment was read")
                return method(self, *args, **kwargs)
            return guarded
        __getitem__ = _guard(dict.__getitem__)
        get = _guard(dict.get)
        __contains__ = _guard(dict.__contains__)
        __iter__ = _guard(dict.__iter__)
        keys = _guard(dict.keys)
        items = _guard(dict.items)
        copy = _guard(dict.copy)

    sources = {}
    for package in OURS:
        for source in Path(package).rglob("*.py"):
            sources[".".join(source.with_suffix("").parts).removesuffix(".__init__")] = source
    early = [m for m in sys.modules if m.split(".")[0] in OURS]
    if early:
        print("imported before the environment was poisoned:", early)
        sys.exit(2)
    os.environ = Poisoned(os.environ)
    for name in sorted(sources):
        try:
            importlib.import_module(name)
        except RuntimeError as exc:
            if str(exc) != "the environment was read":
                raise
            print("reads the environment at import:", name)
            print(traceback.format_exc())
            sys.exit(1)
    print("imported", len(sources), "modules")
    """
)


def test_no_module_reads_the_environment_when_imported() -> None:
    probe = subprocess.run(  # noqa: S603 - this interpreter and a constant script
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert probe.stdout.startswith("imported"), probe.stdout


def test_settings_come_from_the_environment_given() -> None:
    loaded = settings.load_settings(
        {
            "OCOP_MEDIA_DIR": "/srv/media",
            "OCOP_UPLOAD_MAX_MB": "not a number",
            "OCOP_JOBS": " Off ",
            "OCOP_JOB_TIMEOUT_S": "30",
            "OCOP_SECRET_KEY": "s3cret-value",
            "OCOP_REGION_HEADER": "CF-IPCountry",
        }
    )
    assert loaded.media_dir == Path("/srv/media")
    assert loaded.upload_max_mb == settings.DEFAULT_UPLOAD_MAX_MB  # a typo does not stop uploads
    assert loaded.jobs == "off"
    assert (loaded.job_timeout_s, loaded.job_memory_mb, loaded.job_stale_s) == (30.0, None, 60.0)
    assert loaded.region_header == "cf-ipcountry"
    assert "s3cret-value" not in repr(loaded)  # logging the settings never prints the key
    defaults = settings.load_settings({})
    assert (defaults.media_dir, defaults.jobs, defaults.secret_key) == (Path("var/media"), "local", None)


def test_configured_settings_win_over_the_environment() -> None:
    before = settings.configured()
    with settings.overridden(media_dir=Path("/elsewhere")) as changed:
        assert settings.current() is changed
        assert settings.current().media_dir == Path("/elsewhere")
    assert settings.configured() is before
