"""Fill an empty database with a believable demo company: `manage.py seed_demo [--cases N]`.

Baristo, a maker of espresso machines, grinders and milk frothers, runs its after-sales
service for Germany and Spain in Caseflow: about 30 products, 200 customers (people, cafés,
hotels, offices and dealers) with contacts in local notation, 400 sold and registered units,
sales orders, service contracts and 300 cases in every status, type and priority, each with
its timeline of calls, e-mails, notes, supplies and decisions.

Everything is written through the services, as staff users of each role (agent1, agent2,
tech1, tech2, lead1, backoffice1, quality1; password "demo") or as the system (ERP orders),
so every row has its timeline and audit entries and `verify_audit` passes. The history is
replayed on a simulated clock, step by step in time order: a case received in March was
resolved in March, and its audit entries say so.

Deterministic (`--seed`), idempotent (a second run does nothing), and `--cases N` tops the
case count up to N. It refuses a database that holds other data than its own.
"""

from __future__ import annotations

import random
import struct
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from caseflow.accounts.models import Role, Team, User
from caseflow.cases import services as case_services
from caseflow.cases.models import Case, CaseStatus, CaseType, Code, CodeKind, Priority
from caseflow.catalog import services as catalog_services
from caseflow.catalog.models import Product, ProductKind, Registration, Unit
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.customers import services as customer_services
from caseflow.customers.models import Customer, CustomerKind, Region

MARKER_SKU = "BA-E100"  # the first demo product: its presence means the demo is loaded
PASSWORD = "demo"  # noqa: S105 - a laptop demo's published password

# --- the company's data --------------------------------------------------------------------

STAFF = [
    # username, first name, last name, role, language, time zone
    ("agent1", "Anna", "Berger", Role.AGENT, "de", "Europe/Berlin"),
    ("agent2", "Lucía", "Romero", Role.AGENT, "es", "Europe/Madrid"),
    ("tech1", "Jonas", "Keller", Role.TECHNICIAN, "de", "Europe/Berlin"),
    ("tech2", "Pau", "Ferrer", Role.TECHNICIAN, "es", "Europe/Madrid"),
    ("lead1", "Sabine", "Hoffmann", Role.TEAM_LEAD, "de", "Europe/Berlin"),
    ("backoffice1", "Carmen", "Ortega", Role.BACK_OFFICE, "es", "Europe/Madrid"),
    ("quality1", "Thomas", "Brandt", Role.QUALITY_MANAGER, "de", "Europe/Berlin"),
]
TEAMS = [
    # name, lead, members
    ("Support Deutschland", "lead1", ("agent1", "tech1")),
    ("Soporte España", "lead1", ("agent2", "tech2")),
    ("Werkstatt / Taller", "lead1", ("tech1", "tech2")),
]
REGIONS = [
    ("DE-N", "Deutschland Nord", "DE"),
    ("DE-S", "Deutschland Süd", "DE"),
    ("ES-M", "España Centro (Madrid)", "ES"),
    ("ES-B", "Catalunya (Barcelona)", "ES"),
]
# city, postal code prefix, region, phone area code (national notation)
CITIES = {
    "DE": [
        ("Hamburg", "201", "DE-N", "040"), ("Bremen", "281", "DE-N", "0421"),
        ("Hannover", "301", "DE-N", "0511"), ("Berlin", "101", "DE-N", "030"),
        ("Kiel", "241", "DE-N", "0431"), ("Köln", "506", "DE-N", "0221"),
        ("München", "803", "DE-S", "089"), ("Stuttgart", "701", "DE-S", "0711"),
        ("Nürnberg", "904", "DE-S", "0911"), ("Augsburg", "861", "DE-S", "0821"),
        ("Freiburg im Breisgau", "790", "DE-S", "0761"),
        ("Frankfurt am Main", "603", "DE-S", "069"),
    ],
    "ES": [
        ("Madrid", "280", "ES-M", "91"), ("Alcalá de Henares", "288", "ES-M", "91"),
        ("Getafe", "289", "ES-M", "91"), ("Toledo", "450", "ES-M", "925"),
        ("Guadalajara", "190", "ES-M", "949"), ("Barcelona", "080", "ES-B", "93"),
        ("Badalona", "089", "ES-B", "93"), ("Sabadell", "082", "ES-B", "93"),
        ("Girona", "170", "ES-B", "972"), ("Tarragona", "430", "ES-B", "977"),
    ],
}  # fmt: skip
STREETS = {
    "DE": ["Hauptstraße", "Bahnhofstraße", "Lindenweg", "Gartenstraße", "Schillerstraße",
           "Goethestraße", "Am Markt", "Kirchgasse", "Bergstraße", "Mühlenweg", "Rosenstraße",
           "Hafenstraße"],
    "ES": ["Calle Mayor", "Calle de Alcalá", "Avenida de la Constitución", "Calle del Sol",
           "Carrer de Mallorca", "Calle Real", "Plaza de España", "Calle San Juan",
           "Carrer de Balmes", "Paseo de la Castellana", "Calle de Toledo", "Rambla Nova"],
}  # fmt: skip
FIRST = {
    "DE": ["Anna", "Lukas", "Sophie", "Maximilian", "Laura", "Jonas", "Lea", "Felix",
           "Katharina", "Tobias", "Julia", "Stefan", "Sabine", "Thomas", "Monika", "Andreas",
           "Petra", "Michael", "Claudia", "Jürgen", "Birgit", "Matthias", "Sandra", "Frank",
           "Ursula", "Klaus", "Heike", "Uwe", "Martina", "Jörg"],
    "ES": ["María", "José", "Carmen", "Antonio", "Lucía", "Manuel", "Laura", "Francisco",
           "Marta", "David", "Ana", "Javier", "Cristina", "Daniel", "Isabel", "Carlos",
           "Elena", "Miguel", "Pilar", "Alejandro", "Sara", "Pablo", "Raquel", "Sergio",
           "Núria", "Jordi", "Montserrat", "Pau"],
}  # fmt: skip
LAST = {
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
           "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann",
           "Lange", "Werner", "Krause", "Lehmann", "Vogel", "Friedrich", "Peters"],
    "ES": ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
           "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno",
           "Álvarez", "Muñoz", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres",
           "Domínguez", "Vázquez", "Ramos", "Puig", "Vila", "Ferrer", "Soler", "Serra"],
}  # fmt: skip
ORGANISATIONS = {
    "DE": [("Café", "Café {n}"), ("Hotel", "Hotel {n}"), ("Bäckerei", "Bäckerei {last}"),
           ("Kanzlei", "Kanzlei {last} & Partner"), ("Rösterei", "Rösterei {n}"),
           ("Bistro", "Bistro {n}"), ("Büro", "{last} Immobilien GmbH")],
    "ES": [("Cafetería", "Cafetería {n}"), ("Hotel", "Hotel {n}"),
           ("Restaurante", "Restaurante {n}"), ("Oficinas", "Oficinas {last} SL"),
           ("Panadería", "Panadería {n}"), ("Bar", "Bar {n}")],
}  # fmt: skip
ORG_NAMES = {
    "DE": ["Seeblick", "am Hafen", "Lindenhof", "Sonnenschein", "Altstadt", "Zur Post",
           "Kaffeeklatsch", "Nordlicht", "Alpenblick", "Rathaus", "Bohne", "Stadtgarten"],
    "ES": ["La Plaza", "Miramar", "El Olivo", "Santa Ana", "Sol y Sombra", "La Rambla",
           "El Retiro", "Ca la Núria", "Los Arcos", "La Estación", "El Puerto", "Nova"],
}  # fmt: skip
DEALERS = {
    "DE": ["Kaffee & Technik {last} GmbH", "Elektro {last} KG", "Espresso-Welt {last} GmbH",
           "Haushaltswaren {last} OHG"],
    "ES": ["Cafés y Máquinas {last} SL", "Distribuciones {last} SA",
           "Electrodomésticos {last} SL", "Hostelería {last} SL"],
}  # fmt: skip
CONTACT_TITLES = {
    "DE": ["Inhaberin", "Inhaber", "Geschäftsführung", "Einkauf", "Küchenchef", "Empfang"],
    "ES": ["Propietaria", "Propietario", "Gerencia", "Compras", "Jefe de cocina", "Recepción"],
}

