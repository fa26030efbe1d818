"""Routers translate events and nothing more: no module under flows/ that registers handlers
(router*.py, *_router.py, *_handlers.py) may reach the database (sqlalchemy, AsyncSession,
storage queries; storage.models, the stored types, is fine) or another slice's router."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parents[2] / "flows"
_ROUTER_NAME = re.compile(r"^(router.*|.*_router|.*_handlers)\.py$")


def _is_router(path: Path) -> bool:
    return bool(_ROUTER_NAME.match(path.name))


ROUTERS = sorted(p for p in FLOWS.rglob("*.py") if _is_router(p))


def _slice(path: Path) -> str | None:
    """The slice a module belongs to (flows/<slice>/…), None for flows/*.py."""
    parts = path.relative_to(FLOWS).parts
    return parts[0] if len(parts) > 1 else None


def _imports(tree: ast.Module) -> list[tuple[str, str | None]]:
    """(module, imported name) for every import, nested ones too."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def layer_breaches(path: Path, source: str) -> list[str]:
    own = _slice(path)
    breaches = []
    for module, name in _imports(ast.parse(source)):
        full = f"{module}.{name}" if name else module
        if module == "sqlalchemy" or module.startswith("sqlalchemy.") or name == "AsyncSession":
            breaches.append(f"{full}: the database belongs to the service")
        elif (module == "storage" and name != "models") or (
            module.startswith("storage.") and not module.startswith("storage.models")
        ):
            breaches.append(f"{full}: storage queries belong to the service")
        elif full.startswith("flows."):
            parts = full.split(".")
            other = [p for p in parts[2:] if _is_router(Path(p + ".py"))]
            if other and len(parts) > 2 and parts[1] != own:
                breaches.append(f"{full}: another slice's router")
    return breaches


def test_routers_are_found() -> None:
    names = {p.relative_to(FLOWS).as_posix() for p in ROUTERS}
    assert {"understanding/router.py", "signing/review_router.py",
            "signing/card_handlers.py"} <= names  # fmt: skip


@pytest.mark.parametrize("path", ROUTERS, ids=lambda p: p.relative_to(FLOWS).as_posix())
def test_router_stays_in_its_layer(path: Path) -> None:
    assert layer_breaches(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy.ext.asyncio import AsyncSession",
        "from sqlalchemy import select",
        "import sqlalchemy",
        "from storage import contracts as q",
        "from storage.contracts import residents_by_id",
        "from flows.menu.router import show_help",
        "from flows.signing import card_handlers",
        "from flows.signing.review_router import staff_todo",
        "def f():\n    from storage.users import users_with_role",
    ],
)
def test_a_breach_is_caught(source: str) -> None:
    assert layer_breaches(FLOWS / "understanding" / "router.py", source)


@pytest.mark.parametrize(
    "source",
    [
        "from storage.models import User",
        "from flows.signing.screens import open_signing_for",
        "from flows.understanding.emergency import respond_to_emergency",
    ],
)
def test_allowed_imports_pass(source: str) -> None:
    assert layer_breaches(FLOWS / "understanding" / "router.py", source) == []


def test_own_slices_handlers_may_be_imported() -> None:
    source = "from flows.signing.card_handlers import card_action"
    assert layer_breaches(FLOWS / "signing" / "router.py", source) == []
