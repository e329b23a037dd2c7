"""The cache of the public pages: the badges, the catalogue and the solutions API.

A badge is cached under its solution's slug and the reader's language (a revocation's reason
is told in it); the catalogue and the API under a query string
and a *generation*, a token that every change of what they show replaces, so that one write
forgets every cached page at once. The receivers below do both on each save or delete of a
certification, a badge event (every badge change writes one: catalogue.badge), a solution,
a version or a partner: at once, and again once the transaction commits (a reader between
the two could otherwise cache what is about to change). Entries also expire on their own
after a few minutes, and when the cache is down (certportal.cache) every read is a miss.

In front of the shared cache each process keeps what it served last for two seconds
(`local_get`, `local_set`), so that a warm page costs no round trip at all: a change is seen
at once by the process that made it (the receivers empty its copy too) and within two
seconds by the others.
"""

import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Certification, CertificationEvent, Partner, Solution, SolutionVersion

# How long a browser or a CDN may keep a public page, and the cache an entry.
PUBLIC_MAX_AGE = 300
STALE_WHILE_REVALIDATE = 60
BADGE_TIMEOUT = 300
LIST_TIMEOUT = 60

_GENERATION = "public:generation"

# The process's own copy: key -> (until, value), at most LOCAL_SIZE entries.
LOCAL_TIMEOUT = 2.0
LOCAL_SIZE = 512
_local: dict[str, tuple[float, object]] = {}


def _local_key(key: str) -> str:
    # The shared cache's prefix keeps apart what differently configured caches hold.
    return f"{cache.key_prefix}:{key}"


def local_get(key: str):
    entry = _local.get(_local_key(key))
    if entry is not None and entry[0] > time.monotonic():
        return entry[1]
    return None


def local_set(key: str, value) -> None:
    if len(_local) >= LOCAL_SIZE:
        _local.clear()
    _local[_local_key(key)] = (time.monotonic() + LOCAL_TIMEOUT, value)


def cached(key: str, shared_key, compute, timeout: int):
    """The value from this process's copy, else from the shared cache under `shared_key()`
    (None: do not share), else computed and kept in both."""
    value = local_get(key)
    if value is not None:
        return value
    shared = shared_key()
    value = cache.get(shared) if shared else None
    if value is None:
        value = compute()
        if shared:
            cache.set(shared, value, timeout)
    local_set(key, value)
    return value


def badge_key(slug: str, language: str) -> str:
    return f"public:badge:{language}:{slug}"


def svg_key(slug: str, language: str) -> str:
    return f"public:badge-svg:{language}:{slug}"


def generation() -> str | None:
    """The current generation, or None when the cache cannot tell (down, or just cleared
    and another process sets it first: then this request simply does not cache)."""
    current = cache.get(_GENERATION)
    if current is None:
        current = uuid.uuid4().hex
        if not cache.add(_GENERATION, current, timeout=None):
            return None
    return current


def list_key(name: str, query: str, language: str, current: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"public:{name}:{current}:{language}:{digest}"


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def forget(slugs=()) -> None:
    """Forget the badges of these solutions and every cached list."""
    _local.clear()
    keys = [
        key(slug, code)
        for slug in slugs
        if slug
        for code, _name in settings.LANGUAGES
        for key in (badge_key, svg_key)
    ]
    if keys:
        cache.delete_many(keys)
    cache.set(_GENERATION, uuid.uuid4().hex, timeout=None)


def _forget_now_and_on_commit(slugs) -> None:
    slugs = tuple(slugs)
    forget(slugs)
    transaction.on_commit(lambda: forget(slugs))


def _slugs_of_solution_ids(ids) -> list[str]:
    return list(Solution.objects.filter(pk__in=ids).values_list("slug", flat=True))


@receiver(post_save, sender=Solution)
@receiver(post_delete, sender=Solution)
def _solution_changed(sender, instance, **kwargs):
    _forget_now_and_on_commit([instance.slug])


@receiver(post_save, sender=Certification)
@receiver(post_delete, sender=Certification)
def _certification_changed(sender, instance, **kwargs):
    _forget_now_and_on_commit(_slugs_of_solution_ids([instance.solution_id]))


@receiver(post_save, sender=CertificationEvent)
@receiver(post_delete, sender=CertificationEvent)
def _badge_event(sender, instance, **kwargs):
    solution_ids = Certification.objects.filter(pk=instance.certification_id).values("solution_id")
    _forget_now_and_on_commit(_slugs_of_solution_ids(solution_ids))


@receiver(post_save, sender=SolutionVersion)
@receiver(post_delete, sender=SolutionVersion)
def _version_changed(sender, instance, **kwargs):
    _forget_now_and_on_commit(_slugs_of_solution_ids([instance.solution_id]))


@receiver(post_save, sender=Partner)
@receiver(post_delete, sender=Partner)
def _partner_changed(sender, instance, **kwargs):
    _forget_now_and_on_commit(())
