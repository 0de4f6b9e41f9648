"""The demo data: five real missions between Leipzig, Birmingham and their partners.

They follow five news articles (a creative-industries trade mission to Birmingham in
2025, the Birmingham delegation to the Leipzig Opera Ball in 2024, Leipzig's economic
delegation to Japan in 2017, the 25th-anniversary event in Birmingham in 2017 and the
ISA online conference of 2021). Names, roles, organisations and dates come from those
articles; what they leave out is invented and marked `# invented` below: every e-mail
address (all at example.org), exact times, the ten Leipzig companies of the trade
mission and their delegates, interpreters and a press officer, dietary and accessibility
needs (given to invented people only), RSVP deadlines and venue coordinates (approximate
real locations).

Two more missions, invented, live relative to the day the demo is loaded (an upcoming
edition of the trade mission and a delegation under way today): `living.py`, which uses
the directory entries below.

Times are wall-clock times in the item's place: the venue's zone, or the mission's
destination zone when an item has no venue; `load_demo` attaches that zone.
"""

import datetime as dt

from missions.enums import (
    Audience,
    ItemKind,
    MissionKind,
    MissionStatus,
    ParticipantRole,
    RsvpStatus,
)
from organisations.enums import Language, OrganisationKind

LONDON, BERLIN, TOKYO = "Europe/London", "Europe/Berlin", "Asia/Tokyo"
EN, DE = Language.ENGLISH, Language.GERMAN
ACCEPTED = RsvpStatus.ACCEPTED

# SECTORS ---------------------------------------------------------------------
SECTORS = [
    {"slug": "creative-industries", "name": "Creative industries", "name_de": "Kreativwirtschaft"},
    {"slug": "biotech-life-sciences", "name": "Biotech and life sciences",
     "name_de": "Biotechnologie und Life Sciences"},
    {"slug": "mobility", "name": "Mobility", "name_de": "Mobilität"},
    {"slug": "ai", "name": "Artificial intelligence", "name_de": "Künstliche Intelligenz"},
    {"slug": "cleantech", "name": "Cleantech", "name_de": "Umwelttechnik"},
    {"slug": "digital-health", "name": "Digital health", "name_de": "Digitale Gesundheit"},
    {"slug": "logistics", "name": "Logistics", "name_de": "Logistik"},
    {"slug": "advanced-manufacturing", "name": "Advanced manufacturing",
     "name_de": "Fortschrittliche Fertigung"},
]  # fmt: skip

# ORGANISATIONS ---------------------------------------------------------------
# Natural key (name, city). A parent is listed before its units.
BCC = ("Birmingham City Council", "Birmingham")
WMCA = ("West Midlands Combined Authority", "Birmingham")
WMGC = ("West Midlands Growth Company", "Birmingham")
DBT = ("Department for Business and Trade", "London")
GBCC = ("Greater Birmingham Chambers of Commerce", "Birmingham")
LEOPARD = ("Leopard Co", "Birmingham")
BCU = ("Birmingham City University", "Birmingham")
STEAMHOUSE = ("STEAMHouse", "Birmingham")
BOM = ("Birmingham Open Media", "Birmingham")
HOLOSPHERE = ("Holosphere", "Birmingham")
SECOND_HOME = ("Second Home Studios", "Birmingham")
INNOVATION_BIRMINGHAM = ("Innovation Birmingham", "Birmingham")
LEIPZIG = ("City of Leipzig", "Leipzig")
IRL = ("Invest Region Leipzig", "Leipzig")
KREATIVES = ("Kreatives Leipzig", "Leipzig")
BIO_NET = ("BIO-NET LEIPZIG Technologietransfergesellschaft", "Leipzig")
BIO_CITY = ("BioCity Leipzig", "Leipzig")
SPINLAB = ("SpinLab – The HHL Accelerator", "Leipzig")
DJG = ("Deutsch-Japanische Gesellschaft Leipzig", "Leipzig")
GEWANDHAUS = ("Gewandhaus zu Leipzig", "Leipzig")
OPER = ("Oper Leipzig", "Leipzig")
MESSE = ("Leipziger Messe", "Leipzig")
EMBASSY = ("German Embassy Tokyo", "Tokyo")
JETRO = ("Japan External Trade Organization (JETRO)", "Tokyo")
TOYOHASHI = ("City of Toyohashi", "Toyohashi")
PKS = ("PKS Kommunikations- und Strategieberatung GmbH", "Berlin")
ISA = ("Sino-German Industrial Cities Alliance (ISA)", "Foshan")

