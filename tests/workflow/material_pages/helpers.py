"""Helpers of the tests of the material pages: uploads, downloads, updates, findings."""

import gzip
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    MaterialFactory,
    SolutionFactory,
    VersionFactory,
    actor,
)
from tests.workflow.markup import (
    find_all,
    text,
)
from workflow import services
from workflow.enums import ApplicationState, MaterialKind
from workflow.materials import required_kinds
from workflow.models import Application

S = ApplicationState

K = MaterialKind

TEAM = ["analyst", "leader", "rnd_expert", "auditor"]

NOT_FOUND = "Not found There is nothing here, or it is not yours to see."

ALL_REQUIRED = [
    "1. Solution packages",
    "2. Set-up and installation instructions",
    "3. User guide",
    "4. Test cases and test report",
    "5. Demo data and demo stand",
    "7. Sales materials",
    "8. Video",
    "9. Product test",
]


def stored_files(location) -> list[str]:
    if not location.exists():
        return []
    return sorted(str(path.relative_to(location)) for path in location.rglob("*") if path.is_file())


def package(name="package.gz", payload=None) -> SimpleUploadedFile:
    data = gzip.compress(payload or os.urandom(4096))
    return SimpleUploadedFile(name, data, content_type="application/gzip")


def document(name="guide.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% a document\n", content_type="application/pdf")


def awaiting(**kwargs) -> Application:
    return ApplicationFactory(state=S.AWAITING_MATERIALS, **kwargs)


def materials_url(application) -> str:
    return reverse("materials", args=[application.pk])


def upload_url(application, kind) -> str:
    return reverse("material_upload", args=[application.pk, kind])


def download_url(material) -> str:
    return reverse("material_download", args=[material.application_id, material.pk])


def card(response, kind):
    (node,) = find_all(response, data_testid=f"material-{kind}")
    return node


def card_text(response, kind, testid) -> str:
    (node,) = find_all(card(response, kind), data_testid=testid)
    return text(node)


def provide_everything(application, user=None):
    """A complete latest revision of every material the request needs."""
    for kind in required_kinds(application):
        extra = {"uploaded_by": user} if user else {}
        if kind == K.DEMO and application.solution.uses_external_services:
            extra["url"] = "https://demo.example/stand"
        MaterialFactory(
            application=application,
            kind=kind,
            with_file=kind not in (K.SETUP_GUIDE, K.USER_GUIDE, K.VIDEO, K.WHATS_NEW),
            **extra,
        )


def certified_solution(**solution):
    """A certified solution with its certified request's materials, and a newer version."""
    certification = CertificationFactory(
        solution=SolutionFactory(**solution), application__version__number="1.0.0"
    )
    old = certification.application
    provide_everything(old)
    newer = VersionFactory(solution=certification.solution, number="1.1.0")
    return certification, newer


def open_update(certification, version, *, critical_fix=False):
    partner = actor("own_partner", certification.solution)
    application = services.update_request_open(
        by=partner,
        solution=certification.solution,
        version=version,
        motivation="Faster dialling.",
        critical_fix=critical_fix,
    )
    return application, partner
