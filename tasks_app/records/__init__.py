"""Pages for the cycle's records: quarterly bulletins and annual assessments."""
