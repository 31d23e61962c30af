"""Optimistic concurrency for the API: ``version`` in the body (409) or ``If-Match`` (412).

A versioned object's ETag is ``"<model>-<id>-v<version>"``. The services lock the row and
compare versions themselves (``tasks_app.exceptions.StaleVersion``); the API only says which
version the client expects and how a refusal is reported.
"""

from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

from django.db import models

from ..exceptions import StaleVersion
from .errors import PreconditionFailed, StaleVersionConflict

T = TypeVar("T")


def etag_for(obj: models.Model) -> str:
    return f'"{obj._meta.model_name}-{obj.pk}-v{obj.version}"'


def _tags(header: str) -> list[str]:
    tags = []
    for tag in header.split(","):
        tag = tag.strip()
        tags.append(tag[2:] if tag.startswith("W/") else tag)
    return tags


class Expectation:
    """The version a write expects, and whether it came from an If-Match header."""

    def __init__(self, request, obj: models.Model | None, body_version: int | None):
        header = request.headers.get("If-Match")
        self.from_header = bool(header) and obj is not None
        if self.from_header:
            tags = _tags(header)
            if "*" not in tags and etag_for(obj) not in tags:
                raise PreconditionFailed()
            self.version = obj.version
        else:
            self.version = body_version

    @contextmanager
    def refusals(self):
        """A stale version found by the service: 412 for If-Match, 409 for a body version."""
        try:
            yield
        except StaleVersion as exc:
            if self.from_header:
                raise PreconditionFailed() from exc
            raise StaleVersionConflict(exc.messages[0]) from exc

    def run(self, write: Callable[..., T], **kwargs) -> T:
        with self.refusals():
            return write(expected_version=self.version, **kwargs)
