"""Bookings that arrive in bulk or by hand: the CSV import and a manager's manual entry."""
