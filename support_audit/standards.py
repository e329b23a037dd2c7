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


WEEKDAY_NAMES = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


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
    system_name: str = "",
    system_url: str = "",
    escalation_name: str = "",
    escalation_email: str = "",
    escalation_phone: str = "",
) -> list[Problem]:
    """Every way the declaration falls short of 4.1–4.2; empty when it conforms.

    `regions` maps a region to {"language": ..., "hours": {weekday: [open, close]}}; a draft
    may leave either time of a day empty. Each message says what to do first and quotes the
    rule it enforces last.
    """
    problems = []
    if not system_name.strip():
        problems.append(
            Problem("system_name", _("Name the support system that registers the cases (R4.1)."))
        )
    if not system_url.strip():
        problems.append(Problem("system_url", _("Give the support system's address (R4.1).")))
    if not channels:
        problems.append(
            Problem("channels", _("Name the channels customers reach support by (R4.1)."))
        )
    if not all_channels_registered:
        problems.append(
            Problem(
                "all_channels_registered",
                _("The support system must register every case from every channel (R4.1)."),
            )
        )
    if not partner_portal_consent:
        problems.append(
            Problem(
                "partner_portal_consent",
                _(
                    "Customers must be able to register cases on the vendor's partner portal "
                    "(R4.2)."
                ),
            )
        )
    missing = [p.label for p in SupportPackage if p.value not in packages]
    if missing:
        problems.append(
            Problem(
                "packages",
                _("All three packages are served; missing: %(missing)s (R4.3).")
                % {"missing": ", ".join(str(label) for label in missing)},
            )
        )
    if presale_business_days is None or presale_business_days > PRESALE_MAX_BUSINESS_DAYS:
        problems.append(
            Problem(
                "presale_business_days",
                _("Pre-sale questions are answered within two business days at most (R4.4)."),
            )
        )
    problems += _region_problems(marketplace, regions)
    if escalation_role not in (EscalationRole.HEAD_OF_DEPARTMENT, EscalationRole.CEO):
        problems.append(
            Problem(
                "escalation_role",
                _("The first escalation goes to a head of department or the CEO (R4.6)."),
            )
        )
    for name, value, message in (
        ("escalation_name", escalation_name, _("Give the first escalation contact's name (R4.6).")),
        ("escalation_email", escalation_email, _("Give their e-mail (R4.6).")),
        ("escalation_phone", escalation_phone, _("Give their phone (R4.6).")),
    ):
        if not value.strip():
            problems.append(Problem(name, message))
    return problems


def _region_problems(marketplace: str, regions: dict[str, dict]) -> list[Problem]:
    """R4.5: every region of the marketplace, in its language, with whole days of hours."""
    problems = []
    expected = MARKETPLACE_REGIONS.get(marketplace, ())
    language = MARKETPLACE_LANGUAGE.get(marketplace)
    absent = [Region(r).label for r in expected if r not in regions]
    if absent:
        problems.append(
            Problem(
                "regions",
                _("Support is given in every region of the marketplace; missing: %(r)s (R4.5).")
                % {"r": ", ".join(str(label) for label in absent)},
            )
        )
    for region, support in regions.items():
        label = Region(region).label
        if language and support.get("language") != language:
            problems.append(
                Problem(
                    "regions",
                    _("Support in %(region)s is given in %(language)s (R4.5).")
                    % {"region": label, "language": LANGUAGE_NAMES[language]},
                )
            )
        hours = support.get("hours") or {}
        if not any(opens and closes for opens, closes in hours.values()):
            problems.append(
                Problem(
                    "regions",
                    _("Give the working hours for %(region)s (R4.5).") % {"region": label},
                )
            )
        for day, (opens, closes) in sorted(hours.items()):
            if bool(opens) != bool(closes):
                problems.append(
                    Problem(
                        "regions",
                        _(
                            "%(region)s, %(day)s: give both the opening and the closing time, "
                            "or neither for a closed day (R4.5)."
                        )
                        % {"region": label, "day": WEEKDAY_NAMES[int(day)]},
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
        system_name=declaration.system_name,
        system_url=declaration.system_url,
        escalation_name=declaration.escalation_name,
        escalation_email=declaration.escalation_email,
        escalation_phone=declaration.escalation_phone,
    )
