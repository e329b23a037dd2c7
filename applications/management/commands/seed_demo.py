from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from applications.demo import DEMO_PASSWORD, USERS, seed


class Command(BaseCommand):
    help = "Load demo partners, solutions, requests and a log-in for every role (idempotent)."

    def handle(self, *args, **options):
        # The demo's history is made through the real services; its e-mails are not news.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            created = seed()
        if any(created.values()):
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo data loaded: {users} users, {solutions} solutions, "
                    "{requests} requests.".format(**created)
                )
            )
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(f"\nDemo log-ins (password for all: {DEMO_PASSWORD}):")
        for username, role, partner, *_rest in USERS:
            what = role.label if role else "superuser"
            where = f" ({partner})" if partner else ""
            self.stdout.write(f"  {username:<10} {what}{where}")
