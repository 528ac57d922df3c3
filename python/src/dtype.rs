//! The dtype objects (`lazulite.float64`, ...) and the device object.

use crate::guard::{type_error, value_error};
use lazulite_ir::DType;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// A dtype of the array API standard. There are 13 instances, one per dtype, in the namespace.
#[pyclass(frozen, name = "dtype", module = "lazulite")]
#[derive(Clone, Copy)]
pub struct PyDType {
    pub dtype: DType,
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("lazulite.{}", self.dtype.name())
    }

    fn __str__(&self) -> &'static str {
        self.dtype.name()
    }

    /// Equal to the dtype object of the same dtype, unequal to everything else.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyDType>() {
            Ok(o) => o.get().dtype == self.dtype,
            Err(_) => false,
        }
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    fn __hash__(&self) -> u64 {
        // distinct small numbers per dtype, offset so they do not collide with small ints by accident
        0x6c61_7a00 + self.dtype as u64
    }

    /// The spec's name (`"float64"`).
    #[getter]
    fn name(&self) -> &'static str {
        self.dtype.name()
    }

    /// Bytes per element.
    #[getter]
    fn itemsize(&self) -> usize {
        self.dtype.size()
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let module = py.import("lazulite")?;
        Ok((
            module.getattr("_dtype_from_name")?.unbind(),
            (self.dtype.name().to_string(),),
        ))
    }
}

/// The dtype named by a `dtype=` argument: `None` or a lazulite dtype object.
pub fn dtype_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            match o.cast::<PyDType>() {
                Ok(d) => Ok(Some(d.get().dtype)),
                Err(_) => Err(type_error(format!(
                "{func}: dtype must be one of the lazulite dtype objects (e.g. lazulite.float32), \
                 got {}",
                o.repr().map(|r| r.to_string()).unwrap_or_else(|_| "an unprintable object".into())
            ))),
            }
        }
    }
}

/// A dtype that must be given (the positional `dtype` of `astype`).
pub fn required_dtype(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    dtype_arg(func, Some(obj))?.ok_or_else(|| {
        type_error(format!(
            "{func}: a dtype is required (e.g. lazulite.float32), got None"
        ))
    })
}

/// The device every lazulite array lives on today: the host CPU.
#[pyclass(frozen, name = "Device", module = "lazulite")]
pub struct PyDevice;

#[pymethods]
impl PyDevice {
    fn __repr__(&self) -> &'static str {
        "Device('cpu')"
    }

    fn __str__(&self) -> &'static str {
        "cpu"
    }

    /// Equal to another CPU device object and to the string `"cpu"`.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyDevice>().is_ok()
            || other
                .cast::<PyString>()
                .map(|s| s.to_str().map(|s| s == "cpu").unwrap_or(false))
                .unwrap_or(false)
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    /// Pickles by reference, as the namespace's `lazulite.cpu` (the one CPU device object).
    fn __reduce__(&self) -> &'static str {
        "cpu"
    }

    /// The hash of `"cpu"`, so that equal objects hash equally.
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        PyString::new(py, "cpu").hash()
    }
}

/// Checks a `device=` argument: `None` or the CPU device object (`lazulite.cpu`, `x.device`, an entry
/// of `__array_namespace_info__().devices()`). Strings are refused, as in `array_api_strict`: a device
/// is an object of the library.
pub fn check_device(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let Some(o) = obj else { return Ok(()) };
    if o.is_none() || o.cast::<PyDevice>().is_ok() {
        return Ok(());
    }
    Err(value_error(format!(
        "{func}: unsupported device {}; pass a lazulite device object (lazulite.cpu, x.device or \
         an entry of __array_namespace_info__().devices()) or None",
        o.repr().map(|r| r.to_string()).unwrap_or_default()
    )))
}

/// Checks the device of `x.to_device(device)`: the CPU device object or the string `"cpu"`.
pub fn check_to_device(o: &Bound<'_, PyAny>) -> PyResult<()> {
    if o.cast::<PyDevice>().is_ok() {
        return Ok(());
    }
    if let Ok(s) = o.cast::<PyString>() {
        if s.to_str()? == "cpu" {
            return Ok(());
        }
    }
    Err(value_error(format!(
        "to_device: unsupported device {}; lazulite arrays live on the CPU (x.to_device(lazulite.cpu) \
         or x.to_device(\"cpu\"))",
        o.repr().map(|r| r.to_string()).unwrap_or_default()
    )))
}
