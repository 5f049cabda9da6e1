from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.webhooks.targets import loopback_address


class Command(BaseCommand):
    help = (
        "Serve Relais with gunicorn (WSGI; sync workers). Workers: RELAIS_WEB_CONCURRENCY (default 2), "
        "address: RELAIS_BIND (default 127.0.0.1:8000). Static files are served by WhiteNoise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("RELAIS_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("RELAIS_WEB_CONCURRENCY", "2")))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PRODUCTION and not loopback_bind(options["bind"]):
            raise CommandError(
                f"Refusing to serve development mode on {options['bind']}: it runs with DEBUG, the public "
                "development secret key and the demo, and is meant for this machine only. To serve others, set "
                "RELAIS_ENVIRONMENT=production (with SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL); to try it "
                "here, bind to 127.0.0.1 (RELAIS_BIND=127.0.0.1:8000)."
            )
        call_command("check", deploy=settings.PRODUCTION, fail_level="ERROR")
        if settings.PRODUCTION and not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "relais.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--worker-class",
            "sync",
            "--timeout",
            "30",
            "--graceful-timeout",
            "20",
            # gunicorn 27 puts one control socket per user at a fixed path; two servers on a host would share it.
            "--no-control-socket",
            # Reporters' private links and case codes are paths: never written to the access log as they are
            # (relais/logs.py). In JSON, Relais' own line per request is the access log (route, status, id).
            *(["--access-logfile", "-"] if settings.RELAIS_LOG_FORMAT == "plain" else []),
            "--logger-class",
            "relais.logs.RedactingGunicornLogger",
            "--forwarded-allow-ips",
            os.environ.get("RELAIS_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_folder()
        self.stdout.write(f"Relais on http://{options['bind']}/ ({options['workers']} workers)")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process by gunicorn, argv is ours


def loopback_bind(bind: str) -> bool:
    """`127.0.0.1:8000`, `[::1]:8000`, `localhost:8000` are this machine; `0.0.0.0:8000`, a LAN address,
    a host name or a `unix:` socket (reachable by whoever can reach its path or its proxy) are not."""
    host = bind.rsplit(":", 1)[0] if ":" in bind and not bind.endswith("]") else bind
    host = host.strip("[]")
    return host == "localhost" or loopback_address(host)


def metrics_folder() -> str:
    """Where the gunicorn workers write their counters for /metrics (prometheus-client's multiprocess mode):
    the operator's PROMETHEUS_MULTIPROC_DIR emptied, or a fresh folder. Counters start at zero with the server,
    as Prometheus expects of a restarted process."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not given:
        return tempfile.mkdtemp(prefix="relais-metrics-")
    folder = Path(given)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return str(folder)
