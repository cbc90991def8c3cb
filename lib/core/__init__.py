"""What every part of Booking Desk needs: configuration, the clock, errors, access, the database and its models.

Imports nothing else from lib (an import-linter contract says so)."""
