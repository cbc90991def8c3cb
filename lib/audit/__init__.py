"""The audit trail: who viewed or changed which client's record, and when; kept as a hash chain."""
