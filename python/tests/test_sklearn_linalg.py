"""scikit-learn's array-API estimators fit on lazulite arrays (``array_api_dispatch=True``) and agree
with the same fits on NumPy arrays: the linalg extension end to end (svd, eigh, qr, cholesky, solve,
norms). Runs when scikit-learn is installed."""

import os
import sys

import numpy as np
import pytest

import lazulite as lz

# scikit-learn's array API dispatch needs SciPy's, which SciPy reads once, when it is imported.
if "scipy" in sys.modules and os.environ.get("SCIPY_ARRAY_API") != "1":
    pytest.skip("scipy was imported before SCIPY_ARRAY_API=1 could be set", allow_module_level=True)
os.environ["SCIPY_ARRAY_API"] = "1"
sklearn = pytest.importorskip("sklearn")
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402


def data(n=120, d=5, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.array([5.0, 2.0, 1.0, 0.5, 0.1])[:d]
    x = rng.standard_normal((n, d)) * scales + rng.standard_normal(d)
    y = (x[:, 0] + 0.3 * rng.standard_normal(n) > x[:, 0].mean()).astype(np.int64)
    return x, y


def as_np(v):
    return np.asarray(v) if not isinstance(v, (int, float)) else v


def fit_both(make, x, *args):
    want = make().fit(x, *args)
    with sklearn.config_context(array_api_dispatch=True):
        got = make().fit(lz.asarray(x), *(lz.asarray(a) for a in args))
    return got, want


@pytest.mark.parametrize("solver", ["full", "randomized"])
def test_pca(solver):
    x, _ = data()
    got, want = fit_both(lambda: PCA(n_components=3, svd_solver=solver, random_state=0), x)
    np.testing.assert_allclose(as_np(got.explained_variance_), want.explained_variance_, rtol=1e-8)
    np.testing.assert_allclose(np.abs(as_np(got.components_)), np.abs(want.components_), atol=1e-8)
    with sklearn.config_context(array_api_dispatch=True):
        t = got.transform(lz.asarray(x))
    np.testing.assert_allclose(np.abs(as_np(t)), np.abs(want.transform(x)), atol=1e-7)


def test_linear_discriminant_analysis():
    x, y = data(seed=1)
    got, want = fit_both(LinearDiscriminantAnalysis, x, y)
    with sklearn.config_context(array_api_dispatch=True):
        pred = got.predict(lz.asarray(x))
        proba = got.predict_proba(lz.asarray(x))
    assert np.array_equal(as_np(pred), want.predict(x))
    np.testing.assert_allclose(as_np(proba), want.predict_proba(x), atol=1e-8)


def test_ridge_svd():
    x, _ = data(seed=2)
    target = x @ np.arange(1.0, 6.0) + 0.1
    got, want = fit_both(lambda: Ridge(alpha=1.0, solver="svd"), x, target)
    np.testing.assert_allclose(as_np(got.coef_), want.coef_, rtol=1e-9)
    np.testing.assert_allclose(float(got.intercept_), want.intercept_, rtol=1e-9)


@pytest.mark.parametrize(
    "covariance_type", ["full", "diag", "spherical", "tied"]
)
def test_gaussian_mixture(covariance_type):
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_normal((60, 2)) - 3, rng.standard_normal((60, 2)) + 3])
    got, want = fit_both(
        lambda: GaussianMixture(
            n_components=2, covariance_type=covariance_type, init_params="random_from_data", random_state=0
        ),
        x,
    )
    order_g = np.argsort(as_np(got.means_)[:, 0])
    order_w = np.argsort(want.means_[:, 0])
    np.testing.assert_allclose(as_np(got.means_)[order_g], want.means_[order_w], rtol=1e-6)
    np.testing.assert_allclose(as_np(got.weights_)[order_g], want.weights_[order_w], rtol=1e-6)
