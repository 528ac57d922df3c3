//! The `fft` extension (`lazulite.fft`): a submodule `_lazulite._fft` of the extension module that
//! the Python package re-exports as `lazulite.fft`. Argument conversion only; the frontend decides.

use crate::array::PyArray;
use crate::convert::{array_arg, axis_list_arg, int_arg, type_name};
use crate::dtype::{check_device, dtype_arg, on_device};
use crate::guard::{engine, type_error, value_error};
use lazulite_frontend::{self as fe, FftNorm, LazyArray, Result};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyModule};

/// `norm=`: one of the spec's three modes (`None` means the default, as in NumPy).
fn norm_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<FftNorm> {
    let Some(o) = obj.filter(|o| !o.is_none()) else {
        return Ok(FftNorm::Backward);
    };
    let s: String = o.extract().map_err(|_| {
        type_error(format!(
            "{func}: norm must be one of 'backward', 'ortho', 'forward', got {}",
            type_name(o)
        ))
    })?;
    match s.as_str() {
        "backward" => Ok(FftNorm::Backward),
        "ortho" => Ok(FftNorm::Ortho),
        "forward" => Ok(FftNorm::Forward),
        _ => Err(value_error(format!(
            "{func}: invalid norm {s:?}; use 'backward' (the default), 'ortho' or 'forward'"
        ))),
    }
}

/// `n=`: `None` or an int.
fn n_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(int_arg(func, "n", o)?)),
        _ => Ok(None),
    }
}

/// `s=` / `axes=`: `None` or a sequence of ints (an int is taken as a sequence of one).
fn ints_arg(
    func: &str,
    what: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Vec<isize>>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(axis_list_arg(func, what, o)?)),
        _ => Ok(None),
    }
}

type OneD = fn(&LazyArray, Option<i64>, isize, FftNorm) -> Result<LazyArray>;
type NDim = fn(&LazyArray, Option<&[i64]>, Option<&[isize]>, FftNorm) -> Result<LazyArray>;

fn one_d(
    py: Python<'_>,
    func: &'static str,
    f: OneD,
    x: &Bound<'_, PyAny>,
    n: Option<&Bound<'_, PyAny>>,
    axis: &Bound<'_, PyAny>,
    norm: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let n = n_arg(func, n)?;
    let axis = int_arg(func, "axis", axis)? as isize;
    let norm = norm_arg(func, norm)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, n, axis, norm)
    })?))
}

fn n_dim(
    py: Python<'_>,
    func: &'static str,
    f: NDim,
    x: &Bound<'_, PyAny>,
    s: Option<&Bound<'_, PyAny>>,
    axes: Option<&Bound<'_, PyAny>>,
    norm: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let s: Option<Vec<i64>> =
        ints_arg(func, "s", s)?.map(|v| v.into_iter().map(|a| a as i64).collect());
    let axes = ints_arg(func, "axes", axes)?;
    let norm = norm_arg(func, norm)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, s.as_deref(), axes.as_deref(), norm)
    })?))
}

