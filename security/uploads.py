"""Hostile files refused before they are parsed.

An Office file (.xlsx, .docx, .pptx) is a zip: its central directory says how large each
member becomes once inflated, so a zip bomb is recognised from the directory alone, before
a byte is decompressed. Python's zipfile never inflates past the declared size (a member
that lies fails its CRC), so the declared sizes bound the memory any later reader uses.
"""

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

MAX_MEMBERS = 1000
_RATIO_FLOOR = 1024 * 1024  # small members may compress as well as they like


class UploadRefused(ValueError):
    """The file is refused; ``message`` says why, in the user's language."""

    def __init__(self, message: str, broken: bool = False):
        super().__init__(message)
        self.message = message
        self.broken = broken  # not a zip at all (rather than a hostile one)


def office_zip_check(data: bytes, name: str = "", max_bytes: int | None = None) -> None:
    """Refuse a broken zip, too many members, too much inflated data or a suspicious
    compression ratio (DUBAN_UPLOAD_MAX_UNCOMPRESSED_BYTES, DUBAN_UPLOAD_MAX_RATIO)."""
    label = name or _("文件")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise UploadRefused(_("“%(name)s”已损坏或不是 Office 文档（.xlsx/.docx）。")
                            % {"name": label}, broken=True) from error
    if len(members) > MAX_MEMBERS:
        raise UploadRefused(_("“%(name)s”包含的部件过多（%(count)s 个），不像正常的 Office 文档。")
                            % {"name": label, "count": len(members)})
    limit = min(max_bytes or settings.DUBAN_UPLOAD_MAX_UNCOMPRESSED_BYTES,
                settings.DUBAN_UPLOAD_MAX_UNCOMPRESSED_BYTES)
    total = sum(member.file_size for member in members)
    if total > limit:
        raise UploadRefused(_("“%(name)s”解压后超过 %(limit)s MB，拒绝处理（可能是压缩炸弹）。")
                            % {"name": label, "limit": limit // (1024 * 1024)})
    ratio = settings.DUBAN_UPLOAD_MAX_RATIO
    for member in members:
        if (member.file_size > _RATIO_FLOOR
                and member.file_size > ratio * max(member.compress_size, 1)):
            raise UploadRefused(_("“%(name)s”中的“%(member)s”压缩比异常（超过 %(ratio)s 倍），"
                                  "拒绝处理（可能是压缩炸弹）。")
                                % {"name": label, "member": member.filename[:80],
                                   "ratio": ratio})


def is_zip_office(name: str) -> bool:
    return name.lower().rsplit(".", 1)[-1] in {"xlsx", "docx", "pptx", "xlsm", "docm"}
