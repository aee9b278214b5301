# The filtered findings list's count: (theme, grade) with case_id, so the scoping join needs no heap fetch.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0012_retention"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="finding",
            name="audits_find_theme_i_b0bbf6_idx",
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["theme", "grade", "case"], name="finding_theme_grade_case"),
        ),
    ]
