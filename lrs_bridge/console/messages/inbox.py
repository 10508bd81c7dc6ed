"""Words of the activity inbox (``inbox.``) and the statement browser (``statements.``)."""

from __future__ import annotations

MESSAGES = {
    "inbox.title": {
        "en": "Unmapped activities",
        "nb": "Ukoblede aktiviteter",
        "fi": "Kohdistamattomat aktiviteetit",
        "nl": "Niet-gekoppelde activiteiten",
    },
    "inbox.intro": {
        "en": "Activities seen in stored statements that no rule and no direct alignment "
        "turns into evidence, busiest first. Map one to a competency to count it.",
        "nb": "Aktiviteter i lagrede utsagn som ingen regel og ingen direkte kobling gjør "
        "til bevis, de mest brukte først. Koble en til en kompetanse for å telle den.",
        "fi": "Tallennetuissa lausumissa näkyvät aktiviteetit, joita mikään sääntö tai "
        "suora kohdistus ei muuta näytöksi, käytetyimmät ensin. Kohdista aktiviteetti "
        "osaamiseen, niin se lasketaan.",
        "nl": "Activiteiten uit opgeslagen statements die geen regel en geen directe "
        "koppeling tot bewijs maakt, de drukste eerst. Koppel er een aan een competentie "
        "om hem mee te tellen.",
    },
    "inbox.counting": {
        "en": "Still counting: {counted} of {stored} stored statements so far. The figures "
        "below are not complete yet.",
        "nb": "Telling pågår: {counted} av {stored} lagrede utsagn så langt. Tallene "
        "nedenfor er ikke fullstendige ennå.",
        "fi": "Laskenta on kesken: {counted}/{stored} tallennettua lausumaa tähän mennessä. "
        "Alla olevat luvut eivät ole vielä valmiita.",
        "nl": "Nog aan het tellen: {counted} van {stored} opgeslagen statements tot nu toe. "
        "De cijfers hieronder zijn nog niet volledig.",
    },
    "inbox.empty": {
        "en": "Every activity seen so far gives evidence.",
        "nb": "Alle aktiviteter som er sett så langt, gir bevis.",
        "fi": "Kaikki tähän mennessä nähdyt aktiviteetit antavat näyttöä.",
        "nl": "Elke activiteit die tot nu toe is gezien, levert bewijs.",
    },
    "inbox.caption": {
        "en": "Activities without evidence ({total}), page {page} of {pages}",
        "nb": "Aktiviteter uten bevis ({total}), side {page} av {pages}",
        "fi": "Aktiviteetit ilman näyttöä ({total}), sivu {page}/{pages}",
        "nl": "Activiteiten zonder bewijs ({total}), pagina {page} van {pages}",
    },
    "inbox.activity": {
        "en": "Activity",
        "nb": "Aktivitet",
        "fi": "Aktiviteetti",
        "nl": "Activiteit",
    },
    "inbox.type": {"en": "Type", "nb": "Type", "fi": "Tyyppi", "nl": "Type"},
    "inbox.verbs": {"en": "Verbs", "nb": "Verb", "fi": "Verbit", "nl": "Werkwoorden"},
    "inbox.platform": {"en": "Platform", "nb": "Plattform", "fi": "Alusta", "nl": "Platform"},
    "inbox.statements": {
        "en": "Statements",
        "nb": "Utsagn",
        "fi": "Lausumat",
        "nl": "Statements",
    },
    "inbox.learners": {"en": "Learners", "nb": "Deltakere", "fi": "Oppijat", "nl": "Lerenden"},
    "inbox.last_seen": {
        "en": "Last seen",
        "nb": "Sist sett",
        "fi": "Viimeksi nähty",
        "nl": "Laatst gezien",
    },
    "inbox.example": {
        "en": "Example",
        "nb": "Eksempel",
        "fi": "Esimerkki",
        "nl": "Voorbeeld",
    },
    "inbox.example_link": {
        "en": "Example statement",
        "nb": "Eksempelutsagn",
        "fi": "Esimerkkilausuma",
        "nl": "Voorbeeldstatement",
    },
    "inbox.action": {"en": "Action", "nb": "Handling", "fi": "Toiminto", "nl": "Actie"},
    "inbox.map_this": {
        "en": "Map this",
        "nb": "Koble denne",
        "fi": "Kohdista tämä",
        "nl": "Koppel deze",
    },
    "inbox.map_this_named": {
        "en": "Map {name}",
        "nb": "Koble {name}",
        "fi": "Kohdista {name}",
        "nl": "Koppel {name}",
    },
    "inbox.none": {"en": "none", "nb": "ingen", "fi": "ei mitään", "nl": "geen"},
    "inbox.agents_title": {
        "en": "People not in the directory",
        "nb": "Personer som ikke er i katalogen",
        "fi": "Henkilöt, jotka eivät ole hakemistossa",
        "nl": "Personen die niet in de gids staan",
    },
    "inbox.agents_intro": {
        "en": "Agents seen in statements whom no directory identifier names. Import them "
        "(or add their identifier to a learner) so their evidence reaches the right person.",
        "nb": "Aktører i utsagn som ingen identifikator i katalogen peker på. Importer dem "
        "(eller legg identifikatoren til en deltaker) så bevisene havner hos rett person.",
        "fi": "Lausumissa näkyvät toimijat, joita mikään hakemiston tunniste ei nimeä. Tuo "
        "heidät hakemistoon (tai lisää tunniste oppijalle), jotta näyttö päätyy oikealle "
        "henkilölle.",
        "nl": "Actoren uit statements die geen identificatie in de gids aanwijst. Importeer "
        "ze (of voeg hun identificatie toe aan een lerende) zodat hun bewijs bij de juiste "
        "persoon komt.",
    },
    "inbox.agents_caption": {
        "en": "Unknown agents ({total}), page {page} of {pages}",
        "nb": "Ukjente aktører ({total}), side {page} av {pages}",
        "fi": "Tuntemattomat toimijat ({total}), sivu {page}/{pages}",
        "nl": "Onbekende actoren ({total}), pagina {page} van {pages}",
    },
    "inbox.agents_empty": {
        "en": "The directory knows everyone seen in statements.",
        "nb": "Katalogen kjenner alle som er sett i utsagn.",
        "fi": "Hakemisto tuntee kaikki lausumissa nähdyt.",
        "nl": "De gids kent iedereen die in statements voorkomt.",
    },
    "inbox.agent": {"en": "Agent", "nb": "Aktør", "fi": "Toimija", "nl": "Actor"},
    "inbox.identifier": {
        "en": "Identifier",
        "nb": "Identifikator",
        "fi": "Tunniste",
        "nl": "Identificatie",
    },
    "inbox.previous": {
        "en": "Previous page",
        "nb": "Forrige side",
        "fi": "Edellinen sivu",
        "nl": "Vorige pagina",
    },
    "inbox.next": {
        "en": "Next page",
        "nb": "Neste side",
        "fi": "Seuraava sivu",
        "nl": "Volgende pagina",
    },
    "inbox.pages": {"en": "Pages", "nb": "Sider", "fi": "Sivut", "nl": "Pagina's"},
    "inbox.map_title": {
        "en": "Map an activity",
        "nb": "Koble en aktivitet",
        "fi": "Kohdista aktiviteetti",
        "nl": "Een activiteit koppelen",
    },
    "inbox.map_intro": {
        "en": "A new rule turns the chosen verbs of this activity into evidence for one "
        "competency. Preview its effect first; saving makes a new configuration version.",
        "nb": "En ny regel gjør de valgte verbene for denne aktiviteten til bevis for én "
        "kompetanse. Se virkningen først; lagring lager en ny konfigurasjonsversjon.",
        "fi": "Uusi sääntö muuttaa tämän aktiviteetin valitut verbit näytöksi yhdestä "
        "osaamisesta. Katso vaikutus ensin; tallennus luo uuden määritysversion.",
        "nl": "Een nieuwe regel maakt van de gekozen werkwoorden van deze activiteit bewijs "
        "voor één competentie. Bekijk eerst het effect; opslaan maakt een nieuwe "
        "configuratieversie.",
    },
    "inbox.competency": {
        "en": "Competency",
        "nb": "Kompetanse",
        "fi": "Osaaminen",
        "nl": "Competentie",
    },
    "inbox.choose": {"en": "Choose…", "nb": "Velg …", "fi": "Valitse…", "nl": "Kies…"},
    "inbox.method": {
        "en": "Learning method",
        "nb": "Læringsmetode",
        "fi": "Oppimismenetelmä",
        "nl": "Leermethode",
    },
    "inbox.method_weight": {
        "en": "{method} (weight {weight})",
        "nb": "{method} (vekt {weight})",
        "fi": "{method} (paino {weight})",
        "nl": "{method} (gewicht {weight})",
    },
    "inbox.verbs_legend": {
        "en": "Verbs that count",
        "nb": "Verb som teller",
        "fi": "Laskettavat verbit",
        "nl": "Werkwoorden die tellen",
    },
    "inbox.preview": {
        "en": "Preview (dry run)",
        "nb": "Forhåndsvis (prøvekjøring)",
        "fi": "Esikatsele (koeajo)",
        "nl": "Voorbeeld (proefrun)",
    },
    "inbox.save": {
        "en": "Save as a new version",
        "nb": "Lagre som ny versjon",
        "fi": "Tallenna uutena versiona",
        "nl": "Opslaan als nieuwe versie",
    },
    "inbox.cancel": {
        "en": "Back to the inbox",
        "nb": "Tilbake til innboksen",
        "fi": "Takaisin saapuneisiin",
        "nl": "Terug naar het overzicht",
    },
    "inbox.preview_title": {
        "en": "What this change would do",
        "nb": "Hva denne endringen vil gjøre",
        "fi": "Mitä tämä muutos tekisi",
        "nl": "Wat deze wijziging zou doen",
    },
    "inbox.preview_result": {
        "en": "{statements} statements from {learners} learners would become evidence; "
        "{changing} learners would change status.",
        "nb": "{statements} utsagn fra {learners} deltakere ville blitt bevis; "
        "{changing} deltakere ville fått endret status.",
        "fi": "{statements} lausumaa {learners} oppijalta muuttuisi näytöksi; "
        "{changing} oppijan tila muuttuisi.",
        "nl": "{statements} statements van {learners} lerenden zouden bewijs worden; "
        "bij {changing} lerenden zou de status veranderen.",
    },
    "inbox.preview_detail": {
        "en": "Evaluated {evaluated} statements; {pairs} learner × competency statuses "
        "would change. Nothing is saved yet.",
        "nb": "Vurderte {evaluated} utsagn; {pairs} statuser (deltaker × kompetanse) ville "
        "endret seg. Ingenting er lagret ennå.",
        "fi": "Arvioitiin {evaluated} lausumaa; {pairs} tilaa (oppija × osaaminen) "
        "muuttuisi. Mitään ei ole vielä tallennettu.",
        "nl": "{evaluated} statements beoordeeld; {pairs} statussen (lerende × competentie) "
        "zouden veranderen. Er is nog niets opgeslagen.",
    },
    "inbox.saved": {
        "en": "Saved as configuration version {version}: {name} now counts as evidence.",
        "nb": "Lagret som konfigurasjonsversjon {version}: {name} teller nå som bevis.",
        "fi": "Tallennettu määritysversioksi {version}: {name} lasketaan nyt näytöksi.",
        "nl": "Opgeslagen als configuratieversie {version}: {name} telt nu als bewijs.",
    },
    "inbox.invalid": {
        "en": "The rule was not saved: {detail}",
        "nb": "Regelen ble ikke lagret: {detail}",
        "fi": "Sääntöä ei tallennettu: {detail}",
        "nl": "De regel is niet opgeslagen: {detail}",
    },
    "inbox.error.competency": {
        "en": "Choose a competency of the framework.",
        "nb": "Velg en kompetanse fra rammeverket.",
        "fi": "Valitse osaaminen osaamiskehyksestä.",
        "nl": "Kies een competentie uit het raamwerk.",
    },
    "inbox.error.method": {
        "en": "Choose one of the map's learning methods.",
        "nb": "Velg en av kartets læringsmetoder.",
        "fi": "Valitse jokin kartan oppimismenetelmistä.",
        "nl": "Kies een van de leermethoden van de kaart.",
    },
    "inbox.error.verbs": {
        "en": "Choose at least one verb.",
        "nb": "Velg minst ett verb.",
        "fi": "Valitse vähintään yksi verbi.",
        "nl": "Kies minstens één werkwoord.",
    },
    # -- the statement browser ------------------------------------------------------------
    "statements.title": {
        "en": "Statements",
        "nb": "Utsagn",
        "fi": "Lausumat",
        "nl": "Statements",
    },
    "statements.intro": {
        "en": "Recent statements, newest first, with the evidence each produced.",
        "nb": "Nye utsagn, nyeste først, med bevisene hvert av dem ga.",
        "fi": "Viimeisimmät lausumat, uusin ensin, ja kunkin tuottama näyttö.",
        "nl": "Recente statements, nieuwste eerst, met het bewijs dat elk opleverde.",
    },
    "statements.filters": {"en": "Filters", "nb": "Filtre", "fi": "Suodattimet", "nl": "Filters"},
    "statements.agent": {
        "en": "Agent (e-mail address or Agent JSON)",
        "nb": "Aktør (e-postadresse eller Agent-JSON)",
        "fi": "Toimija (sähköpostiosoite tai Agent-JSON)",
        "nl": "Actor (e-mailadres of Agent-JSON)",
    },
    "statements.verb": {
        "en": "Verb (IRI)",
        "nb": "Verb (IRI)",
        "fi": "Verbi (IRI)",
        "nl": "Werkwoord (IRI)",
    },
    "statements.verb_column": {"en": "Verb", "nb": "Verb", "fi": "Verbi", "nl": "Werkwoord"},
    "statements.activity": {
        "en": "Activity (IRI)",
        "nb": "Aktivitet (IRI)",
        "fi": "Aktiviteetti (IRI)",
        "nl": "Activiteit (IRI)",
    },
    "statements.since": {
        "en": "Stored after (UTC)",
        "nb": "Lagret etter (UTC)",
        "fi": "Tallennettu jälkeen (UTC)",
        "nl": "Opgeslagen na (UTC)",
    },
    "statements.until": {
        "en": "Stored up to (UTC)",
        "nb": "Lagret til og med (UTC)",
        "fi": "Tallennettu viimeistään (UTC)",
        "nl": "Opgeslagen tot en met (UTC)",
    },
    "statements.apply": {"en": "Show", "nb": "Vis", "fi": "Näytä", "nl": "Tonen"},
    "statements.clear": {
        "en": "Clear filters",
        "nb": "Fjern filtre",
        "fi": "Tyhjennä suodattimet",
        "nl": "Filters wissen",
    },
    "statements.caption": {
        "en": "Matching statements, newest first",
        "nb": "Treff, nyeste først",
        "fi": "Osumat, uusin ensin",
        "nl": "Gevonden statements, nieuwste eerst",
    },
    "statements.empty": {
        "en": "No statement matches.",
        "nb": "Ingen utsagn passer.",
        "fi": "Yksikään lausuma ei vastaa.",
        "nl": "Geen enkel statement komt overeen.",
    },
    "statements.stored": {"en": "Stored", "nb": "Lagret", "fi": "Tallennettu", "nl": "Opgeslagen"},
    "statements.actor": {"en": "Actor", "nb": "Aktør", "fi": "Toimija", "nl": "Actor"},
    "statements.object": {"en": "Object", "nb": "Objekt", "fi": "Kohde", "nl": "Object"},
    "statements.evidence": {"en": "Evidence", "nb": "Bevis", "fi": "Näyttö", "nl": "Bewijs"},
    "statements.no_evidence": {
        "en": "no evidence",
        "nb": "ingen bevis",
        "fi": "ei näyttöä",
        "nl": "geen bewijs",
    },
    "statements.evidence_row": {
        "en": "{competency}: rule {rule}, weight {weight}, for learner {learner}",
        "nb": "{competency}: regel {rule}, vekt {weight}, for deltaker {learner}",
        "fi": "{competency}: sääntö {rule}, paino {weight}, oppijalle {learner}",
        "nl": "{competency}: regel {rule}, gewicht {weight}, voor lerende {learner}",
    },
    "statements.json": {"en": "JSON", "nb": "JSON", "fi": "JSON", "nl": "JSON"},
    "statements.json_of": {
        "en": "JSON of statement {id}",
        "nb": "JSON for utsagn {id}",
        "fi": "Lausuman {id} JSON",
        "nl": "JSON van statement {id}",
    },
    "statements.older": {
        "en": "Older statements",
        "nb": "Eldre utsagn",
        "fi": "Vanhemmat lausumat",
        "nl": "Oudere statements",
    },
    "statements.newest": {
        "en": "Newest statements",
        "nb": "Nyeste utsagn",
        "fi": "Uusimmat lausumat",
        "nl": "Nieuwste statements",
    },
}
