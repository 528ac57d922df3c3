//! Creation functions built from other graph ops: `linspace` (computed on the host, like `arange`),
//! `eye`, `tril`, `triu` (index masks: an `arange` viewed along an axis, compared, then `where` or a
//! cast), `meshgrid` (broadcast views), `empty` and the `*_like` fills.

use crate::array::LazyArray;
use crate::creation::{arange, check_shape, full};
use crate::elementwise::{binary, cast, describe_scalar, fill, rename, where_, Operand};
use crate::movement::view;
use crate::rt;
use lazulite_ir::{bail, ensure, BinaryOp, DType, Result, Scalar, Shape, ViewMap};
use smallvec::smallvec;

/// An int64 array of `shape` whose element at every index is that index's coordinate along `axis`
/// (`shape[axis]` values from an `arange`, seen through a broadcasting view: no data is repeated).
pub(crate) fn index_along(shape: &[usize], axis: usize) -> Result<LazyArray> {
    let n = shape[axis];
    let range = arange(
        Scalar::Int(0),
        Some(Scalar::Int(n as i64)),
        Scalar::Int(1),
        Some(DType::I64),
    )?;
    let map = ViewMap {
        axes: (0..shape.len())
            .map(|j| if j == axis { Some((0, 1)) } else { None })
            .collect(),
        start: smallvec![0],
    };
    Ok(view(&range, map, Shape::from_slice(shape)))
}

/// A count argument (`num`, `n_rows`, ...) as `usize`: negative counts are a `Value` error.
pub(crate) fn count_arg(op: &str, what: &str, v: i64) -> Result<usize> {
    ensure!(
        v >= 0,
        Value,
        "{op}: {what} must be a non-negative integer, got {v}"
    );
    usize::try_from(v).map_err(|_| {
        lazulite_ir::Error::new(
            lazulite_ir::ErrorKind::Value,
            format!("{op}: {what}={v} is too large for this platform"),
        )
    })
}

/// `linspace(start, stop, num, dtype, endpoint)`: `num` evenly spaced values from `start` to `stop`
/// (`stop` included when `endpoint`). The default dtype is float64, or complex128 when `start` or
/// `stop` is complex; `dtype` must be a floating-point dtype. Values are computed in double precision
/// as NumPy does (`i * step + start`, the last value set to `stop` when `endpoint`), then stored as
/// `dtype`.
pub fn linspace(
    start: Scalar,
    stop: Scalar,
    num: i64,
    dtype: Option<DType>,
    endpoint: bool,
) -> Result<LazyArray> {
    let num = count_arg("linspace", "num", num)?;
    let complex_args = [start, stop]
        .iter()
        .any(|s| matches!(s, Scalar::Complex(..)));
    let d = dtype.unwrap_or(if complex_args {
        DType::DEFAULT_COMPLEX
    } else {
        DType::DEFAULT_FLOAT
    });
    ensure!(
        d.is_float(),
        Type,
        "linspace: dtype={d} is not supported; linspace returns floating-point values, pass float32, \
         float64, complex64 or complex128 (or use arange() for integers)"
    );
    if complex_args && !d.is_complex() {
        let c = if matches!(start, Scalar::Complex(..)) {
            start
        } else {
            stop
        };
        bail!(
            Type,
            "linspace: the complex bound {} cannot be stored as dtype {d}; pass a complex dtype or real \
             bounds",
            describe_scalar(c)
        );
    }
    check_shape("linspace", &[num])?;
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let (a, b) = (start.as_complex(), stop.as_complex());
    // Value `i` of one component (NumPy's algorithm, applied to real and imaginary parts alike).
    let value = |i: usize, a: f64, b: f64| -> f64 {
        if endpoint && num > 1 && i == num - 1 {
            return b;
        }
        let delta = b - a;
        let t = i as f64;
        let scaled = if div == 0 {
            t * delta
        } else {
            let step = delta / div as f64;
            if step == 0.0 {
                t / div as f64 * delta
            } else {
                t * step
            }
        };
        scaled + a
    };
    let mut bytes: Vec<u8> = Vec::new();
    bytes.try_reserve_exact(num * d.size()).map_err(|_| {
        lazulite_ir::Error::new(
            lazulite_ir::ErrorKind::Memory,
            format!("linspace: cannot allocate {num} values of dtype {d}; pass a smaller num"),
        )
    })?;
    for i in 0..num {
        let s = if d.is_complex() {
            Scalar::Complex(value(i, a.0, b.0), value(i, a.1, b.1))
        } else {
            Scalar::Float(value(i, a.0, b.0))
        };
        bytes.extend_from_slice(&s.to_bytes(d));
    }
    Ok(LazyArray::from_data(rt::array_from_bytes(
        &bytes,
        d,
        &[num],
    )?))
}

