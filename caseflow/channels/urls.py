"""The channels' pages: mounted at the site root (see caseflow/urls.py) under the namespace
"channels". Each area keeps its own `urlpatterns` in its view module, listed here."""

from caseflow.channels import views
from caseflow.channels.calls import views as calls_views
from caseflow.channels.outbound import views as outbound_views
from caseflow.channels.sms import views as sms_views
from caseflow.channels.webform import views as webform_views

app_name = "channels"

urlpatterns: list = [
    *views.urlpatterns,
    *outbound_views.urlpatterns,
    *webform_views.urlpatterns,
    *calls_views.urlpatterns,
    *sms_views.urlpatterns,
]
