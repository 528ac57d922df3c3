//! Conversions at the Python edge: Python scalars, array arguments, axes and shapes.

use crate::array::PyArray;
use crate::guard::{type_error, value_error};
use lazulite_frontend::{DType, LazyArray, Operand, Scalar};
use lazulite_ir::ScalarKind;
use pyo3::exceptions::{PyIndexError, PyOverflowError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyList, PyTuple};

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string())
}

/// A Python `bool`, `int`, `float` or `complex` (or a subclass such as `numpy.float64`) as a weak
/// scalar; `None` for anything else. Integers outside both `int64` and `uint64` raise `OverflowError`.
pub fn py_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Some(Scalar::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Some(Scalar::Int(i)));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Some(Scalar::UInt(u)));
        }
        return Err(PyOverflowError::new_err(format!(
            "the Python int {} is outside the range of every integer dtype (int64 and uint64)",
            obj.str().map(|s| s.to_string()).unwrap_or_default()
        )));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some(Scalar::Float(f.value())));
    }
    if let Ok(c) = obj.cast::<PyComplex>() {
        return Ok(Some(Scalar::Complex(c.real(), c.imag())));
    }
    Ok(None)
}

/// One argument of a binary function or operator, owned so that it can cross into the engine.
pub enum Arg {
    Array(LazyArray),
    Scalar(Scalar),
}

impl Arg {
    pub fn operand(&self) -> Operand<'_> {
        match self {
            Arg::Array(a) => Operand::Array(a),
            Arg::Scalar(s) => Operand::Scalar(*s),
        }
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self, Arg::Scalar(_))
    }

    fn dtype(&self) -> Option<DType> {
        match self {
            Arg::Array(a) => Some(a.dtype()),
            Arg::Scalar(_) => None,
        }
    }
}

/// A Python scalar that meets an array of dtype `target` (parameter `param` of `func`); `None` for
/// objects that are not Python scalars. A Python int beyond int64 and uint64 is exact nowhere, but
/// an array of a floating dtype takes it as the nearest float (as the standard and array-api-strict
/// do: `float64_array + 2**64`, `full(..., 10**30, dtype=float64)`); for other targets it is an
/// `OverflowError` naming `func` and `param`.
pub fn scalar_for(
    func: &str,
    param: &str,
    obj: &Bound<'_, PyAny>,
    target: Option<DType>,
) -> PyResult<Option<Scalar>> {
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Some(Scalar::Int(i)));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Some(Scalar::UInt(u)));
        }
        let text = obj.str().map(|s| s.to_string()).unwrap_or_default();
        if target.is_some_and(|d| d.is_float()) {
            return obj.extract::<f64>().map(|f| Some(Scalar::Float(f))).map_err(|_| {
                PyOverflowError::new_err(format!(
                    "{func}: {param} = {text} is too large to convert to a float (beyond the float64 \
                     range)"
                ))
            });
        }
        return Err(PyOverflowError::new_err(format!(
            "{func}: {param} = {text} is outside the range of every integer dtype (int64 and uint64); \
             only an array of a floating-point dtype can take it (as the nearest float)"
        )));
    }
    py_scalar(obj)
}

/// An array or a Python scalar meeting an array of dtype `target`; `None` for other objects
/// (operators then return `NotImplemented`).
pub fn arg_for(
    func: &str,
    param: &str,
    obj: &Bound<'_, PyAny>,
    target: Option<DType>,
) -> PyResult<Option<Arg>> {
    if let Ok(a) = obj.cast::<PyArray>() {
        return Ok(Some(Arg::Array(a.get().inner().clone())));
    }
    Ok(scalar_for(func, param, obj, target)?.map(Arg::Scalar))
}

/// An operand of the function `func` (parameter `param`) that meets an array of dtype `target`: a
/// lazulite array or a Python scalar.
pub fn operand_for(
    func: &str,
    param: &str,
    obj: &Bound<'_, PyAny>,
    target: Option<DType>,
) -> PyResult<Arg> {
    arg_for(func, param, obj, target)?.ok_or_else(|| not_an_operand(func, param, obj))
}

fn not_an_operand(func: &str, param: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    type_error(format!(
        "{func}: {param} must be a lazulite array or a Python scalar (bool, int, float, complex), got \
         {}; convert it with lazulite.asarray() first",
        type_name(obj)
    ))
}

