"""Marking texts for the message catalogue, usable where aiogram is not (services)."""


def N_(text: str) -> str:
    """Marks a text for the catalogue without translating it now."""
    return text
