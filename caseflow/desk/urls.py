from caseflow.desk.views import cases, shell

app_name = "desk"

urlpatterns = [
    *shell.urlpatterns,
    *cases.urlpatterns,
]