macro_rules! one_d_fn {
    ($($(#[doc = $doc:tt])* $name:ident),* $(,)?) => {$(
        $(#[doc = $doc])*
        #[pyfunction]
        #[pyo3(
            signature = (x, /, *, n = None, axis = None, norm = None),
            text_signature = "(x, /, *, n=None, axis=-1, norm='backward')"
        )]
        fn $name(
            py: Python<'_>,
            x: &Bound<'_, PyAny>,
            n: Option<&Bound<'_, PyAny>>,
            axis: Option<&Bound<'_, PyAny>>,
            norm: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<PyArray> {
            let minus_one = (-1i64).into_pyobject(py)?.into_any();
            let axis = axis.unwrap_or(&minus_one);
            one_d(py, stringify!($name), fe::fft::$name, x, n, axis, norm)
        }
    )*};
}

macro_rules! n_dim_fn {
    ($($(#[doc = $doc:tt])* $name:ident),* $(,)?) => {$(
        $(#[doc = $doc])*
        #[pyfunction]
        #[pyo3(
            signature = (x, /, *, s = None, axes = None, norm = None),
            text_signature = "(x, /, *, s=None, axes=None, norm='backward')"
        )]
        fn $name(
            py: Python<'_>,
            x: &Bound<'_, PyAny>,
            s: Option<&Bound<'_, PyAny>>,
            axes: Option<&Bound<'_, PyAny>>,
            norm: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<PyArray> {
            n_dim(py, stringify!($name), fe::fft::$name, x, s, axes, norm)
        }
    )*};
}

one_d_fn! {
    /// The one-dimensional discrete Fourier transform of `x` along `axis`.
    ///
    /// `x`: a complex floating-point array (convert real input with `astype`). `n`: the length of
    /// the transform along `axis` (the input is cropped or zero-padded), by default the input's.
    /// `norm`: `'backward'` (scale the inverse by 1/n), `'ortho'` (both by 1/sqrt(n)) or
    /// `'forward'`. Lazy: an extern step (rustfft / realfft, plans cached for the process) when
    /// computed.
    ///
    /// >>> np.asarray(lz.fft.fft(lz.asarray([1.0, 2.0, 3.0, 4.0], dtype=lz.complex128)))
    /// array([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    fft,
    /// The one-dimensional inverse discrete Fourier transform of `x` along `axis`.
    ///
    /// `x`: a complex floating-point array. `n`: the length of the transform along `axis` (the
    /// input is cropped or zero-padded), by default the input's. `norm`: `'backward'` (scale the
    /// inverse by 1/n), `'ortho'` (both by 1/sqrt(n)) or `'forward'`. Lazy: an extern step (rustfft
    /// / realfft, plans cached for the process) when computed.
    ///
    /// >>> np.asarray(lz.fft.ifft(lz.asarray([4.0, 0.0, 0.0, 0.0], dtype=lz.complex128)))
    /// array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    ifft,
    /// The discrete Fourier transform of real `x` along `axis`: the `n//2 + 1` non-negative
    /// frequency terms.
    ///
    /// `x`: a real floating-point array; the result is complex (complex64 for float32). `n`: the
    /// length of the transform along `axis` (the input is cropped or zero-padded), by default the
    /// input's. `norm`: `'backward'` (scale the inverse by 1/n), `'ortho'` (both by 1/sqrt(n)) or
    /// `'forward'`. Lazy: an extern step (rustfft / realfft, plans cached for the process) when
    /// computed.
    ///
    /// >>> np.asarray(lz.fft.rfft(lz.asarray([1.0, 2.0, 3.0, 4.0])))
    /// array([10.+0.j, -2.+2.j, -2.+0.j])
    rfft,
    /// The inverse of `rfft`: a real signal of length `n` (by default `2*(m - 1)` for `m` input
    /// terms) along `axis`.
    ///
    /// `x`: a complex floating-point array of non-negative frequency terms; the result is real.
    /// `n`: the length of the transform along `axis` (the input is cropped or zero-padded), by
    /// default the input's. `norm`: `'backward'` (scale the inverse by 1/n), `'ortho'` (both by
    /// 1/sqrt(n)) or `'forward'`. Lazy: an extern step (rustfft / realfft, plans cached for the
    /// process) when computed.
    ///
    /// >>> np.asarray(lz.fft.irfft(lz.asarray([10, -2+2j, -2], dtype=lz.complex128)))
    /// array([1., 2., 3., 4.])
    irfft,
    /// The transform of a signal with Hermitian symmetry given by its first half: a real spectrum
    /// of length `n`.
    ///
    /// `x`: a complex floating-point array (the non-negative frequency half); the result is real.
    /// `n`: the length of the transform along `axis` (the input is cropped or zero-padded), by
    /// default the input's. `norm`: `'backward'` (scale the inverse by 1/n), `'ortho'` (both by
    /// 1/sqrt(n)) or `'forward'`. Lazy: an extern step (rustfft / realfft, plans cached for the
    /// process) when computed.
    ///
    /// >>> np.asarray(lz.fft.hfft(lz.asarray([1.0, 0.0, 0.0], dtype=lz.complex128)))
    /// array([1., 1., 1., 1.])
    hfft,
    /// The inverse of `hfft`: the first half of the Hermitian spectrum of real `x` along `axis`.
    ///
    /// `x`: a real floating-point array; the result is complex with `n//2 + 1` terms. `n`: the
    /// length of the transform along `axis` (the input is cropped or zero-padded), by default the
    /// input's. `norm`: `'backward'` (scale the inverse by 1/n), `'ortho'` (both by 1/sqrt(n)) or
    /// `'forward'`. Lazy: an extern step (rustfft / realfft, plans cached for the process) when
    /// computed.
    ///
    /// >>> r = lz.fft.ihfft(lz.asarray([1.0, 2.0, 3.0, 4.0]))
    /// >>> r.shape, r.dtype
    /// ((3,), lazulite.complex128)
    /// >>> bool(np.allclose(np.asarray(r), [2.5, -0.5 - 0.5j, -0.5]))
    /// True
    ihfft,
}
n_dim_fn! {
    /// The n-dimensional discrete Fourier transform of `x` over `axes`.
    ///
    /// `x`: a complex floating-point array. `s`: the lengths of the transform along `axes` (the
    /// input is cropped or zero-padded), by default the input's. `axes`: the axes to transform, by
    /// default the last `len(s)` or all. `norm`: `'backward'` (scale the inverse by 1/n), `'ortho'`
    /// (both by 1/sqrt(n)) or `'forward'`. Lazy: an extern step (rustfft / realfft, plans cached
    /// for the process) when computed.
    ///
    /// >>> np.asarray(lz.fft.fftn(lz.ones((2, 2), dtype=lz.complex128)))
    /// array([[4.+0.j, 0.+0.j],
    ///        [0.+0.j, 0.+0.j]])
    fftn,
    /// The n-dimensional inverse discrete Fourier transform of `x` over `axes`.
    ///
    /// `x`: a complex floating-point array. `s`: the lengths of the transform along `axes` (the
    /// input is cropped or zero-padded), by default the input's. `axes`: the axes to transform, by
    /// default the last `len(s)` or all. `norm`: `'backward'` (scale the inverse by 1/n), `'ortho'`
    /// (both by 1/sqrt(n)) or `'forward'`. Lazy: an extern step (rustfft / realfft, plans cached
    /// for the process) when computed.
    ///
    /// >>> np.asarray(lz.fft.ifftn(lz.asarray([[4, 0], [0, 0]], dtype=lz.complex128)))
    /// array([[1.+0.j, 1.+0.j],
    ///        [1.+0.j, 1.+0.j]])
    ifftn,
    /// The n-dimensional Fourier transform of real `x` over `axes`; the last axis keeps `n//2 + 1`
    /// terms.
    ///
    /// `x`: a real floating-point array; the result is complex. `s`: the lengths of the transform
    /// along `axes` (the input is cropped or zero-padded), by default the input's. `axes`: the axes
    /// to transform, by default the last `len(s)` or all. `norm`: `'backward'` (scale the inverse
    /// by 1/n), `'ortho'` (both by 1/sqrt(n)) or `'forward'`. Lazy: an extern step (rustfft /
    /// realfft, plans cached for the process) when computed.
    ///
    /// >>> lz.fft.rfftn(lz.ones((4, 6))).shape
    /// (4, 4)
    rfftn,
    /// The inverse of `rfftn`: a real array whose last transformed axis has length `s[-1]` (by
    /// default `2*(m - 1)`).
    ///
    /// `x`: a complex floating-point array; the result is real. `s`: the lengths of the transform
    /// along `axes` (the input is cropped or zero-padded), by default the input's. `axes`: the axes
    /// to transform, by default the last `len(s)` or all. `norm`: `'backward'` (scale the inverse
    /// by 1/n), `'ortho'` (both by 1/sqrt(n)) or `'forward'`. Lazy: an extern step (rustfft /
    /// realfft, plans cached for the process) when computed.
    ///
    /// >>> np.asarray(lz.fft.irfftn(lz.fft.rfftn(lz.ones((2, 4)))))
    /// array([[1., 1., 1., 1.],
    ///        [1., 1., 1., 1.]])
    irfftn,
}

/// `d=`: a Python float or int (not a bool).
fn spacing_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    let Some(o) = obj else { return Ok(1.0) };
    if o.is_instance_of::<PyBool>() {
        return Err(type_error(format!(
            "{func}: d must be a real number (the sample spacing), got a bool"
        )));
    }
    o.extract::<f64>().map_err(|_| {
        type_error(format!(
            "{func}: d must be a real number (the sample spacing), got {}",
            type_name(o)
        ))
    })
}

type Freq = fn(i64, f64, Option<lazulite_frontend::DType>) -> Result<LazyArray>;

fn freq(
    py: Python<'_>,
    func: &'static str,
    f: Freq,
    n: &Bound<'_, PyAny>,
    d: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let dev = check_device(func, device)?;
    let n = int_arg(func, "n", n)?;
    let d = spacing_arg(func, d)?;
    let dtype = dtype_arg(func, dtype)?;
    let r = engine(py, func, move || f(n, d, dtype))?;
    Ok(PyArray::new(on_device(r, dev)?))
}

/// Sample frequencies of an `n`-point discrete Fourier transform, spacing `d`.
///
/// The result, `[0, 1, ..., n//2 - 1 (or (n-1)//2), -n//2, ..., -1] / (d*n)`, matches the output
/// order of `fft`. `dtype`: a real floating-point dtype, float64 by default. `device`: None or
/// `lz.cpu`. Lazy.
///
/// >>> np.asarray(lz.fft.fftfreq(4, d=0.5))
/// array([ 0. ,  0.5, -1. , -0.5])
#[pyfunction]
#[pyo3(
    signature = (n, /, *, d = None, dtype = None, device = None),
    text_signature = "(n, /, *, d=1.0, dtype=None, device=None)"
)]
fn fftfreq(
    py: Python<'_>,
    n: &Bound<'_, PyAny>,
    d: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    freq(py, "fftfreq", fe::fft::fftfreq, n, d, dtype, device)
}

