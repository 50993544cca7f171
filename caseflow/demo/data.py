"""The demo company's world: staff, regions, names, products and the case scenarios."""

from __future__ import annotations

from dataclasses import dataclass, field

from caseflow.accounts.models import Role
from caseflow.cases.models import CaseStatus
from caseflow.core.models import Channel

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
DEVICES = tuple(p[0] for p in PRODUCTS if p[2] == "device")
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
