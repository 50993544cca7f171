"""The demo's mail: a mailbox "support" and a handful of messages delivered through the real
intake pipeline (`receive`), so a new user finds e-mail cases on the desk at once:

- a known customer writing about a new problem (a new case, linked to their unit, and an
  acknowledgement queued for the worker to send);
- a customer answering an open case with its tag in the subject (an entry on that case);
- an unknown sender (a case marked "Unknown contact", with "Create customer from this
  message");
- an out-of-office auto-reply (kept, ignored, never answered);
- one SMS from a customer's mobile, through the SMS intake.

Runs after the company is built, at the real time (the pipeline commits each delivery in its
own transaction). Idempotent: nothing happens when the mailbox has messages already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.db.models import QuerySet
from django.utils import timezone

from caseflow.accounts.models import Team, User
from caseflow.cases.models import Case, CaseStatus
from caseflow.catalog.models import Registration
from caseflow.channels.inbound.services import receive
from caseflow.channels.models import InboundSource, InboundStatus, Mailbox
from caseflow.customers.models import ContactPoint, ContactPointKind

MAILBOX = "support"
ADDRESS = "support@baristo.example"
DOMAIN = "baristo.example"
UNKNOWN = ("Marco Albrecht", "m.albrecht@post.example")
NEW_PROBLEM_SUBJECT = "Mahlwerk blockiert nach dem Wechsel der Bohnen"
UNKNOWN_SUBJECT = "Milchaufschäumer wird nicht mehr warm"
SMS_FIRST_LINE = "Hola, mi cafetera pierde agua por debajo desde esta mañana."
SMS_TEXT = f"{SMS_FIRST_LINE}\n¿Pueden llamarme? Gracias"
# The subjects of the cases the demo messages open (an SMS case takes its first line).
OPENED_SUBJECTS = (NEW_PROBLEM_SUBJECT, UNKNOWN_SUBJECT, SMS_FIRST_LINE)


@dataclass
class MailSummary:
    created: bool
    delivered: int = 0
    new_cases: int = 0
    replies: int = 0
    ignored: int = 0
    sms: int = 0

    def line(self) -> str:
        if not self.created:
            return "demo mail: mailbox 'support' has its messages already; nothing to do"
        return (
            f"demo mail: mailbox {MAILBOX!r} ({ADDRESS}), {self.delivered} e-mails through the "
            f"pipeline ({self.new_cases} new cases, {self.replies} reply, {self.ignored} "
            f"auto-reply ignored), {self.sms} SMS"
        )


def seed_mail() -> MailSummary:
    """Create the demo mailbox and deliver the demo messages (once)."""
    team = Team.objects.filter(name="Support Deutschland").first()
    owner = User.objects.filter(username="agent1").first()
    mailbox, _created = Mailbox.objects.get_or_create(
        name=MAILBOX,
        defaults={
            "address": ADDRESS,
            "display_name": "Baristo Service",
            "team": team,
            "owner": owner,
            "language": "de",
            "acknowledge": True,
            "signature": "Ihr Baristo-Service / Su servicio Baristo\nsupport@baristo.example",
        },
    )
    if mailbox.messages.exists():
        return MailSummary(created=False)
    summary = MailSummary(created=True)
    now = timezone.now()
    for kind, hours_ago, build in _messages():
        inbound = receive(
            mailbox, build(now - timedelta(hours=hours_ago)), source=InboundSource.MTA
        )
        summary.delivered += 1
        if inbound.status == InboundStatus.IGNORED:
            summary.ignored += 1
        elif inbound.status == InboundStatus.PROCESSED:
            if kind == "reply":
                summary.replies += 1
            else:
                summary.new_cases += 1
    summary.sms = _sms(now)
    return summary


# --- the messages -------------------------------------------------------------------------


Builder = Callable[[datetime], bytes]


def _messages() -> list[tuple[str, int, Builder]]:
    """(kind, hours ago, builder) of each demo message whose sender the data has."""
    messages: list[tuple[str, int, Builder]] = []
    known = _known_customer("de")
    if known is not None:
        messages.append(("new", 5, _new_problem(*known)))
    reply = _reply_to_open_case()
    if reply is not None:
        messages.append(("reply", 3, reply))
    messages.append(("unknown", 2, _unknown_sender))
    auto = _customer_address("es")
    if auto is not None:
        messages.append(("auto", 1, _auto_reply(*auto)))
    return messages


def _mail(
    *,
    sender: tuple[str, str],
    subject: str,
    body: str,
    when: datetime,
    number: int,
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr(sender)
    msg["To"] = formataddr(("Baristo Service", ADDRESS))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<demo-{number}-{when:%Y%m%d%H%M}@{sender[1].split('@')[1]}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def _known_customer(language: str) -> tuple[str, str, str] | None:
    """(name, address, serial) of a customer who writes in `language` and owns a unit."""
    active = Registration.objects.filter(ended_at__isnull=True)
    for point in _email_points().filter(customer__language=language).order_by("pk")[:50]:
        registration = active.filter(customer=point.customer_id).select_related("unit").first()
        if registration is not None:
            return point.contact.name or point.customer.name, point.value, registration.unit.serial
    return None


def _new_problem(name: str, address: str, serial: str) -> Builder:
    def build(when: datetime) -> bytes:
        return _mail(
            sender=(name, address),
            subject=NEW_PROBLEM_SUBJECT,
            body=(
                "Guten Tag,\n\n"
                "seit ich gestern eine neue, sehr ölige Bohnensorte eingefüllt habe, läuft das "
                "Mahlwerk nur noch kurz an und bleibt dann mit einem Brummen stehen. Im Display "
                'erscheint "Mahlwerk prüfen". Ich habe den Bohnenbehälter schon geleert und '
                "die Maschine neu gestartet, ohne Erfolg.\n\n"
                f"Seriennummer: {serial}\n\n"
                "Können Sie mir sagen, was ich tun kann, oder muss die Maschine eingeschickt "
                f"werden?\n\nViele Grüße\n{name}\n"
            ),
            when=when,
            number=1,
        )

    return build


def _reply_to_open_case() -> Builder | None:
    open_cases = Case.objects.exclude(status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED))
    for language in ("es", "de"):
        for case in open_cases.filter(customer__language=language).order_by("-received_at")[:30]:
            point = _email_points().filter(customer=case.customer_id).order_by("pk").first()
            if point is None:
                continue
            name, address = point.contact.name or case.customer.name, point.value

            def build(
                when: datetime, case: Case = case, name: str = name, address: str = address
            ) -> bytes:
                body = (
                    "Hola:\n\nHe probado lo que me indicaron por teléfono: descalcificar y "
                    "limpiar el grupo de café. Ahora sale algo mejor, pero la crema sigue "
                    "siendo muy escasa. Les adjunto el dato del contador: 1.240 cafés.\n\n"
                    f"Un saludo,\n{name}\n\n"
                    "El equipo de Baristo escribió:\n> Gracias por su mensaje. Hemos "
                    "registrado su caso.\n"
                    if case.customer.language == "es"
                    else "Hallo,\n\nich habe das Entkalken wie besprochen durchgeführt. Das "
                    "Problem ist leider noch nicht ganz weg, der Kaffee läuft weiterhin sehr "
                    f"langsam durch.\n\nViele Grüße\n{name}\n\n"
                    "Baristo Service schrieb:\n> Vielen Dank für Ihre Nachricht. Wir haben "
                    "Ihren Fall aufgenommen.\n"
                )
                return _mail(
                    sender=(name, address),
                    subject=f"Re: [{case.number}] {case.subject}",
                    body=body,
                    when=when,
                    number=2,
                )

            return build
    return None


def _unknown_sender(when: datetime) -> bytes:
    return _mail(
        sender=UNKNOWN,
        subject=UNKNOWN_SUBJECT,
        body=(
            "Hallo Baristo-Team,\n\n"
            "mein Milchaufschäumer (vor einem Jahr im Fachhandel gekauft) schäumt noch, aber "
            "die Milch bleibt kalt. Die Kontrollleuchte blinkt rot. Ich habe ihn noch nicht "
            "registriert – ist das ein Garantiefall?\n\n"
            "Mit freundlichen Grüßen\nMarco Albrecht\nTel. 0171 5550123\n"
        ),
        when=when,
        number=3,
    )


def _customer_address(language: str) -> tuple[str, str] | None:
    point = _email_points().filter(customer__language=language).order_by("-pk").first()
    return (point.contact.name or point.customer.name, point.value) if point else None


def _auto_reply(name: str, address: str) -> Builder:
    def build(when: datetime) -> bytes:
        return _mail(
            sender=(name, address),
            subject="Respuesta automática: fuera de la oficina",
            body=(
                "Gracias por su mensaje. Estoy fuera de la oficina hasta el lunes y no tendré "
                "acceso al correo. Para asuntos urgentes, llame a la centralita.\n"
            ),
            when=when,
            number=4,
            headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        )

    return build


def _email_points() -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(
        kind=ContactPointKind.EMAIL,
        customer__archived_at__isnull=True,
    ).select_related("contact", "customer")


# --- one SMS ------------------------------------------------------------------------------


def _sms(now: datetime) -> int:
    """An SMS from a customer's mobile through the SMS intake (0 if there is no mobile)."""
    try:
        from caseflow.channels.sms.services import receive_sms
    except ImportError:  # pragma: no cover (an installation without the SMS part)
        return 0
    busy = Case.objects.exclude(status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED))
    mobiles = ContactPoint.objects.filter(
        kind=ContactPointKind.MOBILE, customer__language="es", customer__archived_at__isnull=True
    ).exclude(customer__in=busy.values("customer"))
    point = mobiles.order_by("pk").first()
    if point is None:
        return 0
    received = receive_sms(
        provider_id=f"demo-sms-{now:%Y%m%d}",
        sender=point.value,
        to="+34 910 000 000",
        text=SMS_TEXT,
        sent_at=now - timedelta(minutes=30),
    )
    return 0 if received.duplicate else 1