/// `eye(n_rows, n_cols, k, dtype)`: ones on diagonal `k` (above the main one when positive), zeros
/// elsewhere; `n_cols` defaults to `n_rows`, `dtype` to float64 (any dtype is accepted; bool gives
/// `True` on the diagonal).
pub fn eye(n_rows: i64, n_cols: Option<i64>, k: i64, dtype: Option<DType>) -> Result<LazyArray> {
    let n = count_arg("eye", "n_rows", n_rows)?;
    let m = match n_cols {
        Some(c) => count_arg("eye", "n_cols", c)?,
        None => n,
    };
    let d = dtype.unwrap_or(DType::DEFAULT_FLOAT);
    check_shape("eye", &[n, m])?;
    // Diagonals outside [-n, m] select nothing; clamping keeps `row + k` far from overflow.
    let k = k.clamp(-(n as i64), m as i64);
    let rows = index_along(&[n, m], 0)?;
    let cols = index_along(&[n, m], 1)?;
    let shifted = binary(
        BinaryOp::Add,
        Operand::Array(&rows),
        Operand::Scalar(Scalar::Int(k)),
    )?;
    let mask = binary(
        BinaryOp::Eq,
        Operand::Array(&cols),
        Operand::Array(&shifted),
    )?;
    Ok(cast(&mask, d))
}

/// The mask "element `(i, j)` of the trailing matrix is kept" for `tril` (`j <= i + k`) or `triu`
/// (`j >= i + k`), of shape `(M, N)`; `where` broadcasts it over the batch axes.
fn triangle(op: &str, x: &LazyArray, k: i64, lower: bool) -> Result<LazyArray> {
    let r = x.ndim();
    ensure!(
        r >= 2,
        Value,
        "{op}: x has shape {:?} ({r} dimension{}), but {op} needs an array of at least 2 dimensions \
         (a matrix or a stack of matrices); use reshape() or expand_dims() first",
        x.shape(),
        if r == 1 { "" } else { "s" }
    );
    let (m, n) = (x.shape()[r - 2], x.shape()[r - 1]);
    let k = k.clamp(-(m as i64) - 1, n as i64 + 1);
    let rows = index_along(&[m, n], 0)?;
    let cols = index_along(&[m, n], 1)?;
    let shifted = binary(
        BinaryOp::Add,
        Operand::Array(&rows),
        Operand::Scalar(Scalar::Int(k)),
    )?;
    let cmp = if lower { BinaryOp::Le } else { BinaryOp::Ge };
    let mask = binary(cmp, Operand::Array(&cols), Operand::Array(&shifted))?;
    let zero = fill(Scalar::Int(0), x.dtype(), x.shape());
    where_(&mask, Operand::Array(x), Operand::Array(&zero)).map_err(|e| rename(e, "where", op))
}

/// `tril(x, k)`: the elements on and below diagonal `k` of the trailing `(M, N)` matrices of `x`, the
/// others zero; `x` needs at least 2 dimensions (`Value` otherwise).
pub fn tril(x: &LazyArray, k: i64) -> Result<LazyArray> {
    triangle("tril", x, k, true)
}

/// `triu(x, k)`: the elements on and above diagonal `k` of the trailing `(M, N)` matrices of `x`, the
/// others zero; `x` needs at least 2 dimensions (`Value` otherwise).
pub fn triu(x: &LazyArray, k: i64) -> Result<LazyArray> {
    triangle("triu", x, k, false)
}