/// The weak-scalar kind of a Python scalar.
pub fn scalar_kind(s: Scalar) -> ScalarKind {
    match s {
        Scalar::Bool(_) => ScalarKind::Bool,
        Scalar::Int(_) | Scalar::UInt(_) => ScalarKind::Int,
        Scalar::Float(_) => ScalarKind::Float,
        Scalar::Complex(..) => ScalarKind::Complex,
    }
}

/// An operand meeting an array of dtype `target` whose kind the standard's weak-scalar rule
/// (`ir::promote_with_scalar`) refuses (a Python bool with a float array, ...): the `TypeError` says
/// which parameter it is. Checked here, before the engine, only to name the parameter; the rule is
/// ir's.
pub fn check_scalar_operand(
    func: &str,
    param: &str,
    arg: &Arg,
    target: Option<DType>,
) -> PyResult<()> {
    if let (Arg::Scalar(s), Some(d)) = (arg, target) {
        if let Err(e) = lazulite_ir::promote_with_scalar(func, d, scalar_kind(*s)) {
            let rest = e.message.strip_prefix(func).unwrap_or(&e.message);
            let rest = rest.trim_start_matches(':').trim_start();
            return Err(type_error(format!("{func}: {param}: {rest}")));
        }
    }
    Ok(())
}

/// The two operands of a binary function: each scalar meets the other operand's dtype (and must be
/// of a kind that combines with it).
pub fn operand_pair(
    func: &str,
    (p1, x1): (&str, &Bound<'_, PyAny>),
    (p2, x2): (&str, &Bound<'_, PyAny>),
) -> PyResult<(Arg, Arg)> {
    let array = |o: &Bound<'_, PyAny>| o.cast::<PyArray>().ok().map(|a| a.get().inner());
    let (a, b) = (array(x1), array(x2));
    let (da, db) = (
        a.as_ref().map(LazyArray::dtype),
        b.as_ref().map(LazyArray::dtype),
    );
    // not an array: a Python scalar (or a TypeError naming the parameter)
    let scalar = |param: &str, obj: &Bound<'_, PyAny>, target: Option<DType>| -> PyResult<Arg> {
        let Some(s) = scalar_for(func, param, obj, target)? else {
            return Err(not_an_operand(func, param, obj));
        };
        let arg = Arg::Scalar(s);
        check_scalar_operand(func, param, &arg, target)?;
        Ok(arg)
    };
    let a = match a {
        Some(a) => Arg::Array(a),
        None => scalar(p1, x1, db)?,
    };
    let b = match b {
        Some(b) => Arg::Array(b),
        None => scalar(p2, x2, da)?,
    };
    Ok((a, b))
}

/// The standard's rule for `pow` with an integer base and a Python int exponent: a negative exponent
/// is a `ValueError` (the result is not an integer), as array-api-strict raises.
pub fn check_int_pow(func: &str, base: &Arg, exponent: &Arg) -> PyResult<()> {
    if let (Some(d), Arg::Scalar(Scalar::Int(e))) = (base.dtype(), exponent) {
        if d.is_integer() && *e < 0 {
            return Err(value_error(format!(
                "{func}: an array of dtype {d} to the negative integer power {e}; integers to \
                 negative integer powers are not allowed (cast the base to a floating dtype first)"
            )));
        }
    }
    Ok(())
}

/// A lazulite array argument of `func` (parameter `param`).
pub fn array_arg(func: &str, param: &str, obj: &Bound<'_, PyAny>) -> PyResult<LazyArray> {
    match obj.cast::<PyArray>() {
        Ok(a) => Ok(a.get().inner().clone()),
        Err(_) => Err(type_error(format!(
            "{func}: {param} must be a lazulite array, got {}; convert it with lazulite.asarray() first",
            type_name(obj)
        ))),
    }
}

// ---- typed arguments ---------------------------------------------------------------------------------
//
// Every binding takes its non-array parameters as Python objects and converts them here, so that each
// failure names the function, the parameter and what it accepts (pyo3's own extraction errors name
// neither: "'int' object is not an instance of 'bool'"). The success path is one type check.

/// A Python int (or an object with `__index__`, such as `numpy.int64`, but not a bool) as i64.
/// An int outside the int64 range is an `OverflowError` naming `func` and `what`.
pub fn int_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(type_error(format!(
            "{func}: {what} must be an int, got a bool ({}); pass an int",
            obj.str().map(|s| s.to_string()).unwrap_or_default()
        )));
    }
    obj.extract::<i64>().map_err(|e| {
        if e.is_instance_of::<PyOverflowError>(obj.py()) {
            PyOverflowError::new_err(format!(
                "{func}: {what} = {} is outside the int64 range [-2**63, 2**63 - 1]",
                obj.str().map(|s| s.to_string()).unwrap_or_default()
            ))
        } else {
            type_error(format!(
                "{func}: {what} must be an int, got {}",
                type_name(obj)
            ))
        }
    })
}

