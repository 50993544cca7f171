"""E-mail in: raw bytes stored first, then parsed, threaded, linked and recorded on a case.

- `store`: one `InboundMessage` row per delivery, its raw bytes in content-addressed storage;
- `parse`: the stdlib `email` package (`policy.default`), hardened against hostile mail;
- `threads`: which case a message belongs to (case tag, In-Reply-To/References);
- `links`: order and serial numbers found in the text;
- `services`: `receive`, `process`, `retry` — the pipeline and its quarantine;
- `quoting`: folding quoted history for the timeline view.

See docs/email-intake.md.
"""
