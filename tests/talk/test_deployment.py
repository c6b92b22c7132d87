"""The deployment contract: production settings pass Django's checks, the
compose file is valid and holds together, every setting is documented, and
the committed translations match their sources."""

import gettext
import ipaddress
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML  # check-jsonschema's YAML reader, in the dev lock

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "desk.example.org",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SMTP_HOST": "smtp.example.org",
    "DEBUG": "0",
}


def manage(*args, **env):
    # A clean environment: the test run's own variables (the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE, say) are not what a deployment sets.
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_passes_the_deploy_checks_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_flags_a_deploy_with_development_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="1")

    assert result.returncode != 0


def test_it_has_no_missing_migrations():
    result = manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_describes_a_valid_compose_stack():
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.compose-spec", ROOT / "docker-compose.yml"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def compose() -> dict:
    return YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())


APP_SERVICES = ["migrate", "web", "worker", "beat"]


def test_it_publishes_ports_on_the_proxy_only():
    # A fixed host port on web would stop `--scale web=3` at the second one.
    services = compose()["services"]

    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]


def test_it_trusts_forwarded_headers_from_the_proxy_alone():
    stack = compose()
    proxy = stack["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    network = stack["networks"]["default"]["ipam"]["config"][0]

    assert stack["services"]["web"]["environment"]["FORWARDED_ALLOW_IPS"] == proxy
    assert ipaddress.ip_address(proxy) in ipaddress.ip_network(network["subnet"])
    # Addresses handed out to the other containers never include the proxy's.
    assert ipaddress.ip_address(proxy) not in ipaddress.ip_network(network["ip_range"])
    for name in ("worker", "beat", "migrate"):
        assert "FORWARDED_ALLOW_IPS" not in stack["services"][name]["environment"]


def test_it_gives_every_app_container_the_env_file():
    services = compose()["services"]

    assert {services[name]["env_file"] for name in APP_SERVICES} == {".env"}
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in (ROOT / ".dockerignore").read_text().splitlines()


def test_it_documents_every_setting():
    settings_source = (ROOT / "talk/settings.py").read_text()
    read = set(re.findall(r'env_\w+\("([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_source))
    read -= {"TEST_DATABASE_NAME"}  # the test runs' own, in README's Tests section
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Tests")]

    assert sorted(name for name in read if f"`{name}`" not in table) == []


def test_it_offers_only_known_settings_in_the_example_env_file():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Tests")]
    compose_file = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    offered = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE)

    assert offered
    unknown = [
        name for name in offered if f"`{name}`" not in table and f"${{{name}" not in compose_file
    ]
    assert unknown == []


@pytest.mark.skipif(
    not shutil.which("msgfmt") and not os.environ.get("CI"), reason="gettext is not installed"
)
def test_it_ships_compiled_translations_that_match_the_sources(tmp_path):
    sources = list(ROOT.glob("locale/*/LC_MESSAGES/django.po"))
    assert sources, "no translation catalogs found"
    for source in sources:
        compiled = tmp_path / "fresh.mo"
        subprocess.run(["msgfmt", "--check", "-o", compiled, source], check=True)
        with open(compiled, "rb") as fresh, open(source.with_suffix(".mo"), "rb") as shipped:
            assert (
                gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(shipped)._catalog
            ), f"{source.with_suffix('.mo')} is stale: run `make messages`"


@pytest.mark.skipif(
    not shutil.which("msgattrib") and not os.environ.get("CI"), reason="gettext is not installed"
)
def test_it_translates_every_string_of_the_interface():
    for source in ROOT.glob("locale/*/LC_MESSAGES/django.po"):
        for which in ("--untranslated", "--only-fuzzy"):
            result = subprocess.run(
                ["msgattrib", which, "--no-location", source],
                capture_output=True,
                text=True,
                check=True,
            )
            # Only the catalog's header (msgid "") may come back.
            left = [line for line in result.stdout.splitlines() if line.startswith("msgid ")]
            assert left in ([], ['msgid ""']), f"{source}: {which[2:]} strings: {left}"


def test_no_template_comment_spills_onto_the_page():
    # Django's {# #} comment ends with its line: one that runs on shows its
    # text to every reader. Longer comments use {% comment %}.
    spilled = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert spilled == []