PRODUCT_TYPES = [
    ("ESPRESSO", "Espresso machines"),
    ("GRINDER", "Coffee grinders"),
    ("FROTHER", "Milk frothers"),
    ("PARTS", "Spare parts"),
    ("CARE", "Care and consumables"),
    ("SERVICE", "Service and labour"),
]
# sku, name, kind, type, warranty months, price, cost, serial prefix (devices)
PRODUCTS = [
    ("BA-E100", "Baristo Casa E100 espresso machine", "device", "ESPRESSO", 24, "449.00", "210.00", "BE1"),  # noqa: E501
    ("BA-E200", "Baristo Casa E200 Duo espresso machine", "device", "ESPRESSO", 24, "699.00", "330.00", "BE2"),  # noqa: E501
    ("BA-E300C", "Baristo Connect E300 espresso machine (app)", "device", "ESPRESSO", 24, "899.00", "420.00", "BE3"),  # noqa: E501
    ("BA-P500", "Baristo Pro P500 dual boiler", "device", "ESPRESSO", 24, "2490.00", "1150.00", "BP5"),  # noqa: E501
    ("BA-P700", "Baristo Pro P700 two-group machine", "device", "ESPRESSO", 12, "5890.00", "2900.00", "BP7"),  # noqa: E501
    ("BA-G10", "Baristo G10 conical burr grinder", "device", "GRINDER", 24, "229.00", "95.00", "BG1"),  # noqa: E501
    ("BA-G40", "Baristo G40 Pro flat burr grinder", "device", "GRINDER", 24, "649.00", "290.00", "BG4"),  # noqa: E501
    ("BA-F1", "Baristo F1 milk frother", "device", "FROTHER", 12, "89.90", "31.00", "BF1"),
    ("BA-F3", "Baristo F3 induction milk frother", "device", "FROTHER", 24, "149.00", "58.00", "BF3"),  # noqa: E501
    ("SP-PUMP-15", "Vibration pump 15 bar", "spare_part", "PARTS", 6, "39.90", "14.00", ""),
    ("SP-HEAT-1300", "Heating element 1300 W", "spare_part", "PARTS", 6, "54.00", "19.00", ""),
    ("SP-BREW", "Brew group (Casa series)", "spare_part", "PARTS", 6, "89.00", "36.00", ""),
    ("SP-GASKET", "Group head gasket set", "spare_part", "PARTS", 0, "9.90", "2.10", ""),
    ("SP-BURR-G10", "Conical burr set G10", "spare_part", "PARTS", 6, "34.50", "11.00", ""),
    ("SP-BURR-G40", "Flat burr set 64 mm G40", "spare_part", "PARTS", 6, "79.00", "27.00", ""),
    ("SP-TANK", "Water tank 1.8 l", "spare_part", "PARTS", 0, "24.90", "6.50", ""),
    ("SP-WAND", "Steam wand with tip", "spare_part", "PARTS", 6, "29.00", "9.00", ""),
    ("SP-BOARD-E300", "Control board E300", "spare_part", "PARTS", 6, "129.00", "48.00", ""),
    ("SP-WHISK-F", "Frother whisk with magnet", "spare_part", "PARTS", 0, "12.50", "2.40", ""),
    ("SP-SEAL-F", "Frother lid seal", "spare_part", "PARTS", 0, "6.90", "0.90", ""),
    ("SP-SENSOR", "Temperature sensor NTC", "spare_part", "PARTS", 6, "18.00", "4.20", ""),
    ("CS-DESCALE", "Descaler 500 ml", "consumable", "CARE", 0, "12.90", "3.10", ""),
    ("CS-TABS", "Cleaning tablets (100)", "consumable", "CARE", 0, "14.90", "3.80", ""),
    ("CS-FILTER", "Water filter cartridge", "consumable", "CARE", 0, "11.90", "2.90", ""),
    ("CS-MILKCLEAN", "Milk system cleaner 1 l", "consumable", "CARE", 0, "16.90", "4.40", ""),
    ("LB-DIAG", "Diagnosis flat fee", "labour", "SERVICE", 0, "49.00", "0.00", ""),
    ("LB-HOUR", "Workshop labour (hour)", "labour", "SERVICE", 0, "79.00", "0.00", ""),
    ("LB-ONSITE", "On-site visit", "labour", "SERVICE", 0, "129.00", "0.00", ""),
    ("LB-SHIP", "Return shipping and packaging", "labour", "SERVICE", 0, "19.90", "0.00", ""),
    ("LB-DESCALE", "Professional descaling service", "labour", "SERVICE", 0, "39.00", "0.00", ""),
]  # fmt: skip
DEVICES = [p[0] for p in PRODUCTS if p[2] == "device"]
PRO = ("BA-P500", "BA-P700", "BA-G40")
HOME = ("BA-E100", "BA-E200", "BA-E300C", "BA-G10", "BA-F1", "BA-F3")
ESPRESSO = ("BA-E100", "BA-E200", "BA-E300C", "BA-P500", "BA-P700")


@dataclass(frozen=True)
class Scenario:
    """A kind of problem: which devices have it, its codes, its course and its words."""

    key: str
    products: tuple[str, ...]  # device SKUs it happens on; () = a case without a unit
    reason: tuple[str, str | None]
    resolutions: tuple[str, ...]  # specific resolution codes it may end with
    waiting: str | None = None  # the waiting state on its way
    parts: tuple[tuple[str, str], ...] = ()  # (sku, quantity) used when repaired
    product: str = ""  # for a case without a unit: the product it is about
    photo: bool = False
    text: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # subject, symptom, diagnosis


