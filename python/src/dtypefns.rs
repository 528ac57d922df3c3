//! The data type functions of the standard: `can_cast`, `finfo`, `iinfo`, `isdtype`, `result_type`.
//!
//! Every rule comes from `lazulite_ir` (the promotion table, `promote_with_scalar`, `can_cast`); this
//! module only parses Python arguments and builds the result objects.

use crate::array::PyArray;
use crate::convert::{check_scalar_operand, scalar_for, scalar_kind, type_name, Arg};
use crate::dtype::PyDType;
use crate::guard::{to_pyerr, type_error, value_error};
use lazulite_ir::{DType, Kind, Scalar};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

fn repr(obj: &Bound<'_, PyAny>) -> String {
    obj.repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| type_name(obj))
}

/// The dtype of a `Union[dtype, array]` argument.
fn dtype_or_array(func: &str, param: &str, obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().dtype);
    }
    if let Ok(a) = obj.cast::<PyArray>() {
        return Ok(a.get().inner().dtype());
    }
    Err(type_error(format!(
        "{func}: {param} must be a lazulite dtype (e.g. lazulite.float32) or a lazulite array, got {}",
        repr(obj)
    )))
}

/// Whether `from_` may be cast to `to` by the standard's promotion rules (no value changes).
///
/// `from_`: a dtype or an array (its dtype). `to`: a dtype. Casts across kinds (float to int,
/// complex to float, bool to numbers) are not allowed by these rules. Pure dtype logic: nothing is
/// computed.
///
/// >>> lz.can_cast(lz.int8, lz.int32), lz.can_cast(lz.float64, lz.float32)
/// (True, False)
#[pyfunction]
#[pyo3(signature = (from_, to, /))]
fn can_cast(from_: &Bound<'_, PyAny>, to: &Bound<'_, PyAny>) -> PyResult<bool> {
    let from = dtype_or_array("can_cast", "from_", from_)?;
    let to = match to.cast::<PyDType>() {
        Ok(d) => d.get().dtype,
        Err(_) => {
            return Err(type_error(format!(
                "can_cast: to must be a lazulite dtype (e.g. lazulite.float64), got {}",
                repr(to)
            )))
        }
    };
    Ok(lazulite_ir::can_cast(from, to))
}

/// Machine limits of a floating-point dtype (the result of `finfo`). The numbers are Python floats.
#[pyclass(frozen, name = "finfo_object", module = "lazulite")]
pub struct FInfo {
    /// Bits of the real-valued dtype.
    #[pyo3(get)]
    bits: u32,
    /// Distance from 1.0 to the next larger representable number.
    #[pyo3(get)]
    eps: f64,
    /// Largest finite number.
    #[pyo3(get)]
    max: f64,
    /// Smallest (most negative) finite number.
    #[pyo3(get)]
    min: f64,
    /// Smallest positive normal number.
    #[pyo3(get)]
    smallest_normal: f64,
    real: DType,
}

#[pymethods]
impl FInfo {
    /// The real-valued floating-point dtype these limits describe (`float32` for `complex64`).
    #[getter]
    fn dtype(&self) -> PyDType {
        PyDType { dtype: self.real }
    }

    /// Pickles as the call `finfo(dtype)` that made it.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (PyDType,))> {
        let finfo = py.import("lazulite")?.getattr("finfo")?;
        Ok((finfo, (PyDType { dtype: self.real },)))
    }

    fn __repr__(&self) -> String {
        format!(
            "finfo_object(bits={}, eps={:?}, max={:?}, min={:?}, smallest_normal={:?}, dtype={})",
            self.bits, self.eps, self.max, self.min, self.smallest_normal, self.real
        )
    }
}

/// Limits of an integer dtype (the result of `iinfo`). The numbers are Python ints.
#[pyclass(frozen, name = "iinfo_object", module = "lazulite")]
pub struct IInfo {
    /// Bits of the dtype.
    #[pyo3(get)]
    bits: u32,
    /// Largest value.
    #[pyo3(get)]
    max: i128,
    /// Smallest value.
    #[pyo3(get)]
    min: i128,
    int: DType,
}

#[pymethods]
impl IInfo {
    /// The integer dtype these limits describe.
    #[getter]
    fn dtype(&self) -> PyDType {
        PyDType { dtype: self.int }
    }

    /// Pickles as the call `iinfo(dtype)` that made it.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (PyDType,))> {
        let iinfo = py.import("lazulite")?.getattr("iinfo")?;
        Ok((iinfo, (PyDType { dtype: self.int },)))
    }

    fn __repr__(&self) -> String {
        format!(
            "iinfo_object(bits={}, max={}, min={}, dtype={})",
            self.bits, self.max, self.min, self.int
        )
    }
}

