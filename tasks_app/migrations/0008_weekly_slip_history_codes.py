# 督办单 history rows store codes: "哈经开督〔2026〕7号(已签发)" becomes after="issued" with the
# number in its own column; the label is rendered at display (tasks_app.event_values).
import re

from django.db import migrations, models

# The slip state labels as they were written (in either language of the site) → codes;
# frozen here so that rewording a label later cannot change what this migration does.
SLIP_LABELS = {
    "待签发": "draft", "已签发": "issued", "已签收": "received", "已反馈": "answered",
    "已作废": "voided",
    "Awaiting signature": "draft", "Issued": "issued", "Acknowledged": "received",
    "Answered": "answered", "Void": "voided",
}
UNNUMBERED = ("督办单草稿(未编号)", "Draft slip (unnumbered)")
WRITTEN = re.compile(r"^(?P<number>.*?)[((](?P<label>[^()()]+)[))]$")


def split(value: str) -> tuple[str, str] | None:
    """(number, code) of a value as the slip services wrote it, or None if not recognised."""
    value = value.strip()
    if not value:
        return "", ""
    if value in SLIP_LABELS:
        return "", SLIP_LABELS[value]
    found = WRITTEN.match(value)
    if found is None or found["label"] not in SLIP_LABELS:
        return None
    number = found["number"].strip()
    return ("" if number in UNNUMBERED else number), SLIP_LABELS[found["label"]]


def labels_to_codes(apps, schema_editor):
    TaskEvent = apps.get_model("tasks_app", "TaskEvent")
    changed = []
    for event in TaskEvent.objects.filter(field="slip").only("before", "after", "number"):
        before, after = split(event.before), split(event.after)
        if before is None or after is None:
            continue  # not written by the slip services: left as text (shown as written)
        event.before, event.after = before[1], after[1]
        event.number = after[0] or before[0]
        changed.append(event)
    TaskEvent.objects.bulk_update(changed, ["before", "after", "number"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('tasks_app', '0007_alter_taskevent_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='taskevent',
            name='number',
            field=models.CharField(blank=True, help_text='督办单的编号(事件发生时;草稿为空)', max_length=60, verbose_name='文书编号'),
        ),
        migrations.RunPython(labels_to_codes, migrations.RunPython.noop),
    ]
