"""Why signing said no: each rule that refuses raises one of these, and its `code` tells the
router what to say."""

from __future__ import annotations


class SigningProblem(Exception):
    """A rule said no; `code` tells the router what to say."""

    code = "problem"


class NotAllowed(SigningProblem):
    code = "not_allowed"  # not your household's contract, not your resident, not a doctor


class AlreadyCovered(SigningProblem):
    code = "already_covered"


class DoctorFull(SigningProblem):
    code = "doctor_full"


class NotOffered(SigningProblem):
    code = "not_offered"  # a package the person may not choose, an unknown doctor or term


class StateChanged(SigningProblem):
    code = "state_changed"  # someone else already answered, or the contract moved on


class ChangeLimit(SigningProblem):
    code = "change_limit"


class NotYetRenewable(SigningProblem):
    code = "not_yet_renewable"


class ContractReplaced(StateChanged):
    code = "contract_replaced"  # a button shown for a contract that is no longer current


class NoLongerAssigned(NotAllowed):
    code = "no_longer_assigned"  # the household moved on from this team: nothing is shown


class Withdrawn(StateChanged):
    code = "withdrawn"  # the household took the request back before anyone decided
