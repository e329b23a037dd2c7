from django.core.management.base import BaseCommand

from outbox.services import deliver_pending


class Command(BaseCommand):
    help = (
        "Deliver, in this process, the outbox messages that are due (e-mails and jobs that a "
        "broker or mail server outage held back); safe to run at any time."
    )

    def handle(self, *args, **options):
        result = deliver_pending()
        self.stdout.write("{delivered} delivered, {waiting} still waiting.".format(**result))
