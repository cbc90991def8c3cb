"""The therapist's own calendar, both ways: a private feed of their sessions, and busy times read from theirs."""
