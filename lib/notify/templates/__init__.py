"""One template per message, by who receives it (clients, therapists, managers), from shared parts.

Plain text and HTML come from the same facts; client text is escaped. Privacy: no assessment content, risk
flag or diagnosis ever appears in a message, and an SMS carries no client surname.
"""
from __future__ import annotations

from lib.notify.templates.clients import (
    booking_received_email,
    cancelled_client_email,
    client_cancelled_email,
    confirmed_email,
    declined_client_email,
    expired_client_email,
    offer_withdrawn_email,
    received_while_away_email,
    rescheduled_email,
    time_request_declined_email,
    times_offered_email,
    times_offered_sms,
)
from lib.notify.templates.managers import (
    declined_manager_email,
    escalation_email,
    expired_manager_email,
    none_fits_manager_email,
    therapist_away_manager_email,
)
from lib.notify.templates.parts import MY_SESSION, POLICY, TYPE_LABELS, Rendered, SessionFacts
from lib.notify.templates.therapists import (
    assessment_ready_email,
    cancelled_by_client_email,
    client_picked_email,
    kept_time_email,
    new_booking_email,
    new_booking_sms,
    reminder_email,
    reminder_sms,
    time_asked_email,
)

__all__ = ["MY_SESSION", "POLICY", "Rendered", "SessionFacts", "TYPE_LABELS", "assessment_ready_email", "booking_received_email", "cancelled_by_client_email", "cancelled_client_email", "client_cancelled_email", "client_picked_email", "confirmed_email", "declined_client_email", "declined_manager_email", "escalation_email", "expired_client_email", "expired_manager_email", "kept_time_email", "new_booking_email", "new_booking_sms", "none_fits_manager_email", "offer_withdrawn_email", "received_while_away_email", "reminder_email", "reminder_sms", "rescheduled_email", "therapist_away_manager_email", "time_asked_email", "time_request_declined_email", "times_offered_email", "times_offered_sms", "TEMPLATE_TITLES"]

TEMPLATE_TITLES = {
    "new_booking": "New session request (therapist, email)",
    "new_booking_sms": "New session request (therapist, SMS)",
    "booking_received": "Request received + self-assessment link (client, email)",
    "confirmed": "Session confirmed (client, email)",
    "rescheduled": "New time agreed (client, email)",
    "times_offered": "Other times offered (client, email)",
    "times_offered_sms": "Other times offered (client, SMS)",
    "times_changed": "Offered times changed (client, email)",
    "offer_withdrawn": "Offered times withdrawn (client, email)",
    "declined_client": "Not the best fit (client, email)",
    "cancelled": "Session cancelled (client, email)",
    "expired_client": "Request expired (client, email)",
    "reminder": "Reminder: answer due soon (therapist, email)",
    "reminder_sms": "Reminder: answer due soon (therapist, SMS)",
    "client_picked": "Client picked an offered time (therapist, email)",
    "assessment_ready": "Self-assessment ready to review (therapist, email)",
    "escalation": "Overdue request (managers, email)",
    "declined_manager": "Declined — find another therapist (managers, email)",
    "none_fits": "No offered time suits the client (managers, email)",
    "expired_manager": "Request expired (managers, email)",
    "expired_offer": "Offer expired (managers, email)",
    "times_offered_move": "Other times offered for a booked session (client, email)",
    "client_cancelled": "Cancelled by the client (client, email)",
    "client_cancelled_therapist": "Client cancelled (therapist, email)",
    "kept_time": "Client kept the current time (therapist, email)",
    "time_asked": "Client asked for another time (therapist, email)",
    "time_request_no": "Another time: the therapist said no (client, email)",
    "received_away": "Request received, therapist away (client, email)",
    "therapist_away": "Request while the therapist is away (managers, email)",
}
