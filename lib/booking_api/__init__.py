"""The booking channel's HTTP API: the service behind it, its OpenAPI description and its signatures."""
