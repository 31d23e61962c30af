"""Every export and download (台账, PDF, report sheets, ICS, attachments, CSV) is audited
here, by what the response is, so a new download view cannot forget it. The request is
also made known to ``audit_record`` while the view runs (the source address of a service's
audit row)."""

import re

from django.http import HttpRequest, HttpResponse

from .models import AuditKind
from .services import audit_record, current_request

DOCUMENT_TYPES = (
    "application/vnd.openxmlformats", "application/pdf", "text/calendar", "text/csv",
    "application/msword", "application/vnd.ms-excel", "application/zip", "image/",
    "application/octet-stream",
)
_SECRET_SEGMENT = re.compile(r"[A-Za-z0-9_\-]{20,}")


def _masked(path: str) -> str:
    """The path with long keys (calendar secrets) cut to six characters."""
    return _SECRET_SEGMENT.sub(lambda m: m.group(0)[:6] + "…", path)


class AuditDownloadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)  # services called by the view audit with it
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if response.status_code == 200 and not request.path.startswith("/static/"):
            disposition = response.get("Content-Disposition", "")
            content_type = response.get("Content-Type", "")
            if disposition or content_type.startswith(DOCUMENT_TYPES):
                audit_record(AuditKind.DOWNLOAD, request=request,
                             target=_masked(request.get_full_path())[:300],
                             detail=f"{content_type}; {disposition}"[:1000])
        return response
