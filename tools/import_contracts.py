"""Two import-linter contract types the built-in ones cannot express, used by pyproject.toml.

- `web_free`: every module of a package stays free of the web framework, directly and through other
  modules, unless its name says it is web code. Patterns name the exceptions, so a new services, models
  or pure module is covered without editing the list.
- `leaves`: modules matching the patterns (the views) are imported by nobody but the packages above them
  (a room's `__init__`, whose `init_app` registers them).

Patterns are dotted names where `*` stands for one part and `**` for any number of parts.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _pattern(expression: str) -> re.Pattern:
    parts = []
    for part in expression.split("."):
        parts.append(r"[^.]+(?:\.[^.]+)*" if part == "**" else r"[^.]+" if part == "*" else re.escape(part))
    return re.compile(r"\.".join(parts) + r"\Z")


def _matches(module: str, patterns: list[re.Pattern]) -> bool:
    return any(p.match(module) for p in patterns)


@cache
def _is_package(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    return spec is not None and spec.submodule_search_locations is not None


class WebFreeContract(Contract):
    """Modules of `root` not matching `web_modules` must not import `forbidden`, directly or indirectly.
    Packages are left out: their `__init__` only wires the room into the app (see the runtime test in
    tests/test_code_shape.py, which imports every such module in a fresh interpreter)."""

    type_name = "web_free"
    root = fields.StringField()
    web_modules = fields.ListField(subfield=fields.StringField())
    forbidden = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        allowed = [_pattern(p) for p in self.web_modules]
        chains = []
        for module in sorted(graph.find_descendants(self.root)):
            if _matches(module, allowed) or _is_package(module):
                continue
            for external in self.forbidden:
                if external in graph.modules:
                    chain = graph.find_shortest_chain(importer=module, imported=external)
                    if chain:
                        chains.append(chain)
        return ContractCheck(kept=not chains, metadata={"chains": chains})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for chain in check.metadata["chains"]:
            output.print_error(" -> ".join(chain))
            output.new_line()


class LeavesContract(Contract):
    """Modules matching `leaves` are imported only by packages that contain them."""

    type_name = "leaves"
    root = fields.StringField()
    leaves = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        patterns = [_pattern(p) for p in self.leaves]
        imports = []
        for module in sorted(graph.find_descendants(self.root)):
            if not _matches(module, patterns):
                continue
            for importer in sorted(graph.find_modules_that_directly_import(module)):
                if not (module.startswith(importer + ".") and _is_package(importer)):
                    imports.append((importer, module))
        return ContractCheck(kept=not imports, metadata={"imports": imports})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, module in check.metadata["imports"]:
            output.print_error(f"{importer} imports {module}, a view module")
            output.new_line()