/// Sample frequencies of an `n`-point real Fourier transform (`rfft`), spacing `d`.
///
/// The result is `[0, 1, ..., n//2] / (d*n)` (length `n//2 + 1`). `dtype`: a real floating-point
/// dtype, float64 by default. `device`: None or `lz.cpu`. Lazy.
///
/// >>> np.asarray(lz.fft.rfftfreq(4))
/// array([0.  , 0.25, 0.5 ])
#[pyfunction]
#[pyo3(
    signature = (n, /, *, d = None, dtype = None, device = None),
    text_signature = "(n, /, *, d=1.0, dtype=None, device=None)"
)]
fn rfftfreq(
    py: Python<'_>,
    n: &Bound<'_, PyAny>,
    d: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    freq(py, "rfftfreq", fe::fft::rfftfreq, n, d, dtype, device)
}

type Shift = fn(&LazyArray, Option<&[isize]>) -> Result<LazyArray>;

fn shift(
    py: Python<'_>,
    func: &'static str,
    f: Shift,
    x: &Bound<'_, PyAny>,
    axes: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let axes = ints_arg(func, "axes", axes)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, axes.as_deref())
    })?))
}

/// `x` with the zero-frequency term moved to the centre along `axes` (all by default).
///
/// `x`: a floating-point array (typically `fft` output or `fftfreq`). `axes`: None, an int or a
/// sequence of ints. Lazy: a roll, fused into its consumer.
///
/// >>> np.asarray(lz.fft.fftshift(lz.fft.fftfreq(4)))
/// array([-0.5 , -0.25,  0.  ,  0.25])
#[pyfunction]
#[pyo3(signature = (x, /, *, axes = None))]
fn fftshift(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axes: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    shift(py, "fftshift", fe::fft::fftshift, x, axes)
}

