//! Helpers shared by the namespace-function tests: reading computed arrays back and row-major index
//! arithmetic for the plain-Rust oracles.
#![allow(dead_code)]

use lazulite_frontend::{ArrayData, ErrorKind, LazyArray, Result, Scalar};

/// Computes `a`, checking that the result has the dtype and shape announced at build time.
#[track_caller]
pub fn compute(a: &LazyArray) -> ArrayData {
    let d = a
        .compute()
        .unwrap_or_else(|e| panic!("compute failed: {:?}: {}", e.kind, e.message));
    assert_eq!((d.dtype, d.shape.as_slice()), (a.dtype(), a.shape()));
    d
}

pub fn scalars(a: &LazyArray) -> Vec<Scalar> {
    let d = compute(a);
    let size = d.dtype.size();
    d.to_contiguous_bytes()
        .chunks(size)
        .map(|c| Scalar::from_bytes(d.dtype, c))
        .collect()
}

pub fn f64s(a: &LazyArray) -> Vec<f64> {
    scalars(a).into_iter().map(|s| s.as_f64()).collect()
}

/// The values as i128 (floats must hold integers).
pub fn i128s(a: &LazyArray) -> Vec<i128> {
    scalars(a)
        .into_iter()
        .map(|s| match s {
            Scalar::Float(f) if f.fract() == 0.0 => f as i128,
            s => s
                .as_i128()
                .unwrap_or_else(|| panic!("not an integer: {s:?}")),
        })
        .collect()
}

pub fn bools(a: &LazyArray) -> Vec<bool> {
    i128s(a).into_iter().map(|v| v != 0).collect()
}

/// Every multi-index of `shape`, in row-major order.
pub fn indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = shape.iter().product();
    (0..n)
        .map(|mut f| {
            let mut idx = vec![0; shape.len()];
            for k in (0..shape.len()).rev() {
                idx[k] = f % shape[k];
                f /= shape[k];
            }
            idx
        })
        .collect()
}

/// The row-major position of `idx` in `shape`.
pub fn flat(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

/// Asserts `got` equals `want` elementwise up to a relative `tol` (NaN matches NaN).
#[track_caller]
pub fn close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "lengths: {got:?} vs {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= tol * w.abs().max(1.0);
        assert!(
            ok,
            "element {i}: got {g}, want {w} (got {got:?}, want {want:?})"
        );
    }
}

/// Asserts that `r` is an error of `kind` whose message names `name`.
#[track_caller]
pub fn err<T: std::fmt::Debug>(r: Result<T>, kind: ErrorKind, name: &str) {
    match r {
        Ok(v) => panic!("expected a {kind:?} error from {name}, got {v:?}"),
        Err(e) => {
            assert_eq!(e.kind, kind, "{}", e.message);
            assert!(
                e.message.starts_with(&format!("{name}:")),
                "message does not name {name}: {}",
                e.message
            );
        }
    }
}

/// The first line of `explain`: the number of kernels of the plan.
pub fn kernel_count(arrays: &[&LazyArray]) -> usize {
    let text = lazulite_frontend::explain(arrays).expect("explain");
    let first = text.lines().next().unwrap_or_default();
    first
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected explain output: {text}"))
}
