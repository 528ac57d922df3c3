//! Graph -> simplified graph -> fusion groups -> a Schedule of kernel-IR kernels.
//!
//! The whole pipeline is [`plan_traced`]: a list of named passes, in order. Each graph pass builds a new
//! [`Graph`] through [`Graph::add`], so equal nodes stay interned (CSE comes for free); in debug builds
//! a check after each pass asserts that the roots kept their dtypes and shapes and that the graph
//! verifies. No pass recurses over the graph: index order is topological, and walks use explicit stacks.

pub mod fusion;
pub mod layout;
pub mod lower;
mod siblings;
pub mod simplify;

use lazulite_ir::verify::verify_graph;
use lazulite_ir::{bail, ensure, Graph, NodeId, Result, Schedule};
use simplify::Program;

/// Switches for the pipeline (the defaults are what `plan` runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassConfig {
    /// Run constant folding and algebraic simplification.
    pub simplify: bool,
    /// Fuse; when off, every computing node gets its own kernel (movement ops stay index maps).
    pub fuse: bool,
}

impl Default for PassConfig {
    fn default() -> Self {
        PassConfig {
            simplify: true,
            fuse: true,
        }
    }
}

/// One pass of a traced run: its name and the number of graph nodes after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassRecord {
    pub name: &'static str,
    pub nodes: usize,
}

/// What `explain` shows: the passes that ran and what they left.
#[derive(Clone, Debug, Default)]
pub struct PlanTrace {
    pub passes: Vec<PassRecord>,
    /// Nodes given a buffer of their own by the fusion pass (one kernel each).
    pub materialised: usize,
}

/// Plans the computation of `roots`: runs the named pass pipeline and lowers the fusion groups to
/// kernels. Input nodes (`Op::Input { slot, .. }`) refer to the caller's input buffers by slot.
pub fn plan(graph: &Graph, roots: &[NodeId]) -> Result<Schedule> {
    plan_traced(graph, roots, &PassConfig::default()).map(|(s, _)| s)
}

/// [`plan`] with switches, returning the pass trace as well.
pub fn plan_traced(
    graph: &Graph,
    roots: &[NodeId],
    cfg: &PassConfig,
) -> Result<(Schedule, PlanTrace)> {
    check_request(graph, roots)?;
    let mut trace = PlanTrace::default();
    // 1. CSE: the input graph is interned, and every rewriting pass re-interns. (The passes read the
    // caller's graph in place: no copy of it is made.)
    trace.passes.push(PassRecord {
        name: "cse (interned input)",
        nodes: graph.len(),
    });
    // 2. Constant folding and simplification.
    let simplified = if cfg.simplify {
        Some(run_pass(
            &mut trace,
            "simplify",
            graph,
            roots,
            simplify::simplify,
        )?)
    } else {
        None
    };
    // 3. Dead-node elimination (skipped, without a copy, when every node is live).
    let p = match simplified {
        Some(p) if simplify::all_live(&p.graph, &p.roots) => {
            trace.record("eliminate_dead_nodes", &p);
            p
        }
        Some(p) => run_pass(
            &mut trace,
            "eliminate_dead_nodes",
            &p.graph,
            &p.roots,
            simplify::eliminate_dead_nodes,
        )?,
        None => run_pass(
            &mut trace,
            "eliminate_dead_nodes",
            graph,
            roots,
            simplify::eliminate_dead_nodes,
        )?,
    };
    // 4. Fusion and materialisation decisions.
    lazulite_ir::cancel::check("plan")?;
    let fusion = fusion::decide(&p.graph, &p.roots, cfg)?;
    trace.materialised = fusion.materialised.iter().filter(|&&m| m).count();
    trace.record("fuse", &p);
    // 5. Lowering each fusion group to a kernel.
    lazulite_ir::cancel::check("plan")?;
    let schedule = lower::lower(&p.graph, &p.roots, &fusion)?;
    Ok((schedule, trace))
}

impl PlanTrace {
    fn record(&mut self, name: &'static str, p: &Program) {
        self.passes.push(PassRecord {
            name,
            nodes: p.graph.len(),
        });
    }
}

fn check_request(graph: &Graph, roots: &[NodeId]) -> Result<()> {
    for r in roots {
        ensure!(
            r.index() < graph.len(),
            Internal,
            "plan: root node {} is not in the graph of {} nodes; build roots in the graph passed to plan",
            r.0,
            graph.len()
        );
    }
    verify_graph(graph)
}

fn run_pass(
    trace: &mut PlanTrace,
    name: &'static str,
    graph: &Graph,
    roots: &[NodeId],
    pass: fn(&Graph, &[NodeId]) -> Program,
) -> Result<Program> {
    lazulite_ir::cancel::check(name)?; // Ctrl-C between passes of a big graph
    let after = pass(graph, roots);
    if cfg!(debug_assertions) {
        check_pass(name, graph, roots, &after)?;
    }
    trace.record(name, &after);
    Ok(after)
}

/// Debug check after a pass: the roots kept their dtypes and shapes, and the graph verifies.
fn check_pass(name: &str, graph: &Graph, roots: &[NodeId], after: &Program) -> Result<()> {
    ensure!(
        roots.len() == after.roots.len(),
        Internal,
        "pass {name} changed the number of roots"
    );
    for (a, b) in roots.iter().zip(&after.roots) {
        let (x, y) = (graph.node(*a), after.graph.node(*b));
        if x.dtype != y.dtype || x.shape != y.shape {
            bail!(
                Internal,
                "pass {name} changed a root from {} {:?} to {} {:?}",
                x.dtype,
                x.shape.as_slice(),
                y.dtype,
                y.shape.as_slice()
            );
        }
    }
    verify_graph(&after.graph)
        .map_err(|e| lazulite_ir::Error::new(e.kind, format!("after pass {name}: {}", e.message)))
}
