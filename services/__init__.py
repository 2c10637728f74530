"""Domain logic of ocop-hub. Knows nothing of GraphQL or HTTP: a CLI, a worker or a test calls it directly."""
