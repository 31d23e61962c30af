from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """A large document built by a Celery worker instead of a web request (the city's
    ledger): who asked, for what, how far it got, and the file or the error."""

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("督办台账（Excel）")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                              on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("文件"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0,
                                                validators=[MaxValueValidator(100)])
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="exportjob_owner_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