SCENARIOS = [
    Scenario(
        "descale", ESPRESSO[:3], ("USER", "USER-OP"), ("ADV-PHONE", "ADV-WORK"),
        waiting=CaseStatus.WAITING_CUSTOMER, parts=(("CS-DESCALE", "2"),),
        text={
            "de": ("Kaffee läuft nur tröpfchenweise",
                   "Seit einigen Tagen läuft der Kaffee nur noch sehr langsam durch. Entkalkt "
                   "habe ich die Maschine, glaube ich, noch nie.",
                   "Starke Verkalkung; die Entkalkungsanzeige wurde monatelang ignoriert."),
            "es": ("El café sale a gotas",
                   "Desde hace unos días el café sale muy despacio. Creo que nunca he "
                   "descalcificado la máquina.",
                   "Mucha cal; se ignoró el aviso de descalcificación durante meses."),
            "en": ("Coffee only drips out",
                   "For a few days the coffee has been running very slowly. I don't think I "
                   "have ever descaled the machine.",
                   "Heavy scale; the descaling reminder was ignored for months."),
        },
    ),
    Scenario(
        "cup-volume", ESPRESSO[:3], ("USER", "USER-DOC"), ("ADV-PHONE",),
        text={
            "de": ("Tassenmenge lässt sich nicht programmieren",
                   "In der Anleitung steht, man soll die Taste gedrückt halten, aber die "
                   "Menge bleibt immer gleich.",
                   "Anleitung Seite 14 missverständlich: Taste muss während des Bezugs "
                   "gehalten werden."),
            "es": ("No consigo programar la cantidad por taza",
                   "El manual dice que mantenga pulsado el botón, pero la cantidad no cambia.",
                   "Manual página 14 poco claro: hay que mantener el botón durante la "
                   "extracción."),
            "en": ("Can't program the cup volume",
                   "The manual says to hold the button, but the volume never changes.",
                   "Manual page 14 is unclear: the button must be held while brewing."),
        },
    ),
    Scenario(
        "grind-fine", ("BA-G10", "BA-G40"), ("CONF", "CONF-SET"), ("FIX-CONF",),
        text={
            "de": ("Mühle mahlt zu fein, Espresso läuft nicht",
                   "Der Espresso kommt gar nicht mehr durch, das Pulver ist wie Mehl.",
                   "Mahlgrad auf Stufe 1 verstellt, Siebträger verdichtet."),
            "es": ("El molinillo muele demasiado fino",
                   "El espresso ya no sale, el café molido parece harina.",
                   "Molienda en el nivel 1; el portafiltro queda compactado."),
            "en": ("Grinder grinds too fine",
                   "The espresso no longer runs through; the grounds look like flour.",
                   "Grind set to level 1; the portafilter chokes."),
        },
    ),
    Scenario(
        "app-wifi", ("BA-E300C",), ("CONF", "CONF-NET"), ("FIX-CONF", "ADV-WORK"),
        waiting=CaseStatus.WAITING_CUSTOMER,
        text={
            "de": ("App findet die Maschine nicht",
                   "Die Baristo-App sucht ewig und meldet dann 'Gerät nicht gefunden'.",
                   "Router sendet nur im 5-GHz-Band; die Maschine braucht 2,4 GHz."),
            "es": ("La app no encuentra la máquina",
                   "La app de Baristo busca mucho rato y luego dice 'dispositivo no "
                   "encontrado'.",
                   "El router solo emite en 5 GHz; la máquina necesita 2,4 GHz."),
            "en": ("The app cannot find the machine",
                   "The Baristo app searches for ages and then says 'device not found'.",
                   "The router only uses 5 GHz; the machine needs 2.4 GHz."),
        },
    ),
    Scenario(
        "error-e05", ("BA-E300C", "BA-E200"), ("SOFT", "SOFT-BUG"), ("FIX-UPD", "VEND-CR"),
        waiting=CaseStatus.WAITING_VENDOR,
        text={
            "de": ("Display zeigt Fehler E05",
                   "Nach dem Aufheizen erscheint E05 und die Maschine geht aus.",
                   "Bekannter Fehler der Firmware 2.3.1 in der Temperaturregelung."),
            "es": ("La pantalla muestra el error E05",
                   "Después de calentar aparece E05 y la máquina se apaga.",
                   "Fallo conocido del firmware 2.3.1 en el control de temperatura."),
            "en": ("Display shows error E05",
                   "After heating up, E05 appears and the machine switches off.",
                   "Known bug in firmware 2.3.1's temperature control."),
        },
    ),
    Scenario(
        "wish-profile", ("BA-E300C",), ("SOFT", "SOFT-WISH"), ("VEND-CR", "VEND-REJ"),
        waiting=CaseStatus.WAITING_VENDOR,
        text={
            "de": ("Wunsch: zweites Benutzerprofil in der App",
                   "Meine Frau und ich trinken unterschiedlich starken Kaffee. Kann die App "
                   "zwei Profile speichern?",
                   "Funktion nicht vorhanden; als Änderungswunsch an den Hersteller."),
            "es": ("Sugerencia: segundo perfil de usuario en la app",
                   "Mi pareja y yo tomamos el café con distinta intensidad. ¿Puede la app "
                   "guardar dos perfiles?",
                   "Función no disponible; se traslada al fabricante como sugerencia."),
            "en": ("Request: a second user profile in the app",
                   "My partner and I like different strengths. Can the app keep two profiles?",
                   "Not available; passed to the manufacturer as a change request."),
        },
    ),
    Scenario(
        "pump", ("BA-E100", "BA-E200"), ("HARD", "HARD-DEF"), ("FIX-PART", "RMA-REP"),
        waiting=CaseStatus.WAITING_PARTS, parts=(("SP-PUMP-15", "1"), ("LB-HOUR", "1")),
        text={
            "de": ("Pumpe brummt, aber es kommt kein Wasser",
                   "Die Maschine brummt laut, aber aus dem Brühkopf kommt nichts.",
                   "Vibrationspumpe defekt (Wicklung), Wassertank und Ventil in Ordnung."),
            "es": ("La bomba hace ruido pero no sale agua",
                   "La máquina zumba fuerte pero no sale nada por el grupo.",
                   "Bomba de vibración averiada (bobinado); depósito y válvula bien."),
            "en": ("Pump hums but no water comes out",
                   "The machine hums loudly but nothing comes out of the group head.",
                   "Vibration pump defective (winding); tank and valve fine."),
        },
    ),
    Scenario(
        "heating", ESPRESSO, ("HARD", "HARD-DEF"), ("RMA-REP", "RMA-EXCH"),
        waiting=CaseStatus.WAITING_PARTS,
        parts=(("SP-HEAT-1300", "1"), ("SP-SENSOR", "1"), ("LB-HOUR", "1.5"), ("LB-SHIP", "1")),
        text={
            "de": ("Maschine heizt nicht mehr auf",
                   "Seit heute Morgen bleibt die Maschine kalt, die Lampe blinkt.",
                   "Heizelement durchgebrannt, Thermosicherung ausgelöst."),
            "es": ("La máquina no calienta",
                   "Desde esta mañana la máquina no calienta y la luz parpadea.",
                   "Resistencia quemada; fusible térmico disparado."),
            "en": ("Machine no longer heats up",
                   "Since this morning the machine stays cold and the light blinks.",
                   "Heating element burnt out; thermal fuse tripped."),
        },
    ),
    Scenario(
        "burrs", ("BA-G10", "BA-G40"), ("HARD", "HARD-WEAR"), ("FIX-PART",),
        waiting=CaseStatus.WAITING_PARTS, parts=(("BURR", "1"), ("LB-HOUR", "0.5")),
        text={
            "de": ("Mühle wird laut, Mahlgut ungleichmäßig",
                   "Die Mühle ist viel lauter als früher und das Pulver ist mal grob, mal fein.",
                   "Mahlscheiben abgenutzt (hoher Durchsatz)."),
            "es": ("El molinillo hace ruido y muele irregular",
                   "El molinillo suena mucho más que antes y la molienda es irregular.",
                   "Muelas desgastadas (mucho uso)."),
            "en": ("Grinder is loud, grind is uneven",
                   "The grinder is much louder than before and the grind is uneven.",
                   "Burrs worn (heavy use)."),
        },
    ),
    Scenario(
        "gasket", ESPRESSO, ("HARD", "HARD-WEAR"), ("FIX-PART",),
        parts=(("SP-GASKET", "1"), ("LB-HOUR", "0.5")),
        text={
            "de": ("Wasser tritt am Brühkopf aus",
                   "Beim Bezug läuft Wasser seitlich am Siebträger vorbei.",
                   "Brühgruppendichtung verhärtet und rissig."),
            "es": ("Sale agua por el grupo",
                   "Al preparar el café sale agua por los lados del portafiltro.",
                   "Junta del grupo endurecida y agrietada."),
            "en": ("Water leaks at the group head",
                   "While brewing, water runs past the portafilter.",
                   "Group head gasket hardened and cracked."),
        },
    ),
    Scenario(
        "transport", DEVICES, ("HARD", "HARD-TRANS"), ("RMA-EXCH",),
        waiting=CaseStatus.WAITING_CUSTOMER, parts=(("LB-SHIP", "1"),), photo=True,
        text={
            "de": ("Gehäuse bei Lieferung eingedrückt",
                   "Das Paket kam beschädigt an, die Seitenwand der Maschine ist eingedrückt.",
                   "Transportschaden; Karton beschädigt, Fotos liegen vor."),
            "es": ("Carcasa abollada al recibirla",
                   "El paquete llegó dañado y el lateral de la máquina está abollado.",
                   "Daño de transporte; caja dañada, hay fotos."),
            "en": ("Housing dented on delivery",
                   "The parcel arrived damaged and the side panel is dented.",
                   "Transport damage; box damaged, photos on file."),
        },
    ),
    Scenario(
        "noise", DEVICES, ("HARD", "HARD-DEF"), ("NONE-NFF",), parts=(("LB-DIAG", "1"),),
        text={
            "de": ("Gelegentlich lautes Klackern",
                   "Ab und zu klackert es laut im Gerät, vor allem morgens.",
                   "Im Testlauf (50 Bezüge) kein Fehler reproduzierbar."),
            "es": ("De vez en cuando hace un ruido fuerte",
                   "A veces se oye un clac fuerte dentro del aparato, sobre todo por la mañana.",
                   "En la prueba (50 extracciones) no se reproduce ningún fallo."),
            "en": ("Occasional loud clacking",
                   "Now and then there is a loud clack inside, mostly in the morning.",
                   "No fault reproducible in a 50-brew test run."),
        },
    ),
    Scenario(
        "duplicate", DEVICES, ("USER", None), ("NONE-DUP",),
        text={
            "de": ("Nochmals wegen meiner Reparatur",
                   "Ich hatte schon angerufen, wollte nur nachfragen, ob alles angekommen ist.",
                   "Gleiches Anliegen wie im laufenden Fall."),
            "es": ("Otra vez por mi reparación",
                   "Ya había llamado; solo quería saber si todo ha llegado bien.",
                   "Mismo asunto que el caso abierto."),
            "en": ("Again about my repair",
                   "I had already called; just checking that everything arrived.",
                   "Same matter as the open case."),
        },
    ),
    Scenario(
        "foam", ("BA-F1", "BA-F3"), ("USER", "USER-OP"), ("ADV-PHONE", "ADV-WORK"),
        text={
            "de": ("Milchschaum wird zu flüssig",
                   "Der Schaum fällt sofort zusammen, früher ging das besser.",
                   "Pflanzendrink ohne Barista-Eignung, Quirl nicht eingesetzt."),
            "es": ("La espuma de leche sale líquida",
                   "La espuma se baja enseguida; antes salía mejor.",
                   "Bebida vegetal no apta para barista; batidor sin colocar."),
            "en": ("Milk foam too runny",
                   "The foam collapses at once; it used to be better.",
                   "Plant drink not made for foaming; whisk not fitted."),
        },
    ),
    Scenario(
        "frother-off", ("BA-F1", "BA-F3"), ("HARD", "HARD-DEF"), ("RMA-EXCH", "FIX-PART"),
        waiting=CaseStatus.WAITING_PARTS, parts=(("SP-WHISK-F", "1"), ("SP-SEAL-F", "1")),
        text={
            "de": ("Milchaufschäumer schaltet sofort ab",
                   "Nach zwei Sekunden geht das Gerät aus, die Milch bleibt kalt.",
                   "Temperatursensor im Boden defekt."),
            "es": ("El espumador se apaga enseguida",
                   "A los dos segundos se apaga y la leche sigue fría.",
                   "Sensor de temperatura de la base averiado."),
            "en": ("Frother switches off at once",
                   "After two seconds it switches off and the milk stays cold.",
                   "Temperature sensor in the base defective."),
        },
    ),
    Scenario(
        "which-filter", (), ("USER", "USER-DOC"), ("ADV-PHONE",), product="CS-FILTER",
        parts=(("CS-FILTER", "3"),),
        text={
            "de": ("Welcher Wasserfilter passt?",
                   "Ich finde die Filterpatrone nicht mehr, welche brauche ich und wie oft "
                   "wechseln?",
                   "Kunde nutzt falsche Patrone; Wechsel alle zwei Monate."),
            "es": ("¿Qué filtro de agua necesito?",
                   "No encuentro el cartucho de filtro; ¿cuál necesito y cada cuánto se cambia?",
                   "El cliente usa un cartucho equivocado; cambio cada dos meses."),
            "en": ("Which water filter fits?",
                   "I can't find the filter cartridge any more; which one, and how often?",
                   "Customer uses the wrong cartridge; change every two months."),
        },
    ),
]  # fmt: skip

