"""Errors the service layer raises; each carries a message fit to show a user."""


class BookingDeskError(Exception):
    message = "Something went wrong."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message


class NotFound(BookingDeskError):
    # Same words for "doesn't exist" and "not yours", so ids reveal nothing.
    message = "We couldn't find that session. It may not exist, or it isn't one of yours."


class Conflict(BookingDeskError):
    message = "This session was changed by someone else meanwhile — please reload to see its latest state."


class InvalidInput(BookingDeskError):
    message = "Please check what you entered."

    def __init__(self, message: str | None = None, field: str | None = None):
        super().__init__(message)
        self.field = field


class Forbidden(BookingDeskError):
    message = "You don't have access to this page."


class DatabaseUnavailable(BookingDeskError):
    message = "We can't reach the database just now. Nothing was changed; please try again in a minute."


class InvalidFields(InvalidInput):
    """Several fields at once: {field: message}. Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Please correct the highlighted fields; nothing was saved.")
        self.errors = errors
