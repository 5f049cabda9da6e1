"""No query in an api.py or views.py: rows are read through the app's access.py, written through its services.

Tenants are walled by the access modules' getters (a foreign id is a 404); a view that asks a manager itself
can forget the tenant. This reads every api.py and views.py of the package (AST, no import) and names each
use of a model manager (`Model.objects`, `_default_manager`, `_base_manager`).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "relais"
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def managers_used(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            owner = ast.unparse(node.value)
            found.append((node.lineno, f"{owner}.{node.attr}"))
    return sorted(found)


def test_the_check_sees_a_manager_however_it_is_reached() -> None:
    source = "a = Case.objects.get(pk=1)\nb = models.Notice._default_manager.all()\nc = obj.objects_seen\n"
    assert managers_used(source) == [(1, "Case.objects"), (2, "models.Notice._default_manager")]


def test_no_api_or_views_module_queries_a_model_itself() -> None:
    modules = sorted(p for name in ("api.py", "views.py") for p in PACKAGE.rglob(name))
    assert len(modules) > 15, modules
    offences = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {use}"
        for path in modules
        for line, use in managers_used(path.read_text())
    ]
    assert not offences, "read through the app's access.py (writes through services.py):\n" + "\n".join(offences)