SOLUTIONS = {
    "ADV-PHONE": {"de": "Am Telefon Schritt für Schritt erklärt; Kunde bestätigt, dass es funktioniert.",  # noqa: E501
                  "es": "Explicado paso a paso por teléfono; el cliente confirma que funciona.",
                  "en": "Explained step by step on the phone; the customer confirms it works."},
    "ADV-WORK": {"de": "Umgehungslösung erklärt, bis eine dauerhafte Lösung verfügbar ist.",
                 "es": "Se explicó una solución provisional hasta disponer de una definitiva.",
                 "en": "Explained a workaround until a permanent fix is available."},
    "FIX-CONF": {"de": "Einstellungen korrigiert und mit dem Kunden getestet.",
                 "es": "Ajustes corregidos y probados con el cliente.",
                 "en": "Settings corrected and tested with the customer."},
    "FIX-UPD": {"de": "Firmware auf 2.4.0 aktualisiert; der Fehler tritt nicht mehr auf.",
                "es": "Firmware actualizado a 2.4.0; el error ya no aparece.",
                "en": "Firmware updated to 2.4.0; the error no longer occurs."},
    "FIX-PART": {"de": "Defektes Teil ersetzt, Dichtheit und Funktion geprüft.",
                 "es": "Pieza defectuosa sustituida; estanqueidad y funcionamiento comprobados.",
                 "en": "Defective part replaced; tightness and function checked."},
    "RMA-REP": {"de": "Gerät in der Werkstatt repariert, 50 Testbezüge, zurückgesandt.",
                "es": "Equipo reparado en el taller, 50 extracciones de prueba, devuelto.",
                "en": "Repaired in the workshop, 50 test brews, returned."},
    "RMA-EXCH": {"de": "Gerät gegen ein neues getauscht; Altgerät zur Analyse an die Qualität.",
                 "es": "Equipo sustituido por uno nuevo; el antiguo va a calidad para su análisis.",
                 "en": "Exchanged for a new unit; the old one goes to quality for analysis."},
    "VEND-CR": {"de": "Änderungsantrag beim Hersteller eingereicht; Kunde wird informiert.",
                "es": "Solicitud de cambio enviada al fabricante; se informará al cliente.",
                "en": "Change request raised with the manufacturer; the customer will be told."},
    "VEND-REJ": {"de": "Hersteller lehnt die Änderung ab; Kunde informiert.",
                 "es": "El fabricante rechaza el cambio; cliente informado.",
                 "en": "The manufacturer declined the change; customer informed."},
    "NONE-NFF": {"de": "Kein Fehler feststellbar; Gerät gereinigt und zurückgesandt.",
                 "es": "No se encontró ningún fallo; equipo limpiado y devuelto.",
                 "en": "No fault found; cleaned and returned."},
    "NONE-DUP": {"de": "Doppelte Meldung; wird im ursprünglichen Fall bearbeitet.",
                 "es": "Aviso duplicado; se trata en el caso original.",
                 "en": "Duplicate report; handled in the original case."},
}  # fmt: skip

SAY = {
    "call": {"de": "Kunde schildert das Problem; Seriennummer abgeglichen.",
             "es": "El cliente describe el problema; número de serie verificado.",
             "en": "Customer describes the problem; serial number checked."},
    "ack": {"de": "Guten Tag, vielen Dank für Ihre Nachricht. Wir kümmern uns darum und melden "
                  "uns in Kürze.",
            "es": "Buenos días, gracias por su mensaje. Nos ocupamos y le respondemos en breve.",
            "en": "Hello, thank you for your message. We are on it and will be in touch soon."},
    "ask": {"de": "Bitte senden Sie uns ein Foto des Typenschilds und den Kaufbeleg.",
            "es": "Por favor, envíenos una foto de la placa de características y el "
                  "justificante de compra.",
            "en": "Please send us a photo of the rating plate and the proof of purchase."},
    "reply": {"de": "Anbei die gewünschten Angaben.", "es": "Adjunto los datos solicitados.",
              "en": "Please find the requested details attached."},
    "waiting_parts": {"de": "Ersatzteil bestellt, Lieferung in 3–5 Werktagen.",
                      "es": "Repuesto pedido, entrega en 3–5 días laborables.",
                      "en": "Part ordered, delivery in 3–5 working days."},
    "waiting_vendor": {"de": "Rückfrage an die Entwicklung des Herstellers gestellt.",
                       "es": "Consulta enviada a ingeniería del fabricante.",
                       "en": "Question sent to the manufacturer's engineering."},
    "parts_in": {"de": "Teil ist eingetroffen, Reparatur eingeplant.",
                 "es": "Ha llegado el repuesto; reparación planificada.",
                 "en": "Part arrived; repair planned."},
    "vendor_in": {"de": "Antwort des Herstellers liegt vor.",
                  "es": "Ya tenemos la respuesta del fabricante.",
                  "en": "The manufacturer has answered."},
    "done": {"de": "Guten Tag, Ihr Anliegen ist erledigt: {solution}",
             "es": "Buenos días, su consulta está resuelta: {solution}",
             "en": "Hello, your request is resolved: {solution}"},
    "visit": {"de": "Technikertermin vor Ort vereinbart: {day}, 9–12 Uhr.",
              "es": "Visita técnica concertada: {day}, de 9 a 12 h.",
              "en": "On-site visit booked: {day}, 9–12."},
    "no_answer": {"de": "Nicht erreicht, Nachricht auf der Mailbox hinterlassen.",
                  "es": "No contesta; mensaje en el buzón de voz.",
                  "en": "No answer; left a voicemail."},
    "reopen": {"de": "Kunde meldet: das Problem ist wieder da.",
               "es": "El cliente indica que el problema ha vuelto.",
               "en": "Customer reports the problem is back."},
    "courtesy": {"de": "Kulanz: Garantie erst vor wenigen Wochen abgelaufen, Stammkunde.",
                 "es": "Cortesía: la garantía venció hace pocas semanas; cliente habitual.",
                 "en": "Courtesy: warranty ended a few weeks ago; loyal customer."},
    "not_covered": {"de": "Bedienfehler, von der Garantie nicht gedeckt.",
                    "es": "Error de uso, no cubierto por la garantía.",
                    "en": "Operating error, not covered by the warranty."},
    "internal": {"de": "Rücksprache mit der Werkstatt gehalten.",
                 "es": "Consultado con el taller.",
                 "en": "Checked with the workshop."},
}  # fmt: skip

