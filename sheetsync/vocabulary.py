"""The words sheetsync works with, each list defined once: actions, statuses,
yes/no words, day and month names.

Everything else imports from here; a new action or status starts here.
"""

from __future__ import annotations

from typing import Final

# -- actions ----------------------------------------------------------------------------

#: What the follow-up policy can ask for on an application row.
POLICY_ACTIONS: Final = (
    "interview", "thank_you_email", "check_in", "follow_up", "final_follow_up", "move_on",
    "application_follow_up", "request_feedback",
)  # fmt: skip
#: What the Feedback tab can ask for on a feedback row.
AWAIT_RESPONSE: Final = "await_response"
NO_RESPONSE: Final = "no_response"
THANK_FOR_FEEDBACK: Final = "thank_for_feedback"
#: A handwritten card for a favourable feedback reply, beside the e-mail.
FEEDBACK_CARD: Final = "thank_for_feedback_note"
ACT_ON_FEEDBACK: Final = "act_on_feedback"

#: Actions that get a drafted message, each with the template it uses
#: (``request_feedback`` has an ``_interviewed`` and a ``_not_interviewed`` flavour).
MESSAGE_ACTIONS: Final = {
    "thank_you_email": "thank_you_email",
    "thank_you_note": "thank_you_note",
    "check_in": "check_in",
    "follow_up": "follow_up",
    "final_follow_up": "final_follow_up",
    "application_follow_up": "application_follow_up",
    "request_feedback": "request_feedback",
    THANK_FOR_FEEDBACK: THANK_FOR_FEEDBACK,
    FEEDBACK_CARD: FEEDBACK_CARD,
}
#: Every message template, by file stem.
MESSAGE_TEMPLATES: Final = (
    "thank_you_email", "thank_you_note", "check_in", "follow_up", "final_follow_up",
    "application_follow_up", "request_feedback_interviewed",
    "request_feedback_not_interviewed", THANK_FOR_FEEDBACK, FEEDBACK_CARD,
)  # fmt: skip
#: Messages written by hand and posted, not e-mailed.
NOTE_ACTIONS: Final = frozenset({"thank_you_note", FEEDBACK_CARD})
THANK_YOU_ACTIONS: Final = frozenset({"thank_you_email", "thank_you_note"})
#: Steps that count towards ``follow_ups_sent``.
FOLLOW_UP_ACTIONS: Final = ("check_in", "follow_up", "final_follow_up", "application_follow_up")

#: How people read each action: a label for tables, a verb phrase for calendars
#: (``{who}`` is "Company - Role").
ACTION_LABELS: Final = {
    "interview": "Interview",
    "thank_you_email": "Thank-you e-mail",
    "thank_you_note": "Handwritten note",
    "check_in": "Check in",
    "follow_up": "Follow up",
    "final_follow_up": "Final follow-up",
    "move_on": "Move on?",
    "application_follow_up": "Application follow-up",
    "request_feedback": "Ask for feedback",
    THANK_FOR_FEEDBACK: "Thank for feedback",
    FEEDBACK_CARD: "Thank-you card",
    ACT_ON_FEEDBACK: "Act on feedback",
    AWAIT_RESPONSE: "Awaiting feedback",
}
ACTION_EVENTS: Final = {
    "thank_you_email": "Send thank-you e-mail to {who}",
    "thank_you_note": "Write thank-you note to {who}",
    "interview": "Interview at {who}",
    "check_in": "Check in with {who}",
    "follow_up": "Follow up with {who}",
    "final_follow_up": "Send final follow-up to {who}",
    "move_on": "Decide whether to move on from {who}",
    "application_follow_up": "Follow up on application to {who}",
    "request_feedback": "Ask {who} for feedback",
    THANK_FOR_FEEDBACK: "Thank {who} for the feedback",
    FEEDBACK_CARD: "Write a thank-you card to {who}",
    ACT_ON_FEEDBACK: "Act on feedback from {who}",
}

# -- statuses ---------------------------------------------------------------------------

#: An application's status (blank means open; ``wishlist``: not applied to yet).
#: The words people type for each are in ``tracker/statuses.toml``.
APPLICATION_STATUSES: Final = (
    "open", "rejected", "offer", "accepted", "withdrawn", "closed", "wishlist",
)  # fmt: skip
#: A draft's status: live drafts may still be re-rendered; frozen ones never change.
DRAFT_STATUSES: Final = ("draft", "approved", "sent", "skipped", "obsolete")
LIVE_DRAFT_STATUSES: Final = ("draft", "approved", "")
FROZEN_DRAFT_STATUSES: Final = ("sent", "skipped")
OBSOLETE: Final = "obsolete"

# -- yes and no -------------------------------------------------------------------------

YES_WORDS: Final = ("yes", "y", "true", "1", "x")
NO_WORDS: Final = ("no", "n", "false", "0")
#: What people write in a cell that has nothing in it yet: read as blank.
BLANK_WORDS: Final = (
    "null", "n/a", "na", "-", "--", "\u2014", "tbd", "tba", "none", "nil",
    "mm/dd/yyyy", "dd/mm/yyyy", "yyyy-mm-dd", "mm/dd/yy", "dd/mm/yy",
)  # fmt: skip
#: A Feedback ``done`` cell also takes "done".
DONE_WORDS: Final = (*YES_WORDS, "done")

# -- days and months ----------------------------------------------------------------------

WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS: Final = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
