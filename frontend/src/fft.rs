//! The `fft` extension: every function is built from one-dimensional transforms along one axis
//! (`ExternOp::Fft`, run by rustfft / realfft), so each result's dtype and shape is known at once.
//! n-dimensional transforms chain one node per axis (the last axis first, where lines are
//! contiguous); the Hermitian pair is `irfft` / `rfft` of the conjugate with the opposite norm, as
//! NumPy defines them; the shifts are rolls (pure movement, which fuses); the sample frequencies are
//! small host-computed constants.
//!
//! Dtype rules follow the standard and array-api-strict: complex transforms take complex arrays,
//! real-input ones (`rfft`, `rfftn`, `ihfft`) real floating arrays; the output keeps the precision.

use crate::array::LazyArray;
use crate::creation::from_vec;
use crate::elementwise::unary;
use crate::externs::extern_node;
use crate::manipulation::roll;
use lazulite_ir::shape::normalize_axis;
use lazulite_ir::{bail, ensure, DType, ExternOp, FftKind, FftNorm, FftOp, Result, UnaryOp};

/// What kind of array a function takes.
fn require(name: &str, x: &LazyArray, real_input: bool) -> Result<()> {
    let d = x.dtype();
    let ok = if real_input {
        d.is_real_float()
    } else {
        d.is_complex()
    };
    if !ok {
        let (want, example) = if real_input {
            (
                "a real floating-point dtype (float32 or float64)",
                "float64",
            )
        } else {
            (
                "a complex floating-point dtype (complex64 or complex128)",
                "complex128",
            )
        };
        bail!(
            Type,
            "{name}: got an array of dtype {d}, but {name} requires {want}; convert it first, e.g. \
             with astype(x, {example})"
        );
    }
    ensure!(
        x.ndim() >= 1,
        Value,
        "{name}: got a 0-dimensional array; the transform needs at least one dimension"
    );
    Ok(())
}

/// The transform length: `n` when given (at least 1), else the default from the axis length `m`.
fn length(name: &str, param: &str, n: Option<i64>, m: usize, hermitian: bool) -> Result<u64> {
    match n {
        Some(n) => {
            ensure!(
                n >= 1,
                Value,
                "{name}: invalid number of data points {param}={n}; it must be at least 1"
            );
            Ok(n as u64)
        }
        None if hermitian => {
            ensure!(
                m >= 2,
                Value,
                "{name}: the transformed axis has {m} element{}, so the default output length \
                 2*(m-1) = {} is invalid; pass an explicit {param} >= 1",
                if m == 1 { "" } else { "s" },
                2 * m as i64 - 2
            );
            Ok(2 * (m as u64 - 1))
        }
        None => {
            ensure!(
                m >= 1,
                Value,
                "{name}: the transformed axis has 0 elements; pass {param} >= 1 to zero-pad it"
            );
            Ok(m as u64)
        }
    }
}

/// One transform node along `axis` (already normalised), of length `n`.
fn transform(
    x: &LazyArray,
    kind: FftKind,
    axis: usize,
    n: u64,
    norm: FftNorm,
) -> Result<LazyArray> {
    let op = FftOp {
        kind,
        axis: axis as u32,
        n,
        norm,
    };
    extern_node(ExternOp::Fft(op), std::slice::from_ref(x))
}

/// A one-dimensional function of the extension.
fn one_d(
    name: &str,
    x: &LazyArray,
    n: Option<i64>,
    axis: isize,
    kind: FftKind,
    norm: FftNorm,
) -> Result<LazyArray> {
    require(name, x, kind == FftKind::RealForward)?;
    let a = normalize_axis(name, axis, x.ndim())?;
    let n = length(name, "n", n, x.shape()[a], kind == FftKind::RealInverse)?;
    transform(x, kind, a, n, norm)
}

/// `fft(x, n, axis, norm)`: the one-dimensional discrete Fourier transform of a complex array.
pub fn fft(x: &LazyArray, n: Option<i64>, axis: isize, norm: FftNorm) -> Result<LazyArray> {
    one_d("fft", x, n, axis, FftKind::Forward, norm)
}

/// `ifft(x, n, axis, norm)`: the one-dimensional inverse transform of a complex array.
pub fn ifft(x: &LazyArray, n: Option<i64>, axis: isize, norm: FftNorm) -> Result<LazyArray> {
    one_d("ifft", x, n, axis, FftKind::Inverse, norm)
}

/// `rfft(x, n, axis, norm)`: the `n / 2 + 1` non-negative-frequency bins of a real array's transform.
pub fn rfft(x: &LazyArray, n: Option<i64>, axis: isize, norm: FftNorm) -> Result<LazyArray> {
    one_d("rfft", x, n, axis, FftKind::RealForward, norm)
}

/// `irfft(x, n, axis, norm)`: the real inverse of `rfft`; `n` defaults to `2 * (m - 1)`.
pub fn irfft(x: &LazyArray, n: Option<i64>, axis: isize, norm: FftNorm) -> Result<LazyArray> {
    one_d("irfft", x, n, axis, FftKind::RealInverse, norm)
}

