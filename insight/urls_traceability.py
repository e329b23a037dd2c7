from django.urls import path

from .views import traceability

urlpatterns = [
    path("rules/", traceability.rules_traceability, name="rules_traceability"),
]
