"""Reading an e-mail: the stdlib `email` package (`policy.default`), hardened for hostile mail.

`parse(raw)` never trusts what a header says about itself. Every header read and every body
decode is guarded: a charset Python does not know, 8-bit bytes in headers, a broken boundary,
a `To:` group without addresses or a 135 KB header degrade to the best text we can get, never
to an exception. What cannot be read at all is left to the raw message (always kept) and
noted in `ParsedMail.notes`.

Time and memory are bounded whatever the message (`mime.read`): bodies are decoded from the
raw bytes only when wanted and only within their limits (an attachment over the limit is
measured, not decoded), parts nested deeper than `MAIL_MAX_MIME_DEPTH` or past
`mime.MAX_PARTS` are counted and skipped, text is read up to `TEXT_CHARS`, and HTML is
sanitised here, once, in linear time (`html.clean`).

The package reads in layers: `text` (charsets, encoded words), `headers` (addresses, subject,
date, Message-IDs, automatic mail), `bodies` (the MIME tree: bodies and files), `mail` (what
is read: `ParsedMail`) and `reader` (`parse`, `read_message_id`), re-exported here.
"""

from caseflow.channels.inbound.parse.headers import Address
from caseflow.channels.inbound.parse.mail import MAX_LIST, MailFile, ParsedMail
from caseflow.channels.inbound.parse.reader import parse, read_message_id

__all__ = [
    "MAX_LIST",
    "Address",
    "MailFile",
    "ParsedMail",
    "parse",
    "read_message_id",
]
