"""The rules of the domain, free of HTTP: import, deduplication, evidence, fixtures."""
