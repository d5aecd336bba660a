"""The research side: pages for the research team (researchers, fieldworkers, admins)."""
