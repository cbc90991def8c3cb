"""Response-time figures for managers and therapists: the report, its SQL, charts and CSV export."""
