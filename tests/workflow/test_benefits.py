"""What certification turns on, as far as stages 3–4 carry it."""

import pytest

from workflow.enums import ApplicationKind, ApplicationState, MaterialKind
from workflow.materials import required_kinds

from ..factories.workflow import ApplicationFactory

pytestmark = pytest.mark.django_db

SALES_KINDS = {MaterialKind.SALES, MaterialKind.VIDEO, MaterialKind.PRODUCT_TEST}


@pytest.mark.parametrize("kind", list(ApplicationKind))
@pytest.mark.parametrize("external", [False, True])
def test_sales_video_and_product_test_are_required_of_every_request(kind, external):
    """R7.2: materials 7–9 (sales deck, video, product test) come with every certification,
    so the certified features reach the sales materials and the sales managers' exam."""
    application = ApplicationFactory(
        state=ApplicationState.AWAITING_MATERIALS,
        kind=kind,
        solution__uses_external_services=external,
    )

    assert set(required_kinds(application)) >= SALES_KINDS
