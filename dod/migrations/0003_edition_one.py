"""DoD edition 1, seeded from the regulation (3.2). Items 1–5 are damaged in the source and
carry the best reading available; staff refine them by making a new edition."""

from django.db import migrations

CRITERIA = [
    (1, "Functionality works as described, with no blocking defects.",
     "Ad-hoc testing by the Marketplace team.", False, "analyst"),
    (2, "Compatible with the Creatio products and versions declared; no conflict with the "
        "R&D roadmap.", "Review with R&D.", False, "analyst"),
    (3, "Packages meet the publication requirements (naming, prefix, no replacement of base "
        "schemas); a contact for questions is given.", "Package review.", False, "analyst"),
    (4, "Documentation is complete: set-up, user guide, test cases.",
     "Review of the materials.", False, "analyst"),
    (5, "Localised for the target market; the test report matches the ad-hoc results.",
     "Ad-hoc check.", False, "analyst"),
    (6, "Self set-up: a user can set the solution up from the instructions alone (a demo mode "
        "without the developer if external services need manual set-up).",
     "Manual test of the set-up from the instructions.", False, "analyst"),
    (7, "UX consistent with the base Creatio products.", "Expert review.", False, "analyst"),
    (8, "Demo data: one or two records in each section, or a demo package.",
     "Check after installing.", False, "analyst"),
    (9, "Security and reliability of the external services run by the developer.",
     "Document review and ad-hoc check.", True, "rnd"),
    (10, "Performance and fault tolerance of the integration architecture.",
     "Architecture review by Marketplace and R&D, with a list of remarks.", True, "rnd"),
]


def seed(apps, schema_editor):
    CriteriaVersion = apps.get_model("dod", "CriteriaVersion")
    Criterion = apps.get_model("dod", "Criterion")
    if CriteriaVersion.objects.exists():
        return
    edition = CriteriaVersion.objects.create(number=1, note="Seeded from regulation 3.2.")
    for number, title, how, external_only, reviewer in CRITERIA:
        Criterion.objects.create(
            version=edition,
            number=number,
            title=title,
            how_checked=how,
            external_services_only=external_only,
            reviewer=reviewer,
        )


class Migration(migrations.Migration):
    dependencies = [("dod", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
