"""Words of the Upstreams operations page (upstream LRSs, their status and dead letters)."""

from __future__ import annotations


def _same(text: str) -> dict[str, str]:
    """A word every language writes alike (a technical term)."""
    return {"en": text, "nb": text, "fi": text, "nl": text}


MESSAGES = {
    "upstreams.title": {
        "en": "Upstream LRSs",
        "nb": "Oppstrøms LRS-er",
        "fi": "Ylävirran LRS:t",
        "nl": "Upstream-LRS'en",
    },
    "upstreams.intro": {
        "en": "The learning record stores this one forwards statements to and pulls "
        "statements from. Dead letters are statements an upstream never accepted; retry "
        "them once the cause is fixed.",
        "nb": "Læringsregistrene denne tjenesten videresender utsagn til og henter utsagn fra. "
        "Døde brev er utsagn et oppstrøms register aldri tok imot; prøv dem igjen når "
        "årsaken er rettet.",
        "fi": "Oppimistietovarastot, joihin tämä palvelu välittää lausekkeita ja joista se "
        "noutaa niitä. Kuolleet kirjeet ovat lausekkeita, joita ylävirran varasto ei koskaan "
        "hyväksynyt; yritä uudelleen, kun syy on korjattu.",
        "nl": "De leerregistraties waar deze dienst statements naar doorstuurt en van ophaalt. "
        "Dode brieven zijn statements die een upstream nooit aannam; probeer ze opnieuw "
        "zodra de oorzaak is verholpen.",
    },
    "upstreams.none": {
        "en": "No upstream LRS is configured.",
        "nb": "Ingen oppstrøms LRS er satt opp.",
        "fi": "Ylävirran LRS:ää ei ole määritetty.",
        "nl": "Er is geen upstream-LRS ingesteld.",
    },
    "upstreams.col.name": {"en": "Upstream", "nb": "Oppstrøms", "fi": "Ylävirta", "nl": "Upstream"},
    "upstreams.col.direction": {
        "en": "Direction",
        "nb": "Retning",
        "fi": "Suunta",
        "nl": "Richting",
    },
    "upstreams.col.state": {"en": "State", "nb": "Tilstand", "fi": "Tila", "nl": "Toestand"},
    "upstreams.col.queued": {"en": "Queued", "nb": "I kø", "fi": "Jonossa", "nl": "In wachtrij"},
    "upstreams.col.dead": {
        "en": "Dead letters",
        "nb": "Døde brev",
        "fi": "Kuolleet kirjeet",
        "nl": "Dode brieven",
    },
    "upstreams.col.forward_lag": {
        "en": "Forward lag",
        "nb": "Videresendingsetterslep",
        "fi": "Välityksen viive",
        "nl": "Doorstuurvertraging",
    },
    "upstreams.col.delivered": {
        "en": "Delivered",
        "nb": "Levert",
        "fi": "Toimitettu",
        "nl": "Afgeleverd",
    },
    "upstreams.col.forward_success": {
        "en": "Last delivery",
        "nb": "Siste levering",
        "fi": "Viimeisin toimitus",
        "nl": "Laatste aflevering",
    },
    "upstreams.col.pull_lag": {
        "en": "Pull lag",
        "nb": "Hentingsetterslep",
        "fi": "Noudon viive",
        "nl": "Ophaalvertraging",
    },
    "upstreams.col.pulled": {"en": "Pulled", "nb": "Hentet", "fi": "Noudettu", "nl": "Opgehaald"},
    "upstreams.col.cursor": {
        "en": "Pull cursor",
        "nb": "Hentemarkør",
        "fi": "Noutokohdistin",
        "nl": "Ophaalcursor",
    },
    "upstreams.col.error": {
        "en": "Last error",
        "nb": "Siste feil",
        "fi": "Viimeisin virhe",
        "nl": "Laatste fout",
    },
    "upstreams.col.statement": _same("Statement id"),
    "upstreams.col.stored": {
        "en": "Stored",
        "nb": "Lagret",
        "fi": "Tallennettu",
        "nl": "Opgeslagen",
    },
    "upstreams.col.attempts": {
        "en": "Attempts",
        "nb": "Forsøk",
        "fi": "Yritykset",
        "nl": "Pogingen",
    },
    "upstreams.col.failing_since": {
        "en": "Failing since",
        "nb": "Feilet siden",
        "fi": "Epäonnistunut alkaen",
        "nl": "Mislukt sinds",
    },
    "upstreams.col.actions": {
        "en": "Actions",
        "nb": "Handlinger",
        "fi": "Toiminnot",
        "nl": "Acties",
    },
    "upstreams.direction.forward": {
        "en": "Forward",
        "nb": "Videresend",
        "fi": "Välitä",
        "nl": "Doorsturen",
    },
    "upstreams.direction.pull": {"en": "Pull", "nb": "Hent", "fi": "Nouda", "nl": "Ophalen"},
    "upstreams.direction.both": {
        "en": "Forward and pull",
        "nb": "Videresend og hent",
        "fi": "Välitä ja nouda",
        "nl": "Doorsturen en ophalen",
    },
    "upstreams.enabled": {"en": "Enabled", "nb": "På", "fi": "Käytössä", "nl": "Aan"},
    "upstreams.disabled": {
        "en": "Paused",
        "nb": "Satt på pause",
        "fi": "Tauolla",
        "nl": "Gepauzeerd",
    },
    "upstreams.forward": {
        "en": "forward",
        "nb": "videresending",
        "fi": "välitys",
        "nl": "doorsturen",
    },
    "upstreams.pull": {"en": "pull", "nb": "henting", "fi": "nouto", "nl": "ophalen"},
    "upstreams.part_way": {
        "en": "part-way through a listing",
        "nb": "midt i en liste",
        "fi": "listauksen keskellä",
        "nl": "halverwege een lijst",
    },
    "upstreams.seconds": {"en": "{n} s", "nb": "{n} s", "fi": "{n} s", "nl": "{n} s"},
    "upstreams.dead_title": {
        "en": "Dead letters of {name} ({count})",
        "nb": "Døde brev til {name} ({count})",
        "fi": "Kohteen {name} kuolleet kirjeet ({count})",
        "nl": "Dode brieven van {name} ({count})",
    },
    "upstreams.dead_caption": {
        "en": "The oldest {shown} of {count}",
        "nb": "De eldste {shown} av {count}",
        "fi": "Vanhimmat {shown}/{count}",
        "nl": "De oudste {shown} van {count}",
    },
    "upstreams.retry": {
        "en": "Retry",
        "nb": "Prøv igjen",
        "fi": "Yritä uudelleen",
        "nl": "Opnieuw",
    },
    "upstreams.retry_label": {
        "en": "Retry statement {id}",
        "nb": "Prøv utsagn {id} igjen",
        "fi": "Yritä lauseketta {id} uudelleen",
        "nl": "Statement {id} opnieuw proberen",
    },
    "upstreams.retry_all": {
        "en": "Retry every dead letter of {name}",
        "nb": "Prøv alle døde brev til {name} igjen",
        "fi": "Yritä kaikkia kohteen {name} kuolleita kirjeitä uudelleen",
        "nl": "Alle dode brieven van {name} opnieuw proberen",
    },
    "upstreams.retried": {
        "en": "{count} statement(s) queued again for {name}.",
        "nb": "{count} utsagn satt i kø igjen for {name}.",
        "fi": "{count} lauseketta jonossa uudelleen kohteelle {name}.",
        "nl": "{count} statement(s) opnieuw in de wachtrij voor {name}.",
    },
}
