"""marshmallow schemas: request input (validated, unknown fields rejected) and documented output."""
