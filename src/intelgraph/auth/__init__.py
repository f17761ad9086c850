"""Identity: tokens, local users, SCIM."""
