#!/usr/bin/env python
"""Load a realistic Caseflow data set, fast: customers, contacts, phones and e-mails, products,
units with registrations, cases over three years, timeline events and the cases' audit chains.

    DJANGO_SETTINGS_MODULE=caseflow.settings DEBUG=true \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/generate.py --reset --cases 1000000

On PostgreSQL the bulk tables are written with COPY (psycopg 3) after their secondary indexes
and foreign keys were dropped; both are rebuilt afterwards (so every foreign key and unique
index is still checked, once, on the whole table) and the tables are VACUUM ANALYZEd. On SQLite
the rows go in with executemany in one transaction per table, then ANALYZE.

What is generated, per N cases (default 100,000):
- N/5 customers (4 in 5 persons, the rest organisations, 3% dealers, 1% archived) with
  contacts and contact points: E.164 phones (+49 15x/17x mobiles, German landlines, +34 6xx,
  a few +43/+41) and lower-case e-mail addresses;
- ~30 products of a few product types, N/2.5 serialised units, each with an active
  registration (purchase date, registration date, warranty end); 4% were registered to
  someone else before (an ended registration);
- N cases, received over the last three years (growing volume, office hours, fewer at
  weekends), numbered C-YYYY-NNNNNN consecutively per year in order of receipt; the
  `core_sequence` rows are set to the last numbers so new cases continue the series;
- ~5 timeline events per case on average, 0.5% of cases with ~50;
- the audit trail of each case as a valid hash chain (case.opened, case.status_changed for
  an active case past "new", case.resolved, case.closed links, computed with
  `caseflow.core.audit`), so `manage.py verify_audit` passes, drift check included (the
  timeline entries carry no hashes: their drift is not checked). Customers, contacts and
  units get no audit entries: they count as imported. `--no-audit` skips the case chains
  too.

COPY bypasses the services, so where the project has `manage.py reindex_search` the cases'
full-text index is built at the end (`--no-search-index` skips it).

Every CHECK constraint holds (the database checks them during the load).
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import itertools
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATABASE_URL, setup_django
from django.core.management import call_command
from django.db.models import NOT_PROVIDED

# --- command line -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="number of cases (100000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (42)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--no-audit", action="store_true", help="no audit chains for the cases")
    parser.add_argument(
        "--no-search-index",
        action="store_true",
        help="skip `manage.py reindex_search` after the load (where the command exists)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        help="default: $DATABASE_URL, else the local caseflow_bench database",
    )
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    return args


# --- database creation --------------------------------------------------------------------------


def prepare_database(url: str, reset: bool) -> None:
    """Create the database (dropping it first with `reset`)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        if reset:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    admin_url = admin_url.replace("postgresql+psycopg", "postgresql")
    if admin_url.startswith("postgres://"):
        admin_url = "postgresql://" + admin_url[len("postgres://") :]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            print(f"dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            print(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- vocabulary -------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return text.split()


FIRST_DE = words(
    "Anna Lena Lukas Jonas Leon Paul Felix Maximilian Elias Noah Emma Mia Hannah Sophie "
    "Marie Lea Lina Klaus Jürgen Sabine Petra Monika Thomas Andreas Stefan Michael Martina "
    "Ursula Heike Frank Uwe Katrin Birgit Ralf Dirk Sandra Nicole Tobias Julia Laura"
)
LAST_DE = words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
    "Lange Schmitt Werner Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter"
)
FIRST_ES = words(
    "María Carmen Josefa Isabel Ana Laura Lucía Marta Elena Sofía Antonio Manuel José "
    "Francisco David Juan Javier Daniel Carlos Jesús Alejandro Miguel Rafael Pablo Sergio Pedro"
)
LAST_ES = words(
    "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez "
    "Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez"
)
ORG_DE = ("GmbH", "GmbH & Co. KG", "AG", "e.K.", "KG")
ORG_ES = ("S.L.", "S.A.", "S.L.U.")
ORG_WORDS = words(
    "Café Rösterei Kaffeehaus Bäckerei Hotel Praxis Kanzlei Büroservice Gastro Bistro "
    "Konditorei Kantine Autohaus Friseur Cafetería Restaurante Panadería Oficina Clínica"
)
EMAIL_DOMAINS_DE = ("gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.de", "posteo.de")
EMAIL_DOMAINS_ES = ("gmail.com", "hotmail.es", "yahoo.es", "outlook.es", "telefonica.net")
ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "á": "a", "é": "e", "í": "i", "ó": "o",
     "ú": "u", "ñ": "n", "Á": "A", "É": "E", "Ö": "Oe", "Ü": "Ue", "Ä": "Ae", " ": "", "&": "",
     ".": ""}
)  # fmt: skip

CITIES = {
    # country: (region code, city, postal code prefix, landline area codes (E.164 digits))
    "DE": [
        ("DE-N", "Hamburg", "20", ("40",)),
        ("DE-N", "Bremen", "28", ("421",)),
        ("DE-E", "Berlin", "10", ("30",)),
        ("DE-E", "Leipzig", "04", ("341",)),
        ("DE-W", "Köln", "50", ("221",)),
        ("DE-W", "Düsseldorf", "40", ("211",)),
        ("DE-S", "München", "80", ("89",)),
        ("DE-S", "Stuttgart", "70", ("711",)),
        ("DE-S", "Frankfurt am Main", "60", ("69",)),
    ],
    "ES": [
        ("ES-C", "Madrid", "28", ("91",)),
        ("ES-N", "Barcelona", "08", ("93",)),
        ("ES-N", "Bilbao", "48", ("94",)),
        ("ES-C", "Valencia", "46", ("96",)),
        ("ES-C", "Sevilla", "41", ("95",)),
    ],
    "AT": [("AT", "Wien", "1", ("1",))],
    "CH": [("CH", "Zürich", "80", ("44",))],
}
REGIONS = [
    ("DE-N", "Germany North", "DE"),
    ("DE-E", "Germany East", "DE"),
    ("DE-W", "Germany West", "DE"),
    ("DE-S", "Germany South", "DE"),
    ("ES-C", "Spain Centre", "ES"),
    ("ES-N", "Spain North", "ES"),
    ("AT", "Austria", "AT"),
    ("CH", "Switzerland", "CH"),
]
DE_MOBILE = ("151", "152", "157", "160", "162", "163", "170", "171", "172", "173", "175", "176")
STREETS_DE = ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Lindenallee")
STREETS_ES = ("Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Paseo del Prado")

