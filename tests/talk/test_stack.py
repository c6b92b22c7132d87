"""The compose stack, run without Docker: Debian's Caddy with deploy/Caddyfile
in front of two web processes started with the compose web service's command
line, and a Celery worker with the worker service's, on PostgreSQL and Redis.

Everything is on loopback. The two web processes listen on 127.0.0.11 and
127.0.0.12, as two replicas would on the compose network, and a small DNS
server answers for "web" with both, as Docker's does. Caddy connects to them
from 127.0.0.1, which is therefore the proxy's address, the only one uvicorn
trusts (FORWARDED_ALLOW_IPS). Visitors connect from addresses of their own,
127.0.0.2 and up, never from the proxy's.

The stack has a database of its own, migrated with manage.py as the compose
`migrate` service does and dropped afterwards, and Redis database 14.
"""

import json
import os
import queue
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from ruamel.yaml import YAML  # check-jsonschema's YAML reader, in the dev lock

from tests.served import TIMEOUT, Visitor

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.caddy]

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())["services"]
REPLICAS = ["127.0.0.11", "127.0.0.12"]
PROXY = "127.0.0.1"  # the source address of Caddy's connections to the replicas
HOST = "desk.example"  # the production name; ALLOWED_HOSTS names it alone
REDIS_DB = 14
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
EVENT_TIMEOUT = 10.0
ALIAS = "yuhan"
ADMIN_PASSWORD = secrets.token_urlsafe(16)
WRONG = "not-the-password"

# Runs in `manage.py shell`: two issues, one to post to and one to freeze.
# Redis channels are shared by all its databases (and by other test runs),
# and a fresh database numbers its rows from 1: the rows start at a random
# id, so no other run's events can pass for this one's.
SEED = """
import json, random
from django.db import connection
from django.urls import reverse
from talk.seed import ensure_openllm_talk
from talk.services import issue_create
start = random.randrange(10**6, 10**9)
with connection.cursor() as cursor:
    for table in ("talk_issue", "sections_section"):
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start])
series = ensure_openllm_talk()
issues = [issue_create(series=series, by=None, number=number) for number in (8, 9)]
print(json.dumps([
    {
        "events": reverse("issue-events", args=[series.slug, issue.code]),
        "freeze": reverse("issue-lifecycle", args=[series.slug, issue.code, "freeze"]),
        "news": issue.sections.get(key="news").pk,
    }
    for issue in issues
]))
"""


def compose_command(service: str) -> list[str]:
    """The service's command line, run with this virtualenv's Python."""
    program, *args = COMPOSE[service]["command"]
    return [sys.executable, *([] if program == "python" else ["-m", program]), *args]


def with_option(command: list[str], option: str, value: str) -> list[str]:
    at = command.index(option)
    return [*command[: at + 1], value, *command[at + 2 :]]


def free_port(addresses: list[str]) -> int:
    """A TCP port free on every one of `addresses`."""
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        try:
            for address in addresses[1:]:
                with socket.socket() as probe:
                    probe.bind((address, port))
        except OSError:
            continue
        return port
    raise RuntimeError(f"no port free on all of {addresses}")


