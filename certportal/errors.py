"""Errors shared by every app."""


class ActionRefused(Exception):
    """A step the rules do not allow now; `reasons` says why, for the user."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(" ".join(str(reason) for reason in reasons))