PRODUCT_TYPES = [
    ("espresso", "Espresso machines"),
    ("grinder", "Coffee grinders"),
    ("frother", "Milk frothers"),
    ("filter", "Water filters"),
    ("parts", "Spare parts"),
    ("service", "Service"),
]
# sku, name, kind, type, serialised, warranty months, price, weight among units
PRODUCTS = [
    ("ESP-100", "Espresso Piccolo 100", "device", "espresso", True, 24, "349.00", 12),
    ("ESP-200", "Espresso Classico 200", "device", "espresso", True, 24, "549.00", 18),
    ("ESP-300", "Espresso Barista 300", "device", "espresso", True, 24, "899.00", 9),
    ("ESP-500", "Espresso Pro 500 dual boiler", "device", "espresso", True, 36, "1890.00", 4),
    ("ESP-700", "Espresso Gastro 700 two groups", "device", "espresso", True, 12, "4900.00", 2),
    ("ESP-A10", "Bean-to-cup Automatic A10", "device", "espresso", True, 24, "699.00", 15),
    ("ESP-A20", "Bean-to-cup Automatic A20 Touch", "device", "espresso", True, 24, "999.00", 10),
    ("GRD-40", "Grinder Casa 40", "device", "grinder", True, 24, "199.00", 7),
    ("GRD-64", "Grinder Flat 64", "device", "grinder", True, 24, "449.00", 4),
    ("GRD-83", "Grinder Gastro 83", "device", "grinder", True, 12, "1290.00", 1),
    ("FRO-1", "Milk frother Spuma", "device", "frother", True, 24, "89.00", 6),
    ("FRO-2", "Milk frother Spuma Duo", "device", "frother", True, 24, "129.00", 3),
    ("FIL-CT", "Water filter cartridge", "consumable", "filter", False, 0, "19.90", 0),
    ("FIL-KIT", "Water filter starter kit", "consumable", "filter", False, 0, "39.00", 0),
    ("DESC-1", "Descaler 1 l", "consumable", "parts", False, 0, "14.90", 0),
    ("CLN-TAB", "Cleaning tablets (100)", "consumable", "parts", False, 0, "17.50", 0),
    ("SP-GSK58", "Group head gasket 58 mm", "spare_part", "parts", False, 0, "6.90", 0),
    ("SP-SCR58", "Shower screen 58 mm", "spare_part", "parts", False, 0, "9.90", 0),
    ("SP-PUMP", "Vibration pump 48 W", "spare_part", "parts", False, 0, "39.00", 0),
    ("SP-HEAT", "Heating element 1200 W", "spare_part", "parts", False, 0, "59.00", 0),
    ("SP-BURR64", "Burr set 64 mm", "spare_part", "parts", False, 0, "49.00", 0),
    ("SP-BREW", "Brewing unit A-series", "spare_part", "parts", False, 0, "129.00", 0),
    ("SP-BOARD", "Control board A-series", "spare_part", "parts", False, 0, "189.00", 0),
    ("SP-WAND", "Steam wand assembly", "spare_part", "parts", False, 0, "44.00", 0),
    ("SP-SENS", "Temperature sensor NTC", "spare_part", "parts", False, 0, "24.00", 0),
    ("SP-VALVE", "Solenoid valve 3-way", "spare_part", "parts", False, 0, "36.00", 0),
    ("LAB-STD", "Workshop labour (hour)", "labour", "service", False, 0, "79.00", 0),
    ("LAB-VISIT", "On-site visit", "labour", "service", False, 0, "129.00", 0),
    ("LAB-DESC", "Descaling service", "labour", "service", False, 0, "59.00", 0),
    ("LAB-SHIP", "Shipping and handling", "labour", "service", False, 0, "14.90", 0),
]

