"""Published documents are rendered once and kept in storage.

A published bulletin and a final assessment never change, yet their PDFs (and .xlsx) took
seconds of CPU on every download. The first rendering (queued when the document is published or
finalised, or else the first download) is saved in the default storage under a name made
of the document, a digest of what it shows and of the layout code, and the language;
every later download reads it. A draft bulletin or an assessment still open to contests
is rendered each time.
"""

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import get_language

from ..models import Assessment, Bulletin

Document = TypeVar("Document", Bulletin, Assessment)

log = logging.getLogger(__name__)


def stored_name(document: Bulletin | Assessment, language: str | None = None,
                extension: str = "pdf") -> str | None:
    """Where the document's fixed PDF (or .xlsx) is kept; None while the document can still
    change."""
    language = language or get_language() or settings.LANGUAGE_CODE
    if isinstance(document, Bulletin):
        fixed_at = document.published_at if document.state == Bulletin.State.PUBLISHED else None
    else:
        fixed_at = document.finalised_at if document.state == Assessment.State.FINAL else None
    if fixed_at is None:
        return None
    digest = hashlib.sha256(_layout_version().encode())
    digest.update(fixed_at.isoformat().encode())
    if isinstance(document, Bulletin):
        digest.update(json.dumps(document.content, sort_keys=True, default=str).encode())
    else:
        digest.update(json.dumps(list(document.scores.order_by("pk").values_list(
            "department_id", "total", "rank", "adjustment")), default=str).encode())
    kind = document._meta.model_name
    return f"documents/{kind}-{document.pk}-{digest.hexdigest()[:20]}-{language}.{extension}"


@functools.cache
def _layout_version() -> str:
    """A digest of the code and templates that draw the PDFs: a new layout, a new file."""
    here = Path(__file__).resolve().parent
    templates = here.parent / "templates" / "documents"
    digest = hashlib.sha256()
    for path in sorted([*here.glob("*.py"), *here.glob("*.css"), *templates.glob("*.html")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stored_file(document: Document, render: Callable[[Document], bytes], extension: str) -> bytes:
    """The document's file from storage, rendered (and kept, once fixed) when missing."""
    name = stored_name(document, extension=extension)
    if name is not None:
        try:
            with default_storage.open(name, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            pass
    content = render(document)
    if name is not None and not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))
    return content


def stored_pdf(document: Document, render: Callable[[Document], bytes]) -> bytes:
    """The document's PDF from storage, rendered (and kept, once fixed) when missing."""
    return stored_file(document, render, "pdf")


def stored_xlsx(document: Document, render: Callable[[Document], bytes]) -> bytes:
    """The document's .xlsx, kept like its PDF once fixed."""
    return stored_file(document, render, "xlsx")
