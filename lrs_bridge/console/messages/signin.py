"""Strings of the sign-in pages (``signin.*``), in every console language."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "signin.title": {
        "en": "Sign in",
        "nb": "Logg inn",
        "fi": "Kirjaudu sisään",
        "nl": "Aanmelden",
    },
    "signin.intro": {
        "en": "Enter your work e-mail address and we will send you a sign-in link.",
        "nb": "Skriv inn e-postadressen du bruker på jobben, så sender vi deg en lenke for "
        "innlogging.",
        "fi": "Anna työsähköpostiosoitteesi, niin lähetämme sinulle kirjautumislinkin.",
        "nl": "Vul je zakelijke e-mailadres in, dan sturen we je een aanmeldlink.",
    },
    "signin.email": {
        "en": "E-mail address",
        "nb": "E-postadresse",
        "fi": "Sähköpostiosoite",
        "nl": "E-mailadres",
    },
    "signin.password": {
        "en": "Password (administrators only)",
        "nb": "Passord (bare for administratorer)",
        "fi": "Salasana (vain ylläpitäjille)",
        "nl": "Wachtwoord (alleen voor beheerders)",
    },
    "signin.password_hint": {
        "en": "Leave it empty to get a sign-in link by e-mail.",
        "nb": "La feltet stå tomt for å få en innloggingslenke på e-post.",
        "fi": "Jätä tyhjäksi, niin saat kirjautumislinkin sähköpostiin.",
        "nl": "Laat het leeg om een aanmeldlink per e-mail te krijgen.",
    },
    "signin.submit": {
        "en": "Sign in",
        "nb": "Logg inn",
        "fi": "Kirjaudu sisään",
        "nl": "Aanmelden",
    },
    "signin.bad_email": {
        "en": "Enter an e-mail address, such as name@example.com.",
        "nb": "Skriv inn en e-postadresse, for eksempel navn@example.com.",
        "fi": "Anna sähköpostiosoite, esimerkiksi nimi@example.com.",
        "nl": "Vul een e-mailadres in, bijvoorbeeld naam@example.com.",
    },
    "signin.bad_password": {
        "en": "Wrong e-mail address or password.",
        "nb": "Feil e-postadresse eller passord.",
        "fi": "Väärä sähköpostiosoite tai salasana.",
        "nl": "Onjuist e-mailadres of wachtwoord.",
    },
    "signin.check_title": {
        "en": "Check your e-mail",
        "nb": "Sjekk e-posten din",
        "fi": "Tarkista sähköpostisi",
        "nl": "Kijk in je e-mail",
    },
    "signin.check_body": {
        "en": "If {email} may use the console, a sign-in link is on its way to it. The link "
        "works once, for {minutes} minutes.",
        "nb": "Hvis {email} har tilgang til konsollen, er en innloggingslenke på vei dit. "
        "Lenken virker én gang, i {minutes} minutter.",
        "fi": "Jos osoitteella {email} on pääsy konsoliin, kirjautumislinkki on matkalla "
        "siihen. Linkki toimii kerran, {minutes} minuutin ajan.",
        "nl": "Als {email} de console mag gebruiken, is er een aanmeldlink naar onderweg. "
        "De link werkt één keer, {minutes} minuten lang.",
    },
    "signin.no_channel": {
        "en": "Sign-in links cannot be sent: no e-mail server is configured. Ask an "
        "administrator for a link (lrs-bridge users sign-in-link).",
        "nb": "Innloggingslenker kan ikke sendes: ingen e-postserver er satt opp. Be en "
        "administrator om en lenke (lrs-bridge users sign-in-link).",
        "fi": "Kirjautumislinkkejä ei voi lähettää, koska sähköpostipalvelinta ei ole "
        "määritetty. Pyydä linkkiä ylläpitäjältä (lrs-bridge users sign-in-link).",
        "nl": "Aanmeldlinks kunnen niet worden verstuurd: er is geen mailserver ingesteld. "
        "Vraag een beheerder om een link (lrs-bridge users sign-in-link).",
    },
    "signin.again": {
        "en": "Request a new sign-in link",
        "nb": "Be om en ny innloggingslenke",
        "fi": "Pyydä uusi kirjautumislinkki",
        "nl": "Vraag een nieuwe aanmeldlink aan",
    },
    "signin.confirm_title": {
        "en": "Confirm sign-in",
        "nb": "Bekreft innlogging",
        "fi": "Vahvista kirjautuminen",
        "nl": "Aanmelding bevestigen",
    },
    "signin.confirm_body": {
        "en": "Press the button to sign in to the console. The link then stops working.",
        "nb": "Trykk på knappen for å logge inn i konsollen. Deretter slutter lenken å virke.",
        "fi": "Kirjaudu konsoliin painamalla painiketta. Sen jälkeen linkki lakkaa toimimasta.",
        "nl": "Druk op de knop om je aan te melden bij de console. Daarna werkt de link niet meer.",
    },
    "signin.confirm_submit": {
        "en": "Sign in now",
        "nb": "Logg inn nå",
        "fi": "Kirjaudu nyt",
        "nl": "Nu aanmelden",
    },
    "signin.invalid_title": {
        "en": "This sign-in link no longer works",
        "nb": "Denne innloggingslenken virker ikke lenger",
        "fi": "Tämä kirjautumislinkki ei enää toimi",
        "nl": "Deze aanmeldlink werkt niet meer",
    },
    "signin.invalid_used": {
        "en": "It has already been used. Each link works only once.",
        "nb": "Den er allerede brukt. Hver lenke virker bare én gang.",
        "fi": "Sitä on jo käytetty. Jokainen linkki toimii vain kerran.",
        "nl": "Hij is al gebruikt. Elke link werkt maar één keer.",
    },
    "signin.invalid_expired": {
        "en": "It has expired.",
        "nb": "Den er utløpt.",
        "fi": "Se on vanhentunut.",
        "nl": "Hij is verlopen.",
    },
    "signin.invalid_unknown": {
        "en": "It is not a valid sign-in link.",
        "nb": "Det er ikke en gyldig innloggingslenke.",
        "fi": "Se ei ole kelvollinen kirjautumislinkki.",
        "nl": "Het is geen geldige aanmeldlink.",
    },
    "signin.signed_out": {
        "en": "You have signed out.",
        "nb": "Du er logget ut.",
        "fi": "Olet kirjautunut ulos.",
        "nl": "Je bent afgemeld.",
    },
}
