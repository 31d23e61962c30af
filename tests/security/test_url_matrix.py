"""Every URL pattern × every role, with another department's ids: no leak, no 5xx, and no
URL without a rule. Includes the lead office's escalation attempts in the admin.

Department B (区责任局) works on the task; actors from department A (区无关局), the 三员
admins (who hold no Duban role) and anonymous visitors must get nothing of B's: detail
URLs answer without 200, lists and pages never contain B's markers. The manager and the
lead office read everything: for them every URL must merely not fail (no 5xx).
"""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from departments.choices import Role
from security.roles import AUDIT_ADMIN_GROUP, SECURITY_ADMIN_GROUP, admin_roles_ensure
from tasks_app.services.calendar_feed import calendar_feed_issue
from tasks_app.services.lifecycle.instructions import instruction_create
from tasks_app.services.lifecycle.slips import slip_issue

from ..portal.conftest import GOOD, person, travel, world  # noqa: F401

MARKERS = ("推动产业集聚", "乙部门机密进展", "乙部门督办事由", "乙部门批示")

# How to fill each pattern's parameters with department B's objects, and who may read.
#   public:  anyone (no B data behind it)          list: 200 allowed, B's markers never shown
#   detail:  B's object: no 200 for outsiders      leaders: only manager / lead office
#   probe:   public, and 503 is an answer (not ready: no Redis or beat in the tests)
RULES: dict[str, str] = {
    "accounts/2fa/": "public", "accounts/login/": "public", "accounts/logout/": "public",
    "accounts/password_change/": "list", "accounts/password_change/done/": "list",
    "accounts/password_reset/": "public", "accounts/password_reset/done/": "public",
    "accounts/reset/<uidb64>/<token>/": "public", "accounts/reset/done/": "public",
    "i18n/setlang/": "public", "api/v1/auth/token/": "public", "api/v1/": "list",
    "api/schema/": "list", "api/docs/": "list", "api/redoc/": "list", "api/^.*$": "public",
    "notifications/": "list", "notifications/digest/": "leaders",
    "notifications/calendar/<slug:key>.ics": "detail",
    "bulletins/": "list", "bulletins/<int:pk>/": "detail", "bulletins/<int:pk>/pdf/": "detail",
    "bulletins/<int:pk>/xlsx/": "detail", "assessments/": "list",
    "assessments/<int:pk>/": "detail", "assessments/<int:pk>/pdf/": "detail",
    "assessments/<int:pk>/xlsx/": "detail",
    "assessments/<int:pk>/scores/<int:score_pk>/contest/": "detail",
    "": "list", "tasks/<int:pk>/": "detail", "tasks/<int:pk>/report/": "detail",
    "tasks/<int:pk>/review/": "detail", "periods/<int:pk>/report/": "list",
    "periods/<int:pk>/report/<int:task_pk>/": "detail", "periods/<int:pk>/sheet/": "list",
    "periods/<int:pk>/sheet.xlsx": "list", "ledger.xlsx": "list",
    "reports/<int:pk>/review/": "detail", "reviews/": "list", "overview/": "leaders",
    "accounts/profile/": "list", "attachments/<int:pk>/": "detail",
    "tasks/<int:pk>/do/<slug:action>/": "detail", "tasks/<int:pk>/instructions/": "detail",
    "tasks/<int:pk>/requests/": "detail", "tasks/<int:pk>/parts/<int:part_pk>/transfer/":
    "detail", "todo/": "list", "desk/": "leaders", "items/new/": "leaders", "slips/": "list",
    "slips/<int:pk>/": "detail", "slips/<int:pk>/pdf/": "detail",
    "healthz": "public", "readyz": "probe", "metrics": "public",
    "accounts/activate/<uidb64>/<token>/": "public", "oidc/authenticate/": "public",
    "oidc/callback/": "public", "notifications/unread/": "leaders",
    "notifications/urge/": "leaders", "tasks/<int:pk>/milestones/": "detail",
    "notifications/<int:pk>/": "detail",
    "periods/<int:pk>/submit/": "list", "exports/": "list", "exports/ledger/": "leaders",
    "exports/<int:pk>/": "detail", "exports/<int:pk>/status/": "detail",
    "exports/<int:pk>/download/": "detail", "reviews/count/": "list", "indicators/": "list",
    "desk/reports/": "leaders", "cockpit/": "leaders",
    "indicators/sheet/": "list", "indicators/upload/": "list",
    "tasks/<int:pk>/milestones/sheet/": "detail", "tasks/<int:pk>/milestones/upload/": "detail",
}
API_DETAIL = re.compile(r"^api/v1/\^([a-z-]+)/\(\?P<pk>[^)]*\)/(?:([a-z-]+)/)?\$$")
API_LIST = re.compile(r"^api/v1/\^([a-z-]+)/(?:([a-z-]+)/)?\$$")
ADMIN_OBJECT = re.compile(r"<path:object_id>")
# Admin apps and who (besides the operator) may open them.
ADMIN_APPS = {
    "tasks_app": {"lead_office"}, "departments": {"lead_office"},
    "notifications": {"lead_office"}, "auth": {"lead_office", "security"},
    "axes": {"security"}, "otp_totp": {"security"}, "audit": {"auditor"},
}
ADMIN_MODELS_OVERRIDE = {  # models inside those apps with a narrower rule
    ("auth", "group"): set(), ("departments", "department"): {"lead_office", "security"},
    ("departments", "membership"): {"lead_office", "security"},
    ("axes", "accesslog"): {"security"}, ("axes", "accessfailurelog"): set(),
}


