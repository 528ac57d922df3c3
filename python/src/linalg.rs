//! Linear algebra functions of the main namespace: `matmul`, `tensordot`, `vecdot`.

use crate::array::PyArray;
use crate::convert::{
    array_arg, axis_list_arg, axis_or, int_arg, sequence_items, type_name, Param,
};
use crate::guard::{engine, type_error};
use lazulite_frontend::{self as fe, TensordotAxes};
use pyo3::prelude::*;
use pyo3::types::PyModule;

/// Matrix product of `x1` and `x2` (`x1 @ x2`), with NumPy's rules for 1-D operands and stacks.
///
/// `x1`, `x2`: numeric arrays; a 1-D operand is a vector (its axis is removed from the result), and
/// the dimensions before the last two broadcast. The result has the promoted dtype. Lazy: an extern
/// step (the `gemm` crate) that reads strided and broadcast operands in place.
///
/// >>> np.asarray(lz.matmul(lz.asarray([[1, 2], [3, 4]]), lz.asarray([[5], [6]]))).tolist()
/// [[17], [39]]
#[pyfunction]
#[pyo3(signature = (x1, x2, /))]
fn matmul(py: Python<'_>, x1: &Bound<'_, PyAny>, x2: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let a = array_arg("matmul", "x1", x1)?;
    let b = array_arg("matmul", "x2", x2)?;
    Ok(PyArray::new(engine(py, "matmul", move || {
        fe::matmul(&a, &b)
    })?))
}

/// `tensordot`'s `axes`: an int, or a pair of sequences of axes.
fn tensordot_axes(obj: &Bound<'_, PyAny>) -> PyResult<TensordotAxes> {
    match sequence_items(obj) {
        None => Ok(TensordotAxes::Count(int_arg("tensordot", "axes", obj)?)),
        Some(p) if p.len() == 2 => Ok(TensordotAxes::Pairs(
            axis_list_arg("tensordot", "axes[0]", &p[0])?,
            axis_list_arg("tensordot", "axes[1]", &p[1])?,
        )),
        Some(p) => Err(type_error(format!(
            "tensordot: axes must be an int or a pair of axis sequences (x1 axes, x2 axes), got a \
             {} of length {}",
            type_name(obj),
            p.len()
        ))),
    }
}

/// Tensor contraction of `x1` and `x2` over `axes`.
///
/// `axes`: an int `n` (the last `n` axes of `x1` with the first `n` of `x2`) or a pair of sequences
/// of axes to contract. `x1`, `x2`: numeric arrays; the result has the promoted dtype. Lazy.
///
/// >>> a = lz.reshape(lz.arange(6), (2, 3))
/// >>> np.asarray(lz.tensordot(a, lz.ones(3, dtype=lz.int64), axes=1)).tolist()
/// [3, 12]
#[pyfunction]
#[pyo3(signature = (x1, x2, /, *, axes = None), text_signature = "(x1, x2, /, *, axes=2)")]
fn tensordot(
    py: Python<'_>,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
    axes: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let a = array_arg("tensordot", "x1", x1)?;
    let b = array_arg("tensordot", "x2", x2)?;
    let axes = match axes {
        Some(o) => tensordot_axes(o)?,
        None => TensordotAxes::Count(2),
    };
    Ok(PyArray::new(engine(py, "tensordot", move || {
        fe::tensordot(&a, &b, &axes)
    })?))
}

/// Dot product of vectors along `axis` (the last by default), conjugating `x1` when complex.
///
/// `x1`, `x2`: numeric arrays that broadcast except along `axis`, where their lengths must be
/// equal. Lazy: a fused multiply-and-sum.
///
/// >>> float(lz.vecdot(lz.asarray([1.0, 2.0, 3.0]), lz.asarray([4.0, 5.0, 6.0])))
/// 32.0
#[pyfunction]
#[pyo3(signature = (x1, x2, /, *, axis = Param::Absent), text_signature = "(x1, x2, /, *, axis=-1)")]
fn vecdot(
    py: Python<'_>,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
    axis: Param<'_>,
) -> PyResult<PyArray> {
    let axis = axis_or("vecdot", axis, -1)?;
    let a = array_arg("vecdot", "x1", x1)?;
    let b = array_arg("vecdot", "x2", x2)?;
    Ok(PyArray::new(engine(py, "vecdot", move || {
        fe::vecdot(&a, &b, axis)
    })?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(matmul, m)?,
        wrap_pyfunction!(tensordot, m)?,
        wrap_pyfunction!(vecdot, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
