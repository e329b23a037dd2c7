"""Demo data: partners, solutions, requests in every state and a year of KPI data, loaded by
`manage.py seed_demo` through the domain apps' services."""
