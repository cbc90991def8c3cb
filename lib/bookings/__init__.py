"""Bookings from arrival to answer: the dashboard, a session's page, every answer, deadlines and the client's private links."""
