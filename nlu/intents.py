"""The intents the Rasa model is trained on (nlu/rasa/data/nlu.yml): one list that the data
checks, the quality test and the understanding slice all read."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    HELP = "help"
    SIGN_CONTRACT = "sign_contract"
    RENEW_CONTRACT = "renew_contract"
    CANCEL_CONTRACT = "cancel_contract"
    CHANGE_DOCTOR = "change_doctor"
    CONTRACT_STATUS = "contract_status"
    ASK_PACKAGES = "ask_packages"
    BOOK_APPOINTMENT = "book_appointment"
    CANCEL_APPOINTMENT = "cancel_appointment"
    RESCHEDULE_APPOINTMENT = "reschedule_appointment"
    MY_APPOINTMENTS = "my_appointments"
    ASK_DOCTOR = "ask_doctor"
    REPORT_MEASUREMENT = "report_measurement"
    MEDICATION_TAKEN = "medication_taken"
    MEDICATION_SKIPPED = "medication_skipped"
    MEDICATION_SNOOZE = "medication_snooze"
    SET_MEDICATION_REMINDER = "set_medication_reminder"
    MY_MEDICATIONS = "my_medications"
    REQUEST_HOME_VISIT = "request_home_visit"
    REQUEST_REFERRAL = "request_referral"
    MY_DOCTOR = "my_doctor"
    LINK_FAMILY = "link_family"
    EXPORT_MY_DATA = "export_my_data"
    DELETE_MY_DATA = "delete_my_data"
    FEEDBACK = "feedback"
    CHANGE_LANGUAGE = "change_language"
    EMERGENCY = "emergency"
    OUT_OF_SCOPE = "out_of_scope"


# Not trained: what Rasa's FallbackClassifier answers when no intent is confident enough.
NLU_FALLBACK = "nlu_fallback"


def intent_of(name: str) -> Intent | None:
    """The intent a reading names, or None for the fallback or a name the model should not
    know (an older model)."""
    try:
        return Intent(name)
    except ValueError:
        return None
