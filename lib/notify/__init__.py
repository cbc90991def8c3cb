"""Messages to therapists, clients and managers: templates, the outbox and its dispatcher."""
