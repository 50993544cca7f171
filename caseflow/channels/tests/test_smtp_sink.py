"""The SMTP sink the channel tests send to is a real server: Django's SMTP backend reaches it."""

from django.core.mail import EmailMessage


def test_django_sends_to_the_sink(smtp_sink):
    EmailMessage("Hello", "Body ü", "support@desk.test", ["customer@example.com"]).send()

    (message,) = smtp_sink.wait_for(1)
    assert message["Subject"] == "Hello"
    assert message.get_content().strip() == "Body ü"
    assert smtp_sink.envelopes[0][1] == ["customer@example.com"]
