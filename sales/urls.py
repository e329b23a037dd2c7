from django.urls import path

from . import views

urlpatterns = [
    path("", views.sales_solutions, name="sales_solutions"),
    path("product-tests.zip", views.sales_product_tests_zip, name="sales_product_tests_zip"),
    path("<slug:slug>/", views.sales_solution, name="sales_solution"),
    path(
        "<slug:slug>/materials/<int:material_pk>/",
        views.sales_material_download,
        name="sales_material_download",
    ),
]
