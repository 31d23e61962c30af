"""Media on S3-compatible object storage (django-storages) against a real moto server on
127.0.0.1: an attachment uploaded through the portal lands in the bucket and downloads back;
backup and restore carry it too."""

import subprocess
import sys

import boto3
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tasks_app.models import Attachment
from tasks_app.services.reports import attachment_add

from ..e2e_services import Process, free_port, wait_for
from .conftest import pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
BUCKET = "duban-media"


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    port = free_port()
    server = Process("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                              str(port)], tmp_path_factory.mktemp("moto"))
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")

    def up() -> bool:
        try:
            client.create_bucket(Bucket=BUCKET)
            return True
        except Exception:
            return server.popen.poll() is None and False
    try:
        wait_for(up, 60, f"moto 启动\n{server.output()}")
        yield endpoint, client
    finally:
        server.stop()


@pytest.fixture
def s3_media(s3_server):
    endpoint, client = s3_server
    storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1",
        "access_key": "test", "secret_key": "test", "location": "media",
        "addressing_style": "path", "default_acl": None, "file_overwrite": False}}
    from django.conf import settings
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        yield client


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_uploaded_attachment_is_stored_in_the_bucket_and_downloads(as_user, world, s3_media):
    item = attachment_add(report=world.report(submit=False), upload=pdf("证明.pdf", 100),
                          user=world.liaison)
    assert f"media/{item.file.name}" in _keys(s3_media)
    body = s3_media.get_object(Bucket=BUCKET, Key=f"media/{item.file.name}")["Body"].read()
    assert body.startswith(b"%PDF-1.4 test")
    response = as_user(world.lead_liaison).get(reverse("portal:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body


def test_backup_and_restore_carry_the_objects(world, s3_media, tmp_path):
    item = attachment_add(report=world.report(submit=False), upload=pdf("备份.pdf"),
                          user=world.liaison)
    call_command("backup", "--dir", str(tmp_path))
    s3_media.delete_object(Bucket=BUCKET, Key=f"media/{item.file.name}")
    assert f"media/{item.file.name}" not in _keys(s3_media)
    archive = next(tmp_path.glob("duban-*.tar.gz"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ops.backup._restore_database", lambda dump: None)  # files only here
        call_command("restore", str(archive), "--yes")
    assert f"media/{item.file.name}" in _keys(s3_media)
    assert Attachment.objects.get(pk=item.pk).file.read().startswith(b"%PDF")


def test_the_bucket_settings_come_from_the_environment(tmp_path):
    script = ("import django,os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
              "django.setup(); from django.conf import settings as s; "
              "o=s.STORAGES['default']['OPTIONS']; print(s.STORAGES['default']['BACKEND'], "
              "o['bucket_name'], o['endpoint_url'], o['region_name'])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, env={"PATH": "/usr/bin:/bin", "DUBAN_S3_BUCKET": "b1",
                                           "DUBAN_S3_ENDPOINT_URL": "http://s3.local:9000",
                                           "DJANGO_SECRET_KEY": "x"})
    assert done.stdout.split() == ["storages.backends.s3.S3Storage", "b1",
                                   "http://s3.local:9000", "None"]
