"""Hostile input against a real web worker: gunicorn (production configuration, one sync
worker so every request lands in the same process) receives a zip-bomb sheet, malformed
sheets, a zip-bomb and a broken Word plan, a plan text with a NUL byte, a NUL in a URL and
an oversized API body. Each answers a clear 4xx, nothing is saved, the worker is never
replaced, and its resident memory high-water mark (VmHWM, the kernel's peak RSS of that
process) stays under 200 MB."""

import io
import time
import zipfile

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from tasks_app.models import ImportDraft, Plan, ProgressReport

from ..forms import form_values
from ..portal.conftest import NOW, travel, world  # noqa: F401
from ..web_processes import gunicorn_start, peak_rss_mb, web_env, worker_pids
from .test_uploads import MALFORMED, _replace_member, zip_bomb

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MEMORY_LIMIT_MB = 200
PASSWORD = "hostile-pw-1"


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    login = f"{base}/accounts/login/"
    fields = form_values(session.get(login, timeout=30).text)
    fields |= {"username": username, "password": PASSWORD}
    response = session.post(login, data=fields, headers={"Referer": login},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:2000]
    return session


def _refused(response: requests.Response, text: str, statuses=(400, 413, 422)) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:2000])
    assert text in response.text, response.text[:3000]


def test_hostile_files_are_refused_by_a_real_worker_in_bounded_memory(world, tmp_path):  # noqa: F811
    hasher = PBKDF2PasswordHasher()  # the web process verifies with the production hashers
    encoded = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    for user in (world.liaison, world.lead_office):
        user.password = encoded
        user.save(update_fields=["password"])
    world.lead_office.is_staff = True
    world.lead_office.save(update_fields=["is_staff"])
    from security.roles import lead_office_group
    world.lead_office.groups.add(lead_office_group())
    token = Token.objects.create(user=world.liaison)
    plans = Plan.objects.count()

    env = web_env(DUBAN_2FA_ROLES="operator")  # the lead office without a second factor here
    web, base = gunicorn_start("web", tmp_path, env, worker_class="sync", clock=NOW.isoformat())
    try:
        [worker] = worker_pids(web)
        liaison = _login(base, world.liaison.username)
        period = world.period.pk
        sheet = liaison.get(f"{base}{reverse('portal:sheet_download', args=[period])}",
                            params={"department": world.department.pk}, timeout=30)
        assert sheet.status_code == 200
        upload = (f"{base}{reverse('portal:sheet_upload', args=[period])}"
                  f"?department={world.department.pk}")
        csrf = {"csrfmiddlewaretoken": liaison.cookies["csrftoken"], "action": "save"}
        headers = {"Referer": base + "/", "X-CSRFToken": liaison.cookies["csrftoken"]}
        before = peak_rss_mb(worker)

        def post_sheet(content: bytes) -> requests.Response:
            return liaison.post(upload, data=csrf, headers=headers, timeout=60,
                                files={"file": ("报送表.xlsx", content)})

        bomb = zip_bomb(300)  # 300 MB of rows, well under 2 MB on the wire
        started = time.monotonic()
        _refused(post_sheet(bomb), "可能是压缩炸弹")
        assert time.monotonic() - started < 10

        book = load_workbook(io.BytesIO(sheet.content))
        buffer = io.BytesIO()
        book.save(buffer)
        for member, content in MALFORMED:
            _refused(post_sheet(_replace_member(buffer.getvalue(), member, content)),
                     "无法读取该 Excel 文件")

        # The lead office's plan import: a zip bomb and a broken Word file, NUL in text.
        lead = _login(base, world.lead_office.username)
        importer = f"{base}{reverse('admin:tasks_app_plan_import')}"
        fields = form_values(lead.get(importer, timeout=30).text)
        broken_docx = io.BytesIO()
        with zipfile.ZipFile(broken_docx, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document><w:body><w:p>未闭合")
        for name, content, text in (
                ("方案.docx", bomb, "可能是压缩炸弹"),
                ("方案.docx", broken_docx.getvalue(), "无法读取 Word 文件"),
                ("方案.txt", "一、总体要求\n第二行\x00\n".encode(), "空字符")):
            response = lead.post(importer, data=fields | {"format": "auto"},
                                 files={"document": (name, content)},
                                 headers={"Referer": importer}, timeout=60)
            # The admin shows its form again with the error (its way of saying 4xx).
            assert response.status_code in (200, 400) and text in response.text, \
                response.text[:3000]

        # NUL in an address; a body over the 5 MB limit on the API.
        assert requests.get(f"{base}/notifications/calendar/%00.ics", timeout=30) \
            .status_code == 404
        body = b'{"progress_text": "' + b"x" * (6 * 1024 * 1024) + b'"}'
        too_big = requests.post(f"{base}/api/v1/reports/", data=body, timeout=60, headers={
            "Authorization": f"Token {token.key}", "Content-Type": "application/json"})
        assert too_big.status_code == 413 and "过大" in too_big.json()["error"]["message"]

        peak = peak_rss_mb(worker)
        print(f"worker {worker}: peak RSS {before:.0f} MB before, {peak:.0f} MB after")
        assert peak < MEMORY_LIMIT_MB, (before, peak)
        assert worker_pids(web) == [worker]  # never killed by a timeout or the OOM killer
    finally:
        web.stop()
    assert "Traceback" not in web.output() and "WORKER TIMEOUT" not in web.output(), \
        web.output()
    assert not ProgressReport.objects.exists()
    assert not ImportDraft.objects.exists() and Plan.objects.count() == plans