/// `hfft(x, n, axis, norm)`: the real spectrum of a Hermitian signal given by its first half:
/// `irfft(conj(x))` with the opposite normalisation.
pub fn hfft(x: &LazyArray, n: Option<i64>, axis: isize, norm: FftNorm) -> Result<LazyArray> {
    require("hfft", x, false)?;
    let c = unary(UnaryOp::Conj, x)?;
    one_d("hfft", &c, n, axis, FftKind::RealInverse, norm.swapped())
}

/// `ihfft(x, n, axis, norm)`: the inverse of `hfft`: `conj(rfft(x))` with the opposite normalisation.
pub fn ihfft(x: &LazyArray, n: Option<i64>, axis: isize, norm: FftNorm) -> Result<LazyArray> {
    let r = one_d("ihfft", x, n, axis, FftKind::RealForward, norm.swapped())?;
    unary(UnaryOp::Conj, &r)
}

/// The axes and lengths of an n-dimensional transform: NumPy's and the standard's rules (all axes
/// when both are `None`; the last `len(s)` axes when only `s` is given; `-1` in `s` keeps the axis
/// length; `hermitian` makes the last axis default to `2 * (m - 1)`).
fn axes_and_lengths(
    name: &str,
    x: &LazyArray,
    s: Option<&[i64]>,
    axes: Option<&[isize]>,
    hermitian: bool,
) -> Result<Vec<(usize, u64)>> {
    let ndim = x.ndim();
    let axes: Vec<usize> = match (axes, s) {
        (Some(a), _) => a
            .iter()
            .map(|&a| normalize_axis(name, a, ndim))
            .collect::<Result<_>>()?,
        (None, Some(s)) => {
            ensure!(
                s.len() <= ndim,
                Value,
                "{name}: s has {} entries but the array has only {ndim} dimension{}; give at most \
                 one length per axis",
                s.len(),
                if ndim == 1 { "" } else { "s" }
            );
            (ndim - s.len()..ndim).collect()
        }
        (None, None) => (0..ndim).collect(),
    };
    if let Some(s) = s {
        ensure!(
            s.len() == axes.len(),
            Value,
            "{name}: s has {} entries and axes {}; give one length per transformed axis",
            s.len(),
            axes.len()
        );
    }
    let last = axes.len().wrapping_sub(1);
    axes.iter()
        .enumerate()
        .map(|(i, &a)| {
            // -1 keeps the axis length (NumPy's rule, also for the last axis of irfftn).
            let given = match s.map(|s| s[i]) {
                Some(-1) => Some(x.shape()[a] as i64),
                given => given,
            };
            let param = format!("s[{i}]");
            let n = length(name, &param, given, x.shape()[a], hermitian && i == last)?;
            Ok((a, n))
        })
        .collect()
}

/// A complex n-dimensional transform: one node per axis, the last axis first.
fn complex_nd(
    name: &str,
    x: &LazyArray,
    s: Option<&[i64]>,
    axes: Option<&[isize]>,
    kind: FftKind,
    norm: FftNorm,
) -> Result<LazyArray> {
    require(name, x, false)?;
    let plan = axes_and_lengths(name, x, s, axes, false)?;
    let mut y = x.clone();
    for &(a, n) in plan.iter().rev() {
        y = transform(&y, kind, a, n, norm)?;
    }
    Ok(y)
}

/// `fftn(x, s, axes, norm)`: the n-dimensional transform of a complex array.
pub fn fftn(
    x: &LazyArray,
    s: Option<&[i64]>,
    axes: Option<&[isize]>,
    norm: FftNorm,
) -> Result<LazyArray> {
    complex_nd("fftn", x, s, axes, FftKind::Forward, norm)
}

/// `ifftn(x, s, axes, norm)`: the n-dimensional inverse transform of a complex array.
pub fn ifftn(
    x: &LazyArray,
    s: Option<&[i64]>,
    axes: Option<&[isize]>,
    norm: FftNorm,
) -> Result<LazyArray> {
    complex_nd("ifftn", x, s, axes, FftKind::Inverse, norm)
}

/// `rfftn(x, s, axes, norm)`: a real transform along the last axis, then complex ones along the rest.
pub fn rfftn(
    x: &LazyArray,
    s: Option<&[i64]>,
    axes: Option<&[isize]>,
    norm: FftNorm,
) -> Result<LazyArray> {
    let name = "rfftn";
    require(name, x, true)?;
    let plan = axes_and_lengths(name, x, s, axes, false)?;
    let Some((&(a, n), rest)) = plan.split_last() else {
        bail!(
            Value,
            "{name}: axes is empty; give at least one axis to transform"
        );
    };
    let mut y = transform(x, FftKind::RealForward, a, n, norm)?;
    for &(a, n) in rest.iter().rev() {
        y = transform(&y, FftKind::Forward, a, n, norm)?;
    }
    Ok(y)
}

