"""The ten materials of regulation 3.1: what each accepts and when it is required (R3.3–R3.5)."""

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certportal.uploads import UploadPolicy

from .enums import ApplicationKind, MaterialKind, Requirement

MB = 1024**2
DOCUMENTS = frozenset({"pdf", "docx", "text"})


@dataclass(frozen=True)
class MaterialPart:
    """One part of a material answered in words (material 6's seven parts of 3.1)."""

    key: str
    label: str
    help: str


# Material 6, external services (3.1, R3.4): the seven parts the R&D review of DoD 9–10 reads.
# A revision stores them in Material.answers as {key: text}, every key of this tuple present
# (an empty text where the partner gave none): the tuple is the schema, its order the page's.
EXTERNAL_SERVICE_PARTS = (
    MaterialPart(
        "architecture",
        _("Architecture and data flow"),
        _("The services, what runs where, and which data goes between Creatio and them."),
    ),
    MaterialPart(
        "hosting",
        _("Hosting provider and location"),
        _("Who hosts the services and in which countries or data centres the data is kept."),
    ),
    MaterialPart(
        "certificates",
        _("Security certificates"),
        _("ISO 27001, SOC 2 and the like, of the provider or your own, with their validity."),
    ),
    MaterialPart(
        "monitoring",
        _("Monitoring tools"),
        _("How the services' availability and errors are watched, and who is alerted."),
    ),
    MaterialPart(
        "backups",
        _("Backup tools"),
        _("What is backed up, how often, where to, and how a restore is tested."),
    ),
    MaterialPart(
        "fault_tolerance",
        _("Fault tolerance"),
        _("Redundancy, fail-over, and what the solution does while a service is down."),
    ),
    MaterialPart(
        "access_policies",
        _("Security and access policies"),
        _("Authentication, who may reach the data and the servers, and how access is reviewed."),
    ),
)


@dataclass(frozen=True)
class MaterialSpec:
    kind: MaterialKind
    requirement: Requirement
    help: str
    file_kinds: frozenset[str] = frozenset()  # sniffed kinds accepted; empty: no file
    accepts_url: bool = False
    needs_file: bool = True  # False: a URL alone completes it
    max_mb_default: int = 50
    # Parts answered in words; with parts, the file and the link are optional attachments.
    parts: tuple[MaterialPart, ...] = ()

    @property
    def policy(self) -> UploadPolicy:
        return UploadPolicy(
            max_bytes=self.max_mb_default * MB,
            allowed_kinds=self.file_kinds,
            max_bytes_setting=f"UPLOAD_MAX_BYTES_{self.kind.upper()}",
        )


SPECS: dict[MaterialKind, MaterialSpec] = {
    spec.kind: spec
    for spec in (
        MaterialSpec(
            MaterialKind.PACKAGES,
            Requirement.ALWAYS,
            _("One .gz package, or a .zip of .gz packages."),
            file_kinds=frozenset({"gzip", "zip"}),
            max_mb_default=1024,
        ),
        MaterialSpec(
            MaterialKind.SETUP_GUIDE,
            Requirement.ALWAYS,
            _(
                "Setting the solution up from scratch, including any extra steps needed on "
                "site. A document, or a link to the published instructions."
            ),
            file_kinds=DOCUMENTS,
            accepts_url=True,
            needs_file=False,
        ),
        MaterialSpec(
            MaterialKind.USER_GUIDE,
            Requirement.ALWAYS,
            _("A document, or a link to the published guide."),
            file_kinds=DOCUMENTS,
            accepts_url=True,
            needs_file=False,
        ),
        MaterialSpec(
            MaterialKind.TEST_CASES,
            Requirement.ALWAYS,
            _("The test cases and the test report or checklist."),
            file_kinds=DOCUMENTS | {"xlsx", "zip"},
        ),
        MaterialSpec(
            MaterialKind.DEMO,
            Requirement.ALWAYS,
            _(
                "A .gz package with demo data; and the demo stand's address where the "
                "solution uses an external service."
            ),
            file_kinds=frozenset({"gzip"}),
            accepts_url=True,
            max_mb_default=1024,
        ),
        MaterialSpec(
            MaterialKind.EXTERNAL_SERVICES,
            Requirement.IF_EXTERNAL,
            _(
                "Architecture and data flow, hosting provider and location, security "
                "certificates, monitoring and backup tools, fault tolerance, security and "
                "access policies: each part in words, with a document or a link if you have "
                "one (a diagram, a certificate)."
            ),
            file_kinds=DOCUMENTS | {"zip", "image"},
            accepts_url=True,
            needs_file=False,
            parts=EXTERNAL_SERVICE_PARTS,
        ),
        MaterialSpec(
            MaterialKind.SALES,
            Requirement.ALWAYS,
            _("Material for the sellers' slide deck."),
            file_kinds=DOCUMENTS | {"pptx", "image"},
        ),
        MaterialSpec(
            MaterialKind.VIDEO,
            Requirement.ALWAYS,
            _("The solution's purpose and main business cases: a video file or a link."),
            file_kinds=frozenset({"video"}),
            accepts_url=True,
            needs_file=False,
            max_mb_default=500,
        ),
        MaterialSpec(
            MaterialKind.PRODUCT_TEST,
            Requirement.ALWAYS,
            _("Test questions and a practical task for the sales managers' exam."),
            file_kinds=DOCUMENTS | {"xlsx"},
        ),
        MaterialSpec(
            MaterialKind.WHATS_NEW,
            Requirement.IF_UPDATE,
            _("Changes, improvements and fixed bugs of this version."),
            file_kinds=DOCUMENTS,
            accepts_url=True,
            needs_file=False,
        ),
    )
}

