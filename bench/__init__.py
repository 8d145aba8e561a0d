"""The benchmark suite: synthetic data at scale (`manage.py seed_bench`) and a load test of
every page and endpoint against the raw limit of the same stack (`python -m bench`)."""
