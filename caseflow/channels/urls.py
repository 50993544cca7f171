"""The channels' pages: mounted at the site root (see caseflow/urls.py) under the namespace
"channels". Each area keeps its own `urlpatterns` in its view module, listed here."""

from caseflow.channels import views

app_name = "channels"

urlpatterns: list = [
    *views.urlpatterns,
]
