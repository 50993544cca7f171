import pytest

from caseflow.core.errors import DomainError
from caseflow.core.files import sanitize_filename, sniff_content_type, store_upload


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system32\\evil.exe", "evil.exe"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override dropped
        ("<script>alert(1)</script>.html", "script_.html"),
        ("CON.txt", "_CON.txt"),
        ("...hidden", "hidden"),
        ("", "attachment"),
        (None, "attachment"),
        ("\x00\x01\x02", "attachment"),
        ("Übersicht Straße.pdf", "Übersicht Straße.pdf"),
        ("a" * 400 + ".jpeg", "a" * 145 + ".jpeg"),
    ],
)
def test_sanitize_filename(raw, expected):
    assert sanitize_filename(raw) == expected


def test_sanitized_names_never_contain_separators_or_controls():
    for raw in ["a/b", "a\\b", "a\nb", "a\tb", "a:b", 'a"b', "a|b", "a*b?"]:
        cleaned = sanitize_filename(raw)
        assert not set(cleaned) & set('/\\\n\t:"|*?')


def test_content_type_comes_from_the_bytes_not_the_name():
    assert sniff_content_type(b"%PDF-1.7\n...", "photo.jpg") == "application/pdf"
    assert sniff_content_type(b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "doc.pdf") == "image/png"
    assert sniff_content_type(b"just some words\n", "notes.txt") == "text/plain"
    # HTML claiming to be a PDF is not believed to be a PDF
    assert sniff_content_type(b"<html><script>x</script></html>", "x.pdf") != "application/pdf"
    assert sniff_content_type(b"\x00\x01\x02\x03binary", "x.txt") == "application/octet-stream"


def test_store_upload_refuses_oversized_and_empty_files(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(DomainError) as too_big:
        store_upload(b"x" * 11, "big.bin")
    assert too_big.value.code == "file_too_large"
    assert too_big.value.field == "files"
    with pytest.raises(DomainError) as empty:
        store_upload(b"", "empty.txt")
    assert empty.value.code == "file_empty"


def test_store_upload_is_content_addressed():
    first = store_upload(b"same bytes", "a.txt")
    second = store_upload(b"same bytes", "../b.txt")
    assert first.path == second.path
    assert second.filename == "b.txt"
    assert first.sha256 == second.sha256
