"""The transition tables live in the rules layer; the services and pages ask it."""

import ast
import importlib
from pathlib import Path

import pytest

from tasks_app.choices import PartState
from tasks_app.rules import transitions

RULES = Path(transitions.__file__).parent


def test_the_services_and_pages_use_the_rules_tables():
    users = {
        "tasks_app.services.lifecycle.parts": {"PART"},
        "tasks_app.services.lifecycle.suspension": {"PART"},
        "tasks_app.services.lifecycle.extensions": {"EXTENSION"},
        "tasks_app.services.lifecycle.completions": {"COMPLETION", "COMPLETION_ACTION",
                                                     "COMPLETION_PART_ACTION"},
        "tasks_app.services.lifecycle.slips": {"SLIP"},
        "tasks_app.services.lifecycle.instructions": {"INSTRUCTING_ROLES"},
        "tasks_app.selectors.lifecycle": {"PART", "SLIP", "EXTENSION", "COMPLETION"},
        "tasks_app.portal.views_slips": {"SLIP"},
    }
    for module, names in users.items():
        loaded = importlib.import_module(module)
        for name in names:
            assert getattr(loaded, name) is getattr(transitions, name), (module, name)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("tasks_app.services.lifecycle.tables")


def test_the_rules_import_no_upper_layer():
    upper = ("services", "selectors", "portal", "api", "notifications", "records", "documents")
    for path in RULES.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not any(part in upper for part in module.split(".")), (path.name, module)


def test_the_part_table_is_unchanged():
    part = transitions.PART
    assert part.allowed("acknowledge", PartState.PENDING_ACK,
                        frozenset({transitions.LIAISON}))
    assert not part.allowed("acknowledge", PartState.PENDING_ACK,
                            frozenset({transitions.MANAGER}))
    assert part.table["suspend"].sources == frozenset(transitions.OPEN)
    assert part.table["resume"].target is None
    assert set(transitions.SLIP.table) == {"draft", "sign", "receive", "answer", "void"}
