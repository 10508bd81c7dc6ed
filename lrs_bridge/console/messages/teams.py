"""Strings of the team matrix pages (``console/teams.py``), in every console language."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "teams.title": {
        "en": "Teams",
        "nb": "Team",
        "fi": "Tiimit",
        "nl": "Teams",
    },
    "teams.list.caption": {
        "en": "Teams you can open, with the members you see",
        "nb": "Team du kan åpne, med medlemmene du ser",
        "fi": "Tiimit, jotka voit avata, ja niiden sinulle näkyvät jäsenet",
        "nl": "Teams die je kunt openen, met de leden die je ziet",
    },
    "teams.list.team": {
        "en": "Team",
        "nb": "Team",
        "fi": "Tiimi",
        "nl": "Team",
    },
    "teams.list.members": {
        "en": "Members",
        "nb": "Medlemmer",
        "fi": "Jäsenet",
        "nl": "Leden",
    },
    "teams.list.empty": {
        "en": "There are no teams in the directory yet.",
        "nb": "Det finnes ingen team i katalogen ennå.",
        "fi": "Hakemistossa ei ole vielä tiimejä.",
        "nl": "Er staan nog geen teams in de personenlijst.",
    },
    "teams.matrix.title": {
        "en": "Team {team}",
        "nb": "Team {team}",
        "fi": "Tiimi {team}",
        "nl": "Team {team}",
    },
    "teams.matrix.caption": {
        "en": "Competency freshness of {members} members in {competencies} competencies on {date}",
        "nb": "Hvor ferske {competencies} kompetanser er hos {members} medlemmer den {date}",
        "fi": "{members} jäsenen {competencies} osaamisen tuoreus {date}",
        "nl": "Actualiteit van {competencies} competenties bij {members} leden op {date}",
    },
    "teams.matrix.member": {
        "en": "Member",
        "nb": "Medlem",
        "fi": "Jäsen",
        "nl": "Lid",
    },
    "teams.matrix.totals": {
        "en": "Totals",
        "nb": "Totalt",
        "fi": "Yhteensä",
        "nl": "Totaal",
    },
    "teams.matrix.empty": {
        "en": "No members match these filters.",
        "nb": "Ingen medlemmer passer til disse filtrene.",
        "fi": "Yksikään jäsen ei vastaa näitä suodattimia.",
        "nl": "Geen leden voldoen aan deze filters.",
    },
    "teams.matrix.legend": {
        "en": "All cells",
        "nb": "Alle celler",
        "fi": "Kaikki solut",
        "nl": "Alle cellen",
    },
    "teams.filters.legend": {
        "en": "Filter the matrix",
        "nb": "Filtrer matrisen",
        "fi": "Suodata matriisia",
        "nl": "De matrix filteren",
    },
    "teams.filters.team": {
        "en": "Team",
        "nb": "Team",
        "fi": "Tiimi",
        "nl": "Team",
    },
    "teams.filters.manager": {
        "en": "Manager",
        "nb": "Leder",
        "fi": "Esihenkilö",
        "nl": "Leidinggevende",
    },
    "teams.filters.any_manager": {
        "en": "Any manager",
        "nb": "Alle ledere",
        "fi": "Kuka tahansa esihenkilö",
        "nl": "Alle leidinggevenden",
    },
    "teams.filters.group": {
        "en": "Competency group",
        "nb": "Kompetansegruppe",
        "fi": "Osaamisryhmä",
        "nl": "Competentiegroep",
    },
    "teams.filters.all_groups": {
        "en": "All competencies",
        "nb": "Alle kompetanser",
        "fi": "Kaikki osaamiset",
        "nl": "Alle competenties",
    },
    "teams.filters.apply": {
        "en": "Show",
        "nb": "Vis",
        "fi": "Näytä",
        "nl": "Tonen",
    },
    "teams.csv": {
        "en": "Download this matrix as CSV",
        "nb": "Last ned denne matrisen som CSV",
        "fi": "Lataa tämä matriisi CSV-tiedostona",
        "nl": "Deze matrix downloaden als CSV",
    },
    "teams.bad_manager": {
        "en": "manager must be a learner id (a whole number)",
        "nb": "manager må være en elev-id (et heltall)",
        "fi": "managerin on oltava oppijan tunniste (kokonaisluku)",
        "nl": "manager moet een id van een lerende zijn (een geheel getal)",
    },
    "teams.bad_format": {
        "en": "format must be html or csv",
        "nb": "format må være html eller csv",
        "fi": "formatin on oltava html tai csv",
        "nl": "format moet html of csv zijn",
    },
}