def patterns(resolver=None, prefix: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


@pytest.fixture
def scene(world):  # noqa: F811
    """Department B's secrets on world.task; actors from department A and the admins."""
    from tasks_app.services.reports import attachment_add, report_save

    world.task.title = "推动产业集聚"
    world.task.save(update_fields=["title"])
    report = report_save(filing=world.filing(), user=world.liaison, submit=False,
                         data=GOOD | {"progress_text": "乙部门机密进展"})
    attachment = attachment_add(report=report, user=world.liaison, upload=SimpleUploadedFile(
        "乙部门.pdf", b"%PDF-1.4 secret"))
    slip = slip_issue(task=world.task, department=world.department, reason="乙部门督办事由",
                      actor=world.lead_office, respond_by=datetime.date(2026, 4, 30))
    instruction_create(task=world.task, text="乙部门批示", actor=world.manager,
                       departments=[world.department])
    groups = admin_roles_ensure()
    security = User.objects.create_user("sec.admin", "s@duban.example", "x", is_staff=True)
    security.groups.add(groups[SECURITY_ADMIN_GROUP])
    auditor = User.objects.create_user("audit.admin", "a@duban.example", "x", is_staff=True)
    auditor.groups.add(Group.objects.get(name=AUDIT_ADMIN_GROUP))
    world.lead_office.is_staff = True
    world.lead_office.save(update_fields=["is_staff"])
    world.lead_office.groups.add(groups["牵头督办办公室"])
    operator = User.objects.create_superuser("operator", "o@duban.example", "x")
    calendar_feed_issue(user=world.liaison)  # B's calendar exists; its key is not guessed
    ids = {"tasks": world.task.pk, "task": world.task.pk, "reports": report.pk,
           "report": report.pk, "attachment": attachment.pk, "slips": slip.pk, "slip": slip.pk,
           "part": world.task.assignments.get(department=world.department).pk,
           "period": world.period.pk, "calendar": "guessed-" + "x" * 35}
    actors = {
        "anonymous": None, "outsider": world.outsider,
        "outsider_head": person(world.outsider_department, Role.HEAD, "other.head"),
        "security": security, "auditor": auditor,
        "manager": world.manager, "lead_office": world.lead_office, "operator": operator,
    }
    return world, ids, actors


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(route: str, ids: dict) -> str:
    api = API_DETAIL.match(route)
    if api:
        resource, action = api.groups()
        pk = ids.get(resource, 1)
        return f"/api/v1/{resource}/{pk}/" + (f"{action}/" if action else "")
    api = API_LIST.match(route)
    if api:
        resource, action = api.groups()
        return f"/api/v1/{resource}/" + (f"{action}/" if action else "")
    if route == "api/^.*$":
        return "/api/nothing-here/"
    path = route
    path = path.replace("<slug:key>", ids["calendar"]).replace("<slug:action>", "acknowledge")
    path = path.replace("<uidb64>", "MQ").replace("<token>", "set-password")
    path = path.replace("<int:task_pk>", str(ids["task"])).replace(
        "<int:part_pk>", str(ids["part"])).replace("<int:score_pk>", "1")
    kind = path.split("/")[0]
    pk = {"tasks": ids["task"], "reports": ids["report"], "attachments": ids["attachment"],
          "slips": ids["slip"], "periods": ids["period"]}.get(kind, 1)
    return "/" + path.replace("<int:pk>", str(pk))


def _leaks(response) -> list[str]:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode("utf-8", "replace")
    return [marker for marker in MARKERS if marker in text]


@pytest.mark.django_db
def test_every_url_has_a_rule_and_nothing_leaks(scene, settings):
    place, ids, actors = scene
    settings.DUBAN_SESSION_IDLE_MINUTES = 0
    clients = {name: _client(user) for name, user in actors.items()}
    missing, failures = [], []
    for route in patterns():
        if route.startswith("admin/"):
            continue
        rule = RULES.get(route)
        if rule is None and (API_DETAIL.match(route) or API_LIST.match(route)):
            rule = "detail" if API_DETAIL.match(route) else "list"
        if rule is None:
            missing.append(route)
            continue
        url = _url(route, ids)
        query = {"department": place.department.pk} if route.startswith("periods/") else {}
        for name, client in clients.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url, query if method == "get" else {})
                status = response.status_code
                if status >= 500 and not (rule == "probe" and status == 503):
                    failures.append(f"{name} {method} {url}: {status}")
                    continue
                if name in ("manager", "lead_office", "operator") or rule in ("public", "probe"):
                    continue
                leaked = _leaks(response) if status == 200 else []
                if leaked:
                    failures.append(f"{name} {method} {url}: shows {leaked}")
                if (rule in ("detail", "leaders") and 200 <= status < 300
                        and route != "accounts/profile/"):
                    failures.append(f"{name} {method} {url}: {status} on B's object")
    assert not missing, f"URL patterns without a rule: {missing}"
    assert not failures, "\n".join(failures)