SUBJECTS = {
    "espresso": [
        "Machine does not heat up",
        "Pump very loud, little water",
        "Leaks water under the machine",
        "Display shows error E05",
        "Espresso tastes sour",
        "Steam wand has no pressure",
        "Maschine heizt nicht mehr",
        "Wasser tritt am Brühkopf aus",
        "Fehlermeldung E12 nach Entkalken",
        "La máquina no calienta",
        "Pierde agua por debajo",
        "No sale café, solo vapor",
        "Brewing unit stuck",
        "Milk system not foaming",
        "Machine switches off after a few minutes",
    ],
    "grinder": [
        "Grinder blocks after a few seconds",
        "Grind size cannot be adjusted",
        "Mühle läuft, mahlt aber nicht",
        "El molino hace mucho ruido",
        "Motor hums, burrs do not turn",
    ],
    "frother": [
        "Frother does not heat milk",
        "Milchaufschäumer schaltet nicht ab",
        "El espumador no funciona",
    ],
    None: [
        "Question about my invoice",
        "Where can I buy descaler?",
        "Request for a repair quote",
        "Frage zur Garantie",
        "Consulta sobre la garantía",
        "Delivery incomplete",
        "Need the manual as PDF",
    ],
}
SYMPTOMS = [
    "Since yesterday the machine takes much longer to heat up and then stops with a beep.",
    "When I switch it on, the pump runs but only a few drops come out of the group head.",
    "There is a puddle under the machine every morning; the drip tray is dry.",
    "The display shows an error after the descaling programme; switching off does not help.",
    "Seit dem letzten Entkalken kommt kaum noch Wasser, die Pumpe klingt sehr laut.",
    "Das Gerät schaltet sich nach wenigen Minuten aus, die Kontrollleuchte blinkt rot.",
    "Beim Dampfbezug zischt es am Dampfhahn, aber es kommt kein Dampf.",
    "Desde la semana pasada el café sale frío y la luz de temperatura no se apaga.",
    "Al encender la máquina salta el diferencial de la casa.",
    "El molino se atasca con granos oscuros y hay que desmontarlo cada vez.",
    "Customer called from the shop; device bought four weeks ago, receipt available.",
    "Kunde hat das Gerät bereits zweimal entkalkt, Problem besteht weiterhin.",
]
NOTES = [
    "Customer will send photos of the type plate.",
    "Asked for the purchase receipt.",
    "Spare part ordered from the vendor.",
    "Rückruf vereinbart für morgen Vormittag.",
    "Kunde nicht erreicht, Nachricht auf Mailbox.",
    "Cliente enviará el aparato por mensajería.",
    "Checked the service history: second repair this year.",
    "Courier pick-up booked.",
]
EMAIL_IN = [
    "Hello, the machine is still leaking after the repair. Please call me back.",
    "Guten Tag, anbei der Kaufbeleg. Wann bekomme ich das Gerät zurück?",
    "Buenos días, adjunto la factura de compra. Gracias.",
    "Thank you, it works again.",
]
EMAIL_OUT = [
    "Thank you for your message. Please send us the purchase receipt and the serial number.",
    "Ihr Gerät wurde repariert und ist heute an Sie versandt worden.",
    "Le enviamos la etiqueta de devolución por correo electrónico.",
]
CALL_NOTES = [
    "Walked the customer through the descaling programme.",
    "Customer describes the noise; probably a mechanical part.",
    "Kunde berichtet, dass das Problem weiterhin besteht.",
    "Cliente confirma que la máquina funciona de nuevo.",
    "",
]
# Each case is about one part, in the customer's language, so words are spread roughly as in
# a real desk (a part name in a few per cent of the cases, not in half of them): full-text
# search benchmarks depend on it.
PARTS: dict[str | None, list[tuple[str, str, str]]] = {
    # (English, German, Spanish)
    "espresso": [
        ("pump", "Pumpe", "la bomba"), ("boiler", "Boiler", "la caldera"),
        ("thermoblock", "Thermoblock", "el termobloque"),
        ("brewing unit", "Brüheinheit", "la unidad de infusión"),
        ("steam wand", "Dampflanze", "la lanza de vapor"), ("group head", "Brühgruppe", "el grupo"),
        ("water tank", "Wassertank", "el depósito de agua"),
        ("drip tray", "Abtropfschale", "la bandeja de goteo"),
        ("display", "Display", "la pantalla"),
        ("heating element", "Heizelement", "la resistencia"),
        ("solenoid valve", "Magnetventil", "la electroválvula"),
        ("temperature sensor", "Temperaturfühler", "el sensor de temperatura"),
        ("control board", "Steuerplatine", "la placa electrónica"),
        ("milk system", "Milchsystem", "el sistema de leche"),
        ("portafilter", "Siebträger", "el portafiltro"),
        ("pressure gauge", "Manometer", "el manómetro"),
    ],
    "grinder": [
        ("motor", "Motor", "el motor"), ("burrs", "Mahlscheiben", "las muelas"),
        ("hopper", "Bohnenbehälter", "la tolva"),
        ("adjustment ring", "Einstellring", "el anillo de ajuste"),
        ("power switch", "Netzschalter", "el interruptor"), ("doser", "Dosierer", "el dosificador"),
        ("timer", "Timer", "el temporizador"),
    ],
    "frother": [
        ("whisk", "Quirl", "el batidor"), ("heating plate", "Heizplatte", "la placa calefactora"),
        ("jug", "Kanne", "la jarra"), ("lid", "Deckel", "la tapa"),
        ("base station", "Basisstation", "la base"),
    ],
}  # fmt: skip
# cases about no device: questions for the office, not faults
ADMIN_TEXTS = {
    "en": ["Please send me a copy of invoice {n}.", "The delivery was incomplete.",
           "Where can I buy descaler and filters?", "Does my warranty cover a second repair?",
           "I need the manual as a PDF.", "Please quote a repair for my old machine."],
    "de": ["Bitte senden Sie mir eine Kopie der Rechnung {n}.", "Die Lieferung war unvollständig.",
           "Wo bekomme ich Entkalker und Filter?",
           "Gilt die Garantie auch für eine zweite Reparatur?",
           "Ich brauche die Bedienungsanleitung als PDF.", "Bitte um einen Kostenvoranschlag."],
    "es": ["Envíenme una copia de la factura {n}, por favor.", "El envío llegó incompleto.",
           "¿Dónde compro descalcificador y filtros?", "¿La garantía cubre una segunda reparación?",
           "Necesito el manual en PDF.", "Quisiera un presupuesto de reparación."],
}  # fmt: skip
LANG_INDEX = {"en": 0, "de": 1, "es": 2}
FAULTS = {
    "en": [
        "The {p} makes a loud rattling noise.", "Water is leaking from the {p}.",
        "The {p} stopped working after {n} weeks.",
        "Since the last descaling the {p} does not respond.",
        "Error {code} appears whenever the {p} starts.",
        "The {p} gets very hot and smells burnt.", "The {p} works only now and then.",
        "The {p} is cracked.", "I think the {p} is blocked by limescale.",
        "The {p} was replaced once already and the fault is back.",
    ],
    "de": [
        "{p}: lautes Rattern beim Einschalten.", "{p} undicht, Wasser läuft aus.",
        "{p} funktioniert seit {n} Wochen nicht mehr.",
        "Nach dem Entkalken reagiert {p} nicht mehr.",
        "Fehler {code} erscheint, sobald {p} startet.",
        "{p} wird sehr heiß, es riecht verbrannt.", "{p} arbeitet nur sporadisch.",
        "{p} hat einen Riss.", "Vermutlich ist {p} verkalkt.",
        "{p} wurde schon einmal getauscht, gleicher Fehler wieder da.",
    ],
    "es": [
        "{p} hace un ruido muy fuerte.", "Sale agua por {p}.",
        "{p} dejó de funcionar hace {n} semanas.", "Después de descalcificar, {p} no responde.",
        "Aparece el error {code} cuando arranca {p}.", "{p} se calienta mucho y huele a quemado.",
        "{p} funciona solo a ratos.", "{p} está agrietado.",
        "Creo que {p} está bloqueado por la cal.",
        "Ya se cambió {p} una vez y vuelve a fallar.",
    ],
}  # fmt: skip
CONTEXTS = {
    "en": [
        "Bought {n} months ago from a dealer.", "Receipt attached.", "Used about {n} times a day.",
        "We use filtered water.", "The machine is in our office kitchen.",
        "Please send a technician.", "Can I bring it to your workshop?", "",
    ],
    "de": [
        "Vor {n} Monaten beim Händler gekauft.", "Kaufbeleg liegt bei.",
        "Wird etwa {n} Mal am Tag benutzt.", "Wir verwenden gefiltertes Wasser.",
        "Gerät steht in der Büroküche.", "Bitte um Rückruf.",
        "Kann ich es in die Werkstatt bringen?", "",
    ],
    "es": [
        "Comprada hace {n} meses en una tienda.", "Adjunto el ticket.",
        "Se usa unas {n} veces al día.", "Usamos agua filtrada.", "La máquina está en la oficina.",
        "Por favor, envíen un técnico.", "¿Puedo llevarla al taller?", "",
    ],
}  # fmt: skip
SUBJECT_FORMS = {
    "en": ["{P} faulty", "Problem with the {p}", "Error {code}", "{P} leaking", "{P} noisy"],
    "de": ["{p} defekt", "Problem mit {p}", "Fehler {code}", "{p} undicht", "{p} laut"],
    "es": ["{p} averiado", "Problema con {p}", "Error {code}", "Fuga en {p}", "Ruido en {p}"],
}
DIAGNOSIS_FORMS = {
    "en": ["{P} defective.", "Limescale in the {p}.", "{P} worn; error {code} reproduced.",
           "No fault found on the {p}; operating error."],
    "de": ["{p} defekt.", "{p} verkalkt.", "{p} verschlissen, Fehler {code} nachvollzogen.",
           "Kein Fehler an {p} gefunden, Bedienfehler."],
    "es": ["{p} averiado.", "Cal en {p}.", "{p} desgastado, error {code} reproducido.",
           "Sin avería en {p}; error de uso."],
}  # fmt: skip
SOLUTION_FORMS = {
    "en": ["Replaced the {p} and tested.", "Descaled and cleaned the {p}.",
           "Explained the care of the {p} on the phone.", "Exchanged the device."],
    "de": ["{p} getauscht und getestet.", "{p} entkalkt und gereinigt.",
           "Pflege von {p} telefonisch erklärt.", "Gerät getauscht."],
    "es": ["Se sustituyó {p} y se probó.", "Se descalcificó y limpió {p}.",
           "Se explicó por teléfono el cuidado de {p}.", "Se cambió el aparato."],
}  # fmt: skip


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def case_texts(
    rng: random.Random, product_type: str | None, language: str
) -> tuple[str, str, str, str]:
    """(subject, symptom, diagnosis, solution) of one case about one part."""
    lang = language if language in LANG_INDEX else "en"
    if product_type not in PARTS:
        if rng.random() < 0.3:  # a question for the office
            text = rng.choice(ADMIN_TEXTS[lang]).format(n=rng.randrange(10000, 99999))
            return rng.choice(SUBJECTS[None]), text, "", rng.choice(("Answered.", "Done.", ""))
        product_type = "espresso"  # a machine whose serial the caller didn't give
    part = rng.choice(PARTS[product_type])[LANG_INDEX[lang]]
    values = {"p": part, "P": upper_first(part), "code": f"E{rng.randrange(1, 41):02d}"}
    values["n"] = str(rng.randrange(2, 30))
    fault = upper_first(rng.choice(FAULTS[lang]).format(**values))
    context = rng.choice(CONTEXTS[lang]).format(**values)
    symptom = f"{fault} {context}".strip()
    subject = upper_first(rng.choice(SUBJECT_FORMS[lang]).format(**values))
    diagnosis = upper_first(rng.choice(DIAGNOSIS_FORMS[lang]).format(**values))
    solution = upper_first(rng.choice(SOLUTION_FORMS[lang]).format(**values))
    return subject, symptom, diagnosis, solution


HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 4, 10, 12, 12, 11, 8, 10, 11, 10, 8, 5, 3, 2, 1, 1, 0, 0]
BERLIN = ZoneInfo("Europe/Berlin")


def lognormal_hours(rng: random.Random, median_hours: float, sigma: float) -> timedelta:
    return timedelta(hours=median_hours * rng.lognormvariate(0, sigma))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def ascii_slug(text: str) -> str:
    return text.translate(ASCII).lower()


# --- loaders ------------------------------------------------------------------------------------


class Loader:
    """Writes rows into one model's table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.dropped: list[tuple[str, str]] = []  # (label, DDL to recreate)
        self.loaded_models: list[Any] = []
        self.rows_total = 0
        self.seconds_total = 0.0

    # PostgreSQL: drop what slows a bulk load, recreate it after
    def strip_table(self, model: Any) -> None:
        if self.vendor != "postgresql":
            return
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = %s::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                """,
                [table],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                """
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f'
                """,
                [table],
            )
            fks = cursor.fetchall()
            for name, definition in fks:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                self.dropped.append(
                    (f"fk {name}", f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                )
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                self.dropped.insert(0, (f"index {name}", definition))

    def extra_columns(self, model: Any, columns: Sequence[str]) -> tuple[list[str], tuple]:
        """Columns the generator doesn't know (added by a newer migration): their defaults."""
        names, values = [], []
        for field in model._meta.concrete_fields:
            if field.column in columns or field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: Any = datetime.now(UTC)
            elif field.has_default():
                value = field.get_default()
            elif field.null or field.db_default is not NOT_PROVIDED:
                continue
            else:
                raise SystemExit(
                    f"{model._meta.label}.{field.name} has no default: teach bench/generate.py"
                )
            names.append(field.column)
            values.append(self.adapt(field.get_db_prep_save(value, self.connection)))
        return names, tuple(values)

    def adapt(self, value: Any) -> Any:
        if self.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return json.dumps(value.obj) if isinstance(value, Jsonb) else value
        return value

    def load(self, model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        table = model._meta.db_table
        extra_names, extra_values = self.extra_columns(model, columns)
        all_columns = [*columns, *extra_names]
        started = time.perf_counter()
        count = 0
        self.connection.ensure_connection()
        raw = self.connection.connection
        if self.vendor == "postgresql":
            column_sql = ", ".join(f'"{c}"' for c in all_columns)
            statement = f'COPY "{table}" ({column_sql}) FROM STDIN'
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                if extra_values:
                    for row in rows:
                        copy.write_row((*row, *extra_values))
                        count += 1
                else:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
        else:
            marks = ", ".join("?" for _ in all_columns)
            column_sql = ", ".join(f'"{c}"' for c in all_columns)
            statement = f'INSERT INTO "{table}" ({column_sql}) VALUES ({marks})'  # noqa: S608

            def sqlite_rows() -> Iterator[tuple]:
                nonlocal count
                for row in rows:
                    count += 1
                    yield tuple(sqlite_value(v) for v in (*row, *extra_values))

            raw.execute("BEGIN")
            for chunk in chunked(sqlite_rows(), 50_000):
                raw.executemany(statement, chunk)
            raw.execute("COMMIT")
        elapsed = time.perf_counter() - started
        self.rows_total += count
        self.seconds_total += elapsed
        self.loaded_models.append(model)
        rate = count / elapsed if elapsed else 0
        print(f"  {table:<28} {count:>10,} rows {elapsed:8.1f} s {rate:>10,.0f} rows/s", flush=True)
        return count

    def finish(self) -> None:
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '1GB'")
                cursor.execute("SET max_parallel_maintenance_workers = 2")
                for label, ddl in self.dropped:
                    step = time.perf_counter()
                    cursor.execute(ddl)
                    print(f"  rebuilt {label:<45} {time.perf_counter() - step:6.1f} s", flush=True)
                for model in dict.fromkeys(self.loaded_models):
                    if model._meta.pk.name != "id":
                        continue
                    table = model._meta.db_table
                    sql = (
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                    )
                    cursor.execute(sql)
        if self.vendor == "postgresql":
            rebuilt = time.perf_counter() - started
            print(f"indexes and foreign keys rebuilt in {rebuilt:.1f} s", flush=True)
            step = time.perf_counter()
            with self.connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            print(f"VACUUM (ANALYZE) in {time.perf_counter() - step:.1f} s", flush=True)
        else:
            with self.connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def chunked(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --- the generator ------------------------------------------------------------------------------


class Generator:
    def __init__(self, n_cases: int, seed: int, with_audit: bool) -> None:
        self.n_cases = n_cases
        self.rng = random.Random(seed)
        self.with_audit = with_audit
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.today = self.now.astimezone(BERLIN).date()
        self.start = self.now - timedelta(days=3 * 365)
        self.loader = Loader()

    # reference data, through the ORM (a few hundred rows)
    def reference_data(self) -> None:
        from caseflow.accounts.models import Role, Team, User
        from caseflow.cases.models import Code, EventType, Priority
        from caseflow.catalog.models import Product, ProductType
        from caseflow.customers.models import Region

        rng = self.rng
        self.regions = {
            code: Region.objects.get_or_create(code=code, defaults={"name": name, "country": c})[0]
            for code, name, c in REGIONS
        }
        teams = [
            Team.objects.get_or_create(name=name)[0]
            for name in ("Support DE", "Soporte ES", "Workshop", "Second level")
        ]
        staff: list[tuple[str, str, int]] = (
            [("agent", Role.AGENT, i) for i in range(1, 41)]
            + [("tech", Role.TECHNICIAN, i) for i in range(1, 13)]
            + [("lead", Role.TEAM_LEAD, i) for i in range(1, 5)]
            + [("office", Role.BACK_OFFICE, i) for i in range(1, 5)]
            + [("quality", Role.QUALITY_MANAGER, 1)]
        )
        existing = set(User.objects.values_list("username", flat=True))
        new_users = []
        for prefix, role, i in staff:
            username = f"{prefix}{i:02d}"
            if username in existing:
                continue
            first = rng.choice(FIRST_DE + FIRST_ES)
            last = rng.choice(LAST_DE + LAST_ES)
            new_users.append(
                User(
                    username=username,
                    role=role,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@caseflow.example",
                    password="!",  # unusable  # noqa: S106
                    language="es" if last in LAST_ES else "de",
                )
            )
        User.objects.bulk_create(new_users)
        users = {u.username: u for u in User.objects.filter(username__in=[
            f"{p}{i:02d}" for p, _r, i in staff])}  # fmt: skip
        self.owners: list[tuple[int, str, int]] = []  # (user id, username, team id)
        for username, user in sorted(users.items()):
            if user.role not in (Role.AGENT, Role.TECHNICIAN, Role.TEAM_LEAD):
                continue
            if user.role == Role.TECHNICIAN:
                team = teams[2]
            elif user.role == Role.TEAM_LEAD:
                team = teams[3]
            else:
                team = teams[1] if user.language == "es" else teams[0]
            team.members.add(user)
            self.owners.append((user.pk, username, team.pk))
        # agents take most cases, a few owners very many (the "owner" filter's worst case)
        self.owner_weights = [
            (30 if i < 3 else 4) if name.startswith("agent") else 2
            for i, (_id, name, _t) in enumerate(self.owners)
        ]
        self.owner_cum = list(itertools.accumulate(self.owner_weights))
        self.account_managers = [u.pk for u in users.values() if u.role == Role.BACK_OFFICE]

        types = {
            code: ProductType.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in PRODUCT_TYPES
        }
        self.products: list[dict[str, Any]] = []
        for sku, name, kind, type_code, serialised, months, price, weight in PRODUCTS:
            product, _ = Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "name": name,
                    "kind": kind,
                    "product_type": types[type_code],
                    "is_serialised": serialised,
                    "warranty_months": months,
                    "price": price,
                    "cost": f"{float(price) * 0.45:.2f}",
                },
            )
            self.products.append(
                {"id": product.pk, "sku": sku, "type": type_code, "months": months, "w": weight}
            )
        self.devices = [p for p in self.products if p["w"]]
        self.device_cum = list(itertools.accumulate(p["w"] for p in self.devices))

        self.priorities = {p.code: p.pk for p in Priority.objects.all()}
        missing = {"P1", "P2", "P3", "P4"} - set(self.priorities)
        if missing:
            raise SystemExit(f"priorities {sorted(missing)} missing: did the migrations run?")
        self.event_types = {e.code: e.pk for e in EventType.objects.all()}
        codes = list(Code.objects.filter(active=True))
        # events name codes as the services write them (their code, not their id)
        self.code_of = {c.pk: c.code for c in codes}
        self.codes: dict[str, list[tuple[int, str, list[tuple[int, str]]]]] = {}
        for kind in ("reason", "resolution"):
            generals = [c for c in codes if c.kind == kind and c.parent_id is None]
            self.codes[kind] = [
                (g.pk, g.code, [(c.pk, c.code) for c in codes if c.parent_id == g.pk])
                for g in generals
            ]
            if not self.codes[kind] or not all(children for _p, _c, children in self.codes[kind]):
                raise SystemExit(f"{kind} codes missing: did the migrations run?")

    # --- customers, contacts, contact points ---------------------------------------------------

    def phone(self, country: str, mobile: bool, area: str) -> str:
        r = self.rng.randrange
        if country == "DE":
            if mobile:
                prefix = self.rng.choice(DE_MOBILE)
                digits = 8 if prefix.startswith("15") else 7
                return f"+49{prefix}{r(10 ** (digits - 1), 10**digits)}"
            return f"+49{area}{r(10 ** (9 - len(area)), 10 ** (10 - len(area)))}"
        if country == "ES":
            if mobile:
                return f"+34{self.rng.choice('67')}{r(10**7, 10**8)}"
            return f"+34{area}{r(10 ** (8 - len(area)), 10 ** (9 - len(area)))}"
        if country == "AT":
            return f"+43664{r(10**6, 10**7)}" if mobile else f"+431{r(10**6, 10**7)}"
        return f"+4179{r(10**6, 10**7)}" if mobile else f"+4144{r(10**6, 10**7)}"

    def customers(self) -> None:
        from caseflow.customers.models import Contact, ContactPoint, Customer

        rng = self.rng
        n = max(1, self.n_cases // 5)
        self.n_customers = n
        # per customer: (country, created_at, is_dealer, archived); contacts: (primary id)
        self.customer_country: list[str] = [""] * (n + 1)
        self.customer_primary: list[int] = [0] * (n + 1)
        self.customer_archived: list[bool] = [False] * (n + 1)
        self.customer_language: list[str] = ["en"] * (n + 1)
        self.dealers: list[int] = []
        contacts: list[tuple] = []
        points: list[tuple] = []
        customer_rows: list[tuple] = []
        contact_id = 0
        point_id = 0
        countries = ("DE",) * 60 + ("ES",) * 32 + ("AT",) * 5 + ("CH",) * 3
        for cid in range(1, n + 1):
            country = countries[rng.randrange(100)]
            region_code, city, plz, areas = rng.choice(CITIES[country])
            spanish = country == "ES"
            first_names, last_names = (FIRST_ES, LAST_ES) if spanish else (FIRST_DE, LAST_DE)
            is_org = rng.random() < 0.2
            is_dealer = is_org and rng.random() < 0.15
            created = self.start - timedelta(seconds=rng.randrange(900 * 86400))
            archived = created + timedelta(days=30) if rng.random() < 0.01 else None
            if archived and archived > self.now:
                archived = None
            if is_org:
                name = (
                    f"{rng.choice(ORG_WORDS)} {rng.choice(last_names)} "
                    f"{rng.choice(ORG_ES if spanish else ORG_DE)}"
                )
            else:
                name = f"{rng.choice(first_names)} {rng.choice(last_names)}"
            language = "es" if spanish else ("de" if rng.random() < 0.95 else "en")
            street = rng.choice(STREETS_ES if spanish else STREETS_DE)
            postal = f"{plz}{rng.randrange(10 ** (5 - len(plz))):0{5 - len(plz)}d}"
            customer_rows.append(
                (cid, f"CU-{cid:06d}", "organisation" if is_org else "person", name, is_dealer,
                 self.regions[region_code].pk,
                 rng.choice(self.account_managers) if is_org and rng.random() < 0.5 else None,
                 language, f"DE{rng.randrange(10**8, 10**9)}" if is_org and not spanish else "",
                 "", created, created, archived, 1,
                 f"{street} {rng.randrange(1, 120)}", postal, city, country)
            )  # fmt: skip
            self.customer_country[cid] = country
            self.customer_archived[cid] = archived is not None
            self.customer_language[cid] = language
            if is_dealer:
                self.dealers.append(cid)
            n_contacts = rng.choice((1, 1, 2, 2, 3, 4)) if is_org else 1
            for k in range(n_contacts):
                contact_id += 1
                if is_org:
                    first, last = rng.choice(first_names), rng.choice(last_names)
                    cname = f"{first} {last}"
                    title = rng.choice(("Inhaber", "Einkauf", "Technik", "Gerente", ""))
                else:
                    cname, title = name, ""
                    first, last = name.split(" ", 1)
                primary = k == 0
                if primary:
                    self.customer_primary[cid] = contact_id
                contact_archived = created if (not primary and rng.random() < 0.05) else None
                contacts.append(
                    (contact_id, cid, cname, title, "", primary, created, contact_archived,
                     "", "", "", "")
                )  # fmt: skip
                labels = ("", "work", "private")
                if rng.random() < 0.85:
                    point_id += 1
                    domains = EMAIL_DOMAINS_ES if spanish else EMAIL_DOMAINS_DE
                    domain = (
                        f"{ascii_slug(name.split(' ')[1])}.{country.lower()}"
                        if is_org
                        else rng.choice(domains)
                    )
                    email = f"{ascii_slug(first)}.{ascii_slug(last)}{contact_id % 997}@{domain}"
                    points.append((point_id, contact_id, cid, "email", email, rng.choice(labels)))
                if rng.random() < 0.8:
                    point_id += 1
                    value = self.phone(country, True, "")
                    points.append((point_id, contact_id, cid, "mobile", value, ""))
                if rng.random() < (0.7 if is_org else 0.3):
                    point_id += 1
                    value = self.phone(country, False, rng.choice(areas))
                    points.append((point_id, contact_id, cid, "phone", value, rng.choice(labels)))
                if is_org and k == 0 and rng.random() < 0.1:
                    point_id += 1
                    value = self.phone(country, False, rng.choice(areas))
                    points.append((point_id, contact_id, cid, "fax", value, ""))
        self.dealers = self.dealers or [1]
        address = ("street", "postal_code", "city", "country")
        self.loader.load(
            Customer,
            ("id", "number", "kind", "name", "is_dealer", "region_id", "account_manager_id",
             "language", "vat_id", "notes", "created_at", "updated_at", "archived_at", "version",
             *address),
            customer_rows,
        )  # fmt: skip
        names = [(row[0], row[3], row[12] is not None) for row in customer_rows]
        live_contacts = [(row[0], row[1], row[2]) for row in contacts if row[7] is None]
        del customer_rows
        self.loader.load(
            Contact,
            ("id", "customer_id", "name", "title", "language", "is_primary", "created_at",
             "archived_at", *address),
            contacts,
        )  # fmt: skip
        del contacts
        self.loader.load(
            ContactPoint, ("id", "contact_id", "customer_id", "kind", "value", "label"), points
        )
        self.n_points = len(points)
        self.name_index(names, live_contacts)

    def name_index(
        self, customers: list[tuple[int, str, bool]], contacts: list[tuple[int, int, str]]
    ) -> None:
        """The name lookups' index (customers.NameWord), which the services keep and COPY
        bypasses: built from the same names with the same code (`customers.names`)."""
        from caseflow.customers.models import NameWord
        from caseflow.customers.names import index_rows

        self.loader.load(
            NameWord,
            ("word", "customer_id", "contact_id", "archived"),
            index_rows(customers, contacts),
        )

    # --- units and registrations ---------------------------------------------------------------

    def pick_customer(self) -> int:
        """Skewed: a few customers (dealers, chains) have many cases and units."""
        n = self.n_customers
        if self.rng.random() < 0.25:
            return 1 + int(n * self.rng.random() ** 3)
        return self.rng.randrange(1, n + 1)

    def units(self) -> None:
        from caseflow.catalog.models import Registration, Unit

        rng = self.rng
        n_units = max(1, int(self.n_cases / 2.5))
        per_product = dict.fromkeys((p["id"] for p in self.devices), 0)
        units: list[tuple] = []
        registrations: list[tuple] = []
        # customer -> [(unit id, product index, purchased_on, warranty_ends_on)]
        self.customer_units: dict[int, list[tuple[int, int, date, date]]] = {}
        reg_id = 0
        span = (self.today - (self.start.date() - timedelta(days=900))).days
        channels = ("card", "phone", "web", "web", "web", "dealer", "import")
        for uid in range(1, n_units + 1):
            index = bisect.bisect_right(self.device_cum, rng.random() * self.device_cum[-1])
            product = self.devices[index]
            per_product[product["id"]] += 1
            made = self.start.date() - timedelta(days=900) + timedelta(days=rng.randrange(span))
            serial = f"{product['sku'].replace('-', '')}{made:%y%m}{per_product[product['id']]:07d}"
            units.append((uid, product["id"], serial, made, "", datetime.combine(made, datetime.min.time(), UTC), None))  # fmt: skip  # noqa: E501
            purchased = min(made + timedelta(days=rng.randrange(0, 200)), self.today)
            customer = self.pick_customer()
            dealer = rng.choice(self.dealers) if rng.random() < 0.25 else None
            if rng.random() < 0.04 and purchased < self.today - timedelta(days=60):
                # registered to someone else first (resold, or a registration mistake)
                first_customer = self.pick_customer()
                ended = purchased + timedelta(days=rng.randrange(1, (self.today - purchased).days))
                reg_id += 1
                registrations.append(
                    (reg_id, uid, first_customer, None, purchased, purchased,
                     add_months(purchased, product["months"]), "card",
                     datetime.combine(purchased, datetime.min.time(), UTC),
                     datetime.combine(ended, datetime.min.time(), UTC))
                )  # fmt: skip
                purchased = ended
            delay = timedelta(days=rng.choice((0, 0, 1, 3, 14, 60)))
            registered = min(purchased + delay, self.today)
            warranty = add_months(purchased, product["months"])
            reg_id += 1
            registrations.append(
                (reg_id, uid, customer, dealer, purchased, registered, warranty,
                 rng.choice(channels), datetime.combine(registered, datetime.min.time(), UTC), None)
            )  # fmt: skip
            self.customer_units.setdefault(customer, []).append(
                (uid, self.products.index(product), purchased, warranty)
            )
        self.loader.load(
            Unit,
            ("id", "product_id", "serial", "manufactured_on", "notes", "created_at", "archived_at"),
            units,
        )
        self.n_units = len(units)
        del units
        self.loader.load(
            Registration,
            ("id", "unit_id", "customer_id", "dealer_id", "purchased_on", "registered_on",
             "warranty_ends_on", "channel", "created_at", "ended_at"),
            registrations,
        )  # fmt: skip

    # --- cases ---------------------------------------------------------------------------------

    def received_times(self) -> list[datetime]:
        """N moments over three years: volume grows, office hours, fewer at weekends."""
        rng = self.rng
        days = (self.now - self.start).days
        hours = list(range(24))
        hour_cum = list(itertools.accumulate(HOUR_WEIGHTS))
        start_local = self.start.astimezone(BERLIN).date()
        result = []
        for _ in range(self.n_cases):
            for _attempt in range(4):
                t = -1 + (1 + 3 * rng.random()) ** 0.5  # density grows linearly, 1 → 2
                day = start_local + timedelta(days=int(t * days))
                if day.weekday() < 5 or rng.random() < 0.25:
                    break
            hour = hours[bisect.bisect_right(hour_cum, rng.random() * hour_cum[-1])]
            local = datetime(
                day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                rng.randrange(1_000_000), tzinfo=BERLIN,
            )  # fmt: skip
            moment = local.astimezone(UTC)
            result.append(min(moment, self.now - timedelta(seconds=rng.randrange(1, 3600))))
        result.sort()
        return result

    def pick_owner(self) -> tuple[int, str, int]:
        r = self.rng.random() * self.owner_cum[-1]
        return self.owners[bisect.bisect_right(self.owner_cum, r)]

    def cases(self) -> None:
        from caseflow.cases.models import Case
        from caseflow.core.models import Sequence

        rng = self.rng
        times = self.received_times()
        prio_codes, prio_weights = ("P1", "P2", "P3", "P4"), (3, 15, 70, 12)
        prio_cum = list(itertools.accumulate(prio_weights))
        channel_cum = list(itertools.accumulate((45, 30, 15, 5, 5)))
        channel_names = ("phone", "email", "web", "counter", "sms")
        waiting = ("waiting_customer", "waiting_vendor", "waiting_parts")
        per_year: dict[int, int] = {}
        rows: list[tuple] = []
        # what the events and audit passes need: (id, number, customer, received, resolved,
        # closed, status, owner, channel, subject, case_type, resolution general/specific)
        self.case_info: list[tuple] = []
        for cid, received in enumerate(times, start=1):
            year = received.astimezone(BERLIN).year
            per_year[year] = per_year.get(year, 0) + 1
            number = f"C-{year}-{per_year[year]:06d}"
            customer = self.pick_customer()
            if self.customer_archived[customer]:
                customer = customer % self.n_customers + 1
            channel = channel_names[bisect.bisect_right(channel_cum, rng.random() * 100)]
            priority = prio_codes[bisect.bisect_right(prio_cum, rng.random() * 100)]
            received_day = received.astimezone(BERLIN).date()
            unit_id = product_id = None
            product_type = None
            suggested = "billable"
            candidates = [u for u in self.customer_units.get(customer, ()) if u[2] <= received_day]
            if candidates and rng.random() < 0.85:
                unit_id, pindex, _purchased, warranty = rng.choice(candidates)
                product = self.products[pindex]
                product_id, product_type = product["id"], product["type"]
                suggested = "warranty" if received_day <= warranty else "billable"
            elif rng.random() < 0.3:
                product = rng.choice(self.devices)
                product_id, product_type = product["id"], product["type"]
            case_type, type_reason = suggested, ""
            if suggested == "billable" and rng.random() < 0.05:
                case_type, type_reason = "courtesy", "Long-standing customer, goodwill repair."
            elif suggested == "warranty" and rng.random() < 0.02:
                case_type, type_reason = "billable", "Damage caused by the user (dropped)."
            subject, symptom, diagnosis_text, solution_text = case_texts(
                rng, product_type, self.customer_language[customer]
            )
            if rng.random() < 0.1:  # a few stock phrasings, as agents type them
                subject = rng.choice(SUBJECTS[product_type if product_type in SUBJECTS else None])
                symptom = f"{symptom} {rng.choice(SYMPTOMS)}"
            # how it went
            stuck = rng.random() < 0.005  # forgotten cases: still open years later
            resolve_after = lognormal_hours(rng, 30, 1.4)
            resolved = None if stuck else received + resolve_after
            if resolved is not None and resolved > self.now:
                resolved = None
            closed = None
            if resolved is not None and rng.random() < 0.97:
                closed = resolved + lognormal_hours(rng, 72, 1.0)
                if closed > self.now:
                    closed = None
            if closed is not None:
                status = "closed"
            elif resolved is not None:
                status = "resolved"
            else:
                age = self.now - received
                if age < timedelta(hours=4) and rng.random() < 0.7:
                    status = "new"
                else:
                    status = "open" if rng.random() < 0.55 else rng.choice(waiting)
            done = resolved is not None
            owner = self.pick_owner() if (done or status != "new" or rng.random() < 0.2) else None
            reason_g = reason_s = res_g = res_s = None
            if done or rng.random() < 0.4:
                reason_g, _code, children = rng.choice(self.codes["reason"])
                reason_s = rng.choice(children)[0] if rng.random() < 0.8 else None
            if done:
                res_g, _res_code, children = rng.choice(self.codes["resolution"])
                res_s, _res_s_code = rng.choice(children)
            diagnosis = diagnosis_text if done or rng.random() < 0.3 else ""
            solution = (solution_text or "Answered.") if done else ""
            promised = None
            if rng.random() < 0.2:
                promised = received_day + timedelta(days=rng.randrange(3, 15))
            updated = closed or resolved or received
            rows.append(
                (cid, number, channel, customer, self.customer_primary[customer], unit_id,
                 product_id, None, subject, symptom, case_type, suggested, type_reason,
                 self.priorities[priority], status, reason_g, reason_s, res_g, res_s,
                 owner[0] if owner else None, owner[2] if owner else None, received, promised,
                 diagnosis, solution, resolved, closed, received, updated,
                 1 + (status != "new") + done + (closed is not None))
            )  # fmt: skip
            self.case_info.append(
                (cid, number, customer, received, resolved, closed, status, owner, channel,
                 subject, case_type, (res_g, res_s), solution)
            )  # fmt: skip
        self.per_year = per_year
        self.loader.load(
            Case,
            ("id", "number", "channel", "customer_id", "contact_id", "unit_id", "product_id",
             "sales_order_id", "subject", "symptom", "case_type", "suggested_case_type",
             "case_type_reason", "priority_id", "status", "reason_general_id",
             "reason_specific_id", "resolution_general_id", "resolution_specific_id", "owner_id",
             "team_id", "received_at", "promised_by", "diagnosis", "solution", "resolved_at",
             "closed_at", "created_at", "updated_at", "version"),
            rows,
        )  # fmt: skip
        del rows
        for year, last in per_year.items():
            Sequence.objects.update_or_create(
                name="case", period=str(year), defaults={"last_value": last}
            )
        Sequence.objects.update_or_create(
            name="customer", period="", defaults={"last_value": self.n_customers}
        )

    # --- timeline events -----------------------------------------------------------------------

    def events(self) -> Iterator[tuple]:
        rng = self.rng
        et = self.event_types
        interactions = (
            ("call_in", 25), ("call_out", 15), ("email_in", 15), ("email_out", 15),
            ("note", 15), ("status_changed", 8), ("scheduling", 4), ("sms_out", 3),
        )  # fmt: skip
        kinds = [k for k, _w in interactions]
        kind_cum = list(itertools.accumulate(w for _k, w in interactions))
        eid = 0
        self.n_events = 0
        empty = "{}"
        for cid, _n, _c, received, resolved, closed, _s, owner, channel, *_rest in self.case_info:
            end = closed or resolved or self.now
            span = max((end - received).total_seconds(), 60.0)
            actor = owner[0] if owner else None
            events: list[tuple] = []
            events.append(
                (et["created"], received, actor, channel, "", True, None, "",
                 json.dumps({"case_type": _rest[1]}))
            )  # fmt: skip
            if owner:
                events.append(
                    (et["assigned"], received + timedelta(seconds=span * 0.01), actor, "ui", "",
                     True, None, "", json.dumps({"owner": owner[0]}))
                )  # fmt: skip
            if rng.random() < 0.005:
                extra = rng.randrange(40, 56)
            else:
                extra = min(int(rng.expovariate(1 / 1.6)), 30)
            for _ in range(extra):
                kind = kinds[bisect.bisect_right(kind_cum, rng.random() * kind_cum[-1])]
                when = received + timedelta(seconds=span * (0.02 + 0.96 * rng.random()))
                duration = outcome = None
                data = empty
                internal = True
                text = ""
                ev_channel = "ui"
                if kind in ("call_in", "call_out"):
                    duration = rng.randrange(30, 1500)
                    outcome = "reached"
                    if kind == "call_out" and rng.random() < 0.3:
                        outcome = rng.choice(("not_reached", "call_back"))
                    text, ev_channel, internal = rng.choice(CALL_NOTES), "phone", False
                elif kind == "email_in":
                    text, ev_channel, internal = rng.choice(EMAIL_IN), "email", False
                elif kind == "email_out":
                    text, ev_channel, internal = rng.choice(EMAIL_OUT), "email", False
                elif kind == "sms_out":
                    text, ev_channel, internal = "Your device is ready for pick-up.", "sms", False
                elif kind == "status_changed":
                    data = '{"before": "open", "after": "waiting_customer"}'
                elif kind == "note":
                    text = rng.choice(NOTES)
                else:
                    text = "Pick-up scheduled."
                events.append(
                    (et[kind], when, actor, ev_channel, text, internal, duration, outcome or "",
                     data)
                )  # fmt: skip
            if resolved is not None:
                res = _rest[2]
                events.append(
                    (et["resolved"], resolved, actor, "ui", "", True, None, "",
                     json.dumps({"general": self.code_of[res[0]],
                                 "specific": self.code_of[res[1]]}))
                )  # fmt: skip
            if closed is not None:
                events.append((et["closed"], closed, actor, "ui", "", True, None, "", empty))
            events.sort(key=lambda e: e[1])
            for ev in events:
                eid += 1
                yield (eid, cid, ev[0], ev[1], ev[1], *ev[2:])
        self.n_events = eid

    # --- audit chains --------------------------------------------------------------------------

    def audit_rows(self) -> Iterator[tuple]:
        from caseflow.core.audit import GENESIS, _digest

        self.heads: list[tuple[str, int, str]] = []
        eid = 0
        for (cid, number, customer, received, resolved, closed, status, owner, channel, subject,
             case_type, res, solution) in self.case_info:  # fmt: skip
            chain = f"cases.case:{cid}"
            target = str(cid)
            actor_id, label = (owner[0], owner[1]) if owner else (None, "system")
            links: list[tuple[str, str, datetime, Any, Any]] = [
                ("case.opened", channel, received, None,
                 {"number": number, "customer": customer, "subject": subject,
                  "case_type": case_type, "status": "new",
                  "owner": owner[0] if owner else None}),
            ]  # fmt: skip
            if resolved is None and status != "new":
                # the active case left "new": its status change is recorded like the
                # service's (verify_audit compares the case's status with the last one)
                links.append(
                    ("case.status_changed", "ui", received + timedelta(minutes=5),
                     {"status": "new"}, {"status": status})
                )  # fmt: skip
            if resolved is not None:
                before = {"status": "open", "resolution_general": None,
                          "resolution_specific": None, "solution": ""}  # fmt: skip
                after = {"status": "resolved", "resolution_general": res[0],
                         "resolution_specific": res[1], "solution": solution}  # fmt: skip
                links.append(("case.resolved", "ui", resolved, before, after))
            if closed is not None:
                links.append(
                    ("case.closed", "ui", closed, {"status": "resolved"}, {"status": "closed"})
                )
            prev = GENESIS
            for seq, (action, ch, when, before, after) in enumerate(links, start=1):
                digest = _digest(
                    chain=chain, seq=seq, created_at=when, actor_id=actor_id, actor_label=label,
                    channel=ch, action=action, target_type="cases.case", target_id=target,
                    before=before, after=after, prev_hash=prev,
                )  # fmt: skip
                eid += 1
                yield (
                    eid, chain, seq, when, actor_id, label, ch, action, "cases.case", target,
                    None if before is None else json.dumps(before),
                    json.dumps(after), prev, digest,
                )  # fmt: skip
                prev = digest
            self.heads.append((chain, len(links), prev))

    # --- the whole load ------------------------------------------------------------------------

    def run(self) -> None:
        from caseflow.cases.models import Case, TimelineEvent
        from caseflow.catalog.models import Registration, Unit
        from caseflow.core.models import AuditChainHead, AuditEntry
        from caseflow.customers.models import Contact, ContactPoint, Customer, NameWord

        if Case.objects.exists() or Customer.objects.exists():
            raise SystemExit("the database already holds customers or cases: use --reset")
        started = time.perf_counter()
        self.reference_data()
        bulk = [Customer, Contact, ContactPoint, NameWord, Unit, Registration, Case, TimelineEvent]
        if self.with_audit:
            bulk += [AuditEntry, AuditChainHead]
        for model in bulk:
            self.loader.strip_table(model)
        print(f"loading {self.n_cases:,} cases ({self.loader.vendor})", flush=True)
        self.customers()
        self.units()
        self.cases()
        self.loader.load(
            TimelineEvent,
            ("id", "case_id", "event_type_id", "occurred_at", "created_at", "actor_id", "channel",
             "text", "is_internal", "call_duration", "call_outcome", "data"),
            self.events(),
        )  # fmt: skip
        if self.with_audit:
            self.loader.load(
                AuditEntry,
                ("id", "chain", "seq", "created_at", "actor_id", "actor_label", "channel",
                 "action", "target_type", "target_id", "before", "after", "prev_hash", "hash"),
                self.audit_rows(),
            )  # fmt: skip
            self.loader.load(AuditChainHead, ("chain", "last_seq", "last_hash"), self.heads)
        loaded = time.perf_counter() - started
        total = self.loader.rows_total
        print(
            f"rows written: {total:,} in {loaded:.1f} s "
            f"({total / loaded:,.0f} rows/s overall; "
            f"{total / self.loader.seconds_total:,.0f} rows/s while writing)",
            flush=True,
        )
        self.loader.finish()
        elapsed = time.perf_counter() - started
        years = ", ".join(f"{y}: {n:,}" for y, n in sorted(self.per_year.items()))
        print(f"cases per year: {years}")
        print(
            f"customers {self.n_customers:,}, contact points {self.n_points:,}, units "
            f"{self.n_units:,}, events {self.n_events:,} "
            f"({self.n_events / self.n_cases:.1f} per case)"
        )
        print(f"done in {elapsed:.1f} s ({total / elapsed:,.0f} rows/s including index builds)")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    prepare_database(args.database_url, args.reset)
    setup_django(args.database_url)
    step = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrated in {time.perf_counter() - step:.1f} s", flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    Generator(args.cases, args.seed, with_audit=not args.no_audit).run()
    if not args.no_search_index:
        build_search_index()


def build_search_index() -> None:
    """COPY bypasses the services, so the cases' full-text index is built afterwards."""
    from django.core.management import get_commands

    if "reindex_search" not in get_commands():
        return
    step = time.perf_counter()
    call_command("reindex_search")
    print(f"search index built in {time.perf_counter() - step:.1f} s", flush=True)


if __name__ == "__main__":
    main()
