import os

from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    """A deployment must bring its own SECRET_KEY; the built-in one is for a local run only."""
    if os.environ.get("SECRET_KEY"):
        return []
    return [
        Error(
            "SECRET_KEY is not set in the environment.",
            hint="Set SECRET_KEY to a long random value before deploying.",
            id="certportal.E001",
        )
    ]
