"""E-mail out: replies from the case, templates, acknowledgements, and the send task.

`services` writes (a reply is a timeline event and an OutboundMessage row in one transaction;
the mail leaves after COMMIT), `sending` delivers a queued message over SMTP with retries,
`templating` fills message templates (`channels.acknowledgements` answers new customer
cases).
"""
