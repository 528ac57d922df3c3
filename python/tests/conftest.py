"""Hypothesis profiles: bounded example counts, chosen by the CI environment variable."""

import os

# scikit-learn's array API dispatch needs SciPy's array API support, which SciPy reads at import:
# set it before any test module imports scikit-learn or SciPy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    # CI gates a landing on one run: the same examples every run (local runs explore at random)
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "local",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "local"))
