"""Clients' data over time: backups, retention, a client's own copy, erasure and key rotation."""
