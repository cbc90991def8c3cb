"""Bookings from arrival to answer: the dashboard, a session's page, every answer, deadlines and the client's private links."""

# The response-time figures' rows are kept up to date in the transaction of every change to a booking or an
# away period (a session hook, registered on import). Every writer of bookings imports this package, so the
# hook is always in place when a booking changes; bulk writers call metric_days.refresh_days themselves.
from lib.bookings import metric_days  # noqa: F401