class Process:
    """A process of the stack, with its log; stopped by its id."""

    def __init__(self, name: str, command: list[str], env: dict, logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("ab") as log:
            # A session of its own: a worker's children are stopped with it.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)

    def tail(self, size: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-size:]


def wait_until(process: Process, ready, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        process.check_running()
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{process.name}: {what} within {START_TIMEOUT} s:\n{process.tail()}")


def healthy(url: str, **headers: str) -> bool:
    try:
        return httpx.get(url, headers=headers, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def passes_health_check(service: str, *, env: dict, hostname: str) -> bool:
    """The compose file's own health check of `service` (a shell command),
    with this virtualenv's celery, and `hostname` for the container's."""
    kind, check = COMPOSE[service]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    env = {
        **env,
        "HOSTNAME": hostname,
        "PATH": f"{Path(sys.executable).parent}:{env['PATH']}",
    }
    # Compose reads $$ as a dollar sign that the shell then expands.
    check = check.replace("$$", "$")
    return subprocess.run(check, shell=True, env=env, capture_output=True).returncode == 0


class Dns:
    """Answers A queries for `name` with `addresses`, and nothing else, as
    Docker's DNS answers a service's name with its replicas' addresses."""

    def __init__(self, name: str, addresses: list[str]) -> None:
        self.name = name
        self.addresses = addresses
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.address = "{}:{}".format(*self.socket.getsockname())
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                query, client = self.socket.recvfrom(512)
            except TimeoutError:
                continue
            self.socket.sendto(self._answer(query), client)

    def _answer(self, query: bytes) -> bytes:
        labels, at = [], 12
        while query[at]:
            labels.append(query[at + 1 : at + 1 + query[at]].decode().lower())
            at += 1 + query[at]
        (qtype,) = struct.unpack("!H", query[at + 1 : at + 3])
        question = query[12 : at + 5]
        known = ".".join(labels) == self.name
        records = self.addresses if known and qtype == 1 else []  # 1: A
        # Flags: a response, recursion available; rcode 3 (no such name) for
        # any other name, such as the machine's search domains tried first.
        flags = 0x8180 | (0 if known else 3)
        header = query[:2] + struct.pack("!HHHHH", flags, 1, len(records), 0, 0)
        answers = b"".join(
            # A pointer to the question's name, type A, class IN, a TTL of 5 s.
            struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(address)
            for address in records
        )
        return header + question + answers

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=STOP_TIMEOUT)
        self.socket.close()


class Database:
    """A PostgreSQL database of the stack's own, on the suite's server."""

    def __init__(self) -> None:
        server = connection.settings_dict
        self.name = f"stack_{uuid.uuid4().hex[:12]}"
        self.admin = {
            "host": server["HOST"] or "127.0.0.1",
            "port": server["PORT"] or 5432,
            "user": server["USER"],
            "password": server["PASSWORD"] or None,
        }
        self._run(f'CREATE DATABASE "{self.name}"')
        password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
        self.url = f"postgres://{server['USER']}{password}@{self.admin['host']}:{self.admin['port']}/{self.name}"

    def _run(self, sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **self.admin) as admin:
            admin.execute(sql)

    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(dbname=self.name, **self.admin) as db:
            return db.execute(sql, params).fetchall()

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def redis_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


class Stack:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: list[Process] = []
        self.db = Database()
        self.dns: Dns | None = None
        self.env = {
            "PATH": os.environ["PATH"],
            "LANG": "C.UTF-8",
            "HOME": str(logs),
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": self.db.url,
            "REDIS_URL": redis_url(),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "MEDIA_ROOT": str(logs / "media"),
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str, **env: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self) -> "Stack":
        migrate = subprocess.run(
            compose_command("migrate"), cwd=ROOT, env=self.env, capture_output=True, timeout=120
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        # The first admin, as README.md says to make one.
        self.manage(
            "createsuperuser",
            "--no-input",
            "--alias",
            ALIAS,
            DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
        )
        self.issues = json.loads(self.manage("shell", "-c", SEED).splitlines()[-1])

        port = free_port(REPLICAS)
        self.webs = [f"http://{address}:{port}" for address in REPLICAS]
        for number, address in enumerate(REPLICAS, start=1):
            command = with_option(compose_command("web"), "--host", address)
            command = with_option(command, "--port", str(port))
            self._start(f"web{number}", command, FORWARDED_ALLOW_IPS=PROXY)

        self.worker_name = f"stack-{uuid.uuid4().hex[:8]}"
        self._start("worker", [*compose_command("worker"), "-n", f"celery@{self.worker_name}"])

        self.dns = Dns("web", REPLICAS)
        proxy_port = free_port([PROXY])
        self.proxy = f"http://{PROXY}:{proxy_port}"
        self._start(
            "caddy",
            [
                shutil.which("caddy"),
                "run",
                "--config",
                "deploy/Caddyfile",
                "--adapter",
                "caddyfile",
            ],
            SITE_ADDRESS=f":{proxy_port}",
            PROXY_BIND=PROXY,
            WEB_PORT=str(port),
            WEB_RESOLVER=f"udp/{self.dns.address}",
            XDG_CONFIG_HOME=str(self.logs / "caddy-config"),
            XDG_DATA_HOME=str(self.logs / "caddy-data"),
        )
        self._wait_until_ready()
        return self

    def _start(self, name: str, command: list[str], **env: str) -> None:
        self.processes.append(Process(name, command, {**self.env, **env}, self.logs))

    def _wait_until_ready(self) -> None:
        *webs, worker, caddy = self.processes
        for process, url in zip(webs, self.webs, strict=True):
            wait_until(process, lambda url=url: healthy(url + "/healthz"), "no /healthz")
        wait_until(
            worker,
            lambda: passes_health_check("worker", env=self.env, hostname=self.worker_name),
            "no answer to the compose health check",
        )
        wait_until(caddy, lambda: healthy(self.proxy + "/healthz", Host=HOST), "no /healthz")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.dns:
            self.dns.stop()
        self.db.drop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        yield running.start()
    except BaseException:
        for process in running.processes:
            print(f"--- {process.name}\n{process.tail()}")
        raise
    finally:
        running.stop()


class Stream:
    """An open page's event stream, read in a thread of its own."""

    def __init__(self, url: str, path: str, *, address: str) -> None:
        self.events: queue.Queue = queue.Queue()
        self.http = httpx.Client(
            base_url=url,
            transport=httpx.HTTPTransport(local_address=address),
            headers={"Host": HOST},
            timeout=httpx.Timeout(TIMEOUT, read=60),
        )
        self.thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self.thread.start()
        self.next(lambda event: event["kind"] == "hello")

    def _read(self, path: str) -> None:
        try:
            with self.http.stream("GET", path) as response:
                self.response = response
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        self.events.put(json.loads(line.removeprefix("data: ")))
        except (httpx.HTTPError, httpx.StreamError):
            pass  # closed by close()

    def next(self, matching) -> dict:
        deadline = time.monotonic() + EVENT_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if matching(event):
                return event
        raise AssertionError(f"no matching event within {EVENT_TIMEOUT} s")

    def close(self) -> None:
        # Closing the client would not wake the thread blocked reading the
        # socket; shutting the socket down does.
        stream = self.response.extensions["network_stream"]
        stream.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
        self.thread.join(timeout=STOP_TIMEOUT)
        self.http.close()


@pytest.fixture
def streams():
    opened = []

    def open_stream(url: str, path: str, *, address: str) -> Stream:
        opened.append(Stream(url, path, address=address))
        return opened[-1]

    yield open_stream
    for stream in opened:
        stream.close()


@pytest.fixture(scope="module")
def admin(stack):
    """The admin, logged in through the proxy from an address of their own."""
    visitor = Visitor(stack.proxy, address="127.0.0.4", host=HOST)
    assert visitor.log_in(ALIAS, ADMIN_PASSWORD) == 302
    yield visitor
    visitor.close()


def post_on(url: str, path: str, data: dict, *, admin: Visitor) -> httpx.Response:
    """A form posted by `admin` straight to one web process."""
    with httpx.Client(
        base_url=url,
        transport=httpx.HTTPTransport(local_address="127.0.0.4"),
        timeout=TIMEOUT,
    ) as direct:
        return direct.post(
            path,
            data=data,
            headers={
                "Host": HOST,
                "Cookie": admin.cookie_header(),
                "X-CSRFToken": admin.http.cookies["csrftoken"],
            },
        )


def test_it_streams_a_change_made_on_one_web_process_to_a_page_on_the_other(stack, admin, streams):
    issue = stack.issues[0]
    on_web2 = streams(stack.webs[1], issue["events"], address="127.0.0.5")
    through_proxy = streams(stack.proxy, issue["events"], address="127.0.0.5")

    response = post_on(
        stack.webs[0],
        reverse("item-create", args=[issue["news"]]),
        {"kind": "entry", "subgroup": "工业界", "title": "Falcon 上线 Hugging Face"},
        admin=admin,
    )

    assert response.status_code == 302, response.text
    changed = {"kind": "section", "id": issue["news"]}
    for stream in (on_web2, through_proxy):
        stream.next(lambda event: changed.items() <= event.items())


def test_it_streams_what_the_worker_does_to_pages_on_both_web_processes(stack, admin, streams):
    issue = stack.issues[1]
    pages = [streams(url, issue["events"], address="127.0.0.5") for url in stack.webs]

    # The freeze queues the exports; the worker announces each as it takes it.
    response = post_on(stack.webs[0], issue["freeze"], {"note": ""}, admin=admin)

    assert response.status_code == 302, response.text
    for page in pages:
        page.next(lambda event: event["kind"] == "exports")


def test_it_counts_login_failures_by_the_address_the_proxy_saw(stack):
    guesser = Visitor(stack.proxy, address="127.0.0.2", host=HOST)
    member = Visitor(stack.proxy, address="127.0.0.3", host=HOST)

    answers = [
        guesser.log_in(ALIAS, WRONG, **{"X-Forwarded-For": f"203.0.113.{number}"})
        for number in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert answers[-1] == 429
    assert member.log_in(ALIAS, ADMIN_PASSWORD) == 302
    assert guesser.log_in(ALIAS, ADMIN_PASSWORD) == 429
    seen = stack.db.query(
        "SELECT host(ip_address) FROM axes_accessattempt WHERE username = %s", [ALIAS]
    )
    assert seen == [("127.0.0.2",)]
    guesser.close()
    member.close()


def test_it_answers_healthz_through_the_proxy_with_the_production_hosts(stack):
    visitor = Visitor(stack.proxy, address="127.0.0.6", host=HOST)

    response = visitor.http.get("/healthz")

    assert response.status_code == 200
    assert response.text == "ok\n"
    # The proxy passes the Host on: the site answers its own name only.
    assert visitor.http.get("/").status_code == 200
    assert visitor.http.get("/", headers={"Host": "other.example"}).status_code == 400
    visitor.close()


def test_it_health_checks_beat_while_it_runs_and_not_once_it_is_gone(tmp_path):
    name = f"stack-{uuid.uuid4().hex[:8]}"
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "HOME": str(tmp_path),
        "REDIS_URL": redis_url(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        f"--schedule={tmp_path / 'schedule'}" if arg.startswith("--schedule=") else arg
        for arg in compose_command("beat")
    ]
    beat = Process("beat", [*command, "-n", f"celerybeat@{name}"], env, tmp_path)
    try:
        wait_until(
            beat,
            lambda: passes_health_check("beat", env=env, hostname=name),
            "no answer to the compose health check",
        )
    finally:
        beat.stop()

    assert not passes_health_check("beat", env=env, hostname=name)
