"""Seed the national theme taxonomy (DESIGN.md §2, from the practice aspects in the reference report)."""

from django.db import migrations

NATIONAL_THEMES = [
    ("voice-of-the-child", "Voice of the child", "How well the child's voice and lived experience were sought, recorded and used in decisions."),
    ("neglect", "Neglect", "Recognition of and response to neglect, and use of inter-agency neglect guidance."),
    ("thresholds", "Thresholds and levels of need", "Application of the levels of need guidance and thresholds for intervention."),
    ("parental-history-risk", "Parental history and risk", "Parents' histories and risk factors assessed as part of their capacity to change."),
    ("invisible-males", "Invisible males", "Attention to fathers, partners and other men in the child's life."),
    ("drift-and-delay", "Drift and delay", "Timeliness of decisions and avoidance of drift."),
    ("start-again-syndrome", "Start-again syndrome", "Continuity of understanding after a change of worker or service."),
    ("chronologies-information-sharing", "Chronologies and information sharing", "Use of chronologies and how they were shared between agencies."),
    ("wider-family", "Wider family", "Engagement with wider family members."),
    ("professional-over-optimism", "Professional over-optimism", "Realism about parents' co-operation and ability to sustain change."),
    ("smart-plans", "SMART plans with contingency", "Plans with specific, timed objectives and contingency plans."),
    ("management-oversight", "Management oversight", "Evidence of supervision and management oversight of decisions."),
    ("reflective-practice", "Reflective practice", "Reflection and challenge in supervision and practice."),
    ("referral-quality", "Referral quality", "Quality and completeness of referrals to children's social care."),
    ("lead-professional", "Lead professional", "A lead professional identified and effective."),
    ("exploitation", "Exploitation", "Identification and response to child sexual and criminal exploitation."),
    ("domestic-abuse", "Domestic abuse", "Recognition of and response to domestic abuse."),
    ("early-help", "Early help", "Timeliness and effectiveness of early help."),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("audits", "Theme")
    for slug, name, description in NATIONAL_THEMES:
        Theme.objects.update_or_create(
            partnership=None, slug=slug, defaults={"name": name, "description": description}
        )


def unseed(apps, schema_editor):
    Theme = apps.get_model("audits", "Theme")
    Theme.objects.filter(partnership=None, slug__in=[slug for slug, _, _ in NATIONAL_THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
