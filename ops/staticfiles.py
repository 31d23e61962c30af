"""Static files built once per change: collectstatic (which compresses every file) runs only
when the set of source files (name, size, modification time) or the storage changed."""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

STAMP_NAME = ".duban-sources"


def sources_fingerprint() -> str:
    """A hash over every file the finders would collect, and the storage that writes them."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            prefix = getattr(storage, "prefix", None) or ""
            stat = os.stat(storage.path(path))
            entries.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def _built(root: Path) -> bool:
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    return "Manifest" not in backend or (root / "staticfiles.json").exists()


def static_ensure() -> bool:
    """Run collectstatic when the sources changed since the last run; True when it ran."""
    root = Path(settings.STATIC_ROOT)
    stamp = root / STAMP_NAME
    fingerprint = sources_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == fingerprint and _built(root):
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint + "\n")
    return True
