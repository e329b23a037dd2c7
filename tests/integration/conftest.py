import pytest

from certportal.celery import app as celery_app

from .services import OwnRedis, use_broker


@pytest.fixture
def broker():
    """A redis-server of the test's own as the broker, tasks not eager; stopped at the end."""
    own = OwnRedis()
    own.start()
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    use_broker(own.url)
    yield own
    own.stop()
    celery_app.conf.task_always_eager = eager
    use_broker(url)
