"""Helpers every app may use (no models, imports no project app): translation and Chinese
formatting (dates as 2026年3月31日), and an admin formset that shares its choices queries."""
