//! The `fft` extension (`lazulite.fft`): a submodule `_lazulite._fft` of the extension module that
//! the Python package re-exports as `lazulite.fft`. Argument conversion only; the frontend decides.

use crate::array::PyArray;
use crate::convert::{array_arg, axis_list_arg, int_arg, type_name};
use crate::dtype::{check_device, dtype_arg};
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
    ($($name:ident),*) => {$(
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
    ($($name:ident),*) => {$(
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

one_d_fn!(fft, ifft, rfft, irfft, hfft, ihfft);
n_dim_fn!(fftn, ifftn, rfftn, irfftn);

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
    check_device(func, device)?;
    let n = int_arg(func, "n", n)?;
    let d = spacing_arg(func, d)?;
    let dtype = dtype_arg(func, dtype)?;
    Ok(PyArray::new(engine(py, func, move || f(n, d, dtype))?))
}

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

#[pyfunction]
#[pyo3(signature = (x, /, *, axes = None))]
fn fftshift(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axes: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    shift(py, "fftshift", fe::fft::fftshift, x, axes)
}

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
