"""marshmallow schemas: one In schema per write (web, API and seed share it), Out schemas for JSON."""
