"""Renderers for the file downloads of the API (.xlsx): the view answers the file itself;
these let a client ask for it with ``Accept`` and still get errors as JSON."""

from rest_framework.renderers import BaseRenderer, JSONRenderer

from ..documents.xlsx import XLSX_TYPE


class XlsxRenderer(BaseRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data, "application/json", renderer_context)
