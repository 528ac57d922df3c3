//! `lazulite._lazulite`: the pyo3 extension module behind the Python package `lazulite`.
//!
//! - [`guard`]: the one helper every engine call goes through (GIL released, panics caught, errors
//!   mapped to the spec's exceptions);
//! - [`materialize`]: the one materialisation choke point; [`printing`]: `repr` and `str`, NumPy's way;
//!   [`progress`]: the runtime's progress hook, forwarded to Python;
//! - [`array`]: the array class; [`pickle`]: its pickling and copying; [`dtype`]: dtype and device
//!   objects;
//! - [`asarray`], [`functions`], [`elementwise`], [`creation`], [`manipulation`], [`statistics`],
//!   [`linalg`], [`searching`]: the namespace's functions; [`linalg_ext`]: the `linalg` extension's
//!   extern ops (submodule `_linalg`); [`fft`]: the `fft` extension (`lazulite.fft`); [`convert`]:
//!   argument conversions.

mod alloc;
mod array;
mod asarray;
mod buffer;
mod convert;
mod creation;
mod dlpack;
mod dtype;
mod dtypefns;
mod elementwise;
mod fft;
mod functions;
mod guard;
mod indexing;
mod linalg;
mod linalg_ext;
mod manipulation;
mod materialize;
mod pickle;
mod printing;
mod progress;
mod searching;
mod statistics;
mod views;

use lazulite_ir::DType;
use pyo3::prelude::*;

/// Small blocks from mimalloc, large ones from the system allocator: see [`alloc`].
#[global_allocator]
static ALLOCATOR: alloc::Split = alloc::Split;

#[pymodule]
fn _lazulite(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<array::PyArray>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<dtype::PyDevice>()?;
    array::install_inplace(&py.get_type::<array::PyArray>())?;
    buffer::install(&py.get_type::<array::PyArray>())?;
    for d in DType::ALL {
        m.add(d.name(), dtype::PyDType { dtype: d })?;
    }
    m.add(
        "cpu",
        dtype::PyDevice {
            device: lazulite_ir::Device::Cpu,
        },
    )?;
    m.add_function(wrap_pyfunction!(_devices, m)?)?;
    m.add_function(wrap_pyfunction!(asarray::asarray, m)?)?;
    m.add_function(wrap_pyfunction!(materialize::materialization_count, m)?)?;
    m.add_function(wrap_pyfunction!(materialize::set_implicit_compute, m)?)?;
    m.add_function(wrap_pyfunction!(_stats, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // threads and JIT set-up start now, in the background, instead of inside the first compute
    guard::warm_up();
    functions::register(m)?;
    creation::register(m)?;
    manipulation::register(m)?;
    statistics::register(m)?;
    linalg::register(m)?;
    linalg_ext::register(m)?;
    searching::register(m)?;
    dtypefns::register(m)?;
    m.add_function(wrap_pyfunction!(dlpack::from_dlpack, m)?)?;
    m.add_function(wrap_pyfunction!(materialize::set_data_dependent_shapes, m)?)?;
    m.add_function(wrap_pyfunction!(materialize::_capabilities, m)?)?;
    indexing::register(m)?;
    m.add_function(wrap_pyfunction!(pickle::_array_from_pickle, m)?)?;
    fft::register(m)?;
    m.add_function(wrap_pyfunction!(progress::set_progress, m)?)?;
    Ok(())
}

/// The devices arrays can live on: `cpu`, then each CUDA device present (what
/// `__array_namespace_info__().devices()` returns).
#[pyfunction]
fn _devices() -> Vec<dtype::PyDevice> {
    lazulite_frontend::devices()
        .into_iter()
        .map(|device| dtype::PyDevice { device })
        .collect()
}

/// The engine's counters since the process started (kernels compiled and their total compile time,
/// interpreted and compiled runs, cache hits, buffer reuse): for benchmarks and debugging.
#[pyfunction]
fn _stats(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let s = lazulite_frontend::stats();
    let d = pyo3::types::PyDict::new(py);
    d.set_item("kernels_compiled", s.kernels_compiled)?;
    d.set_item("compile_failures", s.compile_failures)?;
    d.set_item("compile_seconds", s.compile_time_ns as f64 * 1e-9)?;
    d.set_item("quick_compiles", s.quick_compiles)?;
    d.set_item("narrow_compiles", s.narrow_compiles)?;
    d.set_item("background_compiles", s.background_compiles)?;
    d.set_item("background_compiles_pending", s.background_compiles_pending)?;
    d.set_item(
        "background_compile_seconds",
        s.background_compile_time_ns as f64 * 1e-9,
    )?;
    d.set_item("interpreted_runs", s.interpreted_runs)?;
    d.set_item("compiled_runs", s.compiled_runs)?;
    d.set_item("parallel_runs", s.parallel_runs)?;
    d.set_item("plan_cache_hits", s.plan_cache_hits)?;
    d.set_item("plan_cache_misses", s.plan_cache_misses)?;
    d.set_item("kernel_cache_hits", s.kernel_cache_hits)?;
    d.set_item("kernel_cache_misses", s.kernel_cache_misses)?;
    d.set_item("buffers_reused", s.buffers_reused)?;
    d.set_item("buffers_allocated", s.buffers_allocated)?;
    d.set_item("temps_freed_early", s.temps_freed_early)?;
    d.set_item("lower_seconds", s.lower_time_ns as f64 * 1e-9)?;
    d.set_item("plan_seconds", s.plan_time_ns as f64 * 1e-9)?;
    d.set_item("execute_seconds", s.execute_time_ns as f64 * 1e-9)?;
    d.set_item("release_seconds", s.release_time_ns as f64 * 1e-9)?;
    let t = lazulite_frontend::transfer_stats();
    d.set_item("host_to_device_bytes", t.host_to_device_bytes)?;
    d.set_item("device_to_host_bytes", t.device_to_host_bytes)?;
    d.set_item("device_host_round_trips", t.host_round_trips)?;
    d.set_item("device_launches", t.launches)?;
    d.set_item(
        "host_copies_of_device_arrays",
        materialize::host_copies_of_device_arrays(),
    )?;
    Ok(d)
}