/// The `finfo` numbers of a floating-point dtype; complex dtypes report their real component.
pub fn finfo_of(d: DType) -> Option<FInfo> {
    Some(match d.real_part() {
        DType::F32 => FInfo {
            bits: 32,
            eps: f32::EPSILON as f64,
            max: f32::MAX as f64,
            min: f32::MIN as f64,
            smallest_normal: f32::MIN_POSITIVE as f64,
            real: DType::F32,
        },
        DType::F64 => FInfo {
            bits: 64,
            eps: f64::EPSILON,
            max: f64::MAX,
            min: f64::MIN,
            smallest_normal: f64::MIN_POSITIVE,
            real: DType::F64,
        },
        _ => return None,
    })
}

/// Machine limits of a floating-point dtype: `bits`, `eps`, `max`, `min`, `smallest_normal`,
/// `dtype`.
///
/// `type`: a real or complex floating-point dtype, or an array of one (a complex dtype reports the
/// limits of its real part). The numbers are Python floats.
///
/// >>> fi = lz.finfo(lz.float32)
/// >>> fi.bits, fi.eps
/// (32, 1.1920928955078125e-07)
#[pyfunction]
#[pyo3(signature = (r#type, /))]
fn finfo(r#type: &Bound<'_, PyAny>) -> PyResult<FInfo> {
    let d = dtype_or_array("finfo", "type", r#type)?;
    finfo_of(d).ok_or_else(|| {
        value_error(format!(
            "finfo: {d} is not a floating-point dtype; finfo takes float32, float64, complex64 or \
             complex128 (use iinfo() for integer dtypes)"
        ))
    })
}

/// Machine limits of an integer dtype: `bits`, `max`, `min`, `dtype`.
///
/// `type`: an integer dtype, or an array of one. The numbers are Python ints.
///
/// >>> ii = lz.iinfo(lz.int8)
/// >>> ii.min, ii.max
/// (-128, 127)
#[pyfunction]
#[pyo3(signature = (r#type, /))]
fn iinfo(r#type: &Bound<'_, PyAny>) -> PyResult<IInfo> {
    let d = dtype_or_array("iinfo", "type", r#type)?;
    match (d.is_integer(), d.int_range()) {
        (true, Some((min, max))) => Ok(IInfo {
            bits: d.bits(),
            max,
            min,
            int: d,
        }),
        _ => Err(value_error(format!(
            "iinfo: {d} is not an integer dtype; iinfo takes int8..int64 and uint8..uint64 (use \
             finfo() for floating-point dtypes)"
        ))),
    }
}

/// The data type kinds of `isdtype` and `__array_namespace_info__().dtypes(kind=...)`; `None` for a
/// string that is not one of them.
pub fn kind_matches(kind: &str, d: DType) -> Option<bool> {
    let k = d.kind();
    Some(match kind {
        "bool" => k == Kind::Bool,
        "signed integer" => k == Kind::SignedInt,
        "unsigned integer" => k == Kind::UnsignedInt,
        "integral" => d.is_integer(),
        "real floating" => k == Kind::RealFloat,
        "complex floating" => k == Kind::ComplexFloat,
        "numeric" => d.is_numeric(),
        _ => return None,
    })
}

/// The kind strings the standard defines, for messages.
pub const KIND_NAMES: &str = "'bool', 'signed integer', 'unsigned integer', 'integral', \
                              'real floating', 'complex floating', 'numeric'";

fn isdtype_one(d: DType, kind: &Bound<'_, PyAny>, in_tuple: bool) -> PyResult<bool> {
    if let Ok(s) = kind.cast::<PyString>() {
        let s = s.to_str()?;
        return kind_matches(s, d).ok_or_else(|| {
            value_error(format!(
                "isdtype: unknown data type kind {s:?}; use one of {KIND_NAMES}, a dtype, or a \
                 tuple of those"
            ))
        });
    }
    if let Ok(k) = kind.cast::<PyDType>() {
        return Ok(k.get().dtype == d);
    }
    if let Ok(t) = kind.cast::<PyTuple>() {
        if in_tuple {
            return Err(type_error(
                "isdtype: kind tuples cannot be nested; flatten them into one tuple of dtypes and \
                 kind strings",
            ));
        }
        let mut any = false;
        for k in t.iter() {
            // every entry is checked, so that a bad entry is an error wherever it stands
            any |= isdtype_one(d, &k, true)?;
        }
        return Ok(any);
    }
    Err(type_error(format!(
        "isdtype: kind must be a dtype, a kind string ({KIND_NAMES}) or a tuple of those, got {}",
        repr(kind)
    )))
}

/// Whether `dtype` is `kind`: a dtype, a kind name, or a tuple of either (any of them).
///
/// Kind names: `'bool'`, `'signed integer'`, `'unsigned integer'`, `'integral'`, `'real floating'`,
/// `'complex floating'`, `'numeric'`. `dtype` must be a lazulite dtype (`TypeError` otherwise).
///
/// >>> lz.isdtype(lz.float32, "real floating"), lz.isdtype(lz.uint8, ("bool", "signed integer"))
/// (True, False)
#[pyfunction]
#[pyo3(signature = (dtype, kind))]
fn isdtype(dtype: &Bound<'_, PyAny>, kind: &Bound<'_, PyAny>) -> PyResult<bool> {
    let d = match dtype.cast::<PyDType>() {
        Ok(d) => d.get().dtype,
        Err(_) => {
            return Err(type_error(format!(
                "isdtype: dtype must be a lazulite dtype (e.g. lazulite.int32), got {}; for an \
                 array pass x.dtype",
                repr(dtype)
            )))
        }
    };
    isdtype_one(d, kind, false)
}

/// The dtype that the standard's promotion rules give for the arrays, dtypes and scalars.
///
/// `arrays_and_dtypes`: arrays, dtypes and Python scalars (scalars are weak: they take the kind of
/// the other operands). Mixing kinds the table does not connect (a signed and an unsigned 64-bit
/// integer, an integer and a float dtype) raises `TypeError`.
///
/// >>> lz.result_type(lz.int8, lz.int16), lz.result_type(lz.asarray([1.0], dtype=lz.float32), 2.0)
/// (lazulite.int16, lazulite.float32)
#[pyfunction]
#[pyo3(signature = (*arrays_and_dtypes))]
fn result_type(arrays_and_dtypes: &Bound<'_, PyTuple>) -> PyResult<PyDType> {
    let mut dtypes = Vec::new();
    let mut scalars = Vec::new();
    for (i, a) in arrays_and_dtypes.iter().enumerate() {
        if let Ok(d) = a.cast::<PyDType>() {
            dtypes.push(d.get().dtype);
        } else if let Ok(x) = a.cast::<PyArray>() {
            dtypes.push(x.get().inner().dtype());
        } else if let Some(s) =
            scalar_for("result_type", &format!("arrays_and_dtypes[{i}]"), &a, None)?
        {
            scalars.push((i, s));
        } else {
            return Err(type_error(format!(
                "result_type: arrays_and_dtypes[{i}] must be a lazulite array, a dtype or a Python \
                 scalar (bool, int, float, complex), got {}",
                repr(&a)
            )));
        }
    }
    if dtypes.is_empty() {
        return Err(value_error(
            "result_type: at least one array or dtype is required (Python scalars alone have no \
             dtype); e.g. result_type(lazulite.float32, 1.0)",
        ));
    }
    // arrays and dtypes promote by the table, then each Python scalar joins as a weak scalar
    // (2024.12 rules), and a Python int joins an integer dtype only when it fits, as in an operator
    let mut d = lazulite_ir::promote_all("result_type", &dtypes).map_err(to_pyerr)?;
    for (i, s) in &scalars {
        let param = format!("arrays_and_dtypes[{i}]");
        check_scalar_operand("result_type", &param, &Arg::Scalar(*s), Some(d))?;
        d = lazulite_ir::promote_with_scalar("result_type", d, scalar_kind(*s))
            .map_err(to_pyerr)?;
    }
    if let Some((lo, hi)) = d.int_range() {
        for (i, s) in &scalars {
            if let Some(v) = s.as_i128().filter(|_| !matches!(s, Scalar::Bool(_))) {
                if v < lo || v > hi {
                    return Err(PyOverflowError::new_err(format!(
                        "result_type: arrays_and_dtypes[{i}] is the Python int {v}, out of range for \
                         dtype {d} ({lo} to {hi}); use a wider dtype"
                    )));
                }
            }
        }
    }
    Ok(PyDType { dtype: d })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<FInfo>()?;
    m.add_class::<IInfo>()?;
    m.add_function(wrap_pyfunction!(can_cast, m)?)?;
    m.add_function(wrap_pyfunction!(finfo, m)?)?;
    m.add_function(wrap_pyfunction!(iinfo, m)?)?;
    m.add_function(wrap_pyfunction!(isdtype, m)?)?;
    m.add_function(wrap_pyfunction!(result_type, m)?)?;
    Ok(())
}
