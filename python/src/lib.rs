//! `lazulite._lazulite`: the pyo3 extension module behind the Python package `lazulite`.
//!
//! - [`guard`]: the one helper every engine call goes through (GIL released, panics caught, errors
//!   mapped to the spec's exceptions);
//! - [`materialize`]: the one materialisation choke point (and `repr`);
//! - [`array`]: the array class; [`dtype`]: dtype and device objects;
//! - [`asarray`], [`functions`]: the namespace's functions; [`convert`]: argument conversions.

mod array;
mod asarray;
mod convert;
mod dtype;
mod functions;
mod guard;
mod materialize;

use lazulite_ir::DType;
use pyo3::prelude::*;

#[pymodule]
fn _lazulite(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<array::PyArray>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<dtype::PyDevice>()?;
    array::install_inplace(&py.get_type::<array::PyArray>())?;
    for d in DType::ALL {
        m.add(d.name(), dtype::PyDType { dtype: d })?;
    }
    m.add("cpu", dtype::PyDevice)?;
    m.add_function(wrap_pyfunction!(asarray::asarray, m)?)?;
    m.add_function(wrap_pyfunction!(materialize::materialization_count, m)?)?;
    m.add_function(wrap_pyfunction!(materialize::set_implicit_compute, m)?)?;
    functions::register(m)?;
    Ok(())
}
