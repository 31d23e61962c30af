"""The leaders' full-screen view (驾驶舱) for meeting rooms: big numbers, the red and yellow
tasks, the departments behind on reports by escalation colour; it reloads itself."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from departments.access import access_for

from ..rules.escalation import LEVEL_LABELS, LEVELS
from ..selectors.cockpit import cockpit as cockpit_data

REFRESH_SECONDS = 300
# One snapshot of the city for every screen showing it, taken at most this long ago (the
# page says when): counting who owes reports over every plan's parts takes about 100 ms at
# city scale, paid once a minute, not by each of the meeting rooms' screens.
SNAPSHOT_SECONDS = 60
SNAPSHOT_KEY = "portal:cockpit:v1"


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    """Managers and the lead office only, like the overview (the same for each of them)."""
    if not access_for(request.user).reads_everything:
        raise Http404
    data = cache.get_or_set(SNAPSHOT_KEY, lambda: cockpit_data(timezone.now()),
                            SNAPSHOT_SECONDS)
    levels = [(level, LEVEL_LABELS[level], data.levels[level]) for level in LEVELS]
    return render(request, "portal/cockpit.html", {
        "cockpit": data, "levels": levels, "refresh": REFRESH_SECONDS})
