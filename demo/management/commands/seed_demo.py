from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.kpis import badge_report
from demo.seeding import DEMO_PASSWORD, USERS, seed


class Command(BaseCommand):
    help = (
        "Load demo partners, solutions, requests, a year of KPI data and a log-in for every "
        "role (idempotent)."
    )

    def handle(self, *args, **options):
        progress = self.stdout if options["verbosity"] > 1 else None
        # The demo's history is made through the real services; its e-mails are not news.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            created = seed(stdout=progress)
        if any(created.values()):
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo data loaded: {users} users, {solutions} solutions, {requests} requests, "
                    "{cases} support cases, {customers} customers, {nps_answers} NPS "
                    "answers.".format(**created)
                )
            )
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(f"\nDemo log-ins (password for all: {DEMO_PASSWORD}):")
        for username, role, partner, *_rest in USERS:
            what = role.label if role else "superuser"
            where = f" ({partner})" if partner else ""
            self.stdout.write(f"  {username:<10} {what}{where}")
        self.stdout.write("\nDemo badges (KPIs evaluated for the last twelve months):")
        for slug, status in badge_report():
            self.stdout.write(f"  {slug:<13} {status:<10} /badges/{slug}.svg")
