"""一键催办 from the admin task list: the selected tasks go to the 一键催办 page (preview of
recipients, channels and text, optional note) and are sent from there."""

from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@admin.action(description=_("一键催办选中任务的承办部门"))
def urge_tasks(model_admin, request, queryset):
    query = urlencode([("task", pk) for pk in queryset.values_list("pk", flat=True)]
                      + [("next", request.get_full_path())])
    return HttpResponseRedirect(f"{reverse('notifications:urge')}?{query}")
