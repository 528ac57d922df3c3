//! Devices, buffers, executor, caches, interpreter, threads. (API skeleton: the runtime owner replaces
//! the bodies.)

use lazulite_ir::{DType, Error, ErrorKind, Graph, NodeId, Result, Shape, Strides};
use std::sync::Arc;

/// Aligned host memory from a pool (or borrowed from an external owner, zero-copy).
pub struct Buffer {
    _private: (),
}

/// An array value: a buffer read with a layout. `offset` is the element index (in the buffer) of the
/// element at index (0, ..., 0); `strides` are in elements and may be 0 or negative.
#[derive(Clone)]
pub struct ArrayData {
    pub buffer: Arc<Buffer>,
    pub offset: isize,
    pub strides: Strides,
    pub shape: Shape,
    pub dtype: DType,
}

/// Plans (with the plan cache) and executes `roots`; input slot `i` of the graph reads `inputs[i]`.
pub fn compute(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData]) -> Result<Vec<ArrayData>> {
    let _ = (graph, roots, inputs);
    Err(Error::new(ErrorKind::NotImplemented, "runtime::compute"))
}
