//! [`LazyArray`]: a node of the lazy DAG, and the one path from the DAG to the runtime (`compute`,
//! `compute_many`, `explain`).
//!
//! A node is either realized data or an [`Op`] over operand nodes. Its dtype and shape are fixed when it
//! is built. Computing a node interns the unrealized part of the DAG below it into an [`ir::Graph`]
//! (realized nodes become `Op::Input` leaves), hands the graph to the runtime and stores the result in
//! the node's realized slot; from then on the node is a leaf and its operands are released.
//!
//! Every walk over the DAG uses an explicit stack, and dropping a node unlinks its operand chain
//! iteratively, so chains of any length neither build, compute nor drop recursively.

mod lower;

use crate::rt;
use hashbrown::HashSet;
use lazulite_ir::{self as ir, DType, Device, NodeId, Op, Result, Shape};
use lower::{lower, lower_and_plan, Lowered, Memo};
use smallvec::SmallVec;
use std::cell::{RefCell, UnsafeCell};
use std::sync::{Arc, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use lazulite_runtime::ArrayData;

/// Operands of a node (at most three: `where`).
pub(crate) type Operands = SmallVec<[LazyArray; 3]>;

pub(crate) struct Node {
    /// `None` for a node built from data (it is realized from the start), or for a transfer (one
    /// operand, copied to `device` when computed: [`LazyArray::to_device`]).
    op: Option<Op>,
    dtype: DType,
    shape: Shape,
    /// Where the node's value lives (or will).
    device: Device,
    /// The operands, emptied once the node is realized (a realized node needs none of them). Read
    /// under [`OPERANDS`]' read guard, emptied under its write guard (or through `&mut`).
    inputs: UnsafeCell<Operands>,
    /// Boxed: an unrealized node (most nodes, most of the time) then pays one pointer for it.
    realized: OnceLock<Box<ArrayData>>,
}

/// A lazy array: its dtype and shape are known at build time, its values once computed. Cheap to clone
/// (an `Arc`); `Send + Sync`.
#[derive(Clone)]
pub struct LazyArray(Arc<Node>);

/// The one lock of every node's operand list: a walk reads the lists of a whole DAG under one read
/// guard (two atomic operations per walk, where a lock per node cost four per node: a third of the
/// warm 1000-op chain's lookup), and [`LazyArray::store`] empties a list under the write guard.
static OPERANDS: RwLock<()> = RwLock::new(());

/// A read guard of [`OPERANDS`]: while it lives no operand list is emptied, so every node reachable
/// from a node the holder keeps alive stays alive, with its operands. Never take a second one on
/// the same thread while holding one (a writer waiting in between would deadlock both), nor compute.
pub(crate) struct OperandsGuard(#[allow(dead_code)] RwLockReadGuard<'static, ()>);

pub(crate) fn operands_guard() -> OperandsGuard {
    // A poisoned lock only means another thread panicked while holding it; the operand lists
    // themselves are always consistent (a list is replaced wholesale), so keep using them.
    OperandsGuard(OPERANDS.read().unwrap_or_else(|p| p.into_inner()))
}

fn operands_write() -> RwLockWriteGuard<'static, ()> {
    OPERANDS.write().unwrap_or_else(|p| p.into_inner())
}

// SAFETY: every field but `inputs` is `Sync`; `inputs` is read only under a read guard of
// `OPERANDS` and written only under its write guard or through `&mut Node`, so no thread reads it
// while another writes it.
unsafe impl Sync for Node {}

impl Drop for Node {
    fn drop(&mut self) {
        // Unlink the operand chain iteratively: take the operands out, and for every operand we hold
        // the last reference to, take its operands out before it is dropped (so its own `drop` finds
        // nothing to recurse into).
        let mut stack: Vec<LazyArray> = std::mem::take(self.inputs.get_mut()).into_vec();
        while let Some(LazyArray(arc)) = stack.pop() {
            if let Some(mut node) = Arc::into_inner(arc) {
                let ops = std::mem::take(node.inputs.get_mut());
                stack.extend(ops);
            }
        }
    }
}

impl std::fmt::Debug for LazyArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LazyArray({}, shape={:?}, {})",
            self.0.dtype,
            self.0.shape.as_slice(),
            match &self.0.op {
                _ if self.0.realized.get().is_some() => "realized",
                Some(op) => op.name(),
                None => "data",
            }
        )
    }
}

