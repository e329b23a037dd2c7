"""The ten materials of regulation 3.1: what each accepts and when it is required (R3.3–R3.5)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from certportal.uploads import UploadPolicy

from .enums import ApplicationKind, MaterialKind, Requirement

MB = 1024**2
DOCUMENTS = frozenset({"pdf", "docx", "text"})


@dataclass(frozen=True)
class MaterialSpec:
    kind: MaterialKind
    requirement: Requirement
    help: str
    file_kinds: frozenset[str] = frozenset()  # sniffed kinds accepted; empty: no file
    accepts_url: bool = False
    needs_file: bool = True  # False: a URL alone completes it
    max_mb_default: int = 50

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
                "access policies."
            ),
            file_kinds=DOCUMENTS | {"zip"},
            accepts_url=True,
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
