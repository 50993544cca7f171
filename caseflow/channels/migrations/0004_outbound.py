"""E-mail out: sending state on outgoing messages, the "web form" timeline event type, and
the default message templates (reply, solution, acknowledgement, web form confirmation,
SMS) in English, German and Spanish. All templates are editable in the admin afterwards."""

from django.db import migrations, models

# code, purpose, language, name, subject, body
TEMPLATES = [
    # --- English ---
    ("reply", "reply", "en", "Reply", "Re: {subject}",
     "Hello {contact_name},\n\nthank you for your message.\n\n\n\n"
     "Kind regards\n{agent_name}\n\n{signature}"),
    ("solution", "solution", "en", "Solution message", "Solution for your case [{case_number}]: {subject}",
     "Hello {contact_name},\n\nwe have found a solution for your request \u201c{subject}\u201d:\n\n"
     "{solution}\n\nIf the problem comes back, simply reply to this e-mail; your case number "
     "is {case_number}.\n\nKind regards\n{agent_name}\n\n{signature}"),
    ("ack", "ack", "en", "Acknowledgement", "We have received your message: {subject}",
     "Hello {contact_name},\n\nthank you for contacting us. We have received your message and "
     "opened case {case_number} for it. We will get back to you as soon as possible.\n\n"
     "When you reply, please keep the case number in the subject: your answer then goes "
     "straight to the right person.\n\nKind regards\nYour support team\n\n{signature}"),
    ("web_ack", "web_ack", "en", "Web form confirmation", "Your request [{case_number}]: {subject}",
     "Hello {contact_name},\n\nthank you for your request through our website. Your case "
     "number is {case_number}. We will get back to you as soon as possible.\n\n"
     "If you would like to add anything, simply reply to this e-mail.\n\n"
     "Kind regards\nYour support team\n\n{signature}"),
    ("sms", "sms", "en", "SMS confirmation", "",
     "Your case {case_number}: we have your request and will get back to you soon. "
     "Your support team"),
    # --- German ---
    ("reply", "reply", "de", "Antwort", "Re: {subject}",
     "Guten Tag {contact_name},\n\nvielen Dank für Ihre Nachricht.\n\n\n\n"
     "Mit freundlichen Grüßen\n{agent_name}\n\n{signature}"),
    ("solution", "solution", "de", "Lösungsnachricht", "Lösung zu Ihrem Vorgang [{case_number}]: {subject}",
     "Guten Tag {contact_name},\n\nfür Ihre Anfrage \u201e{subject}\u201c haben wir eine Lösung "
     "gefunden:\n\n{solution}\n\nSollte das Problem wieder auftreten, antworten Sie einfach auf "
     "diese E-Mail; Ihre Vorgangsnummer ist {case_number}.\n\n"
     "Mit freundlichen Grüßen\n{agent_name}\n\n{signature}"),
    ("ack", "ack", "de", "Eingangsbestätigung", "Ihre Nachricht ist bei uns eingegangen: {subject}",
     "Guten Tag {contact_name},\n\nvielen Dank für Ihre Nachricht. Wir haben sie erhalten und "
     "unter der Vorgangsnummer {case_number} erfasst. Wir melden uns so bald wie möglich bei "
     "Ihnen.\n\nBitte lassen Sie die Vorgangsnummer im Betreff stehen, wenn Sie antworten: "
     "So erreicht Ihre Antwort direkt die richtige Stelle.\n\n"
     "Mit freundlichen Grüßen\nIhr Support-Team\n\n{signature}"),
    ("web_ack", "web_ack", "de", "Bestätigung Webformular", "Ihre Anfrage [{case_number}]: {subject}",
     "Guten Tag {contact_name},\n\nvielen Dank für Ihre Anfrage über unsere Website. Ihre "
     "Vorgangsnummer lautet {case_number}. Wir melden uns so bald wie möglich bei Ihnen.\n\n"
     "Wenn Sie etwas ergänzen möchten, antworten Sie einfach auf diese E-Mail.\n\n"
     "Mit freundlichen Grüßen\nIhr Support-Team\n\n{signature}"),
    ("sms", "sms", "de", "SMS-Bestätigung", "",
     "Ihr Vorgang {case_number}: Wir haben Ihre Anfrage erhalten und melden uns in Kürze. "
     "Ihr Support-Team"),
    # --- Spanish ---
    ("reply", "reply", "es", "Respuesta", "Re: {subject}",
     "Hola, {contact_name}:\n\nmuchas gracias por su mensaje.\n\n\n\n"
     "Un cordial saludo,\n{agent_name}\n\n{signature}"),
    ("solution", "solution", "es", "Mensaje de solución", "Solución para su caso [{case_number}]: {subject}",
     "Hola, {contact_name}:\n\nhemos encontrado una solución para su consulta \u00ab{subject}\u00bb:"
     "\n\n{solution}\n\nSi el problema vuelve a aparecer, responda simplemente a este correo; "
     "su número de caso es {case_number}.\n\nUn cordial saludo,\n{agent_name}\n\n{signature}"),
    ("ack", "ack", "es", "Acuse de recibo", "Hemos recibido su mensaje: {subject}",
     "Hola, {contact_name}:\n\nmuchas gracias por escribirnos. Hemos recibido su mensaje y "
     "hemos abierto el caso {case_number}. Le responderemos lo antes posible.\n\n"
     "Si nos responde, mantenga el número de caso en el asunto: así su respuesta llegará "
     "directamente a la persona adecuada.\n\nUn cordial saludo,\nSu equipo de soporte\n\n{signature}"),
    ("web_ack", "web_ack", "es", "Confirmación del formulario web", "Su solicitud [{case_number}]: {subject}",
     "Hola, {contact_name}:\n\nmuchas gracias por su solicitud a través de nuestra web. Su "
     "número de caso es {case_number}. Le responderemos lo antes posible.\n\n"
     "Si desea añadir algo, responda simplemente a este correo.\n\n"
     "Un cordial saludo,\nSu equipo de soporte\n\n{signature}"),
    ("sms", "sms", "es", "Confirmación por SMS", "",
     "Su caso {case_number}: hemos recibido su solicitud y le responderemos en breve. "
     "Su equipo de soporte"),
]  # fmt: skip


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("channels", "MessageTemplate")
    EventType = apps.get_model("cases", "EventType")
    for code, purpose, language, name, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code,
            language=language,
            defaults={"purpose": purpose, "name": name, "subject": subject, "body": body},
        )
    # The customer's own words from the web form: an entry of the e-mail family on the
    # timeline (the "E-mails" filter shows it). Not a system type: the web form writes it
    # through record_event like any contact.
    EventType.objects.get_or_create(
        code="web_in", defaults={"name": "Web form", "category": "email", "is_system": False}
    )


class Migration(migrations.Migration):

    dependencies = [
        ("channels", "0003_inbound"),
        ("cases", "0002_seed_configuration"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="locked_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="outboundmessage",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next attempt"),
        ),
        migrations.AddField(
            model_name="outboundmessage",
            name="sender",
            field=models.CharField(blank=True, max_length=300, verbose_name="from"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
