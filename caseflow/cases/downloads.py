"""Serving case attachments: customer-supplied files, so never rendered in our origin."""

from __future__ import annotations

from django.http import FileResponse

from caseflow.cases.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download with its clean name and sniffed type; the browser may not
    guess another type (nosniff) nor run anything in it (sandboxed, no sources)."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
