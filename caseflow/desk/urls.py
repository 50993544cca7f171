from caseflow.desk.views import cases, customers, incoming, profile, search, shell, units

app_name = "desk"

urlpatterns = [
    *shell.urlpatterns,
    *profile.urlpatterns,
    *cases.urlpatterns,
    *incoming.urlpatterns,
    *customers.urlpatterns,
    *units.urlpatterns,
    *search.urlpatterns,
]
