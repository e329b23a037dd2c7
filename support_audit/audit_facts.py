"""What a certified solution's regular audit page shows that stage 4 does not own.

The KPI app (stage 5) stands on this one, so this app cannot ask it: it registers here, in its
AppConfig.ready(), what it knows of a solution (the customers and the versions they use,
R6.3–R6.4), and the page asks this hook. With nothing registered the page shows no such facts.
"""

from collections.abc import Callable

FactsProvider = Callable[[object], dict]  # solution -> entries of the page's context
FindingProvider = Callable[[object], str | None]  # solution -> the nonconformity, if any

_facts: list[FactsProvider] = []
_findings: dict[str, FindingProvider] = {}


def provide_facts(provider: FactsProvider) -> None:
    """Register `provider`: called with the solution, it returns the entries it adds to the
    regular audit page's context. Registering the same provider twice keeps one."""
    if provider not in _facts:
        _facts.append(provider)


def provide_finding(rule: str, provider: FindingProvider) -> None:
    """Register how the nonconformity checked against `rule` is described for a solution:
    None when the solution meets the rule."""
    _findings[rule] = provider


def facts(solution) -> dict:
    """Every registered provider's facts of `solution`, in one context."""
    shown: dict = {}
    for provider in _facts:
        shown.update(provider(solution))
    return shown


def finding(solution, rule: str) -> str | None:
    """The nonconformity of `solution` against `rule`, None when it conforms or when nothing
    was registered for the rule."""
    provider = _findings.get(rule)
    return provider(solution) if provider is not None else None
