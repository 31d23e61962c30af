import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_plans(apps, schema_editor):
    """Every part gets its task's plan."""
    assignment = apps.get_model("tasks_app", "Assignment")
    task = apps.get_model("tasks_app", "Task")
    assignment.objects.update(
        plan_id=Subquery(task.objects.filter(pk=OuterRef("task_id")).values("plan_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('tasks_app', '0018_period_figures'),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='plan',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tasks_app.plan', verbose_name='计划'),
        ),
        migrations.RunPython(copy_plans, migrations.RunPython.noop, elidable=True),
    ]
