"""The transition tables live in the rules layer; the services and pages ask it."""

import importlib

import pytest

from tasks_app.choices import PartState
from tasks_app.rules import machine, tables


def test_the_services_and_pages_use_the_rules_tables():
    users = {
        "tasks_app.services.lifecycle.parts": {"PART"},
        "tasks_app.services.lifecycle.suspension": {"PART"},
        "tasks_app.services.lifecycle.extensions": {"EXTENSION"},
        "tasks_app.services.lifecycle.completions": {"COMPLETION", "COMPLETION_ACTION",
                                                     "COMPLETION_PART_ACTION"},
        "tasks_app.services.lifecycle.slips": {"SLIP"},
        "tasks_app.services.lifecycle.instructions": {"INSTRUCTING_ROLES"},
        "tasks_app.selectors.lifecycle": {"PART", "SLIP"},
        "tasks_app.portal.views_slips": {"SLIP"},
    }
    for module, names in users.items():
        loaded = importlib.import_module(module)
        for name in names:
            assert getattr(loaded, name) is getattr(tables, name), (module, name)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("tasks_app.services.lifecycle." + "tables")  # moved to rules


def test_the_part_table_is_unchanged():
    part = tables.PART
    assert part.allowed("acknowledge", PartState.PENDING_ACK,
                        frozenset({machine.LIAISON}))
    assert not part.allowed("acknowledge", PartState.PENDING_ACK,
                            frozenset({machine.MANAGER}))
    assert part.table["suspend"].sources == frozenset(tables.OPEN)
    assert part.table["resume"].target is None
    assert set(tables.SLIP.table) == {"draft", "sign", "receive", "answer", "void"}
