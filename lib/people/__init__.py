"""The practice's people: accounts, passwords, two-step sign-in and where each is signed in."""