/// `irfftn(x, s, axes, norm)`: complex inverse transforms along all axes but the last, then a real
/// inverse along the last (whose length defaults to `2 * (m - 1)`).
pub fn irfftn(
    x: &LazyArray,
    s: Option<&[i64]>,
    axes: Option<&[isize]>,
    norm: FftNorm,
) -> Result<LazyArray> {
    let name = "irfftn";
    require(name, x, false)?;
    let plan = axes_and_lengths(name, x, s, axes, true)?;
    let Some((&(a, n), rest)) = plan.split_last() else {
        bail!(
            Value,
            "{name}: axes is empty; give at least one axis to transform"
        );
    };
    let mut y = x.clone();
    for &(b, m) in rest.iter().rev() {
        y = transform(&y, FftKind::Inverse, b, m, norm)?;
    }
    transform(&y, FftKind::RealInverse, a, n, norm)
}

/// The dtype of `fftfreq` / `rfftfreq`: a real floating dtype (float64 by default).
fn freq_dtype(name: &str, dtype: Option<DType>) -> Result<DType> {
    let d = dtype.unwrap_or(DType::F64);
    ensure!(
        d.is_real_float(),
        Value,
        "{name}: dtype={d} is not supported; the sample frequencies need a real floating-point \
         dtype (float32 or float64)"
    );
    Ok(d)
}

/// Values computed in float64 (as NumPy does), stored in `dtype`.
fn freq_array(values: Vec<f64>, dtype: DType) -> Result<LazyArray> {
    let len = values.len();
    if dtype == DType::F32 {
        from_vec(values.into_iter().map(|v| v as f32).collect(), &[len])
    } else {
        from_vec(values, &[len])
    }
}

fn check_window(name: &str, n: i64, d: f64) -> Result<usize> {
    ensure!(
        n >= 1,
        Value,
        "{name}: n={n} is invalid; the window length must be at least 1"
    );
    ensure!(
        d != 0.0,
        Value,
        "{name}: the sample spacing d is 0; pass a non-zero spacing"
    );
    Ok(n as usize)
}

/// `fftfreq(n, d, dtype)`: `[0, 1, ..., (n-1)//2, -(n//2), ..., -1] / (d * n)`.
pub fn fftfreq(n: i64, d: f64, dtype: Option<DType>) -> Result<LazyArray> {
    let dtype = freq_dtype("fftfreq", dtype)?;
    let len = check_window("fftfreq", n, d)?;
    let val = 1.0 / (len as f64 * d);
    let positive = (len - 1) / 2 + 1;
    let values = (0..len)
        .map(|k| {
            let k = if k < positive {
                k as f64
            } else {
                k as f64 - len as f64
            };
            k * val
        })
        .collect();
    freq_array(values, dtype)
}

/// `rfftfreq(n, d, dtype)`: `[0, 1, ..., n//2] / (d * n)`.
pub fn rfftfreq(n: i64, d: f64, dtype: Option<DType>) -> Result<LazyArray> {
    let dtype = freq_dtype("rfftfreq", dtype)?;
    let len = check_window("rfftfreq", n, d)?;
    let val = 1.0 / (len as f64 * d);
    freq_array((0..len / 2 + 1).map(|k| k as f64 * val).collect(), dtype)
}

fn shift(name: &str, x: &LazyArray, axes: Option<&[isize]>, inverse: bool) -> Result<LazyArray> {
    let d = x.dtype();
    ensure!(
        d.is_float(),
        Type,
        "{name}: got an array of dtype {d}, but {name} requires a floating-point dtype; convert it \
         first, e.g. with astype(x, float64)"
    );
    let ndim = x.ndim();
    let axes: Vec<isize> = match axes {
        Some(a) => a
            .iter()
            .map(|&a| normalize_axis(name, a, ndim).map(|a| a as isize))
            .collect::<Result<_>>()?,
        None => (0..ndim as isize).collect(),
    };
    if axes.is_empty() {
        return Ok(x.clone());
    }
    let shifts: Vec<i64> = axes
        .iter()
        .map(|&a| {
            let half = (x.shape()[a as usize] / 2) as i64;
            if inverse {
                -half
            } else {
                half
            }
        })
        .collect();
    roll(x, &shifts, Some(&axes))
}

/// `fftshift(x, axes)`: moves the zero-frequency bin to the centre (a roll by `n // 2` per axis).
pub fn fftshift(x: &LazyArray, axes: Option<&[isize]>) -> Result<LazyArray> {
    shift("fftshift", x, axes, false)
}

/// `ifftshift(x, axes)`: the inverse of `fftshift` (a roll by `-(n // 2)` per axis).
pub fn ifftshift(x: &LazyArray, axes: Option<&[isize]>) -> Result<LazyArray> {
    shift("ifftshift", x, axes, true)
}