STATUS_WEIGHTS = [
    (CaseStatus.NEW, 8), (CaseStatus.OPEN, 14), (CaseStatus.WAITING_CUSTOMER, 6),
    (CaseStatus.WAITING_VENDOR, 4), (CaseStatus.WAITING_PARTS, 6), (CaseStatus.RESOLVED, 12),
    (CaseStatus.CLOSED, 50),
]  # fmt: skip
PRIORITY_WEIGHTS = [("P1", 5), ("P2", 20), ("P3", 60), ("P4", 15)]
CHANNEL_WEIGHTS = [
    (Channel.PHONE, 45), (Channel.EMAIL, 35), (Channel.WEB, 12), (Channel.COUNTER, 5),
    (Channel.SMS, 3),
]  # fmt: skip


# --- helpers -------------------------------------------------------------------------------


class Clock:
    """The simulated "now" while the history is replayed; each reading moves on 1 ms so
    entries written in one step keep their order."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def set(self, moment: datetime) -> None:
        self.current = max(self.current, moment)

    def now(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current.astimezone(ZoneInfo("UTC"))


@contextmanager
def simulated_clock(start: datetime) -> Iterator[Clock]:
    """Let `django.utils.timezone.now` read `Clock` (services, auto_now fields, audit)."""
    clock = Clock(start)
    with mock.patch.object(timezone, "now", clock.now):
        yield clock


def ascii_slug(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain).replace(umlaut.upper(), plain.title())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def tiny_png(rng: random.Random) -> bytes:
    """A small grey-brown PNG: the "photo" of a dented housing."""
    width, height = 16, 12
    shade = rng.randrange(90, 160)
    raw = b"".join(b"\x00" + bytes((shade, shade - 20, shade - 40)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def fits(scenario: Scenario, status: str) -> bool:
    """Whether a case of `scenario` can sensibly be in the active `status`."""
    if status in (CaseStatus.WAITING_PARTS, CaseStatus.WAITING_VENDOR):
        return scenario.waiting == status
    if status == CaseStatus.WAITING_CUSTOMER:
        return scenario.waiting in (None, CaseStatus.WAITING_CUSTOMER)
    return True


@dataclass(order=True)
class Step:
    """One thing that happens in the company's history, replayed at `at`."""

    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


