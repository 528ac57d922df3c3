//! Every call from the frontend into the runtime, in one place.

use crate::array::LazyArray;
use lazulite_ir::{DType, Graph, NodeId, Result, Schedule};
use lazulite_runtime::ArrayData;
use std::sync::Arc;

/// The schedule that computes `roots` (from the plan cache, or planned and cached).
pub(crate) fn plan(graph: &Graph, roots: &[NodeId]) -> Result<Arc<Schedule>> {
    lazulite_runtime::plan(graph, roots)
}

/// Runs a schedule on the graph's inputs: one result per root.
pub(crate) fn execute(schedule: &Schedule, inputs: &[ArrayData]) -> Result<Vec<ArrayData>> {
    lazulite_runtime::execute_timed(schedule, inputs)
}

/// The runtime's plan for the graph, as text (with each kernel's IR when `ir`).
pub(crate) fn explain(
    graph: &Graph,
    roots: &[NodeId],
    inputs: &[ArrayData],
    ir: bool,
) -> Result<String> {
    lazulite_runtime::explain(graph, roots, inputs, ir)
}

/// The runtime's plan for the graph, as a Graphviz DOT graph.
pub(crate) fn explain_dot(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData]) -> Result<String> {
    lazulite_runtime::explain_dot(graph, roots, inputs)
}

/// A new C-contiguous array whose bytes `fill` writes in place (they start zeroed); an impossible or
/// refused size is a `Memory` error naming `what`.
pub(crate) fn array_with(
    what: &str,
    dtype: DType,
    shape: &[usize],
    fill: impl FnOnce(&mut [u8]) -> Result<()>,
) -> Result<ArrayData> {
    ArrayData::from_writer(what, dtype, shape, fill)
}

/// A C-contiguous array holding a copy of `bytes` (little-endian elements of `dtype`, row-major).
pub(crate) fn array_from_bytes(bytes: &[u8], dtype: DType, shape: &[usize]) -> Result<ArrayData> {
    ArrayData::from_bytes(bytes, dtype, shape)
}

/// Starts the runtime's worker pool and the JIT's set-up now, so that the first computation finds
/// them ready (the Python module calls it at import). Optional: a failure is left for the first
/// computation to report.
pub fn warm_up() {
    lazulite_runtime::warm_up();
}

/// Pending nodes and loop points below which computing is certainly quick (well under a millisecond
/// of kernels, and a small plan).
const SMALL_NODES: usize = 32;
const SMALL_POINTS: usize = 1 << 16;

/// Whether computing `arrays` is certainly small work: few pending nodes whose elements and operand
/// elements add up to little. The Python edge runs such calls inline; larger ones go through its
/// interruptible path (a hand-off to a driver thread, so that Ctrl-C can cancel them).
pub fn is_small_work(arrays: &[&LazyArray]) -> bool {
    let mut stack: Vec<LazyArray> = arrays.iter().map(|a| (*a).clone()).collect();
    let (mut nodes, mut points) = (0usize, 0usize);
    while let Some(x) = stack.pop() {
        if x.pending_op().is_none() {
            continue;
        }
        nodes += 1;
        points = points.saturating_add(x.size());
        for o in x.operands() {
            points = points.saturating_add(o.size());
            stack.push(o);
        }
        if nodes > SMALL_NODES || points > SMALL_POINTS {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazulite_ir::DType;

    #[test]
    fn small_work_is_recognised() {
        let small = crate::creation::ones(&[100], DType::F64).unwrap();
        let chain = crate::elementwise::sin(&crate::elementwise::exp(&small).unwrap()).unwrap();
        assert!(is_small_work(&[&chain]));
        let big = crate::creation::ones(&[1 << 20], DType::F64).unwrap();
        assert!(!is_small_work(&[&crate::elementwise::sin(&big).unwrap()]));
        // a reduction of big data to one element is big work; so is a long chain of small nodes
        let data = crate::creation::from_vec(vec![0.5f64; 1 << 17], &[1 << 17]).unwrap();
        assert!(is_small_work(&[&data]), "realized data needs no work");
        assert!(!is_small_work(&[&crate::reduce::sum(
            &data, None, false, None
        )
        .unwrap()]));
        let mut long = small.clone();
        for _ in 0..SMALL_NODES + 1 {
            long = crate::elementwise::sin(&long).unwrap();
        }
        assert!(!is_small_work(&[&long]));
    }
}
