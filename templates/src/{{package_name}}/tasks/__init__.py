"""The task domain: schemas, model, repository and service. No web framework here."""