K = OrganisationKind
ORGANISATIONS = [
    {"key": BCC, "short_name": "BCC", "kind": K.CITY_COUNCIL, "country": "GB",
     "website": "https://www.birmingham.gov.uk",
     "sectors": ["creative-industries", "advanced-manufacturing", "biotech-life-sciences"],
     "description": "Local authority of Birmingham, twinned with Leipzig since 1992; its "
     "European and International Affairs team runs the partnership."},
    {"key": WMCA, "short_name": "WMCA", "kind": K.GOVERNMENT, "country": "GB",
     "website": "https://www.wmca.org.uk", "sectors": ["creative-industries", "mobility"],
     "description": "Combined authority of the West Midlands; funds, among others, the "
     "Immersive Bootcamps run at Birmingham Open Media."},
    {"key": WMGC, "short_name": "WMGC", "kind": K.ECONOMIC_DEVELOPMENT, "country": "GB",
     "website": "https://www.wmgrowth.com",
     "description": "Inward-investment and visitor agency of the West Midlands."},
    {"key": DBT, "short_name": "DBT", "kind": K.GOVERNMENT, "country": "GB",
     "website": "https://www.gov.uk/government/organisations/department-for-business-and-trade",
     "description": "UK government department for trade and business growth."},
    {"key": GBCC, "short_name": "GBCC", "kind": K.CHAMBER, "country": "GB",
     "website": "https://www.greaterbirminghamchambers.com",
     "description": "Chamber of commerce for Birmingham and its region."},
    {"key": LEOPARD, "kind": K.COMPANY, "country": "GB", "website": "https://leopardco.com",
     "sectors": ["creative-industries"],
     "description": "Marketing communications agency in Birmingham."},
    {"key": BCU, "short_name": "BCU", "kind": K.UNIVERSITY, "country": "GB",
     "website": "https://www.bcu.ac.uk", "sectors": ["creative-industries"],
     "description": "University in Birmingham; runs STEAMHouse."},
    {"key": STEAMHOUSE, "kind": K.INCUBATOR, "country": "GB", "parent": BCU,
     "sectors": ["creative-industries", "advanced-manufacturing"],
     "description": "Innovation centre of Birmingham City University: memberships for "
     "creative businesses, 3D printing, digital production and a SoundLab."},
    {"key": BOM, "short_name": "BOM", "kind": K.CULTURAL, "country": "GB",
     "website": "https://bom.org.uk", "sectors": ["creative-industries"],
     "description": "Art, technology and science centre working on immersive experiences."},
    {"key": HOLOSPHERE, "kind": K.COMPANY, "country": "GB",
     "website": "https://www.holosphere.co.uk", "sectors": ["creative-industries"],
     "description": "XR specialists: virtual, augmented and mixed reality projects."},
    {"key": SECOND_HOME, "kind": K.COMPANY, "country": "GB",
     "website": "https://www.secondhomestudios.com", "sectors": ["creative-industries"],
     "description": "BAFTA-nominated animation studio in Digbeth."},
    {"key": INNOVATION_BIRMINGHAM, "kind": K.INCUBATOR, "country": "GB",
     "sectors": ["digital-health", "ai"],
     "description": "Runs the Innovation Birmingham Campus (iCentrum) and the Serendip "
     "Smart City Incubator."},
    {"key": LEIPZIG, "short_name": "Stadt Leipzig", "kind": K.CITY_COUNCIL, "country": "DE",
     "website": "https://www.leipzig.de",
     "sectors": ["biotech-life-sciences", "mobility", "logistics", "creative-industries"],
     "description": "City administration of Leipzig, twinned with Birmingham since 1992."},
    {"key": IRL, "short_name": "IRL", "kind": K.ECONOMIC_DEVELOPMENT, "country": "DE",
     "website": "https://www.invest-region-leipzig.de",
     "sectors": ["advanced-manufacturing", "mobility", "ai", "cleantech", "digital-health"],
     "description": "Inward-investment agency of the Leipzig region."},
    {"key": KREATIVES, "kind": K.OTHER, "country": "DE",
     "website": "https://www.kreatives-leipzig.de", "sectors": ["creative-industries"],
     "description": "Founded in 2010 to connect Leipzig's self-employed creatives and "
     "creative businesses with partners in other nations and regions."},
    {"key": BIO_CITY, "kind": K.INCUBATOR, "country": "DE",
     "website": "https://www.bio-city-leipzig.de", "sectors": ["biotech-life-sciences"],
     "description": "Biotech centre on the BioCity Campus at the Alte Messe."},
    {"key": BIO_NET, "short_name": "BIO-NET Leipzig", "kind": K.COMPANY, "country": "DE",
     "sectors": ["biotech-life-sciences"],
     "description": "Technology-transfer company for the life sciences in Leipzig."},
    {"key": SPINLAB, "short_name": "SpinLab", "kind": K.INCUBATOR, "country": "DE",
     "website": "https://www.spinlab.co", "sectors": ["ai", "digital-health"],
     "description": "Start-up accelerator in Leipzig."},
    {"key": DJG, "short_name": "DJG Leipzig", "kind": K.OTHER, "country": "DE",
     "description": "German-Japanese Society of Leipzig."},
    {"key": GEWANDHAUS, "kind": K.CULTURAL, "country": "DE",
     "website": "https://www.gewandhausorchester.de",
     "description": "Leipzig's concert hall, home of the Gewandhausorchester."},
    {"key": OPER, "kind": K.CULTURAL, "country": "DE", "website": "https://www.oper-leipzig.de",
     "description": "Opera house on the Augustusplatz; hosts the annual Leipzig Opera Ball."},
    {"key": MESSE, "kind": K.COMPANY, "country": "DE", "website": "https://www.leipziger-messe.de",
     "description": "Leipzig's trade-fair company."},
    {"key": EMBASSY, "kind": K.GOVERNMENT, "country": "JP", "website": "https://japan.diplo.de",
     "description": "Embassy of the Federal Republic of Germany in Japan."},
    {"key": JETRO, "short_name": "JETRO", "kind": K.ECONOMIC_DEVELOPMENT, "country": "JP",
     "website": "https://www.jetro.go.jp", "description": "Japan's foreign-trade agency."},
    {"key": TOYOHASHI, "kind": K.CITY_COUNCIL, "country": "JP",
     "sectors": ["mobility", "advanced-manufacturing"],
     "description": "City in Aichi prefecture, centre of an automotive-supplier region."},
    {"key": PKS, "short_name": "PKS", "kind": K.COMPANY, "country": "DE",
     "description": "Runs the ISA on the German side: contact for member cities and those "
     "interested in joining, linked with the ISA secretariat in Foshan."},
    {"key": ISA, "short_name": "ISA", "kind": K.OTHER, "country": "CN",
     "website": "https://isa-portal.de/de",
     "sectors": ["advanced-manufacturing", "biotech-life-sciences", "logistics", "cleantech"],
     "description": "Alliance of 47 industrial cities from China and Germany, founded in "
     "April 2016; secretariat in Foshan."},
]  # fmt: skip

# The ten Leipzig companies of the 2025 trade mission and their delegates: the article
# does not name them, so all of this is invented (plausible, fictional).
# (company, what it does, delegate, job title, dietary requirements, accessibility needs)
LEIPZIG_CREATIVES = [
    ("Lindenauer Trickfilmwerkstatt GmbH", "Stop-motion and 2D animation studio.",
     "Johanna Brenner", "Managing Director", "Vegetarian", ""),
    ("Kanalblick Filmproduktion GmbH", "Documentary and short-film production.",
     "Tobias Reinhardt", "Producer", "", ""),
    ("Atelier Elsterflut", "Studio for painting and public art.",
     "Mira Kowalczyk", "Artist and founder", "Vegan", ""),
    ("Lichtkammer Connewitz", "Photography studio for culture and industry.",
     "Felix Hartung", "Photographer", "", ""),
    ("Auwald XR GmbH", "Immersive exhibitions in virtual and augmented reality.",
     "Lena Vogt", "Chief Executive", "Gluten-free", ""),
    ("Pixelschmiede Plagwitz UG", "3D animation and visual effects.",
     "David Nguyen", "Creative Director", "", ""),
    ("Bildungswerk Bewegtbild Leipzig e. V.", "Film and media courses for young people.",
     "Sabine Krüger", "Head of Education", "",
     "Uses a wheelchair: needs step-free access"),
    ("Motionhaus Leipzig GmbH", "Motion design for brands and broadcasters.",
     "Jonas Weidner", "Founder", "No pork", ""),
    ("Gohliser Grafikdruck", "Printmaking workshop and gallery.",
     "Anke Schubert", "Printmaker", "Lactose-free", ""),
    ("Klangraum Südvorstadt GmbH", "Sound design and film audio.",
     "Marek Lehmann", "Sound Designer", "", "Hearing aid: a hearing loop helps in talks"),
]  # fmt: skip
ANIMATION_AND_FILM = ["Johanna Brenner", "Tobias Reinhardt", "David Nguyen", "Jonas Weidner"]