UPDATE_KINDS = (ApplicationKind.UPDATE, ApplicationKind.CRITICAL_FIX)


def is_required(kind: MaterialKind, application) -> bool:
    """Whether the request must provide this material (R3.3, R3.4, R3.5)."""
    requirement = SPECS[kind].requirement
    if requirement == Requirement.IF_EXTERNAL:
        return application.solution.uses_external_services
    if requirement == Requirement.IF_UPDATE:
        return application.kind in UPDATE_KINDS
    return True


def required_kinds(application) -> list[MaterialKind]:
    return [kind for kind in MaterialKind if is_required(kind, application)]


def is_complete(material, application) -> bool:
    """Whether a material's latest revision satisfies its kind."""
    spec = SPECS[MaterialKind(material.kind)]
    has_file = bool(material.file)
    has_url = bool(material.url)
    if spec.parts:
        if material.answers:
            return not unanswered_parts(material)
        # A revision from before the parts were asked one by one: a document of them all.
        return has_file
    if spec.kind == MaterialKind.DEMO and application.solution.uses_external_services:
        return has_file and has_url
    if spec.needs_file:
        return has_file
    return has_file or has_url


def missing_kinds(application, latest: dict) -> list[MaterialKind]:
    """Required materials with no complete latest revision, in the regulation's order."""
    return [
        kind
        for kind in required_kinds(application)
        if kind not in latest or not is_complete(latest[kind], application)
    ]


def unanswered_parts(material) -> list[MaterialPart]:
    """The parts of a material a revision leaves without an answer, in the regulation's order."""
    answers = material.answers or {}
    return [
        part
        for part in SPECS[MaterialKind(material.kind)].parts
        if not str(answers.get(part.key, "")).strip()
    ]


def answered_parts(material) -> list[tuple[MaterialPart, str]]:
    """Each part of a material with the revision's answer ("" where none), in order."""
    answers = material.answers or {}
    return [
        (part, str(answers.get(part.key, ""))) for part in SPECS[MaterialKind(material.kind)].parts
    ]


def incompleteness(kind: MaterialKind, latest, application) -> str:
    """Why the latest revision of a material does not complete it, for the request
    `application` (the pages and the API say the same); empty when nothing is missing."""
    if kind == MaterialKind.DEMO and application.solution.uses_external_services:
        return gettext(
            "The solution uses external services: give the demo package and the demo "
            "stand's address together, in one upload."
        )
    if SPECS[kind].parts:
        missing = unanswered_parts(latest)
        return gettext("Still to describe: %(parts)s.") % {
            "parts": ", ".join(str(part.label) for part in missing)
        }
    if SPECS[kind].needs_file and not latest.file:
        return gettext("A file is needed; a link alone does not complete this material.")
    return ""