impl LazyArray {
    /// A new unrealized node. Callers have checked the op's rules: `dtype` and `shape` are the node's
    /// and the operands satisfy the graph invariants (`ir::verify::verify_graph`).
    pub(crate) fn from_op(op: Op, inputs: Operands, dtype: DType, shape: Shape) -> LazyArray {
        // the operands' device; scalar parameters (host data) go wherever the arrays are
        let device = inputs
            .iter()
            .find(|a| !a.is_scalar_parameter())
            .or(inputs.first())
            .map_or(Device::Cpu, LazyArray::device);
        LazyArray(Arc::new(Node {
            op: Some(op),
            dtype,
            shape,
            device,
            inputs: UnsafeCell::new(inputs),
            realized: OnceLock::new(),
        }))
    }

    /// An already realized array (zero-copy: the array shares `data`'s buffer).
    pub fn from_data(data: ArrayData) -> LazyArray {
        let realized = OnceLock::new();
        let (dtype, shape, device) = (data.dtype, data.shape.clone(), data.device());
        let _ = realized.set(Box::new(data));
        LazyArray(Arc::new(Node {
            op: None,
            dtype,
            shape,
            device,
            inputs: UnsafeCell::new(Operands::new()),
            realized,
        }))
    }

    /// The dtype (known when the array is built).
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// The shape (known when the array is built).
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// The device the array lives on (or will, once computed): [`Device::Cpu`] or
    /// [`Device::Cuda`]`(n)`.
    pub fn device(&self) -> Device {
        self.0.device
    }

    /// The array on `device`, lazily: a transfer node that, when computed, computes `self` on its
    /// own device and copies the result ([`lazulite_runtime::to_device`]; bit-exact, views keep
    /// their strides). The array itself when it is on `device` already. The standard's explicit
    /// transfer: arrays on different devices are never combined implicitly.
    ///
    /// ```
    /// use lazulite_frontend::{self as lz, Device};
    /// let x = lz::zeros(&[4], lz::DType::F64)?;
    /// let y = x.to_device(Device::Cpu)?; // Device::Cuda(0) for the first GPU
    /// assert_eq!(y.device(), Device::Cpu);
    /// # Ok::<(), lz::Error>(())
    /// ```
    pub fn to_device(&self, device: Device) -> Result<LazyArray> {
        if device == self.device() {
            return Ok(self.clone());
        }
        lazulite_runtime::check_device("to_device", device)?;
        Ok(LazyArray(Arc::new(Node {
            op: None,
            dtype: self.0.dtype,
            shape: self.0.shape.clone(),
            device,
            inputs: UnsafeCell::new(smallvec::smallvec![self.clone()]),
            realized: OnceLock::new(),
        })))
    }

    /// Whether this is a scalar parameter: host data of one element seen at every index (a number
    /// passed to an op). Its device does not count: it is copied to the device of the other
    /// operands (a few bytes).
    pub(crate) fn is_scalar_parameter(&self) -> bool {
        self.0.op.is_none()
            && self
                .0
                .realized
                .get()
                .is_some_and(|d| d.device() == Device::Cpu && d.is_scalar_parameter())
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.0.shape.len()
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        ir::shape::numel(&self.0.shape)
    }

    /// The computed value, once there is one (never computes anything).
    pub fn realized(&self) -> Option<ArrayData> {
        self.0.realized.get().map(|d| ArrayData::clone(d))
    }

    /// The computed value by reference, once there is one (lives as long as the node).
    pub(crate) fn realized_ref(&self) -> Option<&ArrayData> {
        self.0.realized.get().map(|d| &**d)
    }

    /// Computes the array (once: later calls return the stored result).
    pub fn compute(&self) -> Result<ArrayData> {
        let mut out = compute_many(&[self])?;
        Ok(out
            .pop()
            .expect("compute_many returns one result per array"))
    }

