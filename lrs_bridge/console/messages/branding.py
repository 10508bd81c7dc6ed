"""Words of the branding settings page (organisation name, logo, colour)."""

from __future__ import annotations

MESSAGES = {
    "branding.title": {
        "en": "Branding",
        "nb": "Visuell profil",
        "fi": "Ulkoasu",
        "nl": "Huisstijl",
    },
    "branding.intro": {
        "en": "Your organisation's name, logo and colour, shown in the console and in the e-mails.",
        "nb": "Organisasjonens navn, logo og farge, som vises i konsollen og i e-postene.",
        "fi": "Organisaation nimi, logo ja väri, jotka näkyvät konsolissa ja sähköposteissa.",
        "nl": "De naam, het logo en de kleur van uw organisatie, in de console en in de e-mails.",
    },
    "branding.org_name": {
        "en": "Organisation name",
        "nb": "Organisasjonsnavn",
        "fi": "Organisaation nimi",
        "nl": "Naam van de organisatie",
    },
    "branding.logo_url": {
        "en": "Logo address (URL)",
        "nb": "Logoadresse (URL)",
        "fi": "Logon osoite (URL)",
        "nl": "Adres van het logo (URL)",
    },
    "branding.logo_hint": {
        "en": "An https:// address, or a path on this server starting with /. E-mails show "
        "only https:// logos.",
        "nb": "En https://-adresse, eller en sti på denne serveren som begynner med /. "
        "E-poster viser bare https://-logoer.",
        "fi": "https://-osoite tai tämän palvelimen polku, joka alkaa merkillä /. "
        "Sähköposteissa näkyvät vain https://-logot.",
        "nl": "Een https://-adres, of een pad op deze server dat met / begint. E-mails "
        "tonen alleen https://-logo's.",
    },
    "branding.colour": {
        "en": "Primary colour",
        "nb": "Hovedfarge",
        "fi": "Pääväri",
        "nl": "Hoofdkleur",
    },
    "branding.colour_hint": {
        "en": "A hex colour such as #1f4e79. White text must stay readable on it "
        "(contrast at least 4.5:1).",
        "nb": "En heksadesimal farge som #1f4e79. Hvit tekst må være lesbar på den "
        "(kontrast minst 4,5:1).",
        "fi": "Heksadesimaaliväri, kuten #1f4e79. Valkoisen tekstin on oltava sillä "
        "luettavaa (kontrasti vähintään 4,5:1).",
        "nl": "Een hexadecimale kleur zoals #1f4e79. Witte tekst moet erop leesbaar "
        "blijven (contrast minstens 4,5:1).",
    },
    "branding.save": {"en": "Save", "nb": "Lagre", "fi": "Tallenna", "nl": "Opslaan"},
    "branding.saved": {
        "en": "Branding saved.",
        "nb": "Den visuelle profilen er lagret.",
        "fi": "Ulkoasu tallennettu.",
        "nl": "Huisstijl opgeslagen.",
    },
    "branding.invalid": {
        "en": "Nothing was saved: check the fields marked below.",
        "nb": "Ingenting ble lagret: sjekk feltene som er merket nedenfor.",
        "fi": "Mitään ei tallennettu: tarkista alla merkityt kentät.",
        "nl": "Er is niets opgeslagen: controleer de gemarkeerde velden hieronder.",
    },
    "branding.preview": {
        "en": "Preview",
        "nb": "Forhåndsvisning",
        "fi": "Esikatselu",
        "nl": "Voorbeeld",
    },
    "branding.error.too_long": {
        "en": "At most {limit} characters.",
        "nb": "Høyst {limit} tegn.",
        "fi": "Enintään {limit} merkkiä.",
        "nl": "Hoogstens {limit} tekens.",
    },
    "branding.error.control": {
        "en": "Control characters are not allowed.",
        "nb": "Kontrolltegn er ikke tillatt.",
        "fi": "Ohjausmerkit eivät ole sallittuja.",
        "nl": "Stuurtekens zijn niet toegestaan.",
    },
    "branding.error.bad_url": {
        "en": "Give an https:// address or a path on this server starting with /.",
        "nb": "Oppgi en https://-adresse eller en sti på denne serveren som begynner med /.",
        "fi": "Anna https://-osoite tai tämän palvelimen polku, joka alkaa merkillä /.",
        "nl": "Geef een https://-adres of een pad op deze server dat met / begint.",
    },
    "branding.error.bad_colour": {
        "en": "Give a hex colour such as #1f4e79.",
        "nb": "Oppgi en heksadesimal farge som #1f4e79.",
        "fi": "Anna heksadesimaaliväri, kuten #1f4e79.",
        "nl": "Geef een hexadecimale kleur zoals #1f4e79.",
    },
    "branding.error.too_light": {
        "en": "{colour} is too light for white text (contrast {ratio}:1, at least "
        "{minimum}:1 is needed). Choose a darker colour.",
        "nb": "{colour} er for lys for hvit tekst (kontrast {ratio}:1, minst {minimum}:1 "
        "trengs). Velg en mørkere farge.",
        "fi": "{colour} on liian vaalea valkoiselle tekstille (kontrasti {ratio}:1, "
        "vähintään {minimum}:1 tarvitaan). Valitse tummempi väri.",
        "nl": "{colour} is te licht voor witte tekst (contrast {ratio}:1, minstens "
        "{minimum}:1 is nodig). Kies een donkerdere kleur.",
    },
}