/// The inverse of `fftshift`: moves the centre term back to index 0 along `axes`.
///
/// `x`: a floating-point array. `axes`: None, an int or a sequence of ints. Lazy.
///
/// >>> np.asarray(lz.fft.ifftshift(lz.asarray([-2.0, -1.0, 0.0, 1.0])))
/// array([ 0.,  1., -2., -1.])
#[pyfunction]
#[pyo3(signature = (x, /, *, axes = None))]
fn ifftshift(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axes: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    shift(py, "ifftshift", fe::fft::ifftshift, x, axes)
}

/// Adds the submodule `_fft` (re-exported by the package as `lazulite.fft`).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let sub = PyModule::new(m.py(), "_fft")?;
    for f in [
        wrap_pyfunction!(fft, &sub)?,
        wrap_pyfunction!(ifft, &sub)?,
        wrap_pyfunction!(fftn, &sub)?,
        wrap_pyfunction!(ifftn, &sub)?,
        wrap_pyfunction!(rfft, &sub)?,
        wrap_pyfunction!(irfft, &sub)?,
        wrap_pyfunction!(rfftn, &sub)?,
        wrap_pyfunction!(irfftn, &sub)?,
        wrap_pyfunction!(hfft, &sub)?,
        wrap_pyfunction!(ihfft, &sub)?,
        wrap_pyfunction!(fftfreq, &sub)?,
        wrap_pyfunction!(rfftfreq, &sub)?,
        wrap_pyfunction!(fftshift, &sub)?,
        wrap_pyfunction!(ifftshift, &sub)?,
    ] {
        sub.add_function(f)?;
    }
    m.add_submodule(&sub)
}