    /// The op of an unrealized node (`None` once realized or for data).
    pub(crate) fn pending_op(&self) -> Option<&Op> {
        match self.0.realized.get() {
            Some(_) => None,
            None => self.0.op.as_ref(),
        }
    }

    /// The operands of an unrealized node (empty once realized).
    pub(crate) fn operands(&self) -> Operands {
        let guard = operands_guard();
        self.operands_in(&guard).clone()
    }

    /// The operands of an unrealized node (empty once realized), borrowed while `_guard` lives.
    pub(crate) fn operands_in<'a>(&'a self, _guard: &'a OperandsGuard) -> &'a Operands {
        // SAFETY: the read guard is held for 'a, so no thread empties the list meanwhile (that
        // takes the write guard), and `&self` keeps the node alive for 'a.
        unsafe { &*self.0.inputs.get() }
    }

    /// Whether both handles are the same node.
    pub fn same_node(&self, other: &LazyArray) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn key(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    fn store(&self, data: ArrayData) {
        // Another thread may have computed the same node meanwhile; both results are equal, keep the
        // first. Set the value before releasing the operands: a walker that finds the operands gone
        // under the lock then always finds the value.
        let _ = self.0.realized.set(Box::new(data));
        let released = {
            let _w = operands_write();
            // SAFETY: the write guard is held: no other thread reads or writes the list meanwhile.
            std::mem::take(unsafe { &mut *self.0.inputs.get() })
        };
        release(Dropped::Operands { _held: released });
    }
}

/// The common device of `arrays` (scalar parameters excepted: they follow the arrays), or a `Value`
/// error naming `func` and both devices (the standard allows no implicit transfers).
pub(crate) fn common_device(func: &str, arrays: &[&LazyArray]) -> Result<Device> {
    Device::common(
        func,
        arrays
            .iter()
            .filter(|a| !a.is_scalar_parameter())
            .map(|a| a.device()),
    )
}

/// What a compute lets go of once its results are stored: the operand chains of the computed nodes
/// and the interned graph. Freeing a long chain costs about as much as interning it.
enum Dropped {
    Operands {
        _held: Operands,
    },
    Lowered {
        _held: Box<Lowered>,
    },
    /// The walk's memo replaced by a newer one.
    Memo {
        _held: Arc<Memo>,
    },
}

thread_local! {
    /// While a [`deferring_release`] call runs on this thread: what its computations let go of.
    static DEFERRED: RefCell<Option<Vec<Dropped>>> = const { RefCell::new(None) };
}

/// Drops `d` now, or keeps it for the caller of [`deferring_release`] running on this thread.
fn release(d: Dropped) {
    let now = DEFERRED.with(|cell| match cell.borrow_mut().as_mut() {
        Some(kept) => {
            kept.push(d);
            None
        }
        None => Some(d),
    });
    drop(now);
}

/// The operand chains and graphs that computations inside a [`deferring_release`] call let go of;
/// dropping it frees them.
#[must_use = "dropping it frees what the computation released; keep it until the result is handed over"]
#[derive(Default)]
pub struct Released(Vec<Dropped>);

impl Released {
    /// Whether nothing was released.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// When freeing this may wait a while (a caller may pool it with others and free them all at
    /// once): the number of nodes it holds. `None` when it holds a walk's memo or data that matters
    /// (inputs on a device, more than 64 KiB of inputs): that should go soon.
    pub fn light_weight(&self) -> Option<usize> {
        self.0.iter().try_fold(0usize, |n, d| match d {
            Dropped::Operands { _held } => Some(n + _held.len()),
            Dropped::Lowered { _held } => _held.light_weight().map(|w| n + w),
            Dropped::Memo { .. } => None,
        })
    }

