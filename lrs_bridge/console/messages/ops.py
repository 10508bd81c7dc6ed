"""Words of the operations pages: assignments, notifications and the channel warning."""

from __future__ import annotations

MESSAGES = {
    # -- assignments -----------------------------------------------------------------------
    "ops.assignments.title": {
        "en": "Refresher assignments",
        "nb": "Oppfriskingsoppgaver",
        "fi": "Kertaustehtävät",
        "nl": "Opfrisopdrachten",
    },
    "ops.assignments.intro": {
        "en": "Every refresher assignment. Open ones are shown first; filter by status, "
        "team, competency, learner or due date.",
        "nb": "Alle oppfriskingsoppgaver. Åpne oppgaver vises først; filtrer på status, "
        "team, kompetanse, deltaker eller frist.",
        "fi": "Kaikki kertaustehtävät. Avoimet näytetään ensin; suodata tilan, tiimin, "
        "osaamisen, oppijan tai määräajan mukaan.",
        "nl": "Alle opfrisopdrachten. Open opdrachten staan eerst; filter op status, team, "
        "competentie, cursist of deadline.",
    },
    "ops.filters": {"en": "Filters", "nb": "Filtre", "fi": "Suodattimet", "nl": "Filters"},
    "ops.filter.status": {"en": "Status", "nb": "Status", "fi": "Tila", "nl": "Status"},
    "ops.filter.team": {"en": "Team", "nb": "Team", "fi": "Tiimi", "nl": "Team"},
    "ops.filter.competency": {
        "en": "Competency",
        "nb": "Kompetanse",
        "fi": "Osaaminen",
        "nl": "Competentie",
    },
    "ops.filter.learner": {
        "en": "Learner number",
        "nb": "Deltakernummer",
        "fi": "Oppijan numero",
        "nl": "Cursistnummer",
    },
    "ops.filter.due_before": {
        "en": "Due before",
        "nb": "Frist før",
        "fi": "Määräaika ennen",
        "nl": "Deadline vóór",
    },
    "ops.filter.any": {"en": "Any", "nb": "Alle", "fi": "Kaikki", "nl": "Alle"},
    "ops.filter.apply": {
        "en": "Apply filters",
        "nb": "Bruk filtrene",
        "fi": "Käytä suodattimia",
        "nl": "Filters toepassen",
    },
    "ops.filter.clear": {
        "en": "Clear filters",
        "nb": "Fjern filtrene",
        "fi": "Poista suodattimet",
        "nl": "Filters wissen",
    },
    "ops.astatus.open": {"en": "Open", "nb": "Åpne", "fi": "Avoimet", "nl": "Open"},
    "ops.astatus.all": {"en": "All", "nb": "Alle", "fi": "Kaikki", "nl": "Alle"},
    "ops.astatus.past_due": {
        "en": "Past due (open)",
        "nb": "Over fristen (åpne)",
        "fi": "Määräaika ohi (avoimet)",
        "nl": "Deadline verstreken (open)",
    },
    "ops.astatus.assigned": {
        "en": "Assigned",
        "nb": "Tildelt",
        "fi": "Osoitettu",
        "nl": "Toegewezen",
    },
    "ops.astatus.notified": {
        "en": "Notified",
        "nb": "Varslet",
        "fi": "Ilmoitettu",
        "nl": "Gemeld",
    },
    "ops.astatus.overdue": {
        "en": "Overdue",
        "nb": "Forfalt",
        "fi": "Myöhässä",
        "nl": "Achterstallig",
    },
    "ops.astatus.escalated": {
        "en": "Escalated",
        "nb": "Eskalert",
        "fi": "Eskaloitu",
        "nl": "Geëscaleerd",
    },
    "ops.astatus.completed": {
        "en": "Completed",
        "nb": "Fullført",
        "fi": "Suoritettu",
        "nl": "Voltooid",
    },
    "ops.astatus.cancelled": {
        "en": "Cancelled",
        "nb": "Avbrutt",
        "fi": "Peruttu",
        "nl": "Geannuleerd",
    },
    "ops.col.id": {"en": "No.", "nb": "Nr.", "fi": "Nro", "nl": "Nr."},
    "ops.col.learner": {"en": "Learner", "nb": "Deltaker", "fi": "Oppija", "nl": "Cursist"},
    "ops.col.competency": {
        "en": "Competency",
        "nb": "Kompetanse",
        "fi": "Osaaminen",
        "nl": "Competentie",
    },
    "ops.col.activity": {
        "en": "Activity",
        "nb": "Aktivitet",
        "fi": "Aktiviteetti",
        "nl": "Activiteit",
    },
    "ops.col.status": {"en": "Status", "nb": "Status", "fi": "Tila", "nl": "Status"},
    "ops.col.due": {"en": "Due", "nb": "Frist", "fi": "Määräaika", "nl": "Deadline"},
    "ops.col.reminders": {
        "en": "Reminders",
        "nb": "Påminnelser",
        "fi": "Muistutukset",
        "nl": "Herinneringen",
    },
    "ops.col.actions": {
        "en": "Actions",
        "nb": "Handlinger",
        "fi": "Toiminnot",
        "nl": "Acties",
    },
    "ops.past_due": {
        "en": "past due",
        "nb": "over fristen",
        "fi": "määräaika ohi",
        "nl": "deadline verstreken",
    },
    "ops.cancel": {"en": "Cancel", "nb": "Avbryt", "fi": "Peru", "nl": "Annuleren"},
    "ops.cancel_note": {
        "en": "Reason for cancelling assignment {id} (optional)",
        "nb": "Grunn til å avbryte oppgave {id} (valgfritt)",
        "fi": "Tehtävän {id} perumisen syy (valinnainen)",
        "nl": "Reden om opdracht {id} te annuleren (optioneel)",
    },
    "ops.resend": {
        "en": "Resend",
        "nb": "Send på nytt",
        "fi": "Lähetä uudelleen",
        "nl": "Opnieuw versturen",
    },
    "ops.cancelled": {
        "en": "Assignment {id} was cancelled.",
        "nb": "Oppgave {id} ble avbrutt.",
        "fi": "Tehtävä {id} peruttiin.",
        "nl": "Opdracht {id} is geannuleerd.",
    },
    "ops.resent": {
        "en": "Assignment {id} re-sent ({count} queued).",
        "nb": "Oppgave {id} sendt på nytt ({count} i kø).",
        "fi": "Tehtävä {id} lähetetty uudelleen ({count} jonossa).",
        "nl": "Opdracht {id} opnieuw verstuurd ({count} in de wachtrij).",
    },
    "ops.no_assignments": {
        "en": "No assignments match these filters.",
        "nb": "Ingen oppgaver passer til disse filtrene.",
        "fi": "Mikään tehtävä ei vastaa näitä suodattimia.",
        "nl": "Geen opdrachten voldoen aan deze filters.",
    },
    "ops.engine_off": {
        "en": "The competency engine is off: assignments can be read, not changed.",
        "nb": "Kompetansemotoren er slått av: oppgavene kan leses, ikke endres.",
        "fi": "Osaamismoottori on pois päältä: tehtäviä voi lukea, ei muuttaa.",
        "nl": "De competentiemotor staat uit: opdrachten zijn alleen te lezen.",
    },
    "ops.pages": {"en": "Pages", "nb": "Sider", "fi": "Sivut", "nl": "Pagina's"},
    "ops.page": {
        "en": "Page {page}",
        "nb": "Side {page}",
        "fi": "Sivu {page}",
        "nl": "Pagina {page}",
    },
    "ops.previous": {"en": "Previous", "nb": "Forrige", "fi": "Edellinen", "nl": "Vorige"},
    "ops.next": {"en": "Next", "nb": "Neste", "fi": "Seuraava", "nl": "Volgende"},
    # -- notifications ---------------------------------------------------------------------
    "ops.notifications.title": {
        "en": "Notifications",
        "nb": "Varsler",
        "fi": "Ilmoitukset",
        "nl": "Meldingen",
    },
    "ops.notifications.intro": {
        "en": "The outbox: every e-mail and webhook lrs-bridge sends, and those that failed.",
        "nb": "Utboksen: alle e-poster og webhooks lrs-bridge sender, og de som feilet.",
        "fi": "Lähtevät: kaikki lrs-bridgen lähettämät sähköpostit ja webhookit sekä "
        "epäonnistuneet.",
        "nl": "De outbox: elke e-mail en webhook die lrs-bridge verstuurt, en de mislukte.",
    },
    "ops.filter.state": {"en": "State", "nb": "Tilstand", "fi": "Tila", "nl": "Toestand"},
    "ops.filter.channel": {"en": "Channel", "nb": "Kanal", "fi": "Kanava", "nl": "Kanaal"},
    "ops.nstate.waiting": {
        "en": "Waiting for a channel",
        "nb": "Venter på en kanal",
        "fi": "Odottaa kanavaa",
        "nl": "Wacht op een kanaal",
    },
    "ops.nstate.pending": {"en": "Queued", "nb": "I kø", "fi": "Jonossa", "nl": "In de wachtrij"},
    "ops.nstate.sending": {
        "en": "Sending",
        "nb": "Sendes",
        "fi": "Lähetetään",
        "nl": "Wordt verstuurd",
    },
    "ops.nstate.failed": {
        "en": "Failed, will retry",
        "nb": "Feilet, prøver igjen",
        "fi": "Epäonnistui, yritetään uudelleen",
        "nl": "Mislukt, wordt opnieuw geprobeerd",
    },
    "ops.nstate.dead": {
        "en": "Dead letter",
        "nb": "Død melding",
        "fi": "Toimittamaton",
        "nl": "Onbestelbaar",
    },
    "ops.nstate.sent": {"en": "Sent", "nb": "Sendt", "fi": "Lähetetty", "nl": "Verstuurd"},
    "ops.nstate.routed": {
        "en": "Passed to channels",
        "nb": "Sendt videre til kanaler",
        "fi": "Välitetty kanaville",
        "nl": "Doorgegeven aan kanalen",
    },
    "ops.channel.email": {"en": "E-mail", "nb": "E-post", "fi": "Sähköposti", "nl": "E-mail"},
    "ops.channel.webhook": {"en": "Webhook", "nb": "Webhook", "fi": "Webhook", "nl": "Webhook"},
    "ops.channel.xapi": {
        "en": "xAPI statement",
        "nb": "xAPI-utsagn",
        "fi": "xAPI-lauseke",
        "nl": "xAPI-statement",
    },
    "ops.channel.none": {
        "en": "No channel",
        "nb": "Ingen kanal",
        "fi": "Ei kanavaa",
        "nl": "Geen kanaal",
    },
    "ops.kind.assigned": {
        "en": "New refresher",
        "nb": "Ny oppfrisking",
        "fi": "Uusi kertaus",
        "nl": "Nieuwe opfrissing",
    },
    "ops.kind.reminder": {
        "en": "Reminder",
        "nb": "Påminnelse",
        "fi": "Muistutus",
        "nl": "Herinnering",
    },
    "ops.kind.escalation": {
        "en": "Escalation",
        "nb": "Eskalering",
        "fi": "Eskalointi",
        "nl": "Escalatie",
    },
    "ops.col.kind": {"en": "Kind", "nb": "Type", "fi": "Laji", "nl": "Soort"},
    "ops.col.channel": {"en": "Channel", "nb": "Kanal", "fi": "Kanava", "nl": "Kanaal"},
    "ops.col.target": {
        "en": "Recipient",
        "nb": "Mottaker",
        "fi": "Vastaanottaja",
        "nl": "Ontvanger",
    },
    "ops.col.state": {"en": "State", "nb": "Tilstand", "fi": "Tila", "nl": "Toestand"},
    "ops.col.attempts": {"en": "Attempts", "nb": "Forsøk", "fi": "Yritykset", "nl": "Pogingen"},
    "ops.col.created": {"en": "Queued", "nb": "Lagt i kø", "fi": "Jonoon", "nl": "In wachtrij"},
    "ops.col.error": {
        "en": "Last error",
        "nb": "Siste feil",
        "fi": "Viimeisin virhe",
        "nl": "Laatste fout",
    },
    "ops.counts": {
        "en": "Notifications by state",
        "nb": "Varsler etter tilstand",
        "fi": "Ilmoitukset tiloittain",
        "nl": "Meldingen per toestand",
    },
    "ops.retry": {"en": "Retry", "nb": "Prøv igjen", "fi": "Yritä uudelleen", "nl": "Opnieuw"},
    "ops.retry_label": {
        "en": "Retry notification {id}",
        "nb": "Prøv varsel {id} igjen",
        "fi": "Yritä ilmoitusta {id} uudelleen",
        "nl": "Melding {id} opnieuw proberen",
    },
    "ops.retried": {
        "en": "Notification {id} is queued again.",
        "nb": "Varsel {id} er lagt i kø igjen.",
        "fi": "Ilmoitus {id} on taas jonossa.",
        "nl": "Melding {id} staat weer in de wachtrij.",
    },
    "ops.no_notifications": {
        "en": "No notifications match these filters.",
        "nb": "Ingen varsler passer til disse filtrene.",
        "fi": "Mikään ilmoitus ei vastaa näitä suodattimia.",
        "nl": "Geen meldingen voldoen aan deze filters.",
    },
    # -- the warning when nobody can be told -------------------------------------------------
    "ops.warning": {"en": "Warning", "nb": "Advarsel", "fi": "Varoitus", "nl": "Waarschuwing"},
    "ops.no_channel.title": {
        "en": "No notification channel is configured",
        "nb": "Ingen varslingskanal er satt opp",
        "fi": "Yhtään ilmoituskanavaa ei ole määritetty",
        "nl": "Er is geen meldingskanaal ingesteld",
    },
    "ops.no_channel.body": {
        "en": "Nobody is told about their refreshers. Notifications wait until an e-mail "
        "server (LRS_BRIDGE_SMTP_URL) or a webhook (LRS_BRIDGE_WEBHOOK_URLS) is configured; "
        "{count} are waiting now.",
        "nb": "Ingen får beskjed om oppfriskingene sine. Varslene venter til en e-postserver "
        "(LRS_BRIDGE_SMTP_URL) eller en webhook (LRS_BRIDGE_WEBHOOK_URLS) er satt opp; "
        "{count} venter nå.",
        "fi": "Kukaan ei saa tietoa kertauksistaan. Ilmoitukset odottavat, kunnes "
        "sähköpostipalvelin (LRS_BRIDGE_SMTP_URL) tai webhook (LRS_BRIDGE_WEBHOOK_URLS) "
        "on määritetty; nyt odottaa {count}.",
        "nl": "Niemand hoort van zijn opfrisopdrachten. Meldingen wachten tot er een "
        "mailserver (LRS_BRIDGE_SMTP_URL) of een webhook (LRS_BRIDGE_WEBHOOK_URLS) is "
        "ingesteld; er wachten er nu {count}.",
    },
}
