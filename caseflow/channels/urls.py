"""The channels' pages: mounted at the site root (see caseflow/urls.py) under the namespace
"channels". Each area keeps its own `urlpatterns` in its view module, listed here."""

from caseflow.channels import views
from caseflow.channels.calls import views as calls_views
from caseflow.channels.sms import views as sms_views

app_name = "channels"

urlpatterns: list = [
    *views.urlpatterns,
    *calls_views.urlpatterns,
    *sms_views.urlpatterns,
]
