"""Words of the learner pages: competencies, the evidence timeline and trail, assignments."""

from __future__ import annotations

MESSAGES = {
    "learners.no_record": {
        "en": "{email} is not in the learner directory, so there is no learner page for you. "
        "Open a learner from a team to see theirs.",
        "nb": "{email} står ikke i elevkatalogen, så du har ingen egen elevside. "
        "Åpne en elev fra et team for å se siden deres.",
        "fi": "{email} ei ole oppijahakemistossa, joten sinulla ei ole omaa oppijasivua. "
        "Avaa oppija tiimin kautta nähdäksesi hänen sivunsa.",
        "nl": "{email} staat niet in de leerlingenlijst, dus je hebt geen eigen leerlingpagina. "
        "Open een leerling via een team om diens pagina te zien.",
    },
    "learners.team": {
        "en": "Team {team}",
        "nb": "Team {team}",
        "fi": "Tiimi {team}",
        "nl": "Team {team}",
    },
    "learners.competencies": {
        "en": "Competencies",
        "nb": "Kompetanser",
        "fi": "Osaamiset",
        "nl": "Competenties",
    },
    "learners.competencies_caption": {
        "en": "Level and freshness of each competency on {date}",
        "nb": "Nivå og ferskhet for hver kompetanse per {date}",
        "fi": "Kunkin osaamisen taso ja tuoreus {date}",
        "nl": "Niveau en actualiteit van elke competentie op {date}",
    },
    "learners.competency": {
        "en": "Competency",
        "nb": "Kompetanse",
        "fi": "Osaaminen",
        "nl": "Competentie",
    },
    "learners.level": {"en": "Level", "nb": "Nivå", "fi": "Taso", "nl": "Niveau"},
    "learners.status": {"en": "Status", "nb": "Status", "fi": "Tila", "nl": "Status"},
    "learners.stale_at": {
        "en": "Stale on",
        "nb": "Utdatert fra",
        "fi": "Vanhenee",
        "nl": "Verouderd op",
    },
    "learners.last_evidence": {
        "en": "Last evidence",
        "nb": "Siste bevis",
        "fi": "Viimeisin näyttö",
        "nl": "Laatste bewijs",
    },
    "learners.evidence_count": {
        "en": "Evidence",
        "nb": "Bevis",
        "fi": "Näytöt",
        "nl": "Bewijs",
    },
    "learners.timeline": {
        "en": "Evidence over time",
        "nb": "Bevis over tid",
        "fi": "Näytöt ajan mittaan",
        "nl": "Bewijs in de tijd",
    },
    "learners.timeline_help": {
        "en": "Each dot is one piece of evidence: higher means better quality, larger means a "
        "stronger learning method, a hollow dot a failed attempt. The shaded band is the "
        "freshness window, from the last evidence until the competency goes stale; the "
        "vertical line is today.",
        "nb": "Hver prikk er ett bevis: høyere betyr bedre kvalitet, større betyr en sterkere "
        "læringsmetode, en hul prikk et mislykket forsøk. Det skraverte feltet er "
        "ferskhetsvinduet, fra siste bevis til kompetansen blir utdatert; den loddrette "
        "streken er i dag.",
        "fi": "Jokainen piste on yksi näyttö: korkeammalla tarkoittaa parempaa laatua, "
        "suurempi vahvempaa oppimistapaa ja ontto piste epäonnistunutta yritystä. "
        "Varjostettu alue on tuoreusikkuna viimeisimmästä näytöstä siihen, kun osaaminen "
        "vanhenee; pystyviiva on tämä päivä.",
        "nl": "Elke stip is één bewijsstuk: hoger betekent betere kwaliteit, groter een "
        "sterkere leermethode, een open stip een mislukte poging. De gearceerde band is het "
        "actualiteitsvenster, van het laatste bewijs tot de competentie veroudert; de "
        "verticale lijn is vandaag.",
    },
    "learners.as_table": {
        "en": "Show as a table",
        "nb": "Vis som tabell",
        "fi": "Näytä taulukkona",
        "nl": "Als tabel tonen",
    },
    "learners.chart_title": {
        "en": "Evidence for {name}",
        "nb": "Bevis for {name}",
        "fi": "Näytöt: {name}",
        "nl": "Bewijs voor {name}",
    },
    "learners.chart_desc": {
        "en": "{count} pieces of evidence; last on {last}; fresh until {stale}.",
        "nb": "{count} bevis; siste {last}; fersk til {stale}.",
        "fi": "{count} näyttöä; viimeisin {last}; tuore {stale} asti.",
        "nl": "{count} bewijsstukken; laatste op {last}; actueel tot {stale}.",
    },
    "learners.point": {
        "en": "{date}: {method}, weight {weight}, quality {quality}",
        "nb": "{date}: {method}, vekt {weight}, kvalitet {quality}",
        "fi": "{date}: {method}, paino {weight}, laatu {quality}",
        "nl": "{date}: {method}, gewicht {weight}, kwaliteit {quality}",
    },
    "learners.now": {"en": "Today", "nb": "I dag", "fi": "Tänään", "nl": "Vandaag"},
    "learners.window": {
        "en": "Fresh until {stale}",
        "nb": "Fersk til {stale}",
        "fi": "Tuore {stale} asti",
        "nl": "Actueel tot {stale}",
    },
    "learners.no_evidence": {
        "en": "No evidence yet.",
        "nb": "Ingen bevis ennå.",
        "fi": "Ei vielä näyttöjä.",
        "nl": "Nog geen bewijs.",
    },
    "learners.trail_title": {
        "en": "Evidence trail: {name}",
        "nb": "Bevisspor: {name}",
        "fi": "Näyttöhistoria: {name}",
        "nl": "Bewijsspoor: {name}",
    },
    "learners.duplicate_of": {
        "en": "Repeat of {id}: counted once",
        "nb": "Gjentakelse av {id}: telles én gang",
        "fi": "Toisto lausumasta {id}: lasketaan kerran",
        "nl": "Herhaling van {id}: telt één keer",
    },
    "learners.trail_caption": {
        "en": "{count} evidence rows, oldest first",
        "nb": "{count} bevisrader, eldste først",
        "fi": "{count} näyttöriviä, vanhin ensin",
        "nl": "{count} bewijsregels, oudste eerst",
    },
    "learners.when": {"en": "When", "nb": "Når", "fi": "Milloin", "nl": "Wanneer"},
    "learners.statement": {
        "en": "Statement",
        "nb": "Utsagn",
        "fi": "Lauseke",
        "nl": "Statement",
    },
    "learners.verb": {"en": "Verb", "nb": "Verb", "fi": "Verbi", "nl": "Werkwoord"},
    "learners.activity": {
        "en": "Activity",
        "nb": "Aktivitet",
        "fi": "Aktiviteetti",
        "nl": "Activiteit",
    },
    "learners.rule": {"en": "Rule", "nb": "Regel", "fi": "Sääntö", "nl": "Regel"},
    "learners.method": {"en": "Method", "nb": "Metode", "fi": "Menetelmä", "nl": "Methode"},
    "learners.weight": {"en": "Weight", "nb": "Vekt", "fi": "Paino", "nl": "Gewicht"},
    "learners.quality": {"en": "Quality", "nb": "Kvalitet", "fi": "Laatu", "nl": "Kwaliteit"},
    "learners.open_assignments": {
        "en": "Open assignments",
        "nb": "Åpne oppgaver",
        "fi": "Avoimet tehtävät",
        "nl": "Openstaande opdrachten",
    },
    "learners.no_open": {
        "en": "No open assignments.",
        "nb": "Ingen åpne oppgaver.",
        "fi": "Ei avoimia tehtäviä.",
        "nl": "Geen openstaande opdrachten.",
    },
    "learners.assignment": {
        "en": "Assignment",
        "nb": "Oppgave",
        "fi": "Tehtävä",
        "nl": "Opdracht",
    },
    "learners.assignment_title": {
        "en": "Refresher: {name}",
        "nb": "Oppfriskning: {name}",
        "fi": "Kertaus: {name}",
        "nl": "Opfrissing: {name}",
    },
    "learners.due": {"en": "Due", "nb": "Frist", "fi": "Määräpäivä", "nl": "Uiterlijk"},
    "learners.overdue": {
        "en": "Overdue",
        "nb": "Forfalt",
        "fi": "Myöhässä",
        "nl": "Te laat",
    },
    "learners.launch": {
        "en": "Start {name}",
        "nb": "Start {name}",
        "fi": "Aloita {name}",
        "nl": "Start {name}",
    },
    "learners.acknowledge": {
        "en": "I have seen this",
        "nb": "Jeg har sett dette",
        "fi": "Olen nähnyt tämän",
        "nl": "Ik heb dit gezien",
    },
    "learners.acknowledged": {
        "en": "Acknowledged: the assignment is marked as seen.",
        "nb": "Bekreftet: oppgaven er merket som sett.",
        "fi": "Kuitattu: tehtävä on merkitty nähdyksi.",
        "nl": "Bevestigd: de opdracht is gemarkeerd als gezien.",
    },
    "learners.acknowledged_on": {
        "en": "Acknowledged on {date}",
        "nb": "Bekreftet {date}",
        "fi": "Kuitattu {date}",
        "nl": "Bevestigd op {date}",
    },
    "learners.snooze": {"en": "Snooze", "nb": "Utsett", "fi": "Siirrä", "nl": "Uitstellen"},
    "learners.snooze_legend": {
        "en": "Move the due date (at most until {latest})",
        "nb": "Flytt fristen (senest til {latest})",
        "fi": "Siirrä määräpäivää (enintään {latest} asti)",
        "nl": "Verschuif de uiterste datum (hoogstens tot {latest})",
    },
    "learners.snooze_by": {
        "en": "Later by",
        "nb": "Utsett med",
        "fi": "Siirrä eteenpäin",
        "nl": "Uitstellen met",
    },
    "learners.snooze_pick": {
        "en": "Choose…",
        "nb": "Velg …",
        "fi": "Valitse…",
        "nl": "Kies…",
    },
    "learners.snooze_until": {
        "en": "Or until the date",
        "nb": "Eller til datoen",
        "fi": "Tai päivään",
        "nl": "Of tot de datum",
    },
    "learners.snoozed": {
        "en": "Snoozed: the due date has moved.",
        "nb": "Utsatt: fristen er flyttet.",
        "fi": "Siirretty: määräpäivä on muuttunut.",
        "nl": "Uitgesteld: de uiterste datum is verschoven.",
    },
    "learners.snooze_error_until": {
        "en": "Choose a date after the current due date and no later than {latest}, or a duration.",
        "nb": "Velg en dato etter nåværende frist og senest {latest}, eller en varighet.",
        "fi": "Valitse nykyisen määräpäivän jälkeinen päivä, viimeistään {latest}, tai kesto.",
        "nl": "Kies een datum na de huidige uiterste datum en uiterlijk {latest}, of een duur.",
    },
    "learners.snooze_error_by": {
        "en": "Choose one of the durations offered (the due date can move to {latest} at most).",
        "nb": "Velg en av varighetene som tilbys (fristen kan flyttes til senest {latest}).",
        "fi": "Valitse jokin tarjotuista kestoista (määräpäivä voi siirtyä enintään {latest}).",
        "nl": "Kies een van de aangeboden duren (de datum kan hoogstens naar {latest}).",
    },
    "learners.escalated": {
        "en": "This assignment has been escalated to your manager, so it can no longer be snoozed.",
        "nb": "Denne oppgaven er eskalert til lederen din og kan ikke lenger utsettes.",
        "fi": "Tehtävä on eskaloitu esihenkilöllesi, joten sitä ei voi enää siirtää.",
        "nl": "Deze opdracht is doorgezet naar je leidinggevende en kan niet meer worden "
        "uitgesteld.",
    },
    "learners.closed": {
        "en": "This assignment is already closed.",
        "nb": "Denne oppgaven er allerede lukket.",
        "fi": "Tämä tehtävä on jo suljettu.",
        "nl": "Deze opdracht is al gesloten.",
    },
    "learners.history": {
        "en": "History",
        "nb": "Historikk",
        "fi": "Historia",
        "nl": "Geschiedenis",
    },
    "learners.closed_assignments": {
        "en": "Closed assignments",
        "nb": "Lukkede oppgaver",
        "fi": "Suljetut tehtävät",
        "nl": "Gesloten opdrachten",
    },
    "learners.closed_on": {
        "en": "Closed on",
        "nb": "Lukket",
        "fi": "Suljettu",
        "nl": "Gesloten op",
    },
    "learners.events": {
        "en": "Assignment events, newest first",
        "nb": "Hendelser for oppgaver, nyeste først",
        "fi": "Tehtävien tapahtumat, uusin ensin",
        "nl": "Gebeurtenissen van opdrachten, nieuwste eerst",
    },
    "learners.change": {"en": "Change", "nb": "Endring", "fi": "Muutos", "nl": "Wijziging"},
    "learners.cause": {"en": "Cause", "nb": "Årsak", "fi": "Syy", "nl": "Oorzaak"},
    "learners.notifications": {
        "en": "Notifications",
        "nb": "Varsler",
        "fi": "Ilmoitukset",
        "nl": "Meldingen",
    },
    "learners.sent": {"en": "Sent", "nb": "Sendt", "fi": "Lähetetty", "nl": "Verzonden"},
    "learners.kind": {"en": "Kind", "nb": "Type", "fi": "Laji", "nl": "Soort"},
    "learners.channel": {"en": "Channel", "nb": "Kanal", "fi": "Kanava", "nl": "Kanaal"},
    "learners.delivery": {
        "en": "Delivery",
        "nb": "Levering",
        "fi": "Toimitus",
        "nl": "Bezorging",
    },
    "learners.none_yet": {
        "en": "Nothing yet.",
        "nb": "Ingenting ennå.",
        "fi": "Ei vielä mitään.",
        "nl": "Nog niets.",
    },
    # Assignment statuses (refresher_assignments.status).
    "learners.astatus.assigned": {
        "en": "Assigned",
        "nb": "Tildelt",
        "fi": "Annettu",
        "nl": "Toegewezen",
    },
    "learners.astatus.notified": {
        "en": "Notified",
        "nb": "Varslet",
        "fi": "Ilmoitettu",
        "nl": "Gemeld",
    },
    "learners.astatus.overdue": {
        "en": "Overdue",
        "nb": "Forfalt",
        "fi": "Myöhässä",
        "nl": "Te laat",
    },
    "learners.astatus.escalated": {
        "en": "Escalated",
        "nb": "Eskalert",
        "fi": "Eskaloitu",
        "nl": "Doorgezet",
    },
    "learners.astatus.completed": {
        "en": "Completed",
        "nb": "Fullført",
        "fi": "Suoritettu",
        "nl": "Voltooid",
    },
    "learners.astatus.cancelled": {
        "en": "Cancelled",
        "nb": "Avlyst",
        "fi": "Peruttu",
        "nl": "Geannuleerd",
    },
    # Notification kinds and delivery states (notifications.kind, notifications.status).
    "learners.nkind.assigned": {
        "en": "New assignment",
        "nb": "Ny oppgave",
        "fi": "Uusi tehtävä",
        "nl": "Nieuwe opdracht",
    },
    "learners.nkind.reminder": {
        "en": "Reminder",
        "nb": "Påminnelse",
        "fi": "Muistutus",
        "nl": "Herinnering",
    },
    "learners.nkind.escalation": {
        "en": "Escalation",
        "nb": "Eskalering",
        "fi": "Eskalointi",
        "nl": "Escalatie",
    },
    "learners.nstatus.waiting": {
        "en": "Waiting for a channel",
        "nb": "Venter på en kanal",
        "fi": "Odottaa kanavaa",
        "nl": "Wacht op een kanaal",
    },
    "learners.nstatus.routed": {
        "en": "Passed to its channels",
        "nb": "Sendt videre til kanalene",
        "fi": "Välitetty kanaville",
        "nl": "Doorgegeven aan de kanalen",
    },
    "learners.nstatus.pending": {
        "en": "Being sent",
        "nb": "Sendes",
        "fi": "Lähetetään",
        "nl": "Wordt verzonden",
    },
    "learners.nstatus.sent": {"en": "Sent", "nb": "Sendt", "fi": "Lähetetty", "nl": "Verzonden"},
    "learners.nstatus.dead": {
        "en": "Could not be delivered",
        "nb": "Kunne ikke leveres",
        "fi": "Toimitus epäonnistui",
        "nl": "Kon niet worden bezorgd",
    },
}
