"""The project's own user model (the users app), from the very first migration.

Django cannot swap the user model cheaply once tables exist, so every project starts with
one it owns: users.User (docs/AUTHENTICATION.md).
"""

AUTH_USER_MODEL = "users.User"
