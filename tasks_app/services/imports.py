"""Write paths of the admin's two-step import: upload → preview → 确认导入 or 取消."""

import datetime
from collections.abc import Collection, Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..importing import ImportFailed, ParsedPlan, document_text, parse_document
from ..importing.document import SCORE_THRESHOLD
from ..importing.loader import LoadResult, UnitsUndecided, plan_load
from ..models import ImportDraft

DRAFT_LIFETIME = datetime.timedelta(days=1)


def import_draft_parsed(draft: ImportDraft) -> ParsedPlan:
    """The draft's document parsed again, in the format recognised at upload (with the other
    formats' scores when that was the automatic choice)."""
    try:
        parsed = parse_document(draft.text)
        if parsed.source_format != draft.source_format:
            parsed = parse_document(draft.text, draft.source_format)
    except ImportFailed:
        parsed = None
    try:
        parsed = parsed or parse_document(draft.text, draft.source_format)
    except ImportFailed as error:
        raise ValidationError(
            {"document": _("文件无法解析：%(error)s") % {"error": error}}) from error
    parsed.source_name = draft.file_name
    return parsed


@transaction.atomic
def import_draft_create(*, file_name: str, data: bytes, fmt: str, user: User) -> ImportDraft:
    """Keep an uploaded document for its preview; refuse one no format understands.

    Drafts older than a day (previews left open) are removed on the way.
    """
    try:
        text = document_text(file_name, data)
        parsed = parse_document(text, fmt)
    except ImportFailed as error:
        raise ValidationError({"document": str(error)}) from error
    ImportDraft.objects.filter(created_at__lt=timezone.now() - DRAFT_LIFETIME).delete()
    return ImportDraft.objects.create(file_name=file_name[:255], text=text, uploaded_by=user,
                                      source_format=parsed.source_format)


@transaction.atomic
def import_draft_confirm(
    *, draft: ImportDraft, user: User, accept_aliases: list[str],
    low_score_confirmed: bool = False, directory: bool | None = None,
    create_units: Collection[str] = (), unit_map: Mapping[str, int] | None = None,
    create_all_units: bool = False,
) -> LoadResult:
    """Load the draft's plan in one transaction (aliases as accepted), then forget the draft.

    A result scored below the threshold is loaded only when the user confirmed it. Every unit
    the department directory does not know needs a decision: created (``create_units`` or
    ``create_all_units``) or mapped to an existing department (``unit_map``)."""
    parsed = import_draft_parsed(draft)
    if parsed.needs_confirmation and not low_score_confirmed:
        raise ValidationError({"document": _(
            "识别得分 %(score)s 低于 %(threshold)s，未导入：请核对预览后勾选“确认按此结果导入”")
            % {"score": parsed.score.score if parsed.score else 0, "threshold": SCORE_THRESHOLD}})
    decided = None if create_all_units else {*create_units, *(unit_map or {})}
    try:
        result = plan_load(parsed, actor=user, accept_aliases=accept_aliases,
                           directory=directory, unit_map=unit_map, decided=decided)
    except UnitsUndecided as error:
        raise ValidationError({"units": error.message}) from error
    except ImportFailed as error:
        raise ValidationError({"document": error.message}) from error
    draft.delete()
    return result


@transaction.atomic
def import_draft_discard(*, draft: ImportDraft) -> None:
    draft.delete()
