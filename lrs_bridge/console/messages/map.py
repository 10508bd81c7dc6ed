"""The map editor's words: parts of the map, forms, preview, history, diff, rule tester."""

from __future__ import annotations


def _m(en: str, nb: str, fi: str, nl: str) -> dict[str, str]:
    return {"en": en, "nb": nb, "fi": fi, "nl": nl}


MESSAGES = {
    "map.title": _m("Competency map", "Kompetansekart", "Osaamiskartta", "Competentiekaart"),
    "map.nav": _m(
        "Competency map sections", "Deler av kompetansekartet", "Osaamiskartan osat", "Onderdelen"
    ),
    "map.overview": _m("Overview", "Oversikt", "Yleiskatsaus", "Overzicht"),
    "map.collection.framework-competencies": _m(
        "Competencies", "Kompetanser", "Osaamiset", "Competenties"
    ),
    "map.collection.rules": _m("Rules", "Regler", "Säännöt", "Regels"),
    "map.collection.policies": _m(
        "Freshness policies", "Ferskhetsregler", "Tuoreuskäytännöt", "Actualiteitsbeleid"
    ),
    "map.collection.methods": _m(
        "Learning methods", "Læringsmetoder", "Oppimismenetelmät", "Leermethoden"
    ),
    "map.collection.refreshers": _m(
        "Refresher catalogue", "Oppfriskningskatalog", "Kertauskurssiluettelo", "Opfriscatalogus"
    ),
    "map.collection.settings": _m("Settings", "Innstillinger", "Asetukset", "Instellingen"),
    "map.errors.title": _m(
        "There is a problem", "Det er et problem", "Tässä on ongelma", "Er is een probleem"
    ),
    "map.active_files": _m(
        "Active: the configured files (no version saved yet).",
        "Aktiv: de konfigurerte filene (ingen versjon lagret ennå).",
        "Käytössä: määritetyt tiedostot (versiota ei ole vielä tallennettu).",
        "Actief: de ingestelde bestanden (nog geen versie opgeslagen).",
    ),
    "map.active_version": _m(
        "Active version: v{version}.",
        "Aktiv versjon: v{version}.",
        "Käytössä oleva versio: v{version}.",
        "Actieve versie: v{version}.",
    ),
    "map.parts": _m(
        "Parts of the map", "Deler av kartet", "Kartan osat", "Onderdelen van de kaart"
    ),
    "map.part": _m("Part", "Del", "Osa", "Onderdeel"),
    "map.items": _m("Items", "Elementer", "Kohteet", "Items"),
    "map.download.title": _m("Download", "Last ned", "Lataa", "Downloaden"),
    "map.download.map": _m(
        "Competency map (YAML)", "Kompetansekart (YAML)", "Osaamiskartta (YAML)", "Kaart (YAML)"
    ),
    "map.download.framework": _m(
        "Framework (YAML)", "Rammeverk (YAML)", "Osaamiskehys (YAML)", "Raamwerk (YAML)"
    ),
    "map.upload.title": _m("Upload", "Last opp", "Lähetä", "Uploaden"),
    "map.upload.intro": _m(
        "Replace the whole map or framework with a YAML or JSON file. You see a dry run first.",
        "Erstatt hele kartet eller rammeverket med en YAML- eller JSON-fil. Du ser en "
        "prøvekjøring først.",
        "Korvaa koko kartta tai osaamiskehys YAML- tai JSON-tiedostolla. Näet ensin koeajon.",
        "Vervang de hele kaart of het raamwerk door een YAML- of JSON-bestand. Eerst ziet u een "
        "proefrun.",
    ),
    "map.upload.document": _m(
        "Which document", "Hvilket dokument", "Mikä asiakirja", "Welk document"
    ),
    "map.upload.map": _m("Competency map", "Kompetansekart", "Osaamiskartta", "Competentiekaart"),
    "map.upload.framework": _m("Framework", "Rammeverk", "Osaamiskehys", "Raamwerk"),
    "map.upload.file": _m("File", "Fil", "Tiedosto", "Bestand"),
    "map.upload.submit": _m(
        "Preview the upload", "Forhåndsvis opplastingen", "Esikatsele lähetys", "Upload bekijken"
    ),
    "map.add": _m("Add", "Legg til", "Lisää", "Toevoegen"),
    "map.count": _m("{count} items", "{count} elementer", "{count} kohdetta", "{count} items"),
    "map.actions": _m("Actions", "Handlinger", "Toiminnot", "Acties"),
    "map.edit": _m("Edit", "Rediger", "Muokkaa", "Bewerken"),
    "map.delete": _m("Delete", "Slett", "Poista", "Verwijderen"),
    "map.cancel": _m("Cancel", "Avbryt", "Peruuta", "Annuleren"),
    "map.cols.rules": _m(
        "Description|Verbs|Activity|Competencies",
        "Beskrivelse|Verb|Aktivitet|Kompetanser",
        "Kuvaus|Verbit|Aktiviteetti|Osaamiset",
        "Beschrijving|Werkwoorden|Activiteit|Competenties",
    ),
    "map.cols.policies": _m(
        "Kind|Validity|Target retention|Due soon",
        "Type|Gyldighet|Mål for hukommelse|Snart forfall",
        "Laji|Voimassaolo|Muistamistavoite|Pian erääntyvä",
        "Soort|Geldigheid|Doelretentie|Bijna verlopen",
    ),
    "map.cols.methods": _m("Weight", "Vekt", "Paino", "Gewicht"),
    "map.cols.framework-competencies": _m(
        "Name|Policy|Parent",
        "Navn|Ferskhetsregel|Overordnet",
        "Nimi|Käytäntö|Yläosaaminen",
        "Naam|Beleid|Bovenliggend",
    ),
    "map.cols.refreshers": _m(
        "Competencies|Method", "Kompetanser|Metode", "Osaamiset|Menetelmä", "Competenties|Methode"
    ),
    "map.item.new": _m(
        "Add to: {part}", "Legg til i: {part}", "Lisää: {part}", "Toevoegen: {part}"
    ),
    "map.item.edit": _m("Edit {id}", "Rediger {id}", "Muokkaa {id}", "{id} bewerken"),
    "map.field.id": _m("Id", "Id", "Tunniste", "Id"),
    "map.field.description": _m("Description", "Beskrivelse", "Kuvaus", "Beschrijving"),
    "map.field.method": _m(
        "Method (for evidence that names none)",
        "Metode (for bevis som ikke oppgir noen)",
        "Menetelmä (näytölle, jossa sitä ei ole mainittu)",
        "Methode (voor bewijs zonder eigen methode)",
    ),
    "map.field.match": _m(
        "Conditions (match, YAML)",
        "Vilkår (match, YAML)",
        "Ehdot (match, YAML)",
        "Voorwaarden (match, YAML)",
    ),
    "map.field.evidence": _m(
        "Evidence (YAML list)",
        "Bevis (YAML-liste)",
        "Näyttö (YAML-luettelo)",
        "Bewijs (YAML-lijst)",
    ),
    "map.field.kind": _m("Kind", "Type", "Laji", "Soort"),
    "map.field.validity": _m(
        "Validity (e.g. P3M)",
        "Gyldighet (f.eks. P3M)",
        "Voimassaolo (esim. P3M)",
        "Geldigheid (bijv. P3M)",
    ),
    "map.field.due_soon": _m(
        "Due soon before stale (e.g. P14D)",
        "Snart forfall før utdatert (f.eks. P14D)",
        "Pian erääntyvä ennen vanhenemista (esim. P14D)",
        "Bijna verlopen vóór verlopen (bijv. P14D)",
    ),
    "map.field.target_retention": _m(
        "Target retention (adaptive, 0–1)",
        "Mål for hukommelse (adaptiv, 0–1)",
        "Muistamistavoite (mukautuva, 0–1)",
        "Doelretentie (adaptief, 0–1)",
    ),
    "map.field.lead_time": _m(
        "Refresher lead time",
        "Ledetid for oppfriskning",
        "Kertauksen ennakkoaika",
        "Aanlooptijd opfrisser",
    ),
    "map.field.weight": _m("Weight (0–1)", "Vekt (0–1)", "Paino (0–1)", "Gewicht (0–1)"),
    "map.field.name_en": _m(
        "Name in English", "Navn på engelsk", "Nimi englanniksi", "Naam in het Engels"
    ),
    "map.field.name_nb": _m(
        "Name in Norwegian", "Navn på norsk", "Nimi norjaksi", "Naam in het Noors"
    ),
    "map.field.name_fi": _m(
        "Name in Finnish", "Navn på finsk", "Nimi suomeksi", "Naam in het Fins"
    ),
    "map.field.name_nl": _m(
        "Name in Dutch", "Navn på nederlandsk", "Nimi hollanniksi", "Naam in het Nederlands"
    ),
    "map.field.parent": _m(
        "Parent competency", "Overordnet kompetanse", "Yläosaaminen", "Bovenliggende competentie"
    ),
    "map.field.policy": _m(
        "Freshness policy", "Ferskhetsregel", "Tuoreuskäytäntö", "Actualiteitsbeleid"
    ),
    "map.field.body": _m("Entry (YAML)", "Oppføring (YAML)", "Merkintä (YAML)", "Item (YAML)"),
    "map.field.note": _m(
        "Note for the history",
        "Notat til historikken",
        "Huomautus historiaan",
        "Notitie voor de geschiedenis",
    ),
    "map.hint.yaml": _m(
        "YAML, as in the map file.",
        "YAML, som i kartfilen.",
        "YAML, kuten karttatiedostossa.",
        "YAML, zoals in het kaartbestand.",
    ),
    "map.error.id_required": _m(
        "id: give an id.", "id: oppgi en id.", "id: anna tunniste.", "id: geef een id op."
    ),
    "map.error.id_taken": _m(
        "id: this id is already used; edit that item instead.",
        "id: denne id-en er allerede i bruk; rediger det elementet i stedet.",
        "id: tunniste on jo käytössä; muokkaa sitä kohdetta.",
        "id: deze id is al in gebruik; bewerk dat item.",
    ),
    "map.error.document": _m(
        "document: choose the map or the framework.",
        "document: velg kartet eller rammeverket.",
        "document: valitse kartta tai osaamiskehys.",
        "document: kies de kaart of het raamwerk.",
    ),
    "map.error.file": _m(
        "file: choose a file.",
        "file: velg en fil.",
        "file: valitse tiedosto.",
        "file: kies een bestand.",
    ),
    "map.error.encoding": _m(
        "file: the file is not UTF-8 text.",
        "file: filen er ikke UTF-8-tekst.",
        "file: tiedosto ei ole UTF-8-tekstiä.",
        "file: het bestand is geen UTF-8-tekst.",
    ),
    "map.preview.submit": _m(
        "Preview (dry run)",
        "Forhåndsvis (prøvekjøring)",
        "Esikatsele (koeajo)",
        "Bekijken (proefrun)",
    ),
    "map.preview.title": _m(
        "Dry run: check before saving",
        "Prøvekjøring: sjekk før du lagrer",
        "Koeajo: tarkista ennen tallentamista",
        "Proefrun: controleer vóór het opslaan",
    ),
    "map.preview.intro": _m(
        "Nothing is saved yet. This is what the change would do to every stored statement.",
        "Ingenting er lagret ennå. Slik ville endringen virke på alle lagrede utsagn.",
        "Mitään ei ole vielä tallennettu. Näin muutos vaikuttaisi jokaiseen tallennettuun "
        "lausumaan.",
        "Er is nog niets opgeslagen. Dit zou de wijziging doen met alle opgeslagen statements.",
    ),
    "map.preview.confirm": _m(
        "Confirm and save as a new version",
        "Bekreft og lagre som ny versjon",
        "Vahvista ja tallenna uutena versiona",
        "Bevestigen en opslaan als nieuwe versie",
    ),
    "map.preview.changed": _m(
        "The change or the active version changed since the preview. Check this new dry run.",
        "Endringen eller den aktive versjonen er endret siden forhåndsvisningen. Sjekk denne nye "
        "prøvekjøringen.",
        "Muutos tai käytössä oleva versio on muuttunut esikatselun jälkeen. Tarkista tämä uusi "
        "koeajo.",
        "De wijziging of de actieve versie is sinds de proefrun veranderd. Controleer deze nieuwe "
        "proefrun.",
    ),
    "map.saved": _m(
        "Saved as version v{version}. Evidence is rebuilt in the background.",
        "Lagret som versjon v{version}. Bevisene bygges opp på nytt i bakgrunnen.",
        "Tallennettu versioksi v{version}. Näyttö rakennetaan uudelleen taustalla.",
        "Opgeslagen als versie v{version}. Het bewijs wordt op de achtergrond opnieuw opgebouwd.",
    ),
    "map.dry.statements": _m(
        "Statements evaluated", "Utsagn vurdert", "Arvioidut lausumat", "Beoordeelde statements"
    ),
    "map.dry.learners": _m(
        "Learners whose status would change",
        "Deltakere som ville få endret status",
        "Oppijat, joiden tila muuttuisi",
        "Deelnemers van wie de status zou veranderen",
    ),
    "map.dry.pairs": _m(
        "Learner × competency statuses changing",
        "Endrede statuser (deltaker × kompetanse)",
        "Muuttuvat tilat (oppija × osaaminen)",
        "Veranderende statussen (deelnemer × competentie)",
    ),
    "map.dry.before_after": _m(
        "Learner × competency pairs, before → after",
        "Par deltaker × kompetanse, før → etter",
        "Parit oppija × osaaminen, ennen → jälkeen",
        "Paren deelnemer × competentie, vóór → na",
    ),
    "map.changes.title": _m("Changes", "Endringer", "Muutokset", "Wijzigingen"),
    "map.changes.none": _m(
        "No differences.", "Ingen forskjeller.", "Ei eroja.", "Geen verschillen."
    ),
    "map.change": _m("Change", "Endring", "Muutos", "Wijziging"),
    "map.changed_fields": _m(
        "Changed fields", "Endrede felt", "Muuttuneet kentät", "Gewijzigde velden"
    ),
    "map.change.added": _m("added", "lagt til", "lisätty", "toegevoegd"),
    "map.change.removed": _m("removed", "fjernet", "poistettu", "verwijderd"),
    "map.change.changed": _m("changed", "endret", "muutettu", "gewijzigd"),
    "map.history.title": _m(
        "Version history", "Versjonshistorikk", "Versiohistoria", "Versiegeschiedenis"
    ),
    "map.history.empty": _m(
        "No version has been saved yet; the configured files are active.",
        "Ingen versjon er lagret ennå; de konfigurerte filene er aktive.",
        "Versioita ei ole vielä tallennettu; määritetyt tiedostot ovat käytössä.",
        "Er is nog geen versie opgeslagen; de ingestelde bestanden zijn actief.",
    ),
    "map.history.caption": _m(
        "Saved versions, newest first",
        "Lagrede versjoner, nyeste først",
        "Tallennetut versiot, uusin ensin",
        "Opgeslagen versies, nieuwste eerst",
    ),
    "map.history.version": _m("Version", "Versjon", "Versio", "Versie"),
    "map.history.from": _m("Compare from", "Sammenlign fra", "Vertaa alkaen", "Vergelijk van"),
    "map.history.to": _m("Compare to", "Sammenlign med", "Vertaa kohteeseen", "Vergelijk met"),
    "map.history.from_v": _m(
        "Compare from v{version}",
        "Sammenlign fra v{version}",
        "Vertaa alkaen v{version}",
        "Vergelijk van v{version}",
    ),
    "map.history.to_v": _m(
        "Compare to v{version}",
        "Sammenlign med v{version}",
        "Vertaa versioon v{version}",
        "Vergelijk met v{version}",
    ),
    "map.history.by": _m("Saved by", "Lagret av", "Tallentaja", "Opgeslagen door"),
    "map.history.created": _m("Saved", "Lagret", "Tallennettu", "Opgeslagen"),
    "map.history.replayed": _m("Applied", "Tatt i bruk", "Otettu käyttöön", "Toegepast"),
    "map.history.pending": _m("pending", "venter", "odottaa", "in behandeling"),
    "map.history.active": _m("active", "aktiv", "käytössä", "actief"),
    "map.history.rollback": _m(
        "Roll back to v{version}",
        "Rull tilbake til v{version}",
        "Palauta versioon v{version}",
        "Terugzetten naar v{version}",
    ),
    "map.history.compare": _m(
        "Compare the chosen versions",
        "Sammenlign de valgte versjonene",
        "Vertaa valittuja versioita",
        "Vergelijk de gekozen versies",
    ),
    "map.version.title": _m(
        "Version v{version}", "Versjon v{version}", "Versio v{version}", "Versie v{version}"
    ),
    "map.diff.title": _m(
        "From v{old} to v{new}",
        "Fra v{old} til v{new}",
        "Versiosta v{old} versioon v{new}",
        "Van v{old} naar v{new}",
    ),
    "map.diff.counts": _m(
        "{added} added, {removed} removed, {changed} changed",
        "{added} lagt til, {removed} fjernet, {changed} endret",
        "{added} lisätty, {removed} poistettu, {changed} muutettu",
        "{added} toegevoegd, {removed} verwijderd, {changed} gewijzigd",
    ),
    "map.diff.lines": _m(
        "Line by line (canonical YAML)",
        "Linje for linje (kanonisk YAML)",
        "Rivi riviltä (kanoninen YAML)",
        "Regel voor regel (canonieke YAML)",
    ),
}
