"""The education-not-advice notice, as plain text, for everything that leaves the app.

The app shows it in a dialog (`quizapp.ui.dialogs.notice`); files made for other apps,
such as an Anki package, carry the same words. It lives in the core so those exports can
use it without the UI toolkit.
"""

from __future__ import annotations

NOTICE_TITLE = "Education, not medical advice"
"""The notice's heading."""

NOTICE = (
    "quizapp is for learning. It is not medical advice.\n\n"
    "It teaches how a medicine works and checks what you know. Its facts come from"
    " drug labels, health agencies and medical guidelines, and each question names"
    " its source. It does not know your health, your other medicines or your dose.\n\n"
    "Never start, stop or change a dose because of this app. Talk to your prescriber"
    " or pharmacist first. Stopping some medicines suddenly can be dangerous.\n\n"
    "In an emergency, call 911. For poison advice, call Poison Help at 1-800-222-1222."
    " If you have thoughts of suicide, call or text 988, the Suicide & Crisis Lifeline."
)
"""The notice text. Every number here is as given in the project's fact sheet."""
