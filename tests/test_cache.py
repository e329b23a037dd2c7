"""A Redis outage degrades the cache to misses: pages keep working."""

import socket

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cache_down():
    """The default cache on a Redis that does not answer (Django re-reads CACHES when the
    setting changes)."""
    config = {
        "default": {
            "BACKEND": "certportal.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=config):
        yield caches["default"]


def test_reads_miss_and_writes_are_dropped_while_redis_is_down(cache_down):
    cache_down.set("answer", 42)

    assert cache_down.get("answer") is None
    assert cache_down.get("answer", "fallback") == "fallback"
    assert cache_down.get_or_set("answer", 7) == 7
    assert cache_down.add("answer", 1) is False
    assert cache_down.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        cache_down.incr("hits")


@pytest.mark.django_db
def test_pages_answer_while_the_cache_is_down(cache_down, client):
    assert client.get(reverse("catalogue")).status_code == 200
    assert client.get("/api/v1/solutions/?certified=true").status_code == 200
