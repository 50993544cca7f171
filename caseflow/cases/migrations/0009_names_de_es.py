"""Names per language for the configuration shipped by migration 0002: English from the
name as it was, German and Spanish written for a support team (GLOSSARY.md). A row an
operator renamed keeps its own name in English and gets no German or Spanish one (the
readers see the English one until somebody writes them in the admin)."""

from django.db import migrations
from django.db.models import F, Q

# code: (English as shipped, German, Spanish)
EVENT_TYPES = {
    "call_in": ("Call in", "Eingehender Anruf", "Llamada entrante"),
    "call_out": ("Call out", "Ausgehender Anruf", "Llamada saliente"),
    "email_in": ("E-mail in", "Eingehende E-Mail", "Correo entrante"),
    "email_out": ("E-mail out", "Ausgehende E-Mail", "Correo saliente"),
    "sms_in": ("SMS in", "Eingehende SMS", "SMS entrante"),
    "sms_out": ("SMS out", "Ausgehende SMS", "SMS saliente"),
    "scheduling": ("Scheduling", "Einplanung", "Planificación"),
    "note": ("Note", "Notiz", "Nota"),
    "created": ("Case opened", "Vorgang eröffnet", "Caso abierto"),
    "status_changed": ("Status changed", "Status geändert", "Estado cambiado"),
    "assigned": ("Assigned", "Zugewiesen", "Asignado"),
    "field_changed": ("Details changed", "Angaben geändert", "Datos modificados"),
    "supply_added": ("Supply added", "Material hinzugefügt", "Suministro añadido"),
    "supply_removed": ("Supply removed", "Material entfernt", "Suministro retirado"),
    "resolved": ("Resolved", "Gelöst", "Resuelto"),
    "closed": ("Closed", "Abgeschlossen", "Cerrado"),
    "reopened": ("Reopened", "Wieder eröffnet", "Reabierto"),
}

PRIORITIES = {
    "P1": ("Critical", "Kritisch", "Crítica"),
    "P2": ("High", "Hoch", "Alta"),
    "P3": ("Normal", "Normal", "Normal"),
    "P4": ("Low", "Niedrig", "Baja"),
}

CODES = {
    ("reason", "USER"): ("User error", "Anwenderfehler", "Error de usuario"),
    ("reason", "USER-OP"): ("Operating error", "Bedienfehler", "Error de manejo"),
    ("reason", "USER-DOC"): ("Documentation unclear", "Dokumentation unklar", "Documentación poco clara"),
    ("reason", "CONF"): ("Configuration", "Konfiguration", "Configuración"),
    ("reason", "CONF-SET"): ("Wrong setting", "Falsche Einstellung", "Ajuste incorrecto"),
    ("reason", "CONF-NET"): ("Network / connection", "Netzwerk / Verbindung", "Red / conexión"),
    ("reason", "SOFT"): ("Software", "Software", "Software"),
    ("reason", "SOFT-BUG"): ("Software defect", "Softwarefehler", "Fallo de software"),
    ("reason", "SOFT-WISH"): ("Feature request", "Programmwunsch", "Solicitud de mejora"),
    ("reason", "HARD"): ("Hardware", "Hardware", "Hardware"),
    ("reason", "HARD-DEF"): ("Defective component", "Defektes Bauteil", "Componente defectuoso"),
    ("reason", "HARD-WEAR"): ("Wear and tear", "Verschleiß", "Desgaste"),
    ("reason", "HARD-TRANS"): ("Transport damage", "Transportschaden", "Daño de transporte"),
    ("resolution", "ADV"): ("Advice given", "Beratung", "Asesoramiento"),
    ("resolution", "ADV-PHONE"): ("Solved on the phone", "Telefonisch gelöst", "Resuelto por teléfono"),
    ("resolution", "ADV-WORK"): ("Workaround", "Umgehungslösung", "Solución provisional"),
    ("resolution", "FIX"): ("Fixed", "Behoben", "Corregido"),
    ("resolution", "FIX-CONF"): ("Reconfigured", "Neu konfiguriert", "Reconfigurado"),
    ("resolution", "FIX-UPD"): ("Software update", "Software-Update", "Actualización de software"),
    ("resolution", "FIX-PART"): ("Part replaced", "Teil ersetzt", "Pieza sustituida"),
    ("resolution", "RMA"): ("Returned for repair", "Zur Reparatur eingeschickt", "Enviado a reparar"),
    ("resolution", "RMA-REP"): ("Repaired", "Repariert", "Reparado"),
    ("resolution", "RMA-EXCH"): ("Exchanged", "Ausgetauscht", "Cambio de equipo"),
    ("resolution", "VEND"): ("Vendor", "Hersteller", "Proveedor"),
    ("resolution", "VEND-CR"): ("Change request raised", "Programmwunsch gestellt", "Solicitud de cambio presentada"),
    ("resolution", "VEND-REJ"): ("Vendor rejected", "Vom Hersteller abgelehnt", "Rechazado por el proveedor"),
    ("resolution", "NONE"): ("No fault found", "Kein Fehler gefunden", "Sin fallo detectado"),
    ("resolution", "NONE-NFF"): ("No fault found", "Kein Fehler gefunden", "Sin fallo detectado"),
    ("resolution", "NONE-DUP"): ("Duplicate", "Duplikat", "Duplicado"),
}  # fmt: skip


def english_from_name(model):
    model.objects.filter(Q(name_en__isnull=True) | Q(name_en="")).update(name_en=F("name"))


def translate(rows, key, names):
    for row in rows:
        shipped = names.get(key(row))
        if shipped is None or row.name_en != shipped[0]:
            continue  # not ours, or renamed by an operator
        row.name_de, row.name_es = shipped[1], shipped[2]
        row.save(update_fields=["name_de", "name_es"])


def forwards(apps, schema_editor):
    EventType = apps.get_model("cases", "EventType")
    Priority = apps.get_model("cases", "Priority")
    Code = apps.get_model("cases", "Code")
    for model in (EventType, Priority, Code):
        english_from_name(model)
    translate(EventType.objects.filter(code__in=EVENT_TYPES), lambda r: r.code, EVENT_TYPES)
    translate(Priority.objects.filter(code__in=PRIORITIES), lambda r: r.code, PRIORITIES)
    translate(Code.objects.all(), lambda r: (r.kind, r.code), CODES)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_names_per_language")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
