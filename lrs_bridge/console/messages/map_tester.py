"""The map editor's rule tester: its form, results and the near misses' reasons."""

from __future__ import annotations


def _m(en: str, nb: str, fi: str, nl: str) -> dict[str, str]:
    return {"en": en, "nb": nb, "fi": fi, "nl": nl}


MESSAGES = {
    "map.tester.title": _m("Rule tester", "Regeltester", "Sääntötesti", "Regeltester"),
    "map.tester.intro": _m(
        "Paste a statement or give a stored statement's id: see which rules fire, and why the "
        "near misses did not.",
        "Lim inn et utsagn eller oppgi id-en til et lagret utsagn: se hvilke regler som slår til, "
        "og hvorfor de nesten-treffene ikke gjorde det.",
        "Liitä lausuma tai anna tallennetun lausuman tunniste: näet, mitkä säännöt laukeavat ja "
        "miksi läheltä piti -säännöt eivät lauenneet.",
        "Plak een statement of geef de id van een opgeslagen statement: zie welke regels afgaan "
        "en waarom de bijna-treffers niet afgingen.",
    ),
    "map.tester.statement": _m(
        "Statement (JSON)", "Utsagn (JSON)", "Lausuma (JSON)", "Statement (JSON)"
    ),
    "map.tester.statement_id": _m(
        "Or a stored statement's id",
        "Eller id-en til et lagret utsagn",
        "Tai tallennetun lausuman tunniste",
        "Of de id van een opgeslagen statement",
    ),
    "map.tester.statement_id_hint": _m(
        "A UUID; it is used instead of the pasted statement.",
        "En UUID; den brukes i stedet for det innlimte utsagnet.",
        "UUID; sitä käytetään liitetyn lausuman sijaan.",
        "Een UUID; die wordt gebruikt in plaats van het geplakte statement.",
    ),
    "map.tester.submit": _m("Test", "Test", "Testaa", "Testen"),
    "map.tester.result": _m("Result", "Resultat", "Tulos", "Resultaat"),
    "map.tester.stored": _m(
        "Stored statement {id}",
        "Lagret utsagn {id}",
        "Tallennettu lausuma {id}",
        "Opgeslagen statement {id}",
    ),
    "map.tester.duplicate_of": _m(
        "This statement repeats {id} (same actor, verb, object and result within the "
        "duplicate window): its evidence counts once.",
        "Dette utsagnet gjentar {id} (samme aktør, verb, objekt og resultat innenfor "
        "duplikatvinduet): beviset telles én gang.",
        "Tämä lausuma toistaa lausuman {id} (sama toimija, verbi, kohde ja tulos "
        "kaksoiskappaleikkunan sisällä): sen näyttö lasketaan vain kerran.",
        "Dit statement herhaalt {id} (zelfde actor, werkwoord, object en resultaat binnen "
        "het duplicaatvenster): het bewijs telt één keer.",
    ),
    "map.tester.repeat_of": _m("Repeat of", "Gjentakelse av", "Toisto lausumasta", "Herhaling van"),
    "map.tester.ignored": _m(
        "Never evidence: the verb {verb} is ignored ({setting}).",
        "Aldri bevis: verbet {verb} ignoreres ({setting}).",
        "Ei koskaan näyttöä: verbi {verb} ohitetaan ({setting}).",
        "Nooit bewijs: het werkwoord {verb} wordt genegeerd ({setting}).",
    ),
    "map.tester.fired": _m(
        "Rules that fire", "Regler som slår til", "Laukeavat säännöt", "Regels die afgaan"
    ),
    "map.tester.none_fired": _m(
        "No rule fires.",
        "Ingen regel slår til.",
        "Mikään sääntö ei laukea.",
        "Geen enkele regel gaat af.",
    ),
    "map.tester.evidence": _m("Evidence", "Bevis", "Näyttö", "Bewijs"),
    "map.tester.no_evidence": _m("No evidence.", "Ingen bevis.", "Ei näyttöä.", "Geen bewijs."),
    "map.tester.competency": _m("Competency", "Kompetanse", "Osaaminen", "Competentie"),
    "map.tester.rule": _m("Rule", "Regel", "Sääntö", "Regel"),
    "map.tester.method": _m("Method", "Metode", "Menetelmä", "Methode"),
    "map.tester.weight": _m("Weight", "Vekt", "Paino", "Gewicht"),
    "map.tester.quality": _m("Quality", "Kvalitet", "Laatu", "Kwaliteit"),
    "map.tester.near": _m("Near misses", "Nesten-treff", "Läheltä piti", "Bijna-treffers"),
    "map.tester.why": _m(
        "Why it did not fire",
        "Hvorfor den ikke slo til",
        "Miksi se ei lauennut",
        "Waarom hij niet afging",
    ),
    "map.tester.found": _m(
        "found: {actual}", "funnet: {actual}", "löytyi: {actual}", "gevonden: {actual}"
    ),
    "map.tester.no_near": _m(
        "No rule came close.",
        "Ingen regel var i nærheten.",
        "Mikään sääntö ei ollut lähellä.",
        "Geen regel kwam in de buurt.",
    ),
    "map.miss.ignored_verb": _m(
        "ignored verb", "ignorert verb", "ohitettu verbi", "genegeerd werkwoord"
    ),
    "map.miss.verb_differs": _m(
        "verb differs", "verbet er et annet", "verbi on eri", "werkwoord verschilt"
    ),
    "map.miss.activity_differs": _m(
        "activity differs", "aktiviteten er en annen", "aktiviteetti on eri", "activiteit verschilt"
    ),
    "map.miss.activity_prefix_differs": _m(
        "activity prefix differs",
        "aktivitetsprefikset er et annet",
        "aktiviteetin etuliite on eri",
        "activiteitsprefix verschilt",
    ),
    "map.miss.activity_pattern_differs": _m(
        "activity pattern differs",
        "aktivitetsmønsteret passer ikke",
        "aktiviteetin kuvio ei täsmää",
        "activiteitspatroon verschilt",
    ),
    "map.miss.not_an_activity": _m(
        "object is not an activity",
        "objektet er ikke en aktivitet",
        "kohde ei ole aktiviteetti",
        "object is geen activiteit",
    ),
    "map.miss.activity_type_differs": _m(
        "activity type differs",
        "aktivitetstypen er en annen",
        "aktiviteetin tyyppi on eri",
        "activiteitstype verschilt",
    ),
    "map.miss.platform_differs": _m(
        "platform differs", "plattformen er en annen", "alusta on eri", "platform verschilt"
    ),
    "map.miss.context_activity_differs": _m(
        "context activity ({list}) differs",
        "kontekstaktiviteten ({list}) er en annen",
        "kontekstiaktiviteetti ({list}) on eri",
        "contextactiviteit ({list}) verschilt",
    ),
    "map.miss.success_differs": _m(
        "success differs", "bestått-verdien er en annen", "onnistuminen on eri", "succes verschilt"
    ),
    "map.miss.completion_differs": _m(
        "completion differs",
        "fullført-verdien er en annen",
        "suorittaminen on eri",
        "voltooiing verschilt",
    ),
    "map.miss.no_score": _m("no score", "ingen poengsum", "ei pisteitä", "geen score"),
    "map.miss.score_below": _m(
        "score below {expected}",
        "poengsum under {expected}",
        "pisteet alle {expected}",
        "score onder {expected}",
    ),
    "map.miss.score_above": _m(
        "score above {expected}",
        "poengsum over {expected}",
        "pisteet yli {expected}",
        "score boven {expected}",
    ),
    "map.miss.extension_missing": _m(
        "extension missing", "utvidelsen mangler", "laajennus puuttuu", "extensie ontbreekt"
    ),
    "map.miss.extension_present": _m(
        "extension present", "utvidelsen finnes", "laajennus on mukana", "extensie aanwezig"
    ),
    "map.miss.extension_differs": _m(
        "extension differs",
        "utvidelsen har en annen verdi",
        "laajennuksen arvo on eri",
        "extensie verschilt",
    ),
}
