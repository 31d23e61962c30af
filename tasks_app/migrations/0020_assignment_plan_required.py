import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0019: on PostgreSQL a table updated in a transaction cannot be altered in it
    (the update's deferred foreign-key checks are still pending)."""

    dependencies = [
        ('tasks_app', '0019_assignment_plan'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assignment',
            name='plan',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tasks_app.plan', verbose_name='计划'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['plan', 'state'], name='assignment_plan_state_idx'),
        ),
    ]
