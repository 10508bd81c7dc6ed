"""Words every console page shares: the frame, navigation, statuses, errors."""

from __future__ import annotations

MESSAGES = {
    "common.skip": {
        "en": "Skip to content",
        "nb": "Hopp til innholdet",
        "fi": "Siirry sisältöön",
        "nl": "Naar de inhoud",
    },
    "common.console": {"en": "Console", "nb": "Konsoll", "fi": "Konsoli", "nl": "Console"},
    "common.nav": {
        "en": "Main navigation",
        "nb": "Hovedmeny",
        "fi": "Päävalikko",
        "nl": "Hoofdmenu",
    },
    "common.home": {"en": "Home", "nb": "Hjem", "fi": "Etusivu", "nl": "Start"},
    "common.me": {"en": "My page", "nb": "Min side", "fi": "Oma sivu", "nl": "Mijn pagina"},
    "common.teams": {"en": "Teams", "nb": "Team", "fi": "Tiimit", "nl": "Teams"},
    "common.inbox": {
        "en": "Unmapped activities",
        "nb": "Ukoblede aktiviteter",
        "fi": "Kohdistamattomat aktiviteetit",
        "nl": "Niet-gekoppelde activiteiten",
    },
    "common.map": {
        "en": "Competency map",
        "nb": "Kompetansekart",
        "fi": "Osaamiskartta",
        "nl": "Competentiekaart",
    },
    "common.assignments": {
        "en": "Assignments",
        "nb": "Oppgaver",
        "fi": "Tehtävät",
        "nl": "Opdrachten",
    },
    "common.notifications": {
        "en": "Notifications",
        "nb": "Varsler",
        "fi": "Ilmoitukset",
        "nl": "Meldingen",
    },
    "common.upstreams": {
        "en": "Upstreams",
        "nb": "Oppstrøms LRS",
        "fi": "Ylävirran LRS:t",
        "nl": "Upstream-LRS'en",
    },
    "common.statements": {
        "en": "Statements",
        "nb": "Utsagn",
        "fi": "Lausumat",
        "nl": "Statements",
    },
    "common.settings": {
        "en": "Settings",
        "nb": "Innstillinger",
        "fi": "Asetukset",
        "nl": "Instellingen",
    },
    "common.sign_out": {"en": "Sign out", "nb": "Logg ut", "fi": "Kirjaudu ulos", "nl": "Afmelden"},
    "common.signed_in_as": {
        "en": "Signed in as {name}",
        "nb": "Logget inn som {name}",
        "fi": "Kirjautuneena: {name}",
        "nl": "Aangemeld als {name}",
    },
    "common.welcome": {
        "en": "Welcome, {name}",
        "nb": "Velkommen, {name}",
        "fi": "Tervetuloa, {name}",
        "nl": "Welkom, {name}",
    },
    "common.home_intro": {
        "en": "Which skills are fresh, which are fading, and what to do next.",
        "nb": "Hvilke ferdigheter er ferske, hvilke svekkes, og hva du bør gjøre nå.",
        "fi": "Mitkä taidot ovat tuoreita, mitkä haalistuvat ja mitä tehdä seuraavaksi.",
        "nl": "Welke vaardigheden vers zijn, welke vervagen en wat je nu moet doen.",
    },
    "status.fresh": {"en": "Fresh", "nb": "Fersk", "fi": "Tuore", "nl": "Actueel"},
    "status.due_soon": {
        "en": "Due soon",
        "nb": "Snart forfall",
        "fi": "Vanhenee pian",
        "nl": "Binnenkort verlopen",
    },
    "status.stale": {"en": "Stale", "nb": "Utdatert", "fi": "Vanhentunut", "nl": "Verlopen"},
    "status.none": {
        "en": "Never trained",
        "nb": "Aldri trent",
        "fi": "Ei koulutusta",
        "nl": "Nooit getraind",
    },
    "error.title": {"en": "Error", "nb": "Feil", "fi": "Virhe", "nl": "Fout"},
    "error.400": {
        "en": "The request could not be used: {detail}",
        "nb": "Forespørselen kunne ikke brukes: {detail}",
        "fi": "Pyyntöä ei voitu käyttää: {detail}",
        "nl": "Het verzoek kon niet worden gebruikt: {detail}",
    },
    "error.csrf": {
        "en": "The form has expired or did not come from this site. Reload the page and try again.",
        "nb": (
            "Skjemaet er utløpt eller kom ikke fra dette nettstedet. "
            "Last inn siden på nytt og prøv igjen."
        ),
        "fi": (
            "Lomake on vanhentunut tai se ei tullut tältä sivustolta. "
            "Lataa sivu uudelleen ja yritä uudestaan."
        ),
        "nl": (
            "Het formulier is verlopen of kwam niet van deze site. "
            "Laad de pagina opnieuw en probeer het nog eens."
        ),
    },
    "error.403": {
        "en": "You do not have access to this page.",
        "nb": "Du har ikke tilgang til denne siden.",
        "fi": "Sinulla ei ole pääsyä tälle sivulle.",
        "nl": "Je hebt geen toegang tot deze pagina.",
    },
    "error.404": {
        "en": "There is no such page.",
        "nb": "Siden finnes ikke.",
        "fi": "Sivua ei ole.",
        "nl": "Deze pagina bestaat niet.",
    },
    "error.429": {
        "en": "Too many attempts. Try again in {seconds} seconds.",
        "nb": "For mange forsøk. Prøv igjen om {seconds} sekunder.",
        "fi": "Liian monta yritystä. Yritä uudelleen {seconds} sekunnin kuluttua.",
        "nl": "Te veel pogingen. Probeer het over {seconds} seconden opnieuw.",
    },
    "error.503": {
        "en": "The service is briefly unavailable. Try again in a moment.",
        "nb": "Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt.",
        "fi": "Palvelu ei ole hetkeen käytettävissä. Yritä hetken kuluttua uudelleen.",
        "nl": "De dienst is even niet beschikbaar. Probeer het zo opnieuw.",
    },
    "error.back": {
        "en": "Back to the console",
        "nb": "Tilbake til konsollet",
        "fi": "Takaisin konsoliin",
        "nl": "Terug naar de console",
    },
}
