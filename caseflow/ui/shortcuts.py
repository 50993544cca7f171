"""Small helpers of the screens' views."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from caseflow.cases import selectors
from caseflow.cases.models import Case


def case_or_404(request: HttpRequest, pk: int) -> Case:
    """The case as the viewer may see it (`cases.selectors.case_detail`), or 404."""
    try:
        return selectors.case_detail(viewer=request.user, case_id=pk)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None
