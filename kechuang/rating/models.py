"""Models of the app (see docs/architecture.md)."""