/// An int argument whose meaning saturates (a diagonal offset `k`): ints beyond the int64 range
/// clamp to its ends, which select the same (empty or full) triangle or diagonal.
pub fn saturating_int_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    match int_arg(func, what, obj) {
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
            let negative = obj.lt(0)?;
            Ok(if negative { i64::MIN } else { i64::MAX })
        }
        r => r,
    }
}

/// An optional int parameter with a default (`None` or absent gives the default).
pub fn int_or(
    func: &str,
    what: &str,
    obj: Option<&Bound<'_, PyAny>>,
    default: i64,
) -> PyResult<i64> {
    match obj {
        Some(o) if !o.is_none() => int_arg(func, what, o),
        _ => Ok(default),
    }
}

/// A single axis with an int default (`sort`'s `axis=-1`); `None` is not an axis here.
pub fn axis_or(func: &str, obj: Param<'_>, default: isize) -> PyResult<isize> {
    match obj {
        Param::Absent => Ok(default),
        Param::Given(o) => axis_of(func, "axis", &o),
    }
}

/// A Python bool parameter (`keepdims`, `stable`, ...); absent gives the default. Only `True` and
/// `False` are accepted (also NumPy's `bool_`), as the standard's `bool` annotation says.
pub fn bool_arg(
    func: &str,
    what: &str,
    obj: Option<&Bound<'_, PyAny>>,
    default: bool,
) -> PyResult<bool> {
    let Some(o) = obj else { return Ok(default) };
    if let Ok(b) = o.cast::<PyBool>() {
        return Ok(b.is_true());
    }
    if type_name(o) == "bool" {
        // numpy.bool_ is not a Python bool subclass, but it is a bool
        return o.is_truthy();
    }
    Err(type_error(format!(
        "{func}: {what} must be a bool (True or False), got {}",
        type_name(o)
    )))
}

/// An optional bool (`copy=None`): `None`, `True` or `False`.
pub fn opt_bool_arg(
    func: &str,
    what: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<bool>> {
    match obj {
        Some(o) if !o.is_none() => bool_arg(func, what, Some(o), false).map(Some),
        _ => Ok(None),
    }
}

/// A string parameter that takes one of `choices` (`side`, `indexing`); absent gives `choices[0]`.
pub fn choice_arg(
    func: &str,
    what: &str,
    obj: Option<&Bound<'_, PyAny>>,
    choices: &[&'static str],
) -> PyResult<&'static str> {
    let Some(o) = obj else { return Ok(choices[0]) };
    let accepted = || {
        choices
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let Ok(text) = o.extract::<std::borrow::Cow<'_, str>>() else {
        return Err(type_error(format!(
            "{func}: {what} must be a str, {}, got {}",
            accepted(),
            type_name(o)
        )));
    };
    choices
        .iter()
        .find(|c| **c == text)
        .copied()
        .ok_or_else(|| {
            value_error(format!(
                "{func}: {what}={text:?} is not supported; pass {}",
                accepted()
            ))
        })
}

/// The items of a tuple or list; `None` for any other object.
pub fn sequence_items<'py>(obj: &Bound<'py, PyAny>) -> Option<Vec<Bound<'py, PyAny>>> {
    if let Ok(t) = obj.cast::<PyTuple>() {
        Some(t.iter().collect())
    } else if let Ok(l) = obj.cast::<PyList>() {
        Some(l.iter().collect())
    } else {
        None
    }
}

/// A sequence of ints given as a tuple or list.
fn int_sequence(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<i64>>> {
    sequence_items(obj)
        .map(|items| items.iter().map(|o| int_arg(func, what, o)).collect())
        .transpose()
}

/// A tuple or list of axes.
fn axis_sequence(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<isize>>> {
    sequence_items(obj)
        .map(|items| items.iter().map(|o| axis_of(func, what, o)).collect())
        .transpose()
}

/// An int or a tuple/list of ints (`roll`'s `shift`, `tile`'s `repetitions`), as a list.
pub fn int_list_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if let Some(list) = int_sequence(func, what, obj)? {
        return Ok(list);
    }
    Ok(vec![int_arg(func, what, obj)?])
}

/// An optional single axis (`axis: Optional[int]`): `None` or an int.
pub fn opt_axis_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<isize>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(axis_of(func, "axis", o)?)),
        _ => Ok(None),
    }
}

