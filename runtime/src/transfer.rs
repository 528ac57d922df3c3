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

/// The device address of element (0, ..., 0) of `data` and its device ordinal (`None` for host
/// data), for handing device memory out (DLPack export).
pub fn device_address(data: &ArrayData) -> Option<(u64, u16)> {
    let Device::Cuda(n) = data.device() else {
        return None;
    };
    let base = data.buffer.device_ptr()?;
    let off = data.offset * data.dtype.size() as isize;
    Some((base.wrapping_add_signed(off as i64), n))
}

/// Waits until all work queued on `device`'s stream (lazulite uses one per device, the driver's
/// default stream) has finished; nothing to do on the host.
pub fn synchronize(device: Device) -> Result<()> {
    match device {
        Device::Cpu => Ok(()),
        Device::Cuda(n) => CudaDevice::get(n)?.driver().synchronize(),
    }
}

/// A copy of `data` on its own device (a device-to-device copy of the span its layout reads, so the
/// strides stay); a host array is copied on the host.
pub fn copy_on_device(data: &ArrayData) -> Result<ArrayData> {
    let Device::Cuda(n) = data.device() else {
        return ArrayData::from_bytes(&data.to_contiguous_bytes(), data.dtype, &data.shape);
    };
    data.check_layout()?;
    let dev = CudaDevice::get(n)?;
    let Some(src) = data.buffer.device_ptr() else {
        bail!(
            Internal,
            "copy_on_device: an array on cuda:{n} has no device memory"
        );
    };
    let size = data.dtype.size() as isize;
    let span = data.extent();
    let (lo, bytes) = (
        (span.start * size) as u64,
        ((span.end - span.start) * size) as usize,
    );
    let block = dev.alloc("copy", bytes)?;
    if bytes > 0 {
        dev.driver().copy_dtod(src + lo, block.ptr(), bytes)?;
    }
    Ok(ArrayData {
        buffer: Arc::new(Buffer::from_device(block, n)),
        offset: data.offset - span.start,
        strides: data.strides.clone(),
        shape: data.shape.clone(),
        dtype: data.dtype,
    })
}

/// Wraps `len` bytes of CUDA device `ordinal`'s memory at `ptr`, owned by `owner` (a DLPack
/// producer's deleter), without copying. A `Value` error when the device cannot be opened.
///
/// # Safety
/// As [`Buffer::from_external_device`]: the memory is `ordinal`'s and stays valid while `owner` lives.
pub unsafe fn wrap_device_memory(
    ptr: u64,
    len: usize,
    ordinal: u16,
    owner: Box<dyn std::any::Any + Send + Sync>,
) -> Result<Buffer> {
    CudaDevice::get(ordinal)?;
    // SAFETY: the caller's contract is `from_external_device`'s.
    Ok(unsafe { Buffer::from_external_device(ptr, len, ordinal, owner) })
}
