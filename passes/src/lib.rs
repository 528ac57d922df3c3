//! Graph -> simplified graph -> fusion groups -> a Schedule of kernel-IR kernels. (API skeleton: the
//! passes owner replaces the bodies.)

use lazulite_ir::{Error, ErrorKind, Graph, NodeId, Result, Schedule};

/// Plans the computation of `roots`: runs the named pass pipeline and lowers the fusion groups to
/// kernels. Input nodes (`Op::Input { slot, .. }`) refer to the caller's input buffers by slot.
pub fn plan(graph: &Graph, roots: &[NodeId]) -> Result<Schedule> {
    let _ = (graph, roots);
    Err(Error::new(ErrorKind::NotImplemented, "passes::plan"))
}
