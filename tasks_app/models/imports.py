from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportDraft(models.Model):
    """An uploaded plan document between the preview and 确认导入 / 取消.

    Holds the document's text (a Word file's text as docx_text reads it), so the preview
    and the load parse exactly the same thing; only its uploader can see or load it.
    """

    file_name = models.CharField(_("文件名"), max_length=255)
    source_format = models.CharField(_("格式"), max_length=40)
    text = models.TextField(_("文件内容"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待导入文件")
        verbose_name_plural = _("待导入文件")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