# --- the command ---------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Load the demo company (Germany and Spain: products, customers, units, orders, "
        "contracts, cases) through the services. Does nothing when it is loaded already; "
        "--cases N tops the cases up to N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=None, help="cases in total (300)")
        parser.add_argument("--customers", type=int, default=200, help="customers (200)")
        parser.add_argument("--units", type=int, default=400, help="registered units (400)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")

    def handle(self, *args: Any, **options: Any) -> None:
        cases, customers, units = options["cases"], options["customers"], options["units"]
        for name, value in (("cases", cases), ("customers", customers), ("units", units)):
            if value is not None and value < 0:
                raise CommandError(f"--{name} cannot be negative")
        loaded = Product.objects.filter(sku=MARKER_SKU).exists()
        if not loaded and (Customer.objects.exists() or Case.objects.exists()):
            raise CommandError(
                "this database holds customers or cases that are not the demo's; "
                "seed_demo only fills an empty database"
            )
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localdate()
        self.real_now = timezone.now()
        target_cases = 300 if cases is None and not loaded else (cases or 0)
        existing_cases = Case.objects.count()
        if loaded and target_cases <= existing_cases:
            self.stdout.write(
                f"demo data is loaded already ({existing_cases} cases); nothing to do "
                "(--cases N adds cases up to N)"
            )
            return
        # Demo data, not secrets: a seeded generator makes every run the same.
        self.rng = random.Random(options["seed"] * 1000003 + existing_cases)  # noqa: S311
        self.steps: list[Step] = []
        try:
            with transaction.atomic():
                self._configuration()
                if not loaded:
                    self._plan_company(customers=max(customers, 6), units=units)
                    self._run(start=self._day(-3 * 365 - 30))
                self._plan_cases(target_cases - existing_cases)
                self._run(start=self._day(-366))
        except DomainError as exc:
            raise CommandError(f"a service refused demo data: {exc.message} ({exc.field})") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data: {Customer.objects.count()} customers, {Unit.objects.count()} units, "
                f"{Case.objects.count()} cases; staff logins {', '.join(s[0] for s in STAFF)} "
                f"(password {PASSWORD!r})"
            )
        )

    # --- time ---------------------------------------------------------------------------

    def _day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def _at(self, day: date, hour: int | None = None) -> datetime:
        """A moment in office hours on `day` (moved to Monday from a weekend)."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        hour = self.rng.randrange(8, 18) if hour is None else hour
        moment = datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.tz)
        return min(moment, self.real_now - timedelta(minutes=5))

    def _office(self, moment: datetime) -> datetime:
        """`moment`, or the next working morning when it falls outside 8:00 to 18:00."""
        local = moment.astimezone(self.tz)
        if local.weekday() < 5 and 8 <= local.hour < 18:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= 18 else 0)
        return self._at(day, 8)

    def _add(self, at: datetime, run: Callable[[], None]) -> None:
        self.steps.append(Step(at, len(self.steps), run))

    def _run(self, *, start: datetime | date) -> None:
        if isinstance(start, date) and not isinstance(start, datetime):
            start = datetime.combine(start, time(7), tzinfo=self.tz)
        with simulated_clock(start) as clock:
            for step in sorted(self.steps):
                clock.set(step.at)
                step.run()
        self.steps = []

    # --- configuration: staff, teams, regions --------------------------------------------

    def _configuration(self) -> None:
        """Staff, teams and regions are configuration (the admin edits them), not business
        records, so they are written directly."""
        self.staff: dict[str, User] = {}
        for username, first, last, role, language, tz in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last, role=role)
                user.email = f"{username}@baristo.example"
                user.language, user.time_zone, user.is_staff = language, tz, True
                user.set_password(PASSWORD)
                user.save()
            self.staff[username] = user
        for name, lead, members in TEAMS:
            team, _created = Team.objects.get_or_create(
                name=name, defaults={"lead": self.staff[lead]}
            )
            team.members.add(*(self.staff[m] for m in members))
        self.teams = {t.name: t for t in Team.objects.filter(name__in=[t[0] for t in TEAMS])}
        for code, name, country in REGIONS:
            Region.objects.get_or_create(code=code, defaults={"name": name, "country": country})
        self.regions = {r.code: r for r in Region.objects.all()}
        self.priorities = {p.code: p for p in Priority.objects.all()}
        self.reasons = {c.code: c for c in Code.objects.filter(kind=CodeKind.REASON)}
        self.resolutions = {c.code: c for c in Code.objects.filter(kind=CodeKind.RESOLUTION)}

    # --- the company: catalogue, customers, orders, registrations, contracts --------------

    def _plan_company(self, *, customers: int, units: int) -> None:
        rng = self.rng
        back = self.staff["backoffice1"]
        self.products: dict[str, Product] = {}
        start = self._at(self._day(-3 * 365 - 20), 9)

        def catalogue() -> None:
            types = {
                code: catalog_services.create_product_type(
                    actor=back, channel=Channel.UI, code=code, name=name
                )
                for code, name in PRODUCT_TYPES
            }
            for sku, name, kind, ptype, months, price, cost, _prefix in PRODUCTS:
                self.products[sku] = catalog_services.create_product(
                    actor=back,
                    channel=Channel.UI,
                    sku=sku,
                    name=name,
                    kind=kind,
                    product_type=types[ptype],
                    is_serialised=kind == ProductKind.DEVICE,
                    warranty_months=months if kind == ProductKind.DEVICE else 0,
                    price=Decimal(price),
                    cost=Decimal(cost),
                )

        self._add(start, catalogue)

        # Who the customers are: dealers and organisations first, people as they buy.
        dealers = max(2, customers * 6 // 100)
        organisations = max(2, customers * 24 // 100)
        people = max(2, customers - dealers - organisations)
        self.customers: dict[str, Customer] = {}
        plans: list[dict[str, Any]] = []
        for index in range(dealers + organisations + people):
            country = "DE" if rng.random() < 0.55 else "ES"
            kind = (
                "dealer"
                if index < dealers
                else "org"
                if index < dealers + organisations
                else "person"
            )
            plans.append(self._customer_plan(f"c{index}", kind, country))
        for plan in plans[: dealers + organisations]:
            self._add(self._at(self._day(-3 * 365 - rng.randrange(-10, 15))), self._creator(plan))
        dealer_plans = plans[:dealers]
        org_plans = plans[dealers : dealers + organisations]
        person_plans = plans[dealers + organisations :]

        # Orders: dealers buy batches of home devices; organisations buy pro machines.
        self.units: dict[str, Unit] = {}
        serial_no: dict[str, int] = {}
        order_no = 10230
        sold: list[tuple[str, str, date, str]] = []  # unit key, sku, order day, buyer key
        while len(sold) < units:
            order_no += rng.randrange(3, 40)
            to_org = rng.random() < 0.3
            buyer = rng.choice(org_plans if to_org else dealer_plans)
            day = self._day(-rng.randrange(45, 3 * 365 - 30))
            lines, keys = [], []
            for sku in rng.sample(PRO if to_org else HOME, k=1 if to_org else rng.randrange(1, 4)):
                qty = min(units - len(sold), 1 if to_org else rng.randrange(2, 7))
                if qty <= 0:
                    break
                serials = []
                for _ in range(qty):
                    serial_no[sku] = serial_no.get(sku, 0) + rng.randrange(1, 9)
                    prefix = next(p[7] for p in PRODUCTS if p[0] == sku)
                    serial = f"{prefix}-{day:%y%m}-{serial_no[sku]:05d}"
                    serials.append(serial)
                    sold.append((serial, sku, day, buyer["key"]))
                    keys.append(serial)
                discount = Decimal("0.92") if to_org else Decimal("0.68")  # dealer price
                price = Decimal(next(p[5] for p in PRODUCTS if p[0] == sku)) * discount
                lines.append(
                    {
                        "sku": sku,
                        "quantity": qty,
                        "unit_price": price.quantize(Decimal("0.01")),
                        "serials": serials,
                    }
                )
            if not keys:
                break
            if to_org or rng.random() < 0.5:
                care = rng.choice(["CS-DESCALE", "CS-TABS", "CS-FILTER", "CS-MILKCLEAN"])
                lines.append({"sku": care, "quantity": rng.randrange(6, 48), "serials": []})
            number = f"SO-{day:%Y}-{order_no:06d}"
            self._add(self._at(day, 11), self._order(number, buyer["key"], day, lines, keys))

        # Registrations: dealers' units go to people (and a few organisations) who bought
        # them later; organisations register their own machines. One in ten stays unsold.
        dealer_keys = {p["key"] for p in dealer_plans}
        registered: list[tuple[str, str, date]] = []  # unit key, customer key, registered on
        first_day: dict[str, date] = {}  # a person becomes a customer with their first unit
        people_queue = list(person_plans)
        rng.shuffle(people_queue)
        sold.sort(key=lambda item: item[2])
        for index, (unit_key, _sku, day, buyer_key) in enumerate(sold):
            from_dealer = buyer_key in dealer_keys
            if from_dealer and rng.random() < 0.1:
                continue
            purchased = day + timedelta(days=rng.randrange(0, 120) if from_dealer else 0)
            purchased = min(purchased, self._day(-20))
            registered_on = min(purchased + timedelta(days=rng.randrange(0, 30)), self._day(-15))
            if not from_dealer:
                owner, dealer_key, how = (
                    buyer_key,
                    None,
                    "dealer" if rng.random() < 0.2 else "phone",
                )
            else:
                dealer_key, how = (
                    buyer_key,
                    weighted(rng, [("card", 30), ("phone", 25), ("web", 35), ("dealer", 10)]),
                )
                owner = people_queue[index % len(people_queue)]["key"]
                if rng.random() < 0.1:
                    owner = rng.choice(org_plans)["key"]
            first_day[owner] = min(first_day.get(owner, registered_on), registered_on)
            self._add(
                self._at(registered_on, 15),
                self._registration(unit_key, owner, dealer_key, purchased, registered_on, how),
            )
            registered.append((unit_key, owner, registered_on))

        # A few units change hands (sold on second-hand): the old registration ends.
        for unit_key, previous_owner, registered_on in rng.sample(
            registered, k=len(registered) // 40
        ):
            later = registered_on + timedelta(days=rng.randrange(120, 400))
            new_owner = rng.choice(person_plans)["key"]
            if later < self._day(-30) and new_owner != previous_owner:
                first_day[new_owner] = min(first_day.get(new_owner, later), later)
                self._add(
                    self._at(later, 16),
                    self._registration(unit_key, new_owner, None, later, later, "phone"),
                )
        for plan in person_plans:  # people first heard of when they register, or any time
            day = first_day.get(plan["key"]) or self._day(-rng.randrange(30, 3 * 365 - 60))
            self._add(self._at(day, 8), self._creator(plan))

        # Service contracts: organisations insure their machines after the warranty.
        by_owner: dict[str, list[tuple[str, date]]] = {}  # an organisation's own units
        for unit_key, owner_key, registered_on in registered:
            by_owner.setdefault(owner_key, []).append((unit_key, registered_on))
        for plan in org_plans:
            owned = by_owner.get(plan["key"], [])
            if not owned or rng.random() < 0.35:
                continue
            starts = max(day for _k, day in owned) + timedelta(days=rng.randrange(300, 500))
            if starts > self._day(-5):
                starts = self._day(-rng.randrange(5, 60))
            ends = starts + timedelta(days=365 * rng.randrange(1, 4) - 1)
            level = weighted(rng, [("basic", 3), ("standard", 5), ("premium", 2)])
            keys = [k for k, _day in owned]
            self._add(self._at(starts, 10), self._contract(plan["key"], keys, level, starts, ends))

    def _customer_plan(self, key: str, kind: str, country: str) -> dict[str, Any]:
        rng = self.rng
        city, postal, region, area = rng.choice(CITIES[country])
        first, last = rng.choice(FIRST[country]), rng.choice(LAST[country])
        if country == "ES":
            last = f"{last} {rng.choice(LAST['ES'])}"
        language = country.lower() if rng.random() > 0.04 else "en"
        person = f"{first} {last}"
        if kind == "dealer":
            name = rng.choice(DEALERS[country]).format(last=last.split()[0])
        elif kind == "org":
            _label, pattern = rng.choice(ORGANISATIONS[country])
            name = pattern.format(n=rng.choice(ORG_NAMES[country]), last=last.split()[0])
        else:
            name = person
        street = f"{rng.choice(STREETS[country])} {rng.randrange(1, 140)}"
        postal_code = f"{postal}{rng.randrange(10, 99)}"
        phones = [self._phone(country, area, mobile=kind == "person" and rng.random() < 0.6)]
        if rng.random() < 0.3:
            phones.append(self._phone(country, area, mobile=True))
        slug = ascii_slug(name)[:30].strip("-")
        domain = (
            f"{slug}.example"
            if kind != "person"
            else rng.choice(["example.com", "example.net", "example.org"])
        )
        local = "info" if kind != "person" else f"{ascii_slug(first)}.{ascii_slug(last.split()[0])}"
        emails = [f"{local}@{domain}"] if kind != "person" or rng.random() < 0.85 else []
        return {
            "key": key,
            "kind": kind,
            "country": country,
            "name": name,
            "language": language,
            "region": region,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "contact": person,
            "title": rng.choice(CONTACT_TITLES[country]),
            "emails": emails,
            "phones": phones,
            "vat_id": (
                f"DE{rng.randrange(10**8, 10**9)}"
                if country == "DE"
                else f"ESB{rng.randrange(10**7, 10**8)}"
            )
            if kind != "person"
            else "",
        }

    def _phone(self, country: str, area: str, *, mobile: bool) -> str:
        """A number in one of the notations people really type."""
        rng = self.rng
        if country == "DE":
            if mobile:
                prefix = rng.choice(["0151", "0160", "0170", "0171", "0176"])
                number = f"{rng.randrange(10**6, 10**7)}{rng.randrange(10)}"
                return rng.choice(
                    [f"{prefix} {number}", f"{prefix}-{number}", f"+49 {prefix[1:]} {number}"]
                )
            digits = 8 if len(area) == 3 else 7
            number = str(rng.randrange(2 * 10 ** (digits - 1), 10**digits))
            return rng.choice(
                [
                    f"{area} {number}",
                    f"({area}) {number}",
                    f"{area}/{number}",
                    f"+49 {area[1:]} {number}",
                ]
            )
        if mobile:
            number = f"6{rng.randrange(10**7, 10**8)}"
            return rng.choice(
                [
                    f"{number[:3]} {number[3:5]} {number[5:7]} {number[7:]}",
                    f"+34 {number[:3]} {number[3:6]} {number[6:]}",
                    number,
                ]
            )
        number = (area + str(rng.randrange(10**8)).zfill(8))[:9]
        return rng.choice(
            [
                f"{number[:3]} {number[3:6]} {number[6:]}",
                f"{number[:2]} {number[2:5]} {number[5:7]} {number[7:]}",
            ]
        )

    def _creator(self, plan: dict[str, Any]) -> Callable[[], None]:
        def create() -> None:
            person = plan["kind"] == "person"
            actor = self.staff["agent1" if plan["country"] == "DE" else "agent2"]
            if not person:
                actor = self.staff["backoffice1"]
            customer = customer_services.create_customer(
                actor=actor,
                channel=Channel.PHONE if person else Channel.UI,
                kind=CustomerKind.PERSON if person else CustomerKind.ORGANISATION,
                name=plan["name"],
                language=plan["language"],
                is_dealer=plan["kind"] == "dealer",
                region=self.regions[plan["region"]],
                vat_id=plan["vat_id"],
                account_manager=None if person else self.staff["lead1"],
                street=plan["street"],
                postal_code=plan["postal_code"],
                city=plan["city"],
                country=plan["country"],
                contact_name=plan["contact"],
                emails=plan["emails"],
                phones=plan["phones"],
            )
            if not person and self.rng.random() < 0.4:
                country = plan["country"]
                name = f"{self.rng.choice(FIRST[country])} {self.rng.choice(LAST[country])}"
                customer_services.add_contact(
                    actor=actor,
                    channel=Channel.UI,
                    customer=customer,
                    name=name,
                    title=self.rng.choice(CONTACT_TITLES[country]),
                    emails=[
                        f"{ascii_slug(name).replace('-', '.')}@{plan['emails'][0].split('@')[1]}"
                    ]
                    if plan["emails"]
                    else [],
                )
            self.customers[plan["key"]] = customer

        return create

    def _order(
        self, number: str, buyer: str, day: date, lines: list[dict[str, Any]], keys: list[str]
    ) -> Callable[[], None]:
        def create() -> None:
            order = catalog_services.create_sales_order(
                actor=None,
                channel=Channel.IMPORT,
                number=number,
                customer=self.customers[buyer],
                ordered_on=day,
                lines=[
                    {
                        "product": self.products[line["sku"]],
                        "quantity": line["quantity"],
                        "unit_price": line.get("unit_price", self.products[line["sku"]].price),
                        "serials": line["serials"],
                    }
                    for line in lines
                ],
            )
            found = Unit.objects.filter(order_lines__order=order, serial__in=keys)
            self.units.update({unit.serial: unit for unit in found})

        return create

    def _registration(
        self, unit: str, owner: str, dealer: str | None, purchased: date, on: date, how: str
    ) -> Callable[[], None]:
        def create() -> None:
            web = how == "web"
            catalog_services.register_unit(
                actor=None if web else self.staff["backoffice1" if how == "dealer" else "agent1"],
                channel=Channel.WEB if web else Channel.UI,
                customer=self.customers[owner],
                unit=self.units[unit],
                purchased_on=purchased,
                registered_on=on,
                dealer=self.customers[dealer] if dealer else None,
                channel_of_registration=how,
            )

        return create

    def _contract(
        self, owner: str, units: list[str], level: str, starts: date, ends: date
    ) -> Callable[[], None]:
        def create() -> None:
            catalog_services.create_service_contract(
                actor=self.staff["backoffice1"],
                channel=Channel.UI,
                customer=self.customers[owner],
                units=[self.units[k] for k in units],
                level=level,
                starts_on=starts,
                ends_on=ends,
            )

        return create

    # --- cases ---------------------------------------------------------------------------

    def _plan_cases(self, count: int) -> None:
        """Plan `count` cases: status first (every status at least once), then a received
        day that leaves room for its course, then a unit registered before that day. Done
        cases go through the scenarios in turn, so every reason and resolution code occurs."""
        rng = self.rng
        by_sku: dict[str, list[Registration]] = {}
        registrations = (
            Registration.objects.filter(ended_at__isnull=True)
            .select_related("unit__product", "customer")
            .order_by("id")
        )
        for registration in registrations:
            by_sku.setdefault(registration.unit.product.sku, []).append(registration)
        statuses = [s for s, _w in STATUS_WEIGHTS]
        done = 0
        for index in range(count):
            status = statuses[index] if index < len(statuses) else weighted(rng, STATUS_WEIGHTS)
            if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                scenario = SCENARIOS[done % len(SCENARIOS)]
                resolution = scenario.resolutions[
                    (done // len(SCENARIOS)) % len(scenario.resolutions)
                ]
                done += 1
                age = rng.randrange(12, 365)
            else:
                # a case waiting on parts is one that needs parts, and so on
                fitting = [s for s in SCENARIOS if fits(s, status)]
                scenario = fitting[index % len(fitting)] if index < 40 else rng.choice(fitting)
                resolution = rng.choice(scenario.resolutions)
                age = rng.randrange(1, 25)
            received = self._at(self._day(-age))
            candidates = [
                r
                for sku in scenario.products
                for r in by_sku.get(sku, [])
                if r.registered_on < received.date() - timedelta(days=2)
            ]
            priority = PRIORITY_WEIGHTS[index % 4][0] if index < 4 else None
            channel = weighted(rng, CHANNEL_WEIGHTS)
            if status == CaseStatus.NEW and rng.random() < 0.5:
                channel = Channel.WEB
            self._plan_case(
                CasePlan(
                    status=status,
                    scenario=scenario,
                    resolution=resolution,
                    received=received,
                    registration=rng.choice(candidates) if candidates else None,
                    priority=priority or weighted(rng, PRIORITY_WEIGHTS),
                    channel=channel,
                )
            )

    def _plan_case(self, plan: CasePlan) -> None:
        rng = self.rng
        state: dict[str, Any] = {}
        scenario, status = plan.scenario, plan.status
        at = plan.received

        def later(hours_low: float, hours_high: float) -> datetime:
            """The next step's moment: in office hours, after the last one, never ahead of
            the real now."""
            nonlocal at
            wanted = self._office(at + timedelta(hours=rng.uniform(hours_low, hours_high)))
            at = max(at + timedelta(seconds=1), min(wanted, cap))
            return at

        cap = self.real_now - timedelta(minutes=30)

        self._add(at, lambda: self._open(plan, state))
        if status == CaseStatus.NEW:
            return
        self._add(later(0.1, 3), lambda: self._first_contact(plan, state))
        self._add(later(0.5, 6), lambda: self._assign(plan, state))
        self._add(later(2, 48), lambda: self._diagnose(plan, state))
        if status == CaseStatus.OPEN:
            return
        waiting = scenario.waiting or (CaseStatus.WAITING_CUSTOMER if rng.random() < 0.3 else None)
        if status in (
            CaseStatus.WAITING_CUSTOMER,
            CaseStatus.WAITING_VENDOR,
            CaseStatus.WAITING_PARTS,
        ):
            waiting = status
        if waiting:
            self._add(later(0.5, 8), lambda: self._wait(plan, state, waiting))
            if status == waiting:
                return
            self._add(later(24, 120), lambda: self._unwait(plan, state, waiting))
        sold_or_repaired = plan.resolution in ("FIX-PART", "RMA-REP", "RMA-EXCH") or (
            scenario.parts and scenario.parts[0][0].startswith(("CS-", "LB-"))
        )
        if sold_or_repaired:
            self._add(later(2, 30), lambda: self._supplies(plan, state))
        self._add(later(1, 24), lambda: self._resolve(plan, state))
        if status == CaseStatus.RESOLVED:
            return
        if rng.random() < 0.08:  # the problem came back
            self._add(later(48, 200), lambda: self._reopen(plan, state))
            self._add(later(4, 48), lambda: self._resolve(plan, state))
        self._add(later(24, 240), lambda: self._close(plan, state))

    # --- one case's steps -----------------------------------------------------------------

    def _lang(self, customer: Customer) -> str:
        return customer.language if customer.language in ("de", "es") else "en"

    def _people(self, customer: Customer) -> tuple[User, User]:
        """The agent and the technician of the customer's country."""
        if customer.country == "ES":
            return self.staff["agent2"], self.staff["tech2"]
        return self.staff["agent1"], self.staff["tech1"]

    def _customer_for(self, plan: CasePlan) -> tuple[Customer, Unit | None]:
        registration = plan.registration
        if registration is None:
            customers = Customer.objects.filter(is_dealer=False, archived_at__isnull=True)
            return self.rng.choice(list(customers.order_by("id"))), None
        return registration.customer, registration.unit

    def _open(self, plan: CasePlan, state: dict[str, Any]) -> None:
        rng = self.rng
        customer, unit = self._customer_for(plan)
        language = self._lang(customer)
        subject, symptom, _diagnosis = plan.scenario.text[language]
        agent, _tech = self._people(customer)
        product = None
        if unit is None and plan.scenario.product:
            product = Product.objects.get(sku=plan.scenario.product)
        general, specific = plan.scenario.reason
        suggested = case_services.suggest_case_type(unit, timezone.localdate(plan.received))
        case_type, reason, actor = None, "", agent
        repair = plan.scenario.reason[0] == "HARD"
        if suggested == CaseType.BILLABLE and unit is not None and repair and rng.random() < 0.25:
            case_type, reason, actor = (
                CaseType.COURTESY,
                SAY["courtesy"][language],
                self.staff["lead1"],
            )
        elif (
            suggested == CaseType.WARRANTY
            and plan.scenario.reason[0] == "USER"
            and rng.random() < 0.3
        ):
            case_type, reason = CaseType.BILLABLE, SAY["not_covered"][language]
        team = self.teams["Soporte España" if customer.country == "ES" else "Support Deutschland"]
        contact = customer.contacts.filter(is_primary=True, archived_at__isnull=True).first()
        state["case"] = case_services.open_case(
            actor=None if plan.channel == Channel.WEB else actor,
            channel=plan.channel,
            customer=customer,
            contact=contact,
            unit=unit,
            product=product,
            subject=subject,
            symptom=symptom,
            case_type=case_type,
            case_type_reason=reason,
            priority=self.priorities[plan.priority],
            reason_general=self.reasons[general],
            reason_specific=self.reasons[specific] if specific else None,
            owner=None if plan.status == CaseStatus.NEW or plan.channel == Channel.WEB else agent,
            team=team,
            received_at=plan.received,
            promised_by=timezone.localdate(plan.received) + timedelta(days=rng.randrange(2, 10)),
        )
        state.update(language=language, agent=agent, tech=self._people(customer)[1])

    def _event(
        self,
        state: dict[str, Any],
        actor: User | None,
        kind: str,
        text: str,
        channel: str,
        **extra: Any,
    ) -> None:
        case_services.record_event(
            actor=actor,
            channel=channel,
            case=state["case"],
            event_type=kind,
            text=text,
            is_internal=kind == "note",
            **extra,
        )

    def _first_contact(self, plan: CasePlan, state: dict[str, Any]) -> None:
        language, agent = state["language"], state["agent"]
        if plan.channel in (Channel.PHONE, Channel.COUNTER):
            self._event(
                state,
                agent,
                "call_in",
                SAY["call"][language],
                Channel.PHONE,
                call_duration=self.rng.randrange(90, 900),
                call_outcome="reached",
            )
        elif plan.channel == Channel.SMS:
            self._event(state, agent, "sms_out", SAY["ack"][language], Channel.SMS)
            self._event(state, agent, "note", SAY["call"][language], Channel.UI)
        else:
            self._event(state, agent, "email_out", SAY["ack"][language], Channel.EMAIL)
            self._event(state, agent, "note", SAY["call"][language], Channel.UI)

    def _assign(self, plan: CasePlan, state: dict[str, Any]) -> None:
        hardware = plan.scenario.reason[0] == "HARD"
        owner = state["tech"] if hardware else state["agent"]
        actor = self.staff["lead1"] if hardware else state["agent"]
        team = self.teams["Werkstatt / Taller"] if plan.resolution.startswith("RMA") else None
        state["case"] = case_services.assign_case(
            actor=actor, channel=Channel.UI, case=state["case"], owner=owner, team=team
        )
        state["worker"] = owner

    def _fresh(self, state: dict[str, Any]) -> Case:
        state["case"] = Case.objects.get(pk=state["case"].pk)
        return state["case"]

    def _diagnose(self, plan: CasePlan, state: dict[str, Any]) -> None:
        case = self._fresh(state)
        diagnosis = plan.scenario.text[state["language"]][2]
        state["case"] = case_services.update_case(
            actor=state["worker"],
            channel=Channel.UI,
            case=case,
            version=case.version,
            diagnosis=diagnosis,
        )
        if case.product and case.product.sku in ("BA-P500", "BA-P700") and self.rng.random() < 0.5:
            day = timezone.localdate() + timedelta(days=2)
            self._event(
                state,
                state["agent"],
                "scheduling",
                SAY["visit"][state["language"]].format(day=f"{day:%d.%m.%Y}"),
                Channel.UI,
            )
        elif self.rng.random() < 0.3:
            self._event(
                state, state["worker"], "note", SAY["internal"][state["language"]], Channel.UI
            )

    def _wait(self, plan: CasePlan, state: dict[str, Any], waiting: str) -> None:
        language, worker = state["language"], state["worker"]
        note = (
            SAY["ask"][language]
            if waiting == CaseStatus.WAITING_CUSTOMER
            else SAY[waiting][language]
        )
        if waiting == CaseStatus.WAITING_CUSTOMER:
            if self.rng.random() < 0.3:
                self._event(
                    state,
                    state["agent"],
                    "call_out",
                    SAY["no_answer"][language],
                    Channel.PHONE,
                    call_duration=25,
                    call_outcome="not_reached",
                )
            self._event(state, state["agent"], "email_out", note, Channel.EMAIL)
        state["case"] = case_services.change_status(
            actor=worker, channel=Channel.UI, case=self._fresh(state), status=waiting, note=note
        )

    def _unwait(self, plan: CasePlan, state: dict[str, Any], waiting: str) -> None:
        language = state["language"]
        if waiting == CaseStatus.WAITING_CUSTOMER:
            uploads = []
            if plan.scenario.photo:
                uploads = [
                    case_services.Upload(name="foto_schaden.png", content=tiny_png(self.rng))
                ]
            # the customer's answer ends "waiting on customer" by itself
            case_services.record_event(
                actor=state["agent"],
                channel=Channel.EMAIL,
                case=self._fresh(state),
                event_type="email_in",
                text=SAY["reply"][language],
                is_internal=False,
                uploads=uploads,
            )
            return
        text = SAY["parts_in" if waiting == CaseStatus.WAITING_PARTS else "vendor_in"][language]
        state["case"] = case_services.change_status(
            actor=state["worker"],
            channel=Channel.UI,
            case=self._fresh(state),
            status=CaseStatus.OPEN,
            note=text,
        )

    def _supplies(self, plan: CasePlan, state: dict[str, Any]) -> None:
        case = self._fresh(state)
        for sku, quantity in plan.scenario.parts:
            if sku == "BURR":
                sku = (
                    "SP-BURR-G40"
                    if case.product and case.product.sku == "BA-G40"
                    else "SP-BURR-G10"
                )
            if sku == "LB-DIAG" and case.case_type != CaseType.BILLABLE:
                continue
            line = case_services.add_supply(
                actor=state["worker"],
                channel=Channel.UI,
                case=case,
                product=Product.objects.get(sku=sku),
                quantity=Decimal(quantity),
            )
            if self.rng.random() < 0.03:  # booked twice by mistake, taken off again
                case_services.remove_supply(
                    actor=state["worker"], channel=Channel.UI, case=case, line=line
                )

    def _resolve(self, plan: CasePlan, state: dict[str, Any]) -> None:
        language = state["language"]
        specific = self.resolutions[plan.resolution]
        solution = SOLUTIONS[plan.resolution][language]
        state["case"] = case_services.resolve_case(
            actor=state["worker"],
            channel=Channel.UI,
            case=self._fresh(state),
            resolution_general=specific.parent,
            resolution_specific=specific,
            solution=solution,
        )
        if plan.channel == Channel.EMAIL or self.rng.random() < 0.5:
            self._event(
                state,
                state["agent"],
                "email_out",
                SAY["done"][language].format(solution=solution),
                Channel.EMAIL,
            )
        else:
            self._event(
                state,
                state["agent"],
                "call_out",
                SAY["done"][language].format(solution=solution),
                Channel.PHONE,
                call_duration=self.rng.randrange(60, 300),
                call_outcome="reached",
            )

    def _reopen(self, plan: CasePlan, state: dict[str, Any]) -> None:
        state["case"] = case_services.reopen_case(
            actor=state["agent"],
            channel=Channel.PHONE,
            case=self._fresh(state),
            reason=SAY["reopen"][state["language"]],
        )

    def _close(self, plan: CasePlan, state: dict[str, Any]) -> None:
        actor = self.staff["backoffice1"] if self.rng.random() < 0.3 else state["agent"]
        state["case"] = case_services.close_case(
            actor=actor, channel=Channel.UI, case=self._fresh(state)
        )


@dataclass
class CasePlan:
    """What becomes of one case: decided up front, replayed step by step."""

    status: str
    scenario: Scenario
    resolution: str  # the specific resolution code it ends with (if it ends)
    received: datetime
    registration: Registration | None
    priority: str
    channel: str
