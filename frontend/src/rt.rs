//! Every call from the frontend into the runtime, in one place.

use lazulite_ir::{DType, Graph, NodeId, Result};
use lazulite_runtime::ArrayData;

/// Runs the graph: one result per root.
pub(crate) fn compute(
    graph: &Graph,
    roots: &[NodeId],
    inputs: &[ArrayData],
) -> Result<Vec<ArrayData>> {
    lazulite_runtime::compute(graph, roots, inputs)
}

/// The runtime's plan for the graph, as text.
pub(crate) fn explain(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData]) -> Result<String> {
    lazulite_runtime::explain(graph, roots, inputs)
}

/// A C-contiguous array holding a copy of `bytes` (little-endian elements of `dtype`, row-major).
pub(crate) fn array_from_bytes(bytes: &[u8], dtype: DType, shape: &[usize]) -> Result<ArrayData> {
    ArrayData::from_bytes(bytes, dtype, shape)
}
