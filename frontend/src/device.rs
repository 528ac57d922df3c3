//! Creation on a device: the creation functions with a [`Device`] (`zeros_on`, `ones_on`, `full_on`,
//! `from_vec_on`), and [`LazyArray::device`] / [`LazyArray::to_device`] (in `array.rs`).
//!
//! An array lives on one device; ops over arrays on two devices are a `Value` error naming both, and
//! data moves only through `to_device`. A fill has no input to say where it runs, so these functions
//! build the array on the host and add a lazy transfer: computing it fills on the host and copies
//! once to the device.

use crate::array::LazyArray;
use crate::creation::{check_shape, from_vec, full, Element};
use crate::elementwise::fill;
use lazulite_ir::{DType, Device, Result, Scalar};

/// `zeros(shape, dtype)` on `device`.
///
/// ```
/// use lazulite_frontend::{self as lz, DType, Device};
/// let z = lz::zeros_on(&[2, 3], DType::F32, Device::Cpu)?; // Device::Cuda(0): the first GPU
/// assert_eq!((z.device(), z.to_vec::<f32>()?), (Device::Cpu, vec![0.0; 6]));
/// # Ok::<(), lz::Error>(())
/// ```
pub fn zeros_on(shape: &[usize], dtype: DType, device: Device) -> Result<LazyArray> {
    check_shape("zeros", shape)?;
    fill(Scalar::Int(0), dtype, shape).to_device(device)
}

/// `ones(shape, dtype)` on `device`.
pub fn ones_on(shape: &[usize], dtype: DType, device: Device) -> Result<LazyArray> {
    check_shape("ones", shape)?;
    fill(Scalar::Int(1), dtype, shape).to_device(device)
}

/// `full(shape, value, dtype)` on `device`.
pub fn full_on(
    shape: &[usize],
    value: Scalar,
    dtype: Option<DType>,
    device: Device,
) -> Result<LazyArray> {
    full(shape, value, dtype)?.to_device(device)
}

/// The elements of `data` (row-major in `shape`) on `device`: on the host without a copy, on a GPU
/// copied there when computed.
pub fn from_vec_on<T: Element>(data: Vec<T>, shape: &[usize], device: Device) -> Result<LazyArray> {
    from_vec(data, shape)?.to_device(device)
}
