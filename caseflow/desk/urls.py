from caseflow.desk.views import cases, customers, incoming, search, shell, units

app_name = "desk"

urlpatterns = [
    *shell.urlpatterns,
    *cases.urlpatterns,
    *incoming.urlpatterns,
    *customers.urlpatterns,
    *units.urlpatterns,
    *search.urlpatterns,
]