/// One axis: an int; one beyond every possible rank is an `IndexError` (as an axis out of range is),
/// not an `OverflowError`.
fn axis_of(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<isize> {
    match int_arg(func, what, obj) {
        Ok(a) => Ok(a as isize),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
            Err(PyIndexError::new_err(format!(
                "{func}: {what} = {} is out of bounds for every array (at most {} dimensions)",
                obj.str().map(|s| s.to_string()).unwrap_or_default(),
                lazulite_ir::shape::MAX_DIMS
            )))
        }
        Err(e) => Err(e),
    }
}

/// A parameter whose default is not `None` and for which `None` means something else (`concat`'s
/// `axis=None` flattens) or is not accepted (`sort`'s `axis`): pyo3 gives `None` for both an absent
/// `Option` argument and an explicit `None`, this tells them apart. Extraction takes any object, so
/// the binding converts it with a helper that names the function in the error.
pub enum Param<'py> {
    Absent,
    Given(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Param<'py> {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Param::Given(obj.to_owned()))
    }
}

/// A tuple of lazulite arrays (the results of `meshgrid`, `broadcast_arrays`, `unstack`).
pub fn array_tuple(py: Python<'_>, arrays: Vec<LazyArray>) -> PyResult<Bound<'_, PyTuple>> {
    PyTuple::new(py, arrays.into_iter().map(PyArray::new))
}

/// `axis=`: `None` (all axes), an int, or a tuple of ints.
pub fn axes_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<isize>>> {
    let Some(o) = obj else { return Ok(None) };
    if o.is_none() {
        return Ok(None);
    }
    if let Some(list) = axis_sequence(func, "axis", o)? {
        return Ok(Some(list));
    }
    Ok(Some(vec![axis_of(func, "axis", o)?]))
}

/// A required list of axes (`permute_dims`' `axes`, `squeeze`'s `axis`): an int or a tuple of ints.
pub fn axis_list_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<isize>> {
    if let Some(list) = axis_sequence(func, what, obj)? {
        return Ok(list);
    }
    Ok(vec![axis_of(func, what, obj)?])
}

/// A shape: an int or a tuple of non-negative ints.
pub fn shape_arg(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    named_shape_arg(func, "shape", obj)
}

/// A shape given as the parameter `what` (`broadcast_shapes`' `shapes[i]`).
pub fn named_shape_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let list = match int_sequence(func, what, obj)? {
        Some(l) => l,
        None => vec![int_arg(func, what, obj)?],
    };
    list.into_iter()
        .map(|n| {
            usize::try_from(n).map_err(|_| {
                value_error(format!(
                    "{func}: negative dimension {n} in {what}; every size must be >= 0"
                ))
            })
        })
        .collect()
}

/// A shape that may hold one `-1` (`reshape`).
pub fn signed_shape_arg(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<isize>> {
    let list = match int_sequence(func, "shape", obj)? {
        Some(l) => l,
        None => vec![int_arg(func, "shape", obj)?],
    };
    Ok(list.into_iter().map(|n| n as isize).collect())
}

/// A Python scalar value as a Python object.
pub fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::UInt(u) => u.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => PyFloat::new(py, f).into_any().unbind(),
        Scalar::Complex(r, i) => PyComplex::from_doubles(py, r, i).into_any().unbind(),
    })
}

/// The strided elements at `ptr` as C-order bytes.
///
/// # Safety
/// Every element `ptr + Σ i_d * byte_strides[d]` (for indices within `shape`) must be readable for
/// `itemsize` bytes.
pub(crate) unsafe fn gather_strided(
    ptr: *const u8,
    shape: &[usize],
    byte_strides: &[isize],
    itemsize: usize,
) -> Vec<u8> {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n * itemsize);
    let rank = shape.len();
    let mut idx = vec![0usize; rank];
    let mut off = 0isize;
    for _ in 0..n {
        // SAFETY: `off` addresses an element of the tensor (the caller's contract).
        out.extend_from_slice(unsafe { std::slice::from_raw_parts(ptr.offset(off), itemsize) });
        let mut d = rank;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            off += byte_strides[d];
            if idx[d] < shape[d] {
                break;
            }
            off -= byte_strides[d] * shape[d] as isize;
            idx[d] = 0;
        }
    }
    out
}
