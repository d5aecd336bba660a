"""Accounts: passwords, sessions, two-step login, roles."""
