"""The customer-service programme the generated statements describe: IRIs, verbs and names.

Kept apart from :mod:`generate` so the catalogue can be read (and extended) at a glance.
"""

from __future__ import annotations

import datetime

PROGRAMME_ID = "https://academy.care-example.com/programmes/customer-service-excellence"
LMS = "https://lms.care-example.com"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
CMI5_EXT = "https://w3id.org/xapi/cmi5/context/extensions/"
ACADEMY_EXT = "https://academy.care-example.com/xapi/extensions/"
BBB_EXT = "https://bigbluebutton.org/xapi/extensions/"
START = datetime.datetime(2024, 1, 8, 7, 0, tzinfo=datetime.UTC)
PERIOD_DAYS = 180

VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "joined": "http://activitystrea.ms/schema/1.0/join",
    "attended": "http://adlnet.gov/expapi/verbs/attended",
    "left": "http://activitystrea.ms/schema/1.0/leave",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "scored": "http://adlnet.gov/expapi/verbs/scored",
    "mentored": "http://id.tincanapi.com/verb/mentored",
}

COMPETENCIES = {
    "active-listening": "Active listening",
    "empathy": "Empathy",
    "complaint-handling": "Complaint handling",
    "product-knowledge": "Product knowledge",
    "de-escalation": "De-escalation",
    "call-documentation": "Call documentation",
}

#: slug → (title, competencies it evidences, number of assignable units).
COURSES = {
    "active-listening-fundamentals": ("Active Listening Fundamentals", ["active-listening"], 3),
    "empathy-in-conversations": ("Empathy in Customer Conversations", ["empathy"], 4),
    "handling-complaints": ("Handling Complaints", ["complaint-handling", "empathy"], 4),
    "broadband-products": ("Product Knowledge: Broadband", ["product-knowledge"], 3),
    "mobile-plans": ("Product Knowledge: Mobile Plans", ["product-knowledge"], 3),
    "de-escalation": ("De-escalation Techniques", ["de-escalation", "complaint-handling"], 3),
    "wrap-up-and-crm": ("Call Wrap-up and CRM Notes", ["call-documentation"], 2),
    "data-protection": ("Data Protection on the Phone", ["call-documentation"], 2),
}

WEBINARS = {
    "listening-masterclass": ("Listening Masterclass", ["active-listening", "empathy"]),
    "new-tariffs-briefing": ("New Tariffs Briefing", ["product-knowledge"]),
    "difficult-callers-q-and-a": ("Difficult Callers Q&A", ["de-escalation"]),
    "quality-review-live": ("Call Quality Review Live", ["call-documentation"]),
}

ROLE_PLAYS = {
    "angry-customer-billing": ("Angry customer: billing error", ["complaint-handling"]),
    "outage-escalation": ("Outage escalation call", ["de-escalation", "empathy"]),
    "upsell-mobile": ("Recommending a mobile plan", ["product-knowledge", "active-listening"]),
    "bereavement-call": ("Closing an account after a bereavement", ["empathy"]),
}

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Eilidh",
    "Farah",
    "Gareth",
    "Hana",
    "Iker",
    "Jonas",
    "Kemi",
    "Lars",
    "Maya",
    "Niamh",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tomasz",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoë",
]
LAST = [
    "Adeyemi",
    "Brennan",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "O'Neill",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Vargas",
    "Walsh",
    "Yilmaz",
]
FEEDBACK = [
    "Good summarising of the customer's issue",
    "Acknowledge feelings before facts",
    "Clear explanation of next steps",
    "Let the customer finish before answering",
    "Offer a concrete timeline",
    "Check understanding at the end",
]
