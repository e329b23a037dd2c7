"""Tasks retried by themselves on errors that pass: every task is idempotent, so a retry
repeats nothing that was done."""

from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

# The database connection lost or refused (a restart, a failover, "database is locked" on
# SQLite), the broker unreachable, a network timeout.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    BrokerError,
    ConnectionError,
    TimeoutError,
)

# Options of @shared_task: retried after 5, 10, 20 … seconds (at most 10 minutes, with jitter
# so the tasks of a whole chunk do not come back at the same instant), 8 times; past that the
# sweeps of the outbox and of the KPI runs take over.
RETRY_ON_TRANSIENT_ERRORS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}