    /// Adds what `other` holds to this.
    pub fn append(&mut self, mut other: Released) {
        self.0.append(&mut other.0);
    }
}

/// Input bytes up to which a walk's garbage counts as light ([`Released::light_weight`]).
const LIGHT_INPUT_BYTES: usize = 1 << 16;

/// Runs `f` (which may compute arrays) and hands back, instead of freeing, what its computations let
/// go of (operand chains, interned graphs), so that a caller can return the results first and free
/// the rest afterwards (the Python edge's driver thread does, after handing the result over). Nested
/// calls each get their own; a panic in `f` frees what was kept.
pub fn deferring_release<T>(f: impl FnOnce() -> T) -> (T, Released) {
    /// Restores the enclosing call's list (also when `f` panics).
    struct Restore(Option<Option<Vec<Dropped>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(prev) = self.0.take() {
                let mine = DEFERRED.with(|cell| std::mem::replace(&mut *cell.borrow_mut(), prev));
                drop(mine);
            }
        }
    }
    let prev = DEFERRED.with(|cell| cell.borrow_mut().replace(Vec::new()));
    let mut restore = Restore(Some(prev));
    let out = f();
    let prev = restore.0.take().unwrap_or_default();
    let mine = DEFERRED.with(|cell| std::mem::replace(&mut *cell.borrow_mut(), prev));
    (out, Released(mine.unwrap_or_default()))
}

/// A computation whose plan is known (see [`prepare_remembered`]): run it with [`Prepared::run`].
pub struct Prepared {
    arrays: Vec<LazyArray>,
    lowered: Lowered,
    schedule: Arc<ir::Schedule>,
}

impl Prepared {
    /// Whether running it is certainly quick: kernel steps only, whose loop points times
    /// instructions add up to at most `max_work`.
    pub fn is_small(&self, max_work: usize) -> bool {
        let mut work = 0usize;
        for step in &self.schedule.steps {
            let ir::Step::Kernel(k) = step else {
                return false;
            };
            let insts = k.kernel.body.len() + k.kernel.epilogue.len() + 1;
            work = work.saturating_add(ir::shape::numel(&k.shape).saturating_mul(insts));
        }
        work <= max_work
    }

    /// Runs the schedule and stores the results in the arrays (as [`compute_many`]).
    pub fn run(self) -> Result<Vec<ArrayData>> {
        let refs: Vec<&LazyArray> = self.arrays.iter().collect();
        finish(&refs, &refs, self.lowered, self.schedule, None)
    }
}

/// When the arrays' DAG has the structure of the last one planned (the walk's memo), its inputs and
/// schedule, found by the checking walk alone (bounded by the memo's size, at most 16384 nodes);
/// `None` otherwise, and when every array is realized. Nothing is computed: [`Prepared::run`] does
/// that, so that a caller can run small work at once and hand large work to another thread.
pub fn prepare_remembered(arrays: &[&LazyArray]) -> Result<Option<Prepared>> {
    let pending = pending(arrays);
    if pending.is_empty() {
        return Ok(None);
    }
    Ok(
        lower::check_remembered(&pending)?.map(|(lowered, schedule)| Prepared {
            arrays: pending.into_iter().cloned().collect(),
            lowered,
            schedule,
        }),
    )
}

/// The arrays not realized yet, each once.
fn pending<'a>(arrays: &[&'a LazyArray]) -> Vec<&'a LazyArray> {
    let mut seen = HashSet::new();
    arrays
        .iter()
        .copied()
        .filter(|a| a.0.realized.get().is_none() && seen.insert(a.key()))
        .collect()
}