ORGANISATIONS += [
    {"key": (company, "Leipzig"), "kind": K.COMPANY, "country": "DE",
     "sectors": ["creative-industries"], "description": what}
    for company, what, *_ in LEIPZIG_CREATIVES
]  # fmt: skip

# VENUES ----------------------------------------------------------------------
# Natural key (name, city). Coordinates are approximate real locations.
ALBERTS_SCHLOSS = ("Albert's Schloss", "Birmingham")
BOM_VENUE = ("Birmingham Open Media", "Birmingham")
STEAMHOUSE_VENUE = ("STEAMHouse", "Birmingham")
THE_BOND = ("The Bond", "Birmingham")
CUSTARD_FACTORY = ("Custard Factory", "Birmingham")
OLD_CROWN = ("The Old Crown", "Birmingham")
ICENTRUM = ("iCentrum, Innovation Birmingham Campus", "Birmingham")
OPERA_HOUSE = ("Opernhaus Leipzig", "Leipzig")
SUNTORY_HALL = ("Suntory Hall", "Tokyo")
EMBASSY_VENUE = ("German Embassy Tokyo", "Tokyo")
ARK_MORI = ("JETRO Headquarters, Ark Mori Building", "Tokyo")
KOBE_CLUSTER = ("Kobe Biomedical Innovation Cluster", "Kobe")
TOYOHASHI_HALL = ("Toyohashi City Hall", "Toyohashi")
# Venues of the two missions that live relative to today (missions/demo/living.py).
CHAMBER_HOUSE = ("Chamber of Commerce House", "Birmingham")
COUNCIL_HOUSE = ("The Council House", "Birmingham")
NEUES_RATHAUS = ("Neues Rathaus", "Leipzig")
BIO_CITY_VENUE = ("BioCity Leipzig", "Leipzig")
SPINLAB_VENUE = ("SpinLab, Baumwollspinnerei", "Leipzig")
GEWANDHAUS_VENUE = ("Gewandhaus zu Leipzig", "Leipzig")

VENUES = [
    # Leopard Co's report of the round table names the venue; the seed only the host.
    {"key": ALBERTS_SCHLOSS, "address": "Chamberlain Square, Paradise, Birmingham",
     "country": "GB", "lat": "52.480000", "lng": "-1.904300", "tz": LONDON},
    {"key": BOM_VENUE, "organisation": BOM, "address": "1 Dudley Street, Birmingham B5 4EG",
     "country": "GB", "lat": "52.476800", "lng": "-1.896200", "tz": LONDON},
    {"key": STEAMHOUSE_VENUE, "organisation": STEAMHOUSE,
     "address": "Belmont Row, Birmingham B4 7RQ", "country": "GB",
     "lat": "52.483300", "lng": "-1.885100", "tz": LONDON},
    {"key": THE_BOND, "address": "180–182 Fazeley Street, Digbeth, Birmingham B5 5SE",
     "country": "GB", "lat": "52.478900", "lng": "-1.883600", "tz": LONDON,
     "notes": "Canal-side; street art along the towpath."},
    {"key": CUSTARD_FACTORY, "address": "Gibb Street, Digbeth, Birmingham B9 4AA",
     "country": "GB", "lat": "52.474600", "lng": "-1.883800", "tz": LONDON},
    {"key": OLD_CROWN, "address": "188 High Street Deritend, Digbeth, Birmingham B12 0LD",
     "country": "GB", "lat": "52.473700", "lng": "-1.886200", "tz": LONDON,
     "notes": "Birmingham's oldest pub, built in 1358: ask about step-free access."},
    {"key": ICENTRUM, "organisation": INNOVATION_BIRMINGHAM,
     "address": "Holt Street, Birmingham B7 4BP", "country": "GB",
     "lat": "52.486800", "lng": "-1.887600", "tz": LONDON},
    {"key": OPERA_HOUSE, "organisation": OPER, "address": "Augustusplatz 12, 04109 Leipzig",
     "country": "DE", "lat": "51.340600", "lng": "12.381400", "tz": BERLIN},
    {"key": SUNTORY_HALL, "address": "1-13-1 Akasaka, Minato-ku, Tokyo 107-8403",
     "country": "JP", "lat": "35.668600", "lng": "139.741300", "tz": TOKYO,
     "capacity": 2006},
    {"key": EMBASSY_VENUE, "organisation": EMBASSY,
     "address": "4-5-10 Minami-Azabu, Minato-ku, Tokyo 106-0047", "country": "JP",
     "lat": "35.650000", "lng": "139.724400", "tz": TOKYO},
    {"key": ARK_MORI, "organisation": JETRO, "address": "1-12-32 Akasaka, Minato-ku, Tokyo",
     "country": "JP", "lat": "35.667500", "lng": "139.739400", "tz": TOKYO},
    {"key": KOBE_CLUSTER, "address": "Minatojima-minamimachi, Chuo-ku, Kobe (Port Island)",
     "country": "JP", "lat": "34.663500", "lng": "135.212000", "tz": TOKYO},
    {"key": TOYOHASHI_HALL, "organisation": TOYOHASHI,
     "address": "1 Imahashi-cho, Toyohashi, Aichi 440-8501", "country": "JP",
     "lat": "34.769300", "lng": "137.391600", "tz": TOKYO},
    {"key": CHAMBER_HOUSE, "organisation": GBCC,
     "address": "75 Harborne Road, Edgbaston, Birmingham B15 3DH", "country": "GB",
     "lat": "52.469000", "lng": "-1.925000", "tz": LONDON},
    {"key": COUNCIL_HOUSE, "organisation": BCC,
     "address": "Victoria Square, Birmingham B1 1BB", "country": "GB",
     "lat": "52.479700", "lng": "-1.903700", "tz": LONDON,
     "notes": "The Lord Mayor's parlour and banqueting suite; step-free entrance on "
     "Victoria Square."},
    {"key": NEUES_RATHAUS, "organisation": LEIPZIG,
     "address": "Martin-Luther-Ring 4–6, 04109 Leipzig", "country": "DE",
     "lat": "51.335900", "lng": "12.371600", "tz": BERLIN},
    {"key": BIO_CITY_VENUE, "organisation": BIO_CITY,
     "address": "Deutscher Platz 5, 04103 Leipzig", "country": "DE",
     "lat": "51.321600", "lng": "12.395600", "tz": BERLIN},
    {"key": SPINLAB_VENUE, "organisation": SPINLAB,
     "address": "Spinnereistraße 7, 04179 Leipzig", "country": "DE",
     "lat": "51.329900", "lng": "12.330600", "tz": BERLIN},
    {"key": GEWANDHAUS_VENUE, "organisation": GEWANDHAUS,
     "address": "Augustusplatz 8, 04109 Leipzig", "country": "DE",
     "lat": "51.337900", "lng": "12.380800", "tz": BERLIN, "capacity": 1900},
]  # fmt: skip


