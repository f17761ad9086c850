"""The GraphQL API v1 (strawberry): schema, resolvers, guards."""