/// Executes `schedule` on the walk's inputs, stores each result in its pending array, and returns the
/// values of `arrays`; what the walk and the computed nodes let go of is released.
fn finish(
    arrays: &[&LazyArray],
    pending: &[&LazyArray],
    lowered: Lowered,
    schedule: Arc<ir::Schedule>,
    replaced: Option<Arc<Memo>>,
) -> Result<Vec<ArrayData>> {
    let results = rt::execute(&schedule, &lowered.inputs)?;
    let t0 = std::time::Instant::now();
    release(Dropped::Lowered {
        _held: Box::new(lowered),
    });
    if let Some(memo) = replaced {
        release(Dropped::Memo { _held: memo });
    }
    if results.len() != pending.len() {
        ir::bail!(
            Internal,
            "compute: the runtime returned {} results for {} arrays",
            results.len(),
            pending.len()
        );
    }
    for (a, data) in pending.iter().zip(results) {
        if data.dtype != a.0.dtype || data.shape != a.0.shape {
            ir::bail!(
                Internal,
                "compute: the runtime returned a {} array of shape {:?} for a {} array of shape {:?}",
                data.dtype,
                data.shape.as_slice(),
                a.0.dtype,
                a.0.shape.as_slice()
            );
        }
        a.store(data);
    }
    lazulite_runtime::note_time(lazulite_runtime::Phase::Release, t0);
    Ok(arrays
        .iter()
        .map(|a| {
            a.0.realized
                .get()
                .map(|d| ArrayData::clone(d))
                .expect("every array was realized above")
        })
        .collect())
}

/// Computes several arrays together: shared subgraphs are computed once. Arrays already realized are
/// returned as they are.
pub fn compute_many(arrays: &[&LazyArray]) -> Result<Vec<ArrayData>> {
    let pending = pending(arrays);
    if pending.is_empty() {
        return arrays
            .iter()
            .map(|a| {
                a.realized().ok_or_else(|| {
                    ir::Error::new(ir::ErrorKind::Internal, "compute: an array lost its value")
                })
            })
            .collect();
    }
    let (lowered, schedule, replaced) = lower_and_plan(&pending)?;
    finish(arrays, &pending, lowered, schedule, replaced)
}

/// The plan the runtime would run to compute `arrays`, as a compact text summary (computes nothing):
/// kernels and extern ops in run order, sizes, why each fusion group ended.
pub fn explain(arrays: &[&LazyArray]) -> Result<String> {
    let (graph, roots, inputs) = build_graph(arrays)?;
    rt::explain(&graph, &roots, &inputs, false)
}

/// [`explain`] with each kernel's IR after its line.
pub fn explain_ir(arrays: &[&LazyArray]) -> Result<String> {
    let (graph, roots, inputs) = build_graph(arrays)?;
    rt::explain(&graph, &roots, &inputs, true)
}

/// The plan of [`explain`] as a Graphviz DOT graph (inputs, kernels, extern ops, results, and the
/// bytes on each edge).
pub fn explain_dot(arrays: &[&LazyArray]) -> Result<String> {
    let (graph, roots, inputs) = build_graph(arrays)?;
    rt::explain_dot(&graph, &roots, &inputs)
}

/// The graph that `compute` would hand the runtime for `arrays` (for tests and tools).
pub fn build_graph(arrays: &[&LazyArray]) -> Result<(ir::Graph, Vec<NodeId>, Vec<ArrayData>)> {
    let l = lower(arrays)?;
    let graph = l.graph.ok_or_else(|| {
        ir::Error::new(ir::ErrorKind::Internal, "compute: the walk built no graph")
    })?;
    Ok((graph, l.roots, l.inputs))
}