# PEOPLE ----------------------------------------------------------------------
def _demo_email(full_name: str) -> str:
    """`sabine.krueger@example.org` for Sabine Krüger."""
    return full_name.lower().replace("ü", "ue").replace(" ", ".") + "@example.org"


# Natural key: e-mail, regardless of case. Every address is invented (example.org).
PEOPLE = [
    # Birmingham
    {"name": "Councillor Ken Wood", "email": "ken.wood@example.org", "org": BCC,
     "job": "Lord Mayor of Birmingham (2024–25)", "lang": EN, "tz": LONDON},
    {"name": "Barbara Wood", "email": "barbara.wood@example.org", "org": BCC,
     "job": "Lady Mayoress of Birmingham (2024–25)", "lang": EN, "tz": LONDON},
    {"name": "Lloyd Broad", "email": "lloyd.broad@example.org", "org": BCC,
     "job": "Head of European and International Affairs", "lang": EN, "tz": LONDON},
    {"name": "Fiona Latter", "email": "fiona.latter@example.org", "org": WMCA,
     "job": "Programme Manager", "lang": EN, "tz": LONDON},
    {"name": "Anthony Tattum", "email": "anthony.tattum@example.org", "org": LEOPARD,
     "job": "Chief Marketing Officer", "lang": EN, "tz": LONDON},
    {"name": "Dr David Hardman", "email": "david.hardman@example.org",
     "org": INNOVATION_BIRMINGHAM, "job": "Chief Executive", "lang": EN, "tz": LONDON},
    {"name": "Cliff Dennett", "email": "cliff.dennett@example.org",
     "org": INNOVATION_BIRMINGHAM, "job": "Head of Business Development", "lang": EN,
     "tz": LONDON},
    # invented: local hosts of the upcoming mission's matchmaking (matchmaking/demo.py)
    {"name": "Grace Okafor", "email": "grace.okafor@example.org", "org": SECOND_HOME,
     "job": "Head of Production", "lang": EN, "tz": LONDON},
    {"name": "Tom Ellis", "email": "tom.ellis@example.org", "org": BOM,
     "job": "Studio Director", "lang": EN, "tz": LONDON},
    # invented: a council press officer
    {"name": "Priya Sandhu", "email": "priya.sandhu@example.org", "org": BCC,
     "job": "Press and Media Officer", "lang": EN, "tz": LONDON, "diet": "Halal"},
    # Leipzig
    {"name": "Burkhard Jung", "email": "burkhard.jung@example.org", "org": LEIPZIG,
     "job": "Mayor of Leipzig", "lang": DE, "tz": BERLIN},
    {"name": "Uwe Albrecht", "email": "uwe.albrecht@example.org", "org": LEIPZIG,
     "job": "Mayor for Economic Affairs and Employment", "lang": DE, "tz": BERLIN},
    {"name": "Michael Körner", "email": "michael.koerner@example.org", "org": IRL,
     "job": "Chief Executive", "lang": DE, "tz": BERLIN},
    {"name": "Ines Dietrich", "email": "ines.dietrich@example.org", "org": KREATIVES,
     "job": "Representative", "lang": DE, "tz": BERLIN},
    {"name": "Dr Randy Kurz", "email": "randy.kurz@example.org", "org": BIO_NET,
     "job": "Transfer Manager", "lang": DE, "tz": BERLIN},
    {"name": "Shawn Segundo", "email": "shawn.segundo@example.org", "org": SPINLAB,
     "job": "Representative", "lang": DE, "tz": BERLIN},
    {"name": "Roy Richter", "email": "roy.richter@example.org", "org": DJG,
     "job": "President", "lang": DE, "tz": BERLIN},
    {"name": "Andreas Schulz", "email": "andreas.schulz@example.org", "org": GEWANDHAUS,
     "job": "Gewandhausdirektor", "lang": DE, "tz": BERLIN},
    # invented: a freelance interpreter
    {"name": "Katrin Vogel", "email": "katrin.vogel@example.org", "org": None,
     "job": "Conference interpreter (German–English)", "lang": DE, "tz": BERLIN,
     "diet": "Vegetarian"},
    # Tokyo
    {"name": "Hans Carl Freiherr von Werthern", "email": "hans-carl.von-werthern@example.org",
     "org": EMBASSY, "job": "German Ambassador to Japan", "lang": DE, "tz": TOKYO},
    # invented: a Tokyo interpreter
    {"name": "Mika Sato", "email": "mika.sato@example.org", "org": None,
     "job": "Conference interpreter (Japanese–German)", "lang": DE, "tz": TOKYO,
     "diet": "No shellfish"},
    # Berlin
    {"name": "Friedhelm Ost", "email": "friedhelm.ost@example.org", "org": PKS,
     "job": "Staatssekretär a. D., responsible for the ISA", "lang": DE, "tz": BERLIN},
    {"name": "Stefanie Behmer", "email": "stefanie.behmer@example.org", "org": PKS,
     "job": "ISA contact", "lang": DE, "tz": BERLIN},
]  # fmt: skip

PEOPLE += [
    {"name": name, "email": _demo_email(name), "org": (company, "Leipzig"), "job": job,
     "lang": DE, "tz": BERLIN, "diet": diet, "access": access}
    for company, _, name, job, diet, access in LEIPZIG_CREATIVES
]  # fmt: skip


