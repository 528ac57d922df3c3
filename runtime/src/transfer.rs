//! Explicit copies between the host and CUDA devices: [`to_device`]. The only way data changes device
//! (the standard allows no implicit transfers); host access to a device array (`ArrayData::try_get`,
//! `try_to_contiguous_bytes`) goes through it too, so every device-to-host copy is counted in
//! [`crate::backend::cuda::transfer_stats`].

use crate::backend::cuda::CudaDevice;
use crate::buffer::{ArrayData, Buffer};
use lazulite_ir::{bail, Device, Result};
use std::sync::Arc;

/// `data` on `device`: the array itself when it is there already, else a copy of the elements its
/// layout reads (the buffer's span from the lowest to the highest element, so a view keeps its
/// strides and the copy is bit-exact), host to device, device to host, or device to device through
/// the host. A device that cannot be opened is a `Value` error naming it.
pub fn to_device(data: &ArrayData, device: Device) -> Result<ArrayData> {
    let from = data.device();
    if from == device {
        return Ok(data.clone());
    }
    data.check_layout()?;
    let size = data.dtype.size() as isize;
    let span = data.extent();
    let (lo, bytes) = (span.start * size, (span.end - span.start) * size);
    let (lo, bytes) = (lo as usize, bytes as usize);
    let buffer = match (from, device) {
        (Device::Cpu, Device::Cuda(n)) => {
            let dev = CudaDevice::get(n)?;
            let src = &data.buffer.as_slice()?[lo..lo + bytes];
            Arc::new(Buffer::from_device(dev.upload("to_device", src)?, n))
        }
        (Device::Cuda(m), Device::Cpu) => {
            let dev = CudaDevice::get(m)?;
            let Some(ptr) = data.buffer.device_ptr() else {
                bail!(
                    Internal,
                    "to_device: an array on {from} has no device memory"
                );
            };
            dev.download(ptr + lo as u64, bytes)?
        }
        (Device::Cuda(_), Device::Cuda(_)) => {
            let host = to_device(data, Device::Cpu)?;
            return to_device(&host, device);
        }
        (Device::Cpu, Device::Cpu) => return Ok(data.clone()),
    };
    Ok(ArrayData {
        buffer,
        offset: data.offset - span.start,
        strides: data.strides.clone(),
        shape: data.shape.clone(),
        dtype: data.dtype,
    })
}

/// Whether `data` is a scalar parameter: one element seen at every index (all strides 0), as the
/// frontend makes from a Python or Rust number. A CUDA schedule uploads such host inputs (a few
/// bytes) instead of refusing them.
pub(crate) fn is_scalar_parameter(data: &ArrayData) -> bool {
    data.buffer.len() == data.dtype.size() && data.strides.iter().all(|&s| s == 0)
}

/// `Ok` when `device` is one of [`devices`], else a `Value` error from `func` naming the device, the
/// devices present, why the device cannot be opened (the driver's own reason: no driver, no such
/// ordinal, ...) and the fix.
pub fn check_device(func: &str, device: Device) -> Result<()> {
    let present = devices();
    if present.contains(&device) {
        return Ok(());
    }
    let names: Vec<String> = present.iter().map(|d| d.to_string()).collect();
    let why = match device {
        Device::Cuda(n) => match crate::backend::driver::open(n) {
            Err(e) => e.message,
            Ok(_) => format!("device {device} is not available"),
        },
        Device::Cpu => format!("device {device} is not available"),
    };
    bail!(
        Value,
        "{func}: {why} (devices present: {})",
        names.join(", ")
    )
}

/// The devices arrays can live on: the host, then each CUDA device present (`cuda:0`, ...; none
/// without an NVIDIA driver; the emulated device of the tests is `cuda:0`).
pub fn devices() -> Vec<Device> {
    let n = crate::backend::driver::device_count().min(usize::from(u16::MAX));
    std::iter::once(Device::Cpu)
        .chain((0..n as u16).map(Device::Cuda))
        .collect()
}