/// The graph as text: one line per node, `%id = op(operands) : dtype shape`, then the roots.
pub fn graph_text(graph: &ir::Graph, roots: &[NodeId]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for (id, n) in graph.nodes() {
        let operands: Vec<String> = n.inputs.iter().map(|i| format!("%{}", i.0)).collect();
        let detail = match &n.op {
            Op::Input { slot, strides, .. } => {
                format!("input[{slot}] strides={:?}", strides.as_slice())
            }
            Op::Fill(v) => format!("fill {v:?}"),
            Op::Reduce { op, axes } => format!("{} axes={:?}", op.name(), axes.as_slice()),
            Op::View(v) => format!(
                "view axes={:?} start={:?}",
                v.axes.as_slice(),
                v.start.as_slice()
            ),
            Op::Extern { op, output } => format!("extern {op:?} output {output}"),
            op => op.name().to_string(),
        };
        let _ = writeln!(
            s,
            "%{} = {detail}({}) : {} {:?}",
            id.0,
            operands.join(", "),
            n.dtype,
            n.shape.as_slice()
        );
    }
    let r: Vec<String> = roots.iter().map(|r| format!("%{}", r.0)).collect();
    let _ = writeln!(s, "roots: {}", r.join(", "));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{add, binary, from_slice, multiply, sin, Operand};

    fn values(d: &ArrayData) -> Vec<f64> {
        (0..d.shape[0])
            .map(|i| match d.try_get(&[i]) {
                Ok(ir::Scalar::Float(v)) => v,
                other => panic!("element {i}: {other:?}"),
            })
            .collect()
    }

    /// The walk interns a DAG with shared nodes once per node (a node reached twice, an operand
    /// used twice by one node, equal scalar parameters), gives every root its own id in order, and
    /// the values match the expression computed directly.
    #[test]
    fn lower_interns_shared_nodes_once() -> Result<()> {
        let xs = [0.5f64, 1.0, 2.0];
        let x = from_slice(&xs, &[3])?;
        let t = sin(&x)?;
        let sq = multiply(&t, &t)?; // one operand twice
        let y = add(&sq, &t)?; // `t` reached along two paths
        let k1 = binary(
            ir::BinaryOp::Mul,
            Operand::Array(&y),
            Operand::Scalar(ir::Scalar::Float(2.0)),
        )?;
        let k2 = binary(
            ir::BinaryOp::Add,
            Operand::Array(&k1),
            Operand::Scalar(ir::Scalar::Float(2.0)),
        )?;
        let (graph, roots, inputs) = build_graph(&[&k2, &t, &y])?;
        // x, sin, mul, add, the one parameter 2.0, mul, add
        assert_eq!(graph.len(), 7, "{}", graph_text(&graph, &roots));
        assert_eq!(inputs.len(), 2, "x and one slot for both 2.0s");
        assert_eq!(roots.len(), 3);
        assert!(matches!(
            graph.node(roots[1]).op,
            Op::Unary(ir::UnaryOp::Sin)
        ));
        assert!(matches!(
            graph.node(roots[2]).op,
            Op::Binary(ir::BinaryOp::Add)
        ));
        let out = compute_many(&[&k2, &t, &y])?;
        for (i, &v) in xs.iter().enumerate() {
            let s = v.sin();
            let want = [(s * s + s) * 2.0 + 2.0, s, s * s + s];
            for (r, w) in out.iter().zip(want) {
                let got = values(r)[i];
                assert!((got - w).abs() <= 1e-14 * w.abs().max(1.0), "{got} vs {w}");
            }
        }
        Ok(())
    }

    /// A computed node's operands are kept by `deferring_release` until its `Released` is dropped,
    /// and the value is the same as without it.
    #[test]
    fn deferring_release_frees_operands_when_dropped() -> Result<()> {
        let x = from_slice(&[0.5f64, 1.0, 2.0], &[3])?;
        let t = sin(&x)?;
        let operand = Arc::downgrade(&t.0);
        let y = sin(&t)?;
        drop(t);
        let (value, released) = deferring_release(|| y.compute());
        let value = value?;
        assert!(
            operand.upgrade().is_some(),
            "released before the caller let go"
        );
        assert!(!released.is_empty());
        drop(released);
        assert!(
            operand.upgrade().is_none(),
            "still alive after Released was dropped"
        );
        let expected: Vec<f64> = [0.5f64, 1.0, 2.0].iter().map(|v| v.sin().sin()).collect();
        let got: Vec<f64> = (0..3)
            .map(|i| match value.try_get(&[i]) {
                Ok(ir::Scalar::Float(v)) => v,
                other => panic!("element {i}: {other:?}"),
            })
            .collect();
        for (g, e) in got.iter().zip(&expected) {
            assert!(
                (g - e).abs() <= 1e-15 * e.abs().max(1.0),
                "{got:?} vs {expected:?}"
            );
        }
        // without the scope the operands go at once
        let z = sin(&x)?;
        let zop = Arc::downgrade(&z.0);
        let w = sin(&z)?;
        drop(z);
        w.compute()?;
        assert!(zop.upgrade().is_none());
        Ok(())
    }
}
