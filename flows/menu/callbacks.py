from aiogram.filters.callback_data import CallbackData


class BackToMenu(CallbackData, prefix="home"):
    """The "back to menu" button every inline keyboard ends with."""
