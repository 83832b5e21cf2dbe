"""Tasks imported with a blank 完成时限 were given the end of their plan period, which made most
of a finished plan's tasks "overdue". The document gives them no deadline: clear it (shown as
无明确期限). Tracked actions (linked to an indicator) always carry an explicit date and are kept."""

from django.db import migrations


def clear_blank_deadlines(apps, schema_editor):
    Task = apps.get_model("targets", "Task")
    Task.objects.filter(deadline_text="", indicator__isnull=True, deadline__isnull=False).update(deadline=None)


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]
    operations = [migrations.RunPython(clear_blank_deadlines, migrations.RunPython.noop)]