def _admin_rule(route: str) -> tuple[str, str] | None:
    """(app label, model) of an admin model URL; None for the site's own pages."""
    match = re.match(r"^admin/([a-z_]+)/(?:([a-z_]+)/)?", route)
    labels = {config.label for config in apps.get_app_configs()}
    if not match or match.group(1) not in labels:
        return None
    return match.group(1), match.group(2) or ""


@pytest.mark.django_db
def test_every_admin_url_is_limited_to_its_roles(scene):
    place, ids, actors = scene
    clients = {name: _client(user) for name, user in actors.items()}
    failures, missing = [], []
    for route in patterns():
        if not route.startswith("admin/"):
            continue
        model = _admin_rule(route)
        url = "/" + ADMIN_OBJECT.sub(str(place.liaison.pk if model and model[1] == "user"
                                         else 1), route)
        if "<" in url:
            url = re.sub(r"<[^>]+>", "1", url)
        if model is None:
            allowed = {"lead_office", "security", "auditor"}  # index, login, logout, jsi18n …
        elif model[0] not in ADMIN_APPS:
            missing.append(route)
            continue
        else:
            allowed = ADMIN_MODELS_OVERRIDE.get(model, ADMIN_APPS[model[0]])
        for name, client in clients.items():
            response = client.get(url)
            status = response.status_code
            if status >= 500:
                failures.append(f"{name} {url}: {status}")
            elif name in ("anonymous", "outsider", "outsider_head", "manager"):
                if status == 200 and model is not None:
                    failures.append(f"{name} {url}: 200")
            elif (name not in allowed and name != "operator" and model is not None
                  and status == 200):
                failures.append(f"{name} {url}: 200 (not its role)")
    # The lead office's escalation attempts from the 等保 probe.
    lead = clients["lead_office"]
    victim = place.liaison.pk
    assert lead.get(f"/admin/auth/user/{victim}/password/").status_code == 403
    assert lead.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert lead.get(f"/admin/auth/user/{actors['operator'].pk}/change/").status_code == 302
    assert not missing, f"admin apps without a rule: {missing}"
    assert not failures, "\n".join(failures)