# MISSIONS --------------------------------------------------------------------
# Natural key (slug); the demo's outcomes (outcomes/demo.py) name their missions by it.
CREATIVE = "leipzig-creative-trade-mission-birmingham-2025"
OPERA_BALL = "birmingham-delegation-leipzig-opera-ball-2024"
JAPAN = "leipzig-economic-delegation-japan-2017"
ANNIVERSARY = "birmingham-leipzig-25-years-innovation-event-2017"
# Items: local wall-clock times (naive) in the venue's zone, else the mission's.
# Participants: "items" names the items (by title) a person attends when selected.
d = dt.datetime
MISSIONS = [
    # (a) The seed gives three days but no date; Leopard Co's report of the round table
    # says March 2025. Tuesday 11 to Thursday 13 March and all times are invented.
    {
        "slug": CREATIVE,
        "title": "Leipzig creative industries trade mission to Birmingham",
        "kind": MissionKind.INBOUND,
        "status": MissionStatus.COMPLETED,
        "city": "Birmingham", "country": "GB", "tz": LONDON,
        "start": dt.date(2025, 3, 11), "end": dt.date(2025, 3, 13),
        "rsvp_deadline": dt.date(2025, 2, 21),  # invented
        "lead": BCC, "organisers": [BCC], "partners": [WMCA, WMGC, DBT, GBCC, KREATIVES],
        "sectors": ["creative-industries"],
        "objectives": "Link ten Leipzig film, visual-art and animation businesses with "
        "Birmingham's creative and cultural organisations; invite Birmingham creatives to "
        "the MACHN Festival (Leipzig, June 2025) and Leipzig creatives to the 2025 "
        "Birmingham Film and TV Market and the 2026 Birmingham Design Festival and "
        "Flatpack Film Festival.",
        "description": "The reciprocal visit after Birmingham's delegation to the Leipzig "
        "Opera Ball in November 2024, prepared with Kreatives Leipzig.",
        "items": [
            {"title": "Round table on Birmingham's creative and cultural ecosystem",
             "kind": ItemKind.ROUND_TABLE, "starts": d(2025, 3, 11, 9, 30),
             "ends": d(2025, 3, 11, 11, 30), "venue": ALBERTS_SCHLOSS, "host": GBCC,
             "description": "Chaired by Anthony Tattum (Leopard Co), with Birmingham Design "
             "Festival, Birmingham Film and TV Market, Flatpack Film Festival, Birmingham "
             "Open Media and Birmingham Music Archive. Ines Dietrich briefs on the MACHN "
             "Festival, June 2025 in Leipzig."},
            {"title": "Birmingham Open Media and the Immersive Bootcamps",
             "kind": ItemKind.SITE_VISIT, "starts": d(2025, 3, 11, 14, 0),
             "ends": d(2025, 3, 11, 16, 0), "venue": BOM_VENUE, "host": BOM,
             "description": "BOM's immersive and tech work; meeting participants of the "
             "WMCA-funded Immersive Bootcamps."},
            {"title": "Holosphere: XR studio visit", "kind": ItemKind.SITE_VISIT,
             "starts": d(2025, 3, 12, 9, 30), "ends": d(2025, 3, 12, 11, 0),
             "host": HOLOSPHERE, "meeting_point": "Holosphere studio reception",
             "description": "VR, AR and mixed-reality projects delivered across the world."},
            {"title": "VentureFest: European partnership opportunities",
             "kind": ItemKind.FESTIVAL, "starts": d(2025, 3, 12, 11, 30),
             "ends": d(2025, 3, 12, 13, 0),
             "description": "Panel of global innovative companies with a base in Birmingham."},
            {"title": "STEAMHouse tour", "kind": ItemKind.SITE_VISIT,
             "starts": d(2025, 3, 12, 14, 30), "ends": d(2025, 3, 12, 16, 30),
             "venue": STEAMHOUSE_VENUE, "host": STEAMHOUSE,
             "description": "Membership packages for creative businesses, 3D printing, the "
             "digital production facilities and the SoundLab."},
            {"title": "Digbeth: The Bond", "kind": ItemKind.SITE_VISIT,
             "starts": d(2025, 3, 13, 10, 0), "ends": d(2025, 3, 13, 11, 0),
             "venue": THE_BOND, "description": "Street art along the canal."},
            {"title": "Digbeth: the Custard Factory", "kind": ItemKind.SITE_VISIT,
             "starts": d(2025, 3, 13, 11, 15), "ends": d(2025, 3, 13, 12, 15),
             "venue": CUSTARD_FACTORY},
            {"title": "Second Home Studios", "kind": ItemKind.SITE_VISIT,
             "starts": d(2025, 3, 13, 12, 30), "ends": d(2025, 3, 13, 13, 30),
             "host": SECOND_HOME, "meeting_point": "Custard Factory, Gibb Street entrance",
             "audience": Audience.SELECTED, "capacity": 6,  # invented: a small studio
             "description": "BAFTA-nominated animation studio near the Custard Factory."},
            {"title": "Closing visit: The Old Crown", "kind": ItemKind.MEAL,
             "starts": d(2025, 3, 13, 16, 0), "ends": d(2025, 3, 13, 18, 0),
             "venue": OLD_CROWN, "description": "Birmingham's oldest pub, built in 1358."},
        ],
        "participants": [
            {"person": "Ines Dietrich", "role": ParticipantRole.LEAD, "rsvp": ACCEPTED},
            *[
                {"person": row[2], "role": ParticipantRole.DELEGATE, "rsvp": ACCEPTED,
                 "items": ["Second Home Studios"] if row[2] in ANIMATION_AND_FILM else []}
                for row in LEIPZIG_CREATIVES
            ],
            {"person": "Anthony Tattum", "role": ParticipantRole.SPEAKER, "rsvp": ACCEPTED,
             "notes": "Chairs the round table."},
            {"person": "Fiona Latter", "role": ParticipantRole.ORGANISER, "rsvp": ACCEPTED,
             "items": ["Second Home Studios"]},
            {"person": "Priya Sandhu", "role": ParticipantRole.PRESS,
             "rsvp": RsvpStatus.TENTATIVE, "notes": "Photographs for the Digbeth day if free."},
        ],
        # invented: the feedback of five delegates, with their ratings of some items
        "feedback": [
            {"person": "Johanna Brenner", "rating": 5,
             "comment": "Second Home Studios was the visit I came for: we now talk about "
             "a co-production.",
             "items": {"Round table on Birmingham's creative and cultural ecosystem": 4,
                       "Birmingham Open Media and the Immersive Bootcamps": 5,
                       "STEAMHouse tour": 4,
                       "Second Home Studios": 5,
                       "Closing visit: The Old Crown": 4}},
            {"person": "Tobias Reinhardt", "rating": 4,
             "comment": "Good contacts at the round table; the Digbeth day was rushed.",
             "items": {"Round table on Birmingham's creative and cultural ecosystem": 5,
                       "Holosphere: XR studio visit": 3,
                       "Digbeth: The Bond": 3,
                       "Digbeth: the Custard Factory": 3,
                       "Second Home Studios": 4}},
            {"person": "Mira Kowalczyk", "rating": 4,
             "comment": "The street art along the canal will stay with me.",
             "items": {"VentureFest: European partnership opportunities": 2,
                       "STEAMHouse tour": 3,
                       "Digbeth: The Bond": 5,
                       "Digbeth: the Custard Factory": 4}},
            {"person": "Lena Vogt", "rating": 5,
             "comment": "Holosphere and Birmingham Open Media: exactly our field.",
             "items": {"Round table on Birmingham's creative and cultural ecosystem": 4,
                       "Birmingham Open Media and the Immersive Bootcamps": 5,
                       "Holosphere: XR studio visit": 5,
                       "VentureFest: European partnership opportunities": 4}},
            {"person": "Sabine Krüger", "rating": 3,
             "comment": "Step-free access in Digbeth was not always arranged.",
             "items": {"Round table on Birmingham's creative and cultural ecosystem": 4,
                       "STEAMHouse tour": 4,
                       "Digbeth: The Bond": 2,
                       "Digbeth: the Custard Factory": 2}},
        ],
    },
    # (b) The 29th Leipzig Opera Ball, with Birmingham as partner city, was on Friday
    # 8 November 2024. Arrival the day before and return the day after are invented.
    {
        "slug": OPERA_BALL,
        "title": "Birmingham delegation to the Leipzig Opera Ball",
        "kind": MissionKind.OUTBOUND,
        "status": MissionStatus.COMPLETED,
        "city": "Leipzig", "country": "DE", "tz": BERLIN,
        "start": dt.date(2024, 11, 7), "end": dt.date(2024, 11, 9),
        "rsvp_deadline": dt.date(2024, 10, 11),  # invented
        "lead": BCC, "organisers": [BCC, WMCA], "partners": [LEIPZIG, KREATIVES],
        "sectors": ["creative-industries"],
        "objectives": "Represent Birmingham as the partner city of the 2024 Leipzig Opera "
        "Ball and deepen business ties: ten Birmingham tech and creative companies "
        "accompany the Lord Mayor.",
        "description": "The Lord Mayor and Lady Mayoress are the Opera Ball's guests; "
        "Fiona Latter (WMCA) leads the creative businesses.",
        "items": [
            {"title": "Travel Birmingham – Leipzig", "kind": ItemKind.TRAVEL,
             "starts": d(2024, 11, 7, 9, 0), "ends": d(2024, 11, 7, 15, 0)},
            {"title": "Leipzig's creative scene with Kreatives Leipzig",
             "kind": ItemKind.SITE_VISIT, "starts": d(2024, 11, 8, 10, 0),
             "ends": d(2024, 11, 8, 13, 0), "host": KREATIVES,
             "meeting_point": "Augustusplatz, in front of the opera house",  # invented
             "description": "Studios, workplaces and meetings with Leipzig creatives."},
            {"title": "Leipzig Opera Ball 2024", "kind": ItemKind.CULTURAL,
             "starts": d(2024, 11, 8, 19, 0), "ends": d(2024, 11, 9, 3, 0),
             "venue": OPERA_HOUSE, "host": OPER, "audience": Audience.SELECTED,
             "description": "Birmingham is the partner city of this year's ball. Black tie."},
            {"title": "Travel Leipzig – Birmingham", "kind": ItemKind.TRAVEL,
             "starts": d(2024, 11, 9, 13, 0), "ends": d(2024, 11, 9, 19, 0)},
        ],
        "participants": [
            {"person": "Councillor Ken Wood", "role": ParticipantRole.LEAD, "rsvp": ACCEPTED,
             "items": ["Leipzig Opera Ball 2024"]},
            {"person": "Barbara Wood", "role": ParticipantRole.DELEGATE, "rsvp": ACCEPTED,
             "items": ["Leipzig Opera Ball 2024"]},
            {"person": "Fiona Latter", "role": ParticipantRole.ORGANISER, "rsvp": ACCEPTED},
            {"person": "Ines Dietrich", "role": ParticipantRole.HOST, "rsvp": ACCEPTED},
            {"person": "Katrin Vogel", "role": ParticipantRole.INTERPRETER,
             "rsvp": RsvpStatus.WITHDRAWN,
             "notes": "Not needed: the hosts ran the programme in English."},
        ],
        # invented
        "feedback": [
            {"person": "Councillor Ken Wood", "rating": 4,
             "comment": "A proud evening for Birmingham; the flights were long.",
             "items": {"Travel Birmingham – Leipzig": 2,
                       "Leipzig's creative scene with Kreatives Leipzig": 4,
                       "Leipzig Opera Ball 2024": 5}},
            {"person": "Fiona Latter", "rating": 5,
             "comment": "Kreatives Leipzig opened every door for our companies.",
             "items": {"Travel Birmingham – Leipzig": 3,
                       "Leipzig's creative scene with Kreatives Leipzig": 5,
                       "Travel Leipzig – Birmingham": 3}},
        ],
    },
    # (c) The seed gives no year. The City of Leipzig's announcement (November 2017)
    # dates the trip 6 to 13 November 2017, along the Gewandhausorchester's Asia tour
    # (Herbert Blomstedt conducting, Suntory Hall); von Werthern was ambassador then.
    # The order of the stops follows the seed; the days and times are invented.
    {
        "slug": JAPAN,
        "title": "Leipzig economic delegation to Tokyo, Kobe and Toyohashi",
        "kind": MissionKind.OUTBOUND,
        "status": MissionStatus.COMPLETED,
        "city": "Tokyo", "country": "JP", "tz": TOKYO,
        "start": dt.date(2017, 11, 6), "end": dt.date(2017, 11, 13),
        "rsvp_deadline": dt.date(2017, 10, 13),  # invented
        "lead": LEIPZIG, "organisers": [LEIPZIG], "partners": [GEWANDHAUS, BIO_NET, DJG],
        "sectors": ["biotech-life-sciences", "digital-health", "mobility", "logistics",
                    "advanced-manufacturing"],
        "objectives": "Biotechnology and the health economy in Tokyo and Kobe (regenerative "
        "medicine, cell therapy); mechanical engineering with automotive makers and "
        "suppliers in the Toyohashi region and Tokyo; present Leipzig's logistics, the "
        "growth of Porsche and BMW and the e-city electromobility programme.",
        "description": "Led by Uwe Albrecht, with Dr Randy Kurz (BIO-NET) and Roy Richter "
        "(German-Japanese Society Leipzig). Ends with the Gewandhausorchester's Tokyo "
        "concert on 13 November and a reception beforehand.",
        "items": [
            {"title": "Working visit at the German Embassy", "kind": ItemKind.BRIEFING,
             "starts": d(2017, 11, 7, 14, 0), "ends": d(2017, 11, 7, 15, 30),
             "venue": EMBASSY_VENUE, "host": EMBASSY},
            {"title": "Talks at JETRO", "kind": ItemKind.MEETING,
             "starts": d(2017, 11, 7, 16, 30), "ends": d(2017, 11, 7, 18, 0),
             "venue": ARK_MORI, "host": JETRO},
            {"title": "Biotechnology and health economy talks in Tokyo",
             "kind": ItemKind.MEETING, "starts": d(2017, 11, 8, 10, 0),
             "ends": d(2017, 11, 8, 12, 0)},
            {"title": "Press background talk with a Japanese logistics publication",
             "kind": ItemKind.MEETING, "starts": d(2017, 11, 8, 15, 0),
             "ends": d(2017, 11, 8, 16, 0), "audience": Audience.SELECTED},
            {"title": "Shinkansen Tokyo – Shin-Kobe", "kind": ItemKind.TRAVEL,
             "starts": d(2017, 11, 9, 8, 0), "ends": d(2017, 11, 9, 10, 45),
             "meeting_point": "Tokyo Station, Tokaido Shinkansen ticket gates"},
            {"title": "Kobe: regenerative medicine and cell therapy",
             "kind": ItemKind.SITE_VISIT, "starts": d(2017, 11, 9, 12, 0),
             "ends": d(2017, 11, 9, 15, 0), "venue": KOBE_CLUSTER,
             "description": "A leading research institute and companies; Kobe has focused "
             "on biotech and health since the 1995 earthquake."},
            {"title": "Talks with Kobe's largest university", "kind": ItemKind.MEETING,
             "starts": d(2017, 11, 9, 16, 0), "ends": d(2017, 11, 9, 17, 30),
             "audience": Audience.SELECTED,
             "description": "Possible cooperation with Leipzig in biotech and health."},
            {"title": "Shinkansen Shin-Kobe – Toyohashi", "kind": ItemKind.TRAVEL,
             "starts": d(2017, 11, 10, 8, 30), "ends": d(2017, 11, 10, 10, 30)},
            {"title": "Reception by the Mayor of Toyohashi", "kind": ItemKind.MEETING,
             "starts": d(2017, 11, 10, 11, 0), "ends": d(2017, 11, 10, 12, 0),
             "venue": TOYOHASHI_HALL, "host": TOYOHASHI},
            {"title": "Automotive and supplier companies in the Toyohashi region",
             "kind": ItemKind.MEETING, "starts": d(2017, 11, 10, 14, 0),
             "ends": d(2017, 11, 10, 16, 30)},
            {"title": "Welcome reception of the Japanese-German Society Toyohashi",
             "kind": ItemKind.RECEPTION, "starts": d(2017, 11, 10, 18, 30),
             "ends": d(2017, 11, 10, 20, 30)},
            {"title": "Travel Toyohashi – Tokyo", "kind": ItemKind.TRAVEL,
             "starts": d(2017, 11, 11, 10, 0), "ends": d(2017, 11, 11, 12, 0)},
            {"title": "Talks with automotive companies in Tokyo", "kind": ItemKind.MEETING,
             "starts": d(2017, 11, 13, 10, 0), "ends": d(2017, 11, 13, 12, 0)},
            {"title": "Reception of the City of Leipzig and the Gewandhaus",
             "kind": ItemKind.RECEPTION, "starts": d(2017, 11, 13, 17, 30),
             "ends": d(2017, 11, 13, 18, 45), "venue": SUNTORY_HALL, "host": LEIPZIG,
             "capacity": 50,
             "description": "About 50 guests from business, science, politics and culture, "
             "with the German ambassador to Japan."},
            {"title": "Gewandhausorchester concert", "kind": ItemKind.CULTURAL,
             "starts": d(2017, 11, 13, 19, 0), "ends": d(2017, 11, 13, 21, 0),
             "venue": SUNTORY_HALL, "host": GEWANDHAUS,
             "description": "Herbert Blomstedt conducts. Highlight and end of the trip."},
        ],
        "participants": [
            {"person": "Uwe Albrecht", "role": ParticipantRole.LEAD, "rsvp": ACCEPTED,
             "items": ["Press background talk with a Japanese logistics publication",
                       "Talks with Kobe's largest university"], "travel": True},
            {"person": "Dr Randy Kurz", "role": ParticipantRole.DELEGATE, "rsvp": ACCEPTED,
             "items": ["Talks with Kobe's largest university"], "travel": True},
            {"person": "Roy Richter", "role": ParticipantRole.DELEGATE, "rsvp": ACCEPTED,
             "items": ["Press background talk with a Japanese logistics publication"],
             "travel": True},
            {"person": "Mika Sato", "role": ParticipantRole.INTERPRETER, "rsvp": ACCEPTED,
             "items": ["Press background talk with a Japanese logistics publication",
                       "Talks with Kobe's largest university"]},
            {"person": "Hans Carl Freiherr von Werthern", "role": ParticipantRole.HOST,
             "rsvp": ACCEPTED, "notes": "Guest of honour at the reception."},
            {"person": "Andreas Schulz", "role": ParticipantRole.HOST, "rsvp": ACCEPTED,
             "notes": "Co-host of the reception for the Gewandhaus."},
        ],
    },
    # (d) The 25th anniversary of the 1992 partnership: 2017, and 20 October 2017 was a
    # Friday. The speakers come from the seed; the running order and times are invented.
    {
        "slug": ANNIVERSARY,
        "title": "Birmingham and Leipzig: 25 years of innovation and growth",
        "kind": MissionKind.EVENT,
        "status": MissionStatus.COMPLETED,
        "city": "Birmingham", "country": "GB", "tz": LONDON,
        "start": dt.date(2017, 10, 20), "end": dt.date(2017, 10, 20),
        "rsvp_deadline": dt.date(2017, 10, 6),  # invented
        "lead": BCC, "organisers": [BCC, INNOVATION_BIRMINGHAM], "partners": [LEIPZIG, IRL],
        "sectors": ["creative-industries", "biotech-life-sciences", "digital-health"],
        "objectives": "Make business incubators and accelerators in both cities work "
        "together and explore exchanges for SMEs.",
        "description": "Part of the Mayor of Leipzig's visit for the 25th anniversary, "
        "supported by the Innovation Engine Project (part-funded by the European Regional "
        "Development Fund). Two speakers from Leipzig dial in remotely.",
        "items": [
            {"title": "Keynote: Burkhard Jung, Mayor of Leipzig", "kind": ItemKind.KEYNOTE,
             "starts": d(2017, 10, 20, 10, 0), "ends": d(2017, 10, 20, 10, 20),
             "venue": ICENTRUM, "host": INNOVATION_BIRMINGHAM},
            {"title": "Keynote: Lloyd Broad, Birmingham City Council",
             "kind": ItemKind.KEYNOTE, "starts": d(2017, 10, 20, 10, 20),
             "ends": d(2017, 10, 20, 10, 40), "venue": ICENTRUM, "host": INNOVATION_BIRMINGHAM},
            {"title": "Keynote: Dr David Hardman, Innovation Birmingham",
             "kind": ItemKind.KEYNOTE, "starts": d(2017, 10, 20, 10, 40),
             "ends": d(2017, 10, 20, 11, 0), "venue": ICENTRUM, "host": INNOVATION_BIRMINGHAM,
             "description": "Includes the Serendip Smart City Incubator and BioHub, the life "
             "science facility of the University of Birmingham and the council."},
            {"title": "SpinLab, Leipzig (remote)", "kind": ItemKind.KEYNOTE,
             "starts": d(2017, 10, 20, 11, 15), "ends": d(2017, 10, 20, 11, 45),
             "venue": ICENTRUM, "online_link": "https://meet.example.org/bham-leipzig-25"},
            {"title": "BioCity Leipzig (remote)", "kind": ItemKind.KEYNOTE,
             "starts": d(2017, 10, 20, 11, 45), "ends": d(2017, 10, 20, 12, 15),
             "venue": ICENTRUM, "online_link": "https://meet.example.org/bham-leipzig-25"},
            {"title": "Networking lunch", "kind": ItemKind.MEAL,
             "starts": d(2017, 10, 20, 12, 15), "ends": d(2017, 10, 20, 13, 15),
             "venue": ICENTRUM},
            {"title": "Virtual and augmented reality round table",
             "kind": ItemKind.ROUND_TABLE, "starts": d(2017, 10, 20, 13, 15),
             "ends": d(2017, 10, 20, 14, 45), "venue": ICENTRUM,
             "description": "Schenker Technologies, DREFA Holding, Leipziger Messe, BCU "
             "Digital Media Technology Lab, Codemasters, Daden and Holosphere."},
            {"title": "VR demonstrations by AtmosVR", "kind": ItemKind.KEYNOTE,
             "starts": d(2017, 10, 20, 14, 45), "ends": d(2017, 10, 20, 15, 45),
             "venue": ICENTRUM, "description": "AtmosVR, from Wolverhampton."},
        ],
        "participants": [
            {"person": "Burkhard Jung", "role": ParticipantRole.LEAD, "rsvp": ACCEPTED},
            {"person": "Michael Körner", "role": ParticipantRole.DELEGATE, "rsvp": ACCEPTED},
            {"person": "Lloyd Broad", "role": ParticipantRole.SPEAKER, "rsvp": ACCEPTED,
             "items": ["Keynote: Lloyd Broad, Birmingham City Council"]},
            {"person": "Dr David Hardman", "role": ParticipantRole.SPEAKER, "rsvp": ACCEPTED,
             "items": ["Keynote: Dr David Hardman, Innovation Birmingham"]},
            {"person": "Cliff Dennett", "role": ParticipantRole.ORGANISER, "rsvp": ACCEPTED},
            {"person": "Shawn Segundo", "role": ParticipantRole.SPEAKER, "rsvp": ACCEPTED,
             "items": ["SpinLab, Leipzig (remote)"], "notes": "Dials in from Leipzig."},
            {"person": "Dr Randy Kurz", "role": ParticipantRole.SPEAKER, "rsvp": ACCEPTED,
             "items": ["BioCity Leipzig (remote)"], "notes": "Dials in from Leipzig."},
        ],
    },
    # (e) Date from the seed (a Tuesday); the times and the meeting link are invented.
    {
        "slug": "isa-online-conference-2021",
        "title": "ISA conference of economic-development agencies and advisory boards",
        "kind": MissionKind.ONLINE,
        "status": MissionStatus.COMPLETED,
        "city": "Berlin", "country": "DE", "tz": BERLIN,
        "start": dt.date(2021, 11, 30), "end": dt.date(2021, 11, 30),
        "lead": PKS, "organisers": [PKS], "partners": [ISA],
        "sectors": ["advanced-manufacturing", "biotech-life-sciences", "logistics", "cleantech"],
        "objectives": "Exchange on cooperation with the partner cities in China: investments, "
        "joint ventures, settlements and Chinese-German projects.",
        "description": "Representatives of 15 municipal economic-development agencies and "
        "advisory boards. Travel to China is hardly possible during the pandemic.",
        "items": [
            {"title": "Welcome: Friedhelm Ost", "kind": ItemKind.KEYNOTE,
             "starts": d(2021, 11, 30, 10, 0), "ends": d(2021, 11, 30, 10, 20), "host": PKS,
             "online_link": "https://meet.example.org/isa-2021-11-30",
             "description": "The last meeting in person was two years ago in Foshan and "
             "Guiyang; China's economy grew 4.9 % in the third quarter of 2021."},
            {"title": "Statements of the member cities", "kind": ItemKind.ROUND_TABLE,
             "starts": d(2021, 11, 30, 10, 20), "ends": d(2021, 11, 30, 11, 45), "host": PKS,
             "online_link": "https://meet.example.org/isa-2021-11-30",
             "description": "Chinese interest in R&D, automation, biotech, smart logistics, "
             "battery production, hydrogen, climate protection and the circular economy."},
        ],
        "participants": [
            {"person": "Friedhelm Ost", "role": ParticipantRole.SPEAKER, "rsvp": ACCEPTED,
             "items": ["Welcome: Friedhelm Ost"]},
            {"person": "Stefanie Behmer", "role": ParticipantRole.ORGANISER, "rsvp": ACCEPTED},
        ],
    },
]  # fmt: skip
del d

# invented: the flights of the Japan delegation, in Tokyo time
JAPAN_TRAVEL = {
    "arrival_at": dt.datetime(2017, 11, 7, 7, 55),
    "arrival_details": "LH 716 Frankfurt – Tokyo Haneda",
    "departure_at": dt.datetime(2017, 11, 14, 10, 45),
    "departure_details": "LH 717 Tokyo Haneda – Frankfurt",
}
