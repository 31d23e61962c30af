"""Plans whose text demands a quarterly 专题研究 (the primary plan, 哈经开委发〔2023〕1号) get
the quarterly review switched on; imports decide it from the text from now on."""

import re

from django.db import migrations

# A copy of tasks_app.rules.plan_text.QUARTERLY_REVIEW as it was when written.
QUARTERLY_REVIEW = re.compile(r"每(个)?季度[^。；;\n]{0,30}?专题研究|季度专题研究")


def switch_on(apps, schema_editor):
    Schedule = apps.get_model("tasks_app", "Schedule")
    demanded = [schedule.pk for schedule in Schedule.objects.filter(quarterly_review=False)
                .select_related("plan").only("pk", "plan__source_text")
                if QUARTERLY_REVIEW.search(schedule.plan.source_text or "")]
    Schedule.objects.filter(pk__in=demanded).update(quarterly_review=True)


class Migration(migrations.Migration):

    dependencies = [
        ("tasks_app", "0013_cyclefeat_labels"),
    ]

    operations = [
        migrations.RunPython(switch_on, migrations.RunPython.noop),
    ]
