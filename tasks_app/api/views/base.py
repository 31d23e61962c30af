"""What every API view shares: authentication, JSON only, strict filters, throttling,
visibility from the user's :class:`~departments.access.Access`, and the schema class."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from common.i18n import lazy_format
from departments.access import Access, access_for

from ..auth import API_AUTHENTICATION
from ..concurrency import etag_for
from ..filters import StrictOrderingFilter, StrictSearchFilter
from ..pagination import StandardPagination
from ..schema import DubanAutoSchema
from ..throttles import WriteRateThrottle

ID_IN_PATH = r"[0-9]{1,18}"  # longer numbers cannot be ids: 404 without a database query


class ApiView:
    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    filter_backends = [DjangoFilterBackend, StrictSearchFilter, StrictOrderingFilter]
    throttle_classes = [WriteRateThrottle]
    pagination_class = StandardPagination
    schema = DubanAutoSchema()
    lookup_value_regex = ID_IN_PATH
    schema_tag: str | None = None
    versioned = False

    @property
    def access(self) -> Access:
        return access_for(self.request.user)


class ReadOnlyViewSet(ApiView, viewsets.ReadOnlyModelViewSet):
    """List and retrieve. A versioned object's response carries its ETag."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return versioned_response(self, instance)


def versioned_response(view, instance, status: int = 200) -> Response:
    """The object as the view shows it, with its ETag when it has a version."""
    headers = {"ETag": etag_for(instance)} if view.versioned else None
    return Response(view.get_serializer(instance).data, status=status, headers=headers)


def described(noun: str, description: str = "", **more):
    """Chinese summaries for a read-only viewset's list and retrieve operations."""
    return extend_schema_view(
        list=extend_schema(summary=lazy_format(_("%(noun)s列表"), noun=noun),
                           description=description),
        retrieve=extend_schema(summary=lazy_format(_("%(noun)s详情"), noun=noun),
                               description=description),
        **more,
    )
