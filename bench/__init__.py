"""The benchmark: invented national-size data, same-answer baselines, gunicorn, Locust (docs/benchmarks.md)."""