/// How `meshgrid` lays out its outputs.
fn meshgrid_swaps(op: &str, indexing: &str) -> Result<bool> {
    match indexing {
        "xy" => Ok(true),
        "ij" => Ok(false),
        other => bail!(
            Value,
            "{op}: indexing={other:?} is not supported; pass \"xy\" (Cartesian) or \"ij\" (matrix)"
        ),
    }
}

/// `meshgrid(arrays, indexing)`: coordinate arrays from 1-D coordinate vectors, all of one dtype.
/// With `"ij"` every result has shape `(N1, N2, ..., Nn)`; with `"xy"` (Cartesian) the first two axes
/// are swapped. Each result is a broadcasting view of its vector (no data is copied).
pub fn meshgrid(arrays: &[&LazyArray], indexing: &str) -> Result<Vec<LazyArray>> {
    let swap = meshgrid_swaps("meshgrid", indexing)? && arrays.len() >= 2;
    for (i, a) in arrays.iter().enumerate() {
        ensure!(
            a.ndim() == 1,
            Value,
            "meshgrid: array {i} has shape {:?}, but every input must be one-dimensional; reshape it \
             with reshape(x, (-1,)) first",
            a.shape()
        );
    }
    if let Some(first) = arrays.first() {
        if let Some((i, a)) = arrays
            .iter()
            .enumerate()
            .find(|(_, a)| a.dtype() != first.dtype())
        {
            bail!(
                Value,
                "meshgrid: array {i} has dtype {}, but array 0 has dtype {}; all inputs must have the \
                 same dtype, cast with astype() first",
                a.dtype(),
                first.dtype()
            );
        }
    }
    let position = |i: usize| match (swap, i) {
        (true, 0) => 1,
        (true, 1) => 0,
        _ => i,
    };
    let mut shape: Shape = smallvec![0; arrays.len()];
    for (i, a) in arrays.iter().enumerate() {
        shape[position(i)] = a.shape()[0];
    }
    check_shape("meshgrid", &shape)?;
    Ok(arrays
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let p = position(i);
            let map = ViewMap {
                axes: (0..shape.len())
                    .map(|j| if j == p { Some((0, 1)) } else { None })
                    .collect(),
                start: smallvec![0],
            };
            view(a, map, shape.clone())
        })
        .collect())
}

/// `empty(shape, dtype)`: an array of `shape` whose values the caller must not rely on (lazulite
/// fills it with zeros); `dtype` defaults to float64.
pub fn empty(shape: &[usize], dtype: Option<DType>) -> Result<LazyArray> {
    check_shape("empty", shape)?;
    Ok(fill(
        Scalar::Int(0),
        dtype.unwrap_or(DType::DEFAULT_FLOAT),
        shape,
    ))
}

/// `empty_like(x, dtype)`: an array of `x`'s shape and of `dtype` (default `x`'s) whose values the
/// caller must not rely on (zeros here).
pub fn empty_like(x: &LazyArray, dtype: Option<DType>) -> LazyArray {
    fill(Scalar::Int(0), dtype.unwrap_or(x.dtype()), x.shape())
}

/// `zeros_like(x, dtype)`: zeros of `x`'s shape and of `dtype` (default `x`'s).
pub fn zeros_like(x: &LazyArray, dtype: Option<DType>) -> LazyArray {
    fill(Scalar::Int(0), dtype.unwrap_or(x.dtype()), x.shape())
}

/// `ones_like(x, dtype)`: ones of `x`'s shape and of `dtype` (default `x`'s; `True` for bool,
/// `1 + 0j` for complex).
pub fn ones_like(x: &LazyArray, dtype: Option<DType>) -> LazyArray {
    fill(Scalar::Int(1), dtype.unwrap_or(x.dtype()), x.shape())
}

/// `full_like(x, value, dtype)`: `value` everywhere, in `x`'s shape and `dtype` (default `x`'s). As
/// for `full`, the value must not change kind (a float into an integer dtype is a `Type` error) and a
/// Python int must fit an integer dtype (`Overflow`).
pub fn full_like(x: &LazyArray, value: Scalar, dtype: Option<DType>) -> Result<LazyArray> {
    full(x.shape(), value, Some(dtype.unwrap_or(x.dtype())))
        .map_err(|e| rename(e, "full", "full_like"))
}
