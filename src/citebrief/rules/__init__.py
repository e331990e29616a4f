"""The rule registry: every module in this package that exports ``RULE`` is a rule (a module
whose rules share everything but their names, like the link rules, exports ``RULES``).

Adding a rule is adding a module; nothing else needs to be edited.
"""

from __future__ import annotations

import importlib
import pkgutil

from citebrief.rules.base import Rule

_NOT_RULES = {"base", "context"}


def _discover() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_RULES:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for rule in (getattr(module, "RULE", None), *getattr(module, "RULES", ())):
            if isinstance(rule, Rule):
                rules[rule.name] = rule
    return dict(sorted(rules.items()))      # `citebrief rules` and the README list them by name


ALL_RULES: dict[str, Rule]       # discovered on first use: lint imports the rules while pandoc runs


def __getattr__(name: str) -> dict[str, Rule]:
    if name == "ALL_RULES":
        global ALL_RULES
        ALL_RULES = _discover()
        return ALL_RULES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
