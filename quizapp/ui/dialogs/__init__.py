"""Modal dialogs: each asks one thing and closes with a typed answer (`dismiss`)."""
