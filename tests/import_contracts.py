"""Import contracts of our own for import-linter (`lint-imports`, run by `make lint`).

`pure_by_default`: every module of the package is a pure domain module (imports neither Django nor ninja, not
even through another module) unless it is named among the Django-facing ones. A hand-kept list of pure modules
let a new one go unchecked until someone remembered to add it; here a new module is checked from its first
commit, and making one Django-facing is a line in pyproject.toml that a reviewer sees.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.domain import fields
from importlinter.domain.contract import ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules
from importlinter.domain.imports import ModuleExpression


class PureByDefaultContract(ForbiddenContract):
    """A forbidden contract whose sources are `source_modules` minus `django_facing` (both may use wildcards).

    Each module is checked on its own (`as_packages` is off): a package's `__init__` is a module like the others,
    and a pure package does not make its Django-facing submodules pure.
    """

    type_name = "pure_by_default"

    django_facing = fields.SetField(subfield=fields.ModuleExpressionField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        everything = set(module_expressions_to_modules(graph, self.source_modules))  # type: ignore[arg-type]
        facing = set(module_expressions_to_modules(graph, self.django_facing))  # type: ignore[arg-type]
        # import-linter's fields are descriptors typed as such; its own contracts assign and read them the same way.
        self.source_modules = {ModuleExpression(module.name) for module in everything - facing}  # type: ignore[assignment]
        self.as_packages = False  # type: ignore[assignment]
        return super().check(graph, verbose)
