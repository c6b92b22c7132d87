"""The deployment contract: production settings pass Django's checks, the
compose file is valid, and the committed translations match their sources."""

import gettext
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
