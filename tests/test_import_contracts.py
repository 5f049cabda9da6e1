"""The pure-module contract checks a module nobody listed: it is pure until named Django-facing.

Runs `lint-imports` itself on a small package made for the test, so what is tested is the contract as
`make lint` runs it (tests/import_contracts.py, configured in pyproject.toml).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

CONFIG = """
[tool.importlinter]
root_package = "shelter"
include_external_packages = true
contract_types = ["pure_by_default: tests.import_contracts.PureByDefaultContract"]

[[tool.importlinter.contracts]]
name = "Pure domain modules import no Django"
type = "pure_by_default"
source_modules = ["shelter", "shelter.**"]
django_facing = ["shelter.**.models", "shelter.**.views"]
forbidden_modules = ["django"]
"""


def lint(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in {"shelter/__init__.py": "", "shelter/beds/__init__.py": "", **files}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "pyproject.toml"], cwd=tmp_path, env=env, capture_output=True, text=True
    )


def test_a_new_module_that_imports_django_breaks_the_contract_without_being_listed(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "shelter/beds/models.py": "import django\n",
            "shelter/beds/views.py": "from shelter.beds import models\n",
            "shelter/beds/vacancy.py": "from shelter.beds import models\n",  # new, listed nowhere
        },
    )
    assert result.returncode == 1, result.stdout
    assert "shelter.beds.vacancy is not allowed to import django" in result.stdout
    assert "shelter.beds.vacancy -> shelter.beds.models" in result.stdout
    assert "shelter.beds.views is not allowed" not in result.stdout


def test_django_facing_modules_and_pure_ones_that_stay_pure_keep_it(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "shelter/beds/models.py": "import django\n",
            "shelter/beds/views.py": "import django\nfrom shelter.beds import vacancy\n",
            "shelter/beds/vacancy.py": "import datetime\n",
        },
    )
    assert result.returncode == 0, result.stdout
    assert "Pure domain modules import no Django KEPT" in result.stdout
