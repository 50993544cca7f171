from caseflow.desk.views import shell

app_name = "desk"

urlpatterns = [
    *shell.urlpatterns,
]
