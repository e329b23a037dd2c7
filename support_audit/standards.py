"""The support standards of regulation 4.1–4.2, checked against a declaration.

A pure function of the declared values, so the form, the service and the transition's
condition all ask the same question and every message quotes the rule it enforces.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .business_hours import Region
from .enums import (
    MARKETPLACE_LANGUAGE,
    MARKETPLACE_REGIONS,
    PRESALE_MAX_BUSINESS_DAYS,
    EscalationRole,
    SupportPackage,
)

LANGUAGE_NAMES = {"en": _("English"), "ru": _("Russian")}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def check_declaration(
    *,
    marketplace: str,
    channels: list[str],
    all_channels_registered: bool,
    partner_portal_consent: bool,
    packages: list[str],
    presale_business_days: int | None,
    escalation_role: str,
    regions: dict[str, dict],
) -> list[Problem]:
    """Every way the declaration falls short of 4.1–4.2; empty when it conforms.

    `regions` maps a region to {"language": ..., "hours": {weekday: [open, close]}}.
    """
    problems = []
    if not channels:
        problems.append(Problem("channels", _("Name the channels customers reach support by.")))
    if not all_channels_registered:
        problems.append(
            Problem(
                "all_channels_registered",
                _("R4.1: the support system must register every case from every channel."),
            )
        )
    if not partner_portal_consent:
        problems.append(
            Problem(
                "partner_portal_consent",
                _("R4.2: customers must be able to register cases on the vendor's partner portal."),
            )
        )
    missing = [p.label for p in SupportPackage if p.value not in packages]
    if missing:
        problems.append(
            Problem(
                "packages",
                _("R4.3: all three packages are served; missing: %(missing)s.")
                % {"missing": ", ".join(str(label) for label in missing)},
            )
        )
    if presale_business_days is None or presale_business_days > PRESALE_MAX_BUSINESS_DAYS:
        problems.append(
            Problem(
                "presale_business_days",
                _("R4.4: pre-sale questions are answered within two business days at most."),
            )
        )
    expected = MARKETPLACE_REGIONS.get(marketplace, ())
    language = MARKETPLACE_LANGUAGE.get(marketplace)
    absent = [Region(r).label for r in expected if r not in regions]
    if absent:
        problems.append(
            Problem(
                "regions",
                _("R4.5: support is given in every region of the marketplace; missing: %(r)s.")
                % {"r": ", ".join(str(label) for label in absent)},
            )
        )
    for region, support in regions.items():
        if language and support.get("language") != language:
            problems.append(
                Problem(
                    "regions",
                    _("R4.5: support in %(region)s is given in %(language)s.")
                    % {"region": Region(region).label, "language": LANGUAGE_NAMES[language]},
                )
            )
        if not support.get("hours"):
            problems.append(
                Problem(
                    "regions",
                    _("R4.5: give the working hours for %(region)s.")
                    % {"region": Region(region).label},
                )
            )
    if escalation_role not in (EscalationRole.HEAD_OF_DEPARTMENT, EscalationRole.CEO):
        problems.append(
            Problem(
                "escalation_role",
                _("R4.6: the first escalation goes to a head of department or the CEO."),
            )
        )
    return problems


def declaration_problems(declaration) -> list[Problem]:
    """check_declaration on a saved SupportDeclaration."""
    return check_declaration(
        marketplace=declaration.application.solution.marketplace,
        channels=declaration.channels,
        all_channels_registered=declaration.all_channels_registered,
        partner_portal_consent=declaration.partner_portal_consent,
        packages=declaration.packages,
        presale_business_days=declaration.presale_business_days,
        escalation_role=declaration.escalation_role,
        regions={
            r.region: {"language": r.language, "hours": r.hours} for r in declaration.regions.all()
        },
    )
