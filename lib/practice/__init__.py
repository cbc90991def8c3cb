"""The practice's own rules: settings, business hours, sign-in rules and its signing key."""
