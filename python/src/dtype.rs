//! The dtype objects (`lazulite.float64`, ...) and the device object.

use crate::guard::{type_error, value_error};
use lazulite_ir::{DType, Device};
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

/// A device an array lives on: the host (`lazulite.cpu`) or a CUDA GPU (`Device("cuda:0")`).
///
/// Constructed from `"cpu"`, `"cuda"` (the first GPU) or `"cuda:N"`; equal to another device object
/// naming the same device and to its string; hashable. `__array_namespace_info__().devices()` lists
/// the devices present.
///
/// >>> lz.Device("cpu") == lz.cpu, str(lz.Device("cuda")), repr(lz.Device("cuda:1"))
/// (True, 'cuda:0', "Device('cuda:1')")
#[pyclass(frozen, name = "Device", module = "lazulite")]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PyDevice {
    pub device: Device,
}

/// `"cpu"`, `"cuda"`, `"cuda:N"` as a device (`None` for anything else).
pub fn parse_device(s: &str) -> Option<Device> {
    match s {
        "cpu" => Some(Device::Cpu),
        "cuda" => Some(Device::Cuda(0)),
        _ => s
            .strip_prefix("cuda:")
            .and_then(|n| n.parse::<u16>().ok())
            .map(Device::Cuda),
    }
}

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (name, /))]
    fn py_new(name: &Bound<'_, PyAny>) -> PyResult<PyDevice> {
        if let Ok(d) = name.cast::<PyDevice>() {
            return Ok(*d.get());
        }
        let parsed = name
            .cast::<PyString>()
            .ok()
            .and_then(|s| s.to_str().ok().and_then(parse_device));
        parsed.map(|device| PyDevice { device }).ok_or_else(|| {
            value_error(format!(
                "Device: unknown device {}; pass \"cpu\", \"cuda\" or \"cuda:N\"",
                name.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        })
    }

    fn __repr__(&self) -> String {
        format!("Device('{}')", self.device)
    }

    fn __str__(&self) -> String {
        self.device.to_string()
    }

    /// Equal to a device object naming the same device and to its string (`"cpu"`, `"cuda:0"`).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        if let Ok(d) = other.cast::<PyDevice>() {
            return d.get().device == self.device;
        }
        other
            .cast::<PyString>()
            .ok()
            .and_then(|s| s.to_str().ok().map(|s| s == self.device.to_string()))
            .unwrap_or(false)
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    /// Pickles the CPU device by reference, as the namespace's `lazulite.cpu`, and a GPU as
    /// `Device("cuda:N")`.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.device {
            Device::Cpu => Ok(PyString::new(py, "cpu").into_any()),
            d => (py.get_type::<PyDevice>(), (d.to_string(),))
                .into_pyobject(py)
                .map(Bound::into_any),
        }
    }

    /// The hash of the device's string, so that a device and its string hash equally.
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        PyString::new(py, &self.device.to_string()).hash()
    }
}

/// The device of a `device=` argument: `None` (the caller's default) or a device object
/// (`lazulite.cpu`, `x.device`, `lazulite.Device("cuda:0")`, an entry of
/// `__array_namespace_info__().devices()`). Strings are refused, as in `array_api_strict`: a device
/// is an object of the library (`x.to_device` also takes strings).
pub fn check_device(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Device>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(d) = o.cast::<PyDevice>() {
        return Ok(Some(d.get().device));
    }
    Err(value_error(format!(
        "{func}: unsupported device {}; pass a lazulite device object (lazulite.cpu, x.device, \
         lazulite.Device(\"cuda:0\") or an entry of __array_namespace_info__().devices()) or None",
        o.repr().map(|r| r.to_string()).unwrap_or_default()
    )))
}

/// The device of `x.to_device(device)`: a device object or its string (`"cpu"`, `"cuda"`,
/// `"cuda:N"`).
pub fn to_device_arg(o: &Bound<'_, PyAny>) -> PyResult<Device> {
    if let Ok(d) = o.cast::<PyDevice>() {
        return Ok(d.get().device);
    }
    o.cast::<PyString>()
        .ok()
        .and_then(|s| s.to_str().ok().and_then(parse_device))
        .ok_or_else(|| {
            value_error(format!(
                "to_device: unsupported device {}; pass a device object (lazulite.cpu, x.device, \
                 lazulite.Device(\"cuda:0\")) or its string (\"cpu\", \"cuda:0\")",
                o.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        })
}

/// `x` on `device` when one was given (a lazy transfer; `x` itself when it is there already).
pub fn on_device(
    x: lazulite_frontend::LazyArray,
    device: Option<Device>,
) -> PyResult<lazulite_frontend::LazyArray> {
    match device {
        None => Ok(x),
        Some(d) => x.to_device(d).map_err(crate::guard::to_pyerr),
    }
}
