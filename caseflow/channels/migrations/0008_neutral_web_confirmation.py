"""The web form's confirmation says nothing the sender typed: anyone can enter anyone's
e-mail address in the form, so a confirmation with their name and subject would send chosen
text to chosen people in our name. The seeded `web_ack` templates are replaced where they
are still as seeded; edited ones are left alone (and filled with the case number, the
mailbox's name and signature only: outbound.templating.NEUTRAL_PLACEHOLDERS)."""

from django.db import migrations

# language: (old subject, old body, new subject, new body)
TEXTS = {
    "en": (
        "Your request [{case_number}]: {subject}",
        "Hello {contact_name},\n\nthank you for your request through our website. Your case "
        "number is {case_number}. We will get back to you as soon as possible.\n\n"
        "If you would like to add anything, simply reply to this e-mail.\n\n"
        "Kind regards\nYour support team\n\n{signature}",
        "Your request [{case_number}]",
        "Hello,\n\nthank you for contacting us through our website. We have received your "
        "request and opened case {case_number} for it. We will get back to you as soon as "
        "possible.\n\n"
        "If you would like to add anything, simply reply to this e-mail and keep the case "
        "number in the subject.\n\n"
        "If you did not send this request, please ignore this e-mail.\n\n"
        "Kind regards\nYour support team\n\n{signature}",
    ),
    "de": (
        "Ihre Anfrage [{case_number}]: {subject}",
        "Guten Tag {contact_name},\n\nvielen Dank für Ihre Anfrage über unsere Website. Ihre "
        "Vorgangsnummer lautet {case_number}. Wir melden uns so bald wie möglich bei Ihnen.\n\n"
        "Wenn Sie etwas ergänzen möchten, antworten Sie einfach auf diese E-Mail.\n\n"
        "Mit freundlichen Grüßen\nIhr Support-Team\n\n{signature}",
        "Ihre Anfrage [{case_number}]",
        "Guten Tag,\n\nvielen Dank für Ihre Anfrage über unsere Website. Wir haben sie "
        "erhalten und unter der Vorgangsnummer {case_number} erfasst. Wir melden uns so bald "
        "wie möglich bei Ihnen.\n\n"
        "Wenn Sie etwas ergänzen möchten, antworten Sie einfach auf diese E-Mail und lassen "
        "Sie die Vorgangsnummer im Betreff stehen.\n\n"
        "Falls Sie diese Anfrage nicht gestellt haben, können Sie diese E-Mail ignorieren.\n\n"
        "Mit freundlichen Grüßen\nIhr Support-Team\n\n{signature}",
    ),
    "es": (
        "Su solicitud [{case_number}]: {subject}",
        "Hola, {contact_name}:\n\nmuchas gracias por su solicitud a través de nuestra web. Su "
        "número de caso es {case_number}. Le responderemos lo antes posible.\n\n"
        "Si desea añadir algo, responda simplemente a este correo.\n\n"
        "Un cordial saludo,\nSu equipo de soporte\n\n{signature}",
        "Su solicitud [{case_number}]",
        "Hola:\n\nmuchas gracias por su solicitud a través de nuestra web. La hemos recibido "
        "y hemos abierto el caso {case_number}. Le responderemos lo antes posible.\n\n"
        "Si desea añadir algo, responda simplemente a este correo y mantenga el número de "
        "caso en el asunto.\n\n"
        "Si usted no ha enviado esta solicitud, puede ignorar este correo.\n\n"
        "Un cordial saludo,\nSu equipo de soporte\n\n{signature}",
    ),
}


def _swap(apps, forward: bool) -> None:
    MessageTemplate = apps.get_model("channels", "MessageTemplate")
    for language, (old_subject, old_body, new_subject, new_body) in TEXTS.items():
        if not forward:
            old_subject, old_body, new_subject, new_body = (
                new_subject, new_body, old_subject, old_body,
            )  # fmt: skip
        MessageTemplate.objects.filter(
            code="web_ack", language=language, subject=old_subject, body=old_body
        ).update(subject=new_subject, body=new_body)


def neutral(apps, schema_editor):
    _swap(apps, forward=True)


def personal(apps, schema_editor):
    _swap(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("channels", "0007_drop_source")]

    operations = [migrations.RunPython(neutral, personal)]
