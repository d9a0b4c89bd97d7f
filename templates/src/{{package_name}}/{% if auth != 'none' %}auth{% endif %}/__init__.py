"""Who is calling: bearer tokens checked here, without any web framework."""
