"""The words of a notification in each supported language, and how a language is chosen.

Every language is one :class:`Catalogue`; because its fields have no defaults, a string
missing from one language is a type error, not an English fallback discovered by a learner.
Dates, durations and method names are formatted here too, since their shape is a
language matter ("12. mars 2027", "12.3.2027", "1 t 30 min"). Hand-written tables keep
the dependency list short; four languages do not need Babel.

Placeholders: ``{count}``, ``{activity}`` and ``{learner}`` in subjects and intros,
``{people}`` (how many reports) in a manager's digest, ``{name}`` in the greeting.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping

from lrs_bridge.notify.model import Kind

SUPPORTED = ("en", "nb", "fi", "nl")
DEFAULT_LANGUAGE = "en"

#: Other primary subtags that mean a supported language. Norwegian "no" is the macrolanguage
#: and Nynorsk readers read Bokmål, so both go to "nb"; three-letter codes (ISO 639-2/3)
#: appear in some HR systems.
_ALIASES = {
    "no": "nb",
    "nn": "nb",
    "nob": "nb",
    "nno": "nb",
    "nor": "nb",
    "fin": "fi",
    "nld": "nl",
    "dut": "nl",
    "eng": "en",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Plural:
    """A text for exactly one item and one for more (the `{count}` form)."""

    one: str
    many: str

    def pick(self, count: int) -> str:
        """The form for ``count`` items."""
        return self.one if count == 1 else self.many


@dataclasses.dataclass(frozen=True, kw_only=True)
class Catalogue:
    """All strings of one language."""

    subject: Mapping[Kind, Plural]
    greeting: str
    greeting_no_name: str
    intro: Mapping[Kind, Plural]
    learner_fallback: str  # "{id}"; used when the learner has neither name nor e-mail
    #: A manager's escalation about several reports: ``{people}`` reports, ``{count}`` items.
    team_subject: str
    team_intro: str
    learner: str  # the label of an item's learner in a manager's digest
    competency: str
    activity: str
    method: str
    due: str
    overdue: str
    duration: str
    last_practised: str
    launch: str
    #: The link that signs the learner in to the console, on the assignment's page.
    open_in_console: str
    calendar_note: str
    footer: str
    methods: Mapping[str, str]
    months: tuple[str, ...]  # empty when dates are numeric
    date_pattern: str  # {day}, {month} (name), {month_number}, {year}
    units: Mapping[str, Plural]  # "W", "D", "H", "M", "S"


_EN = Catalogue(
    subject={
        "assigned": Plural(
            one="New refresher: {activity}",
            many="{count} new refreshers for you",
        ),
        "reminder": Plural(
            one="Reminder: {activity} is overdue",
            many="Reminder: {count} refreshers are overdue",
        ),
        "escalation": Plural(
            one="{learner} has an overdue refresher",
            many="{learner} has {count} overdue refreshers",
        ),
    },
    greeting="Hello {name},",
    greeting_no_name="Hello,",
    intro={
        "assigned": Plural(
            one="It has been a while since you last practised one of your competencies. "
            "To keep it fresh, we have assigned you the refresher below.",
            many="It has been a while since you last practised some of your competencies. "
            "To keep them fresh, we have assigned you the {count} refreshers below.",
        ),
        "reminder": Plural(
            one="This is a reminder that the refresher below is past its due date. "
            "Please complete it as soon as you can.",
            many="This is a reminder that the {count} refreshers below are past their due "
            "date. Please complete them as soon as you can.",
        ),
        "escalation": Plural(
            one="You are receiving this message as the manager of {learner}. The refresher "
            "below is past its due date and has not been completed, even after a reminder. "
            "Please help {learner} find time for it.",
            many="You are receiving this message as the manager of {learner}. The {count} "
            "refreshers below are past their due date and have not been completed, even "
            "after a reminder. Please help {learner} find time for them.",
        ),
    },
    learner_fallback="learner {id}",
    competency="Competency",
    activity="Activity",
    method="Format",
    due="Due",
    overdue="overdue",
    duration="Time needed",
    last_practised="Last practised",
    launch="Start the refresher",
    open_in_console="See it in the console (signs you in)",
    team_subject="{people} of your reports have overdue refreshers",
    team_intro="You are receiving this message as their manager. The {count} refreshers "
    "below, of {people} of your reports, are past their due date and have not been "
    "completed, even after a reminder. Please help them find time for them.",
    learner="Learner",
    calendar_note="The due dates are also in the attached calendar file.",
    footer="This message was sent automatically by lrs-bridge, based on learning records. "
    "Replies to it are not read.",
    methods={
        "coaching": "Coaching",
        "mentoring": "Mentoring",
        "role-play": "Role-play",
        "simulation": "Simulation",
        "communication-technique": "Communication technique",
        "refresher": "Refresher course",
        "theory": "Theory",
        "data-analysis": "Data analysis",
        "technology-training": "Technology training",
        "peer-feedback": "Peer feedback",
        "digital-self-study": "Digital self-study",
        "webinar": "Webinar",
        "stress-training": "Stress training",
    },
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    date_pattern="{day} {month} {year}",
    units={
        "W": Plural(one="week", many="weeks"),
        "D": Plural(one="day", many="days"),
        "H": Plural(one="h", many="h"),
        "M": Plural(one="min", many="min"),
        "S": Plural(one="s", many="s"),
    },
)

_NB = Catalogue(
    subject={
        "assigned": Plural(
            one="Ny oppfriskning: {activity}",
            many="{count} nye oppfriskninger til deg",
        ),
        "reminder": Plural(
            one="Påminnelse: fristen for {activity} har gått ut",
            many="Påminnelse: fristen for {count} oppfriskninger har gått ut",
        ),
        "escalation": Plural(
            one="{learner} har en oppfriskning med utløpt frist",
            many="{learner} har {count} oppfriskninger med utløpt frist",
        ),
    },
    greeting="Hei {name},",
    greeting_no_name="Hei,",
    intro={
        "assigned": Plural(
            one="Det er en stund siden du sist øvde på en av kompetansene dine. For å holde "
            "den ved like har du fått oppfriskningen nedenfor.",
            many="Det er en stund siden du sist øvde på noen av kompetansene dine. For å holde "
            "dem ved like har du fått de {count} oppfriskningene nedenfor.",
        ),
        "reminder": Plural(
            one="Dette er en påminnelse om at fristen for oppfriskningen nedenfor har gått ut. "
            "Fullfør den så snart du kan.",
            many="Dette er en påminnelse om at fristen for de {count} oppfriskningene nedenfor "
            "har gått ut. Fullfør dem så snart du kan.",
        ),
        "escalation": Plural(
            one="Du får denne meldingen fordi du er leder for {learner}. Fristen for "
            "oppfriskningen nedenfor har gått ut, og den er ikke fullført selv etter en "
            "påminnelse. Hjelp gjerne {learner} med å finne tid til den.",
            many="Du får denne meldingen fordi du er leder for {learner}. Fristen for de "
            "{count} oppfriskningene nedenfor har gått ut, og de er ikke fullført selv etter "
            "en påminnelse. Hjelp gjerne {learner} med å finne tid til dem.",
        ),
    },
    learner_fallback="deltaker {id}",
    competency="Kompetanse",
    activity="Aktivitet",
    method="Form",
    due="Frist",
    overdue="fristen er ute",
    duration="Tidsbruk",
    last_practised="Sist øvd",
    launch="Start oppfriskningen",
    open_in_console="Se den i konsollen (logger deg inn)",
    team_subject="{people} av medarbeiderne dine har oppfriskninger med utløpt frist",
    team_intro="Du får denne meldingen fordi du er leder for dem. Fristen for de {count} "
    "oppfriskningene nedenfor, for {people} av medarbeiderne dine, er passert, og de er "
    "ikke fullført, selv etter en påminnelse. Hjelp dem gjerne med å finne tid til dem.",
    learner="Medarbeider",
    calendar_note="Fristene ligger også i den vedlagte kalenderfilen.",
    footer="Denne meldingen ble sendt automatisk av lrs-bridge på grunnlag av læringsdata. "
    "Svar på den blir ikke lest.",
    methods={
        "coaching": "Coaching",
        "mentoring": "Mentoring",
        "role-play": "Rollespill",
        "simulation": "Simulering",
        "communication-technique": "Kommunikasjonsteknikk",
        "refresher": "Oppfriskningskurs",
        "theory": "Teori",
        "data-analysis": "Dataanalyse",
        "technology-training": "Teknologiopplæring",
        "peer-feedback": "Tilbakemelding fra kolleger",
        "digital-self-study": "Digitalt selvstudium",
        "webinar": "Webinar",
        "stress-training": "Stresstrening",
    },
    months=(
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ),
    date_pattern="{day}. {month} {year}",
    units={
        "W": Plural(one="uke", many="uker"),
        "D": Plural(one="dag", many="dager"),
        "H": Plural(one="t", many="t"),
        "M": Plural(one="min", many="min"),
        "S": Plural(one="s", many="s"),
    },
)

# Finnish: names are kept out of inflected positions ("henkilön {learner} esihenkilö",
# "{learner}: ...") because a template cannot decline a name into the genitive.
_FI = Catalogue(
    subject={
        "assigned": Plural(
            one="Uusi kertauskoulutus: {activity}",
            many="{count} uutta kertauskoulutusta sinulle",
        ),
        "reminder": Plural(
            one="Muistutus: {activity} on myöhässä",
            many="Muistutus: {count} kertauskoulutusta on myöhässä",
        ),
        "escalation": Plural(
            one="{learner}: kertauskoulutus on myöhässä",
            many="{learner}: {count} kertauskoulutusta on myöhässä",
        ),
    },
    greeting="Hei {name},",
    greeting_no_name="Hei,",
    intro={
        "assigned": Plural(
            one="Yhden osaamisalueesi edellisestä harjoittelusta on jo aikaa. Jotta osaaminen "
            "pysyy ajan tasalla, sinulle on osoitettu alla oleva kertauskoulutus.",
            many="Useamman osaamisalueesi edellisestä harjoittelusta on jo aikaa. Jotta "
            "osaaminen pysyy ajan tasalla, sinulle on osoitettu alla olevat {count} "
            "kertauskoulutusta.",
        ),
        "reminder": Plural(
            one="Muistutamme, että alla olevan kertauskoulutuksen määräaika on umpeutunut. "
            "Suorita se mahdollisimman pian.",
            many="Muistutamme, että alla olevien {count} kertauskoulutuksen määräaika on "
            "umpeutunut. Suorita ne mahdollisimman pian.",
        ),
        "escalation": Plural(
            one="Saat tämän viestin, koska olet henkilön {learner} esihenkilö. Alla olevan "
            "kertauskoulutuksen määräaika on umpeutunut, eikä sitä ole suoritettu "
            "muistutuksesta huolimatta. Autathan häntä löytämään sille aikaa.",
            many="Saat tämän viestin, koska olet henkilön {learner} esihenkilö. Alla olevien "
            "{count} kertauskoulutuksen määräaika on umpeutunut, eikä niitä ole suoritettu "
            "muistutuksesta huolimatta. Autathan häntä löytämään niille aikaa.",
        ),
    },
    learner_fallback="oppija {id}",
    competency="Osaamisalue",
    activity="Aktiviteetti",
    method="Toteutustapa",
    due="Määräaika",
    overdue="myöhässä",
    duration="Kesto",
    last_practised="Viimeksi harjoiteltu",
    launch="Aloita kertauskoulutus",
    open_in_console="Katso se konsolissa (kirjaa sinut sisään)",
    team_subject="{people} alaisellasi on myöhässä olevia kertauskoulutuksia",
    team_intro="Saat tämän viestin, koska olet heidän esihenkilönsä. Alla olevien {count} "
    "kertauskoulutuksen määräaika on ohitettu, eikä niitä ole suoritettu muistutuksesta "
    "huolimatta ({people} alaistasi). Autathan heitä löytämään niille aikaa.",
    learner="Oppija",
    calendar_note="Määräajat löytyvät myös liitteenä olevasta kalenteritiedostosta.",
    footer="Tämä viesti on lähetetty automaattisesti lrs-bridge-järjestelmästä "
    "oppimistietojen perusteella. Viestiin tulevia vastauksia ei lueta.",
    methods={
        "coaching": "Valmennus",
        "mentoring": "Mentorointi",
        "role-play": "Roolipeliharjoitus",
        "simulation": "Simulaatio",
        "communication-technique": "Viestintätekniikka",
        "refresher": "Kertauskurssi",
        "theory": "Teoria",
        "data-analysis": "Data-analyysi",
        "technology-training": "Teknologiakoulutus",
        "peer-feedback": "Vertaispalaute",
        "digital-self-study": "Digitaalinen itseopiskelu",
        "webinar": "Webinaari",
        "stress-training": "Stressinsietoharjoittelu",
    },
    months=(),
    date_pattern="{day}.{month_number}.{year}",
    units={
        "W": Plural(one="viikko", many="viikkoa"),
        "D": Plural(one="päivä", many="päivää"),
        "H": Plural(one="h", many="h"),
        "M": Plural(one="min", many="min"),
        "S": Plural(one="s", many="s"),
    },
)

_NL = Catalogue(
    subject={
        "assigned": Plural(
            one="Nieuwe opfristraining: {activity}",
            many="{count} nieuwe opfristrainingen voor je",
        ),
        "reminder": Plural(
            one="Herinnering: de deadline voor {activity} is verstreken",
            many="Herinnering: de deadline van {count} opfristrainingen is verstreken",
        ),
        "escalation": Plural(
            one="{learner} heeft een opfristraining waarvan de deadline is verstreken",
            many="{learner} heeft {count} opfristrainingen waarvan de deadline is verstreken",
        ),
    },
    greeting="Hallo {name},",
    greeting_no_name="Hallo,",
    intro={
        "assigned": Plural(
            one="Het is al een tijdje geleden dat je een van je competenties hebt geoefend. "
            "Om die op peil te houden, hebben we je de onderstaande opfristraining "
            "toegewezen.",
            many="Het is al een tijdje geleden dat je enkele van je competenties hebt geoefend. "
            "Om ze op peil te houden, hebben we je de {count} onderstaande opfristrainingen "
            "toegewezen.",
        ),
        "reminder": Plural(
            one="Dit is een herinnering: de deadline van de onderstaande opfristraining is "
            "verstreken. Rond de training zo snel mogelijk af.",
            many="Dit is een herinnering: de deadline van de {count} onderstaande "
            "opfristrainingen is verstreken. Rond ze zo snel mogelijk af.",
        ),
        "escalation": Plural(
            one="Je ontvangt dit bericht als leidinggevende van {learner}. De deadline van de "
            "onderstaande opfristraining is verstreken en de training is ondanks een "
            "herinnering nog niet afgerond. Help {learner} alsjeblieft om er tijd voor te "
            "vinden.",
            many="Je ontvangt dit bericht als leidinggevende van {learner}. De deadline van de "
            "{count} onderstaande opfristrainingen is verstreken en ze zijn ondanks een "
            "herinnering nog niet afgerond. Help {learner} alsjeblieft om er tijd voor te "
            "vinden.",
        ),
    },
    learner_fallback="deelnemer {id}",
    competency="Competentie",
    activity="Activiteit",
    method="Werkvorm",
    due="Uiterste datum",
    overdue="verlopen",
    duration="Tijdsduur",
    last_practised="Laatst geoefend",
    launch="Start de opfristraining",
    open_in_console="Bekijk het in de console (meldt je aan)",
    team_subject="{people} van je medewerkers hebben opfristrainingen over de deadline",
    team_intro="Je ontvangt dit bericht als hun leidinggevende. De deadline van de {count} "
    "opfristrainingen hieronder, van {people} van je medewerkers, is verstreken en ze zijn "
    "ook na een herinnering nog niet afgerond. Help hen alsjeblieft om er tijd voor te maken.",
    learner="Medewerker",
    calendar_note="De deadlines staan ook in het bijgevoegde agendabestand.",
    footer="Dit bericht is automatisch verstuurd door lrs-bridge op basis van leergegevens. "
    "Antwoorden op dit bericht worden niet gelezen.",
    methods={
        "coaching": "Coaching",
        "mentoring": "Mentoring",
        "role-play": "Rollenspel",
        "simulation": "Simulatie",
        "communication-technique": "Communicatietechniek",
        "refresher": "Opfriscursus",
        "theory": "Theorie",
        "data-analysis": "Data-analyse",
        "technology-training": "Technologietraining",
        "peer-feedback": "Feedback van collega's",
        "digital-self-study": "Digitale zelfstudie",
        "webinar": "Webinar",
        "stress-training": "Stresstraining",
    },
    months=(
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    date_pattern="{day} {month} {year}",
    units={
        "W": Plural(one="week", many="weken"),
        "D": Plural(one="dag", many="dagen"),
        "H": Plural(one="u", many="u"),
        "M": Plural(one="min", many="min"),
        "S": Plural(one="s", many="s"),
    },
)

CATALOGUES: Mapping[str, Catalogue] = {"en": _EN, "nb": _NB, "fi": _FI, "nl": _NL}


def _primary(tag: str) -> str:
    """The primary subtag of a BCP 47 tag, lower-cased, with aliases resolved."""
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return _ALIASES.get(primary, primary)


def pick_language(tag: str | None) -> str:
    """The supported language to write in for a stored tag; English when none fits."""
    if not tag:
        return DEFAULT_LANGUAGE
    primary = _primary(tag)
    return primary if primary in SUPPORTED else DEFAULT_LANGUAGE


def catalogue(language: str) -> Catalogue:
    """The strings for ``language`` (any tag; see :func:`pick_language`)."""
    return CATALOGUES[pick_language(language)]


def pick_name(names: Mapping[str, str], language: str) -> str:
    """The best entry of an xAPI language map for ``language``.

    Exact tag first, then the same primary language ("nb" for "nb-NO", "no" for "nb"),
    then English, then any value (the smallest tag, so the choice does not depend on the
    map's order after a JSON round trip); "" for an empty map.
    """
    usable = {tag: text for tag, text in names.items() if text and text.strip()}
    if not usable:
        return ""
    wanted = language.strip().lower()
    for tag, text in usable.items():
        if tag.lower() == wanted:
            return text
    for primary in (_primary(language), DEFAULT_LANGUAGE):
        matches = sorted(tag for tag in usable if _primary(tag) == primary)
        if matches:
            return usable[matches[0]]
    return usable[min(usable)]


def format_date(value_us: int, language: str) -> str:
    """The UTC calendar date of ``value_us`` as a reader of ``language`` writes it."""
    moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        microseconds=value_us
    )
    strings = catalogue(language)
    return strings.date_pattern.format(
        day=moment.day,
        month=strings.months[moment.month - 1] if strings.months else "",
        month_number=moment.month,
        year=moment.year,
    )


_DURATION = re.compile(
    r"P(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<H>\d+(?:[.,]\d+)?)H)?(?:(?P<M>\d+(?:[.,]\d+)?)M)?(?:(?P<S>\d+(?:[.,]\d+)?)S)?)?"
)


def format_duration(duration: str, language: str) -> str:
    """An ISO 8601 duration as short text: "PT1H30M" -> "1 h 30 min" (units per language).

    Hours, minutes and seconds are normalised ("PT90M" -> "1 h 30 min"); weeks and days
    are kept as written. Years and months, or anything unparsable, come back unchanged:
    showing the raw value beats guessing how long a month is.
    """
    match = _DURATION.fullmatch(duration.strip().upper())
    if match is None or not any(match.groups()) or duration.strip().upper().endswith("T"):
        return duration
    units = catalogue(language).units

    def number(unit: str) -> float:
        return float((match[unit] or "0").replace(",", "."))

    seconds = round(number("H") * 3600 + number("M") * 60 + number("S"))
    amounts = {
        "W": int(number("W")),
        "D": int(number("D")),
        "H": seconds // 3600,
        "M": seconds % 3600 // 60,
        "S": seconds % 60,
    }
    parts = [f"{value} {units[unit].pick(value)}" for unit, value in amounts.items() if value]
    return " ".join(parts) if parts else f"0 {units['M'].many}"


def method_label(method: str, language: str) -> str:
    """The localised name of a learning method; an unknown method is shown as given."""
    return catalogue(language).methods.get(method.strip().lower(), method)
