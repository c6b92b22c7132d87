"""The dependency rule (docs/decisions.md), read from the source.

    accounts  <-  sections  <-  talk  <-  search  <-  notify  <-  desk

A module imports only from its own app and the apps to its left, wherever the
import stands (inside a function it is a dependency all the same). One
exception: under `if TYPE_CHECKING:` a type hint may name a model of an app to
the right, as a ForeignKey names it by its label ("talk.Issue"); that import
never runs. And for Celery, a `tasks` module imports services only inside its
functions, since the services import the tasks at the top.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["accounts", "sections", "talk", "search", "notify", "desk"]


def module_of(path: str) -> tuple[str, str]:
    """The dotted name of the module at `path` (relative to the repository),
    and the package its relative imports start from."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """Every module the statement may load: for `from X import a`, X and X.a
    (a may be a submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = ".".join(filter(None, [anchor, base]))
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Each import statement with whether it runs only inside a function or
    only for the type checker."""

    def __init__(self) -> None:
        self.found: list[tuple[ast.Import | ast.ImportFrom, bool, bool]] = []
        self._functions = 0
        self._type_checking = 0

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions += 1
        self.generic_visit(node)
        self._functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node):
            self.generic_visit(node)
            return
        self._type_checking += 1
        for child in node.body:
            self.visit(child)
        self._type_checking -= 1
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append((node, self._functions > 0, self._type_checking > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.found.append((node, self._functions > 0, self._type_checking > 0))


def violations(path: str, source: str) -> list[str]:
    """What in `source` (the file at `path`, relative to the repository)
    breaks the rule, as "path:line: statement (why)"."""
    module, package = module_of(path)
    app = module.split(".")[0]
    imports = _Imports()
    imports.visit(ast.parse(source, filename=path))
    found = []
    for node, in_function, type_only in imports.found:
        targets = _targets(node, package)
        wrong = []
        for target in dict.fromkeys(targets):
            other = target.split(".")[0]
            if other not in LAYERS or LAYERS.index(other) <= LAYERS.index(app):
                continue
            if type_only and target.split(".")[:2] == [other, "models"]:
                continue
            wrong.append(f"{app} may not import {other}")
        services = [t for t in targets if t.split(".")[0] in LAYERS and "services" in t.split(".")]
        if "tasks" in module.split(".") and services and not in_function:
            wrong.append("a tasks module imports services inside its functions")
        found += [
            f"{path}:{node.lineno}: {ast.unparse(node)} ({why})" for why in dict.fromkeys(wrong)
        ]
    return found


def _sources() -> list[Path]:
    return sorted(
        path
        for app in LAYERS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def test_the_apps_keep_the_dependency_rule():
    paths = _sources()
    found = [
        line
        for path in paths
        for line in violations(path.relative_to(ROOT).as_posix(), path.read_text())
    ]

    # A walk that found nothing would pass without checking anything.
    assert {p.relative_to(ROOT).parts[0] for p in paths} >= {"accounts", "sections", "talk"}
    if found:
        pytest.fail("The dependency rule is broken:\n" + "\n".join(found), pytrace=False)


@pytest.mark.parametrize(
    ("path", "source", "reported"),
    [
        (
            "accounts/models.py",
            "from sections.models import Section\n",
            "accounts/models.py:1: from sections.models import Section"
            " (accounts may not import sections)",
        ),
        (
            "sections/admin.py",
            "import os\nfrom talk.models import Issue\n",
            "sections/admin.py:2: from talk.models import Issue (sections may not import talk)",
        ),
        (
            "sections/selectors/page.py",
            "def issue(pk):\n    from talk import services\n",
            "sections/selectors/page.py:2: from talk import services"
            " (sections may not import talk)",
        ),
        (
            "sections/policy.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import talk.services\n",
            "sections/policy.py:3: import talk.services (sections may not import talk)",
        ),
        (
            "talk/services/meeting.py",
            "from desk.views import page\n",
            "talk/services/meeting.py:1: from desk.views import page (talk may not import desk)",
        ),
        (
            "talk/tasks.py",
            "from . import services\n",
            "talk/tasks.py:1: from . import services"
            " (a tasks module imports services inside its functions)",
        ),
        (
            "talk/tasks.py",
            "from .services.exports import export_render\n",
            "talk/tasks.py:1: from .services.exports import export_render"
            " (a tasks module imports services inside its functions)",
        ),
    ],
)
def test_it_reports_a_forbidden_import(path, source, reported):
    assert violations(path, source) == [reported]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("sections/views/items.py", "from ..services import item_submit\nfrom . import page\n"),
        ("talk/services/__init__.py", "from .meeting import meeting_start\n"),
        ("talk/services.py", "from sections.policy import require_open\nfrom . import tasks\n"),
        ("desk/views/issue.py", "from talk.models import Issue\nfrom sections import selectors\n"),
        (
            "talk/tasks.py",
            "from celery import shared_task\n\ndef run():\n    from . import services\n",
        ),
        (
            "sections/policy.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from talk.models import Issue\n",
        ),
    ],
)
def test_it_lets_an_allowed_import_through(path, source):
    assert violations(path, source) == []
