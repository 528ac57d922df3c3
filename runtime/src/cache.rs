//! The kernel cache (kernel structure -> compiled code, with tiering) and the plan cache (graph structure
//! -> schedule). Both are bounded LRU maps behind a mutex; no lock is held while compiling, planning or
//! running a kernel.

use crate::backend::cpu::CpuBackend;
use crate::backend::{Backend, KernelKey};
use crate::config::{bump, config, counters, ExecPolicy, WIDE_FIRST_WORK};
use hashbrown::{Equivalent, HashMap};
use lazulite_codegen_cpu::{CodeQuality, CompiledKernel};
use lazulite_ir::{bail, Graph, Kernel, Node, NodeId, Result, Schedule};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// A small LRU map: recency is a tick per entry; eviction scans for the oldest (rare, O(n)).
pub(crate) struct Lru<K, V> {
    map: HashMap<K, (V, u64)>,
    tick: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    pub(crate) fn new() -> Self {
        Lru {
            map: HashMap::new(),
            tick: 0,
        }
    }

    pub(crate) fn get<Q: Hash + Equivalent<K> + ?Sized>(&mut self, k: &Q) -> Option<V> {
        self.tick += 1;
        let t = self.tick;
        self.map.get_mut(k).map(|(v, used)| {
            *used = t;
            v.clone()
        })
    }

    pub(crate) fn insert(&mut self, k: K, v: V, capacity: usize) {
        self.tick += 1;
        self.map.insert(k, (v, self.tick));
        while self.map.len() > capacity.max(1) {
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => drop(self.map.remove(&k)),
                None => break,
            }
        }
    }

    fn peek(&self, k: &K) -> Option<&V> {
        self.map.get(k).map(|(v, _)| v)
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn clear(&mut self) {
        self.map.clear();
    }
}

// ---------------------------------------------------------------------------------------------------
// kernel cache and tiering

/// Where a kernel stands.
#[derive(Clone)]
pub(crate) enum Tier {
    /// Not compiled yet (interpreted while small and cold).
    Cold,
    /// One thread is compiling it; others interpret meanwhile.
    Compiling,
    /// Quick or narrow code runs while the background compiler makes the optimized code (`compiler`);
    /// `queued_by` is the process that queued that compile (0: not queued yet: the queue was full,
    /// or the call count has not reached `offer_at`; another id: queued before a fork, by a thread
    /// this process does not have). Quick code offers its compile at once (`offer_at` 0); narrow
    /// code on the kernel's next call, so a kernel run once never pays for its wide code. `later`
    /// is the quality the background compiler makes (`Optimized` after quick code, `Wide` after
    /// narrow code).
    Quick {
        code: Arc<CompiledKernel>,
        queued_by: u32,
        offer_at: u64,
        later: CodeQuality,
    },
    /// Final code: optimized, or quick code whose optimized compile failed.
    Ready(Arc<CompiledKernel>),
    /// Compilation failed or is unsupported: always interpret. Holds the reason.
    Interpret(String),
}

pub(crate) struct KernelEntry {
    tier: Mutex<Tier>,
    calls: AtomicU64,
}

impl KernelEntry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Tier> {
        self.tier.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The background compiler's result: the optimized code replaces the quick code.
    pub(crate) fn install_optimized(&self, code: Arc<CompiledKernel>) {
        let mut t = self.lock();
        if matches!(*t, Tier::Quick { .. }) {
            *t = Tier::Ready(code);
        }
    }

    /// The optimized compile failed (or was dropped): the quick code stays for good.
    pub(crate) fn keep_quick(&self) {
        let mut t = self.lock();
        if let Tier::Quick { code, .. } = &*t {
            *t = Tier::Ready(code.clone());
        }
    }
}

/// How one kernel call runs.
#[derive(Clone)]
pub(crate) enum Runner {
    Compiled(Arc<CompiledKernel>),
    Interpreted,
}

/// The CPU backend's kernels (keyed by kernel, backend and target, like every kernel cache), and a
/// memo by the address of the `Arc<Kernel>` a cached plan holds: a warm call finds its entry without
/// hashing or comparing the kernel (whose body may hold thousands of instructions).
struct KernelCache {
    lru: Lru<KernelKey, Arc<KernelEntry>>,
    /// `Arc::as_ptr` of a kernel -> (that kernel, weakly, to tell a reused address; its entry).
    by_address: HashMap<usize, (std::sync::Weak<Kernel>, Arc<KernelEntry>)>,
}

fn kernel_cache() -> &'static Mutex<KernelCache> {
    static C: OnceLock<Mutex<KernelCache>> = OnceLock::new();
    C.get_or_init(|| {
        Mutex::new(KernelCache {
            lru: Lru::new(),
            by_address: HashMap::new(),
        })
    })
}

fn entry_for(kernel: &Arc<Kernel>) -> Arc<KernelEntry> {
    let cap = config().kernel_cache_capacity;
    let address = Arc::as_ptr(kernel) as usize;
    let mut cache = kernel_cache().lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, e)) = cache.by_address.get(&address) {
        // The same allocation, still alive: the very kernel (an address is reused only after free).
        if std::ptr::eq(k.as_ptr(), Arc::as_ptr(kernel)) && k.strong_count() > 0 {
            let e = e.clone();
            bump(&counters().kernel_cache_hits, 1);
            return e;
        }
    }
    let key = CpuBackend.key(kernel);
    if let Some(e) = cache.lru.get(&key) {
        bump(&counters().kernel_cache_hits, 1);
        remember(&mut cache, kernel, &e, cap);
        return e;
    }
    bump(&counters().kernel_cache_misses, 1);
    dump_cuda_source(kernel);
    let e = Arc::new(KernelEntry {
        tier: Mutex::new(Tier::Cold),
        calls: AtomicU64::new(0),
    });
    cache.lru.insert(key, e.clone(), cap);
    remember(&mut cache, kernel, &e, cap);
    e
}

/// Adds `kernel`'s address to the memo; when the memo outgrows the cache, entries whose kernel is gone
/// are dropped first, then all (the memo only saves hashing; the LRU still holds every entry).
fn remember(cache: &mut KernelCache, kernel: &Arc<Kernel>, e: &Arc<KernelEntry>, cap: usize) {
    let limit = 2 * cap.max(1) + 64;
    if cache.by_address.len() >= limit {
        cache.by_address.retain(|_, (k, _)| k.strong_count() > 0);
        if cache.by_address.len() >= limit {
            cache.by_address.clear();
        }
    }
    cache.by_address.insert(
        Arc::as_ptr(kernel) as usize,
        (Arc::downgrade(kernel), e.clone()),
    );
}

/// Bodies longer than this (eight of the CUDA renderer's helper segments) are not dumped to the corpus.
const MAX_DUMPED_INSTRUCTIONS: usize = 8 * lazulite_codegen_cuda::SEGMENT;

/// Test mode: with `LAZULITE_CUDA_CORPUS=<dir>`, every kernel structure the process meets is rendered as
/// CUDA C into `<dir>/<name>.cu` (written to a temporary name, then renamed, so readers never see half a
/// file); the NVRTC test compiles that corpus. Kernels the CUDA renderer declines are skipped, and so are
/// bodies of more than [`MAX_DUMPED_INSTRUCTIONS`]: the suites' 100,000-op chains would take NVRTC many
/// minutes (the split path is compiled by the generated corpus), and rendering their megabytes of source
/// inside `compute` would show in the memory tests that measure those chains.
fn dump_cuda_source(kernel: &Kernel) {
    static DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    let Some(dir) = DIR.get_or_init(|| {
        let d = std::path::PathBuf::from(std::env::var_os("LAZULITE_CUDA_CORPUS")?);
        std::fs::create_dir_all(&d).ok()?;
        Some(d)
    }) else {
        return;
    };
    if kernel.body.len() > MAX_DUMPED_INSTRUCTIONS {
        return;
    }
    let name = lazulite_codegen_cuda::kernel_name(kernel);
    if let Ok(src) = lazulite_codegen_cuda::render(kernel, &name) {
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, src).is_ok() {
            let _ = std::fs::rename(&tmp, dir.join(format!("{name}.cu")));
        }
    }
}

/// Decides how to run `kernel` for a call over `work` loop points: compiled when it is ready; compiled
/// now when large or hot (by one thread only); interpreted otherwise. A large cold kernel under the
/// `Auto` policy with `quick_tier` gets quick code now and its optimized code from the background
/// compiler later (see `compiler`); without `quick_tier`, one whose loop would interleave several
/// vectors as `Wide` code (`narrow_first`) gets narrow code now and its wide code from the
/// background compiler once it is called again, or under [`WIDE_FIRST_WORK`] loop points or more,
/// the wide code now; a hot small one, and every kernel under `LAZULITE_EXEC=compile`, is compiled
/// optimized, synchronously.
pub(crate) fn runner_for(kernel: &Arc<Kernel>, work: usize) -> Runner {
    let cfg = config();
    if cfg.policy == ExecPolicy::InterpretOnly {
        return Runner::Interpreted;
    }
    let entry = entry_for(kernel);
    let calls = entry.calls.fetch_add(1, Ordering::Relaxed) + 1;
    let large = work >= cfg.compile_threshold;
    let want = cfg.policy == ExecPolicy::CompileAlways || large || calls >= cfg.hot_calls;
    {
        let mut t = entry.lock();
        match &mut *t {
            Tier::Ready(c) => return Runner::Compiled(c.clone()),
            Tier::Quick {
                code,
                queued_by,
                offer_at,
                later,
            } => {
                let code = code.clone();
                let pid = std::process::id();
                if *queued_by != pid && calls >= *offer_at && offer(&entry, kernel, *later) {
                    *queued_by = pid;
                }
                return Runner::Compiled(code);
            }
            Tier::Compiling | Tier::Interpret(_) => return Runner::Interpreted,
            Tier::Cold if !want => return Runner::Interpreted,
            Tier::Cold => *t = Tier::Compiling,
        }
    }
    let c = counters();
    // The first tier of a large cold kernel: quick code (its optimized compile offered now), or
    // narrow code (its wide compile offered on the next call); or, for a first call too large for
    // narrow code to pay, the wide code now.
    let mut quality = CodeQuality::Optimized;
    let mut first_tier = None;
    if cfg.policy == ExecPolicy::Auto && large {
        if cfg.quick_tier {
            first_tier = Some((CodeQuality::Quick, 0, CodeQuality::Optimized));
        } else if cfg.narrow_first
            && lazulite_codegen_cpu::planned_groups(kernel, CodeQuality::Wide) > 1
        {
            if work < WIDE_FIRST_WORK {
                first_tier = Some((CodeQuality::Narrow, calls + 1, CodeQuality::Wide));
            } else {
                quality = CodeQuality::Wide;
            }
        }
    }
    if let Some((first, offer_at, later)) = first_tier {
        let t0 = std::time::Instant::now();
        // A first-tier compile that fails falls through to the optimized one below (which reports).
        if let Ok(ck) = lazulite_codegen_cpu::compile_with(kernel, first) {
            bump(&c.kernels_compiled, 1);
            bump(
                if first == CodeQuality::Quick {
                    &c.quick_compiles
                } else {
                    &c.narrow_compiles
                },
                1,
            );
            bump(&c.compile_time_ns, t0.elapsed().as_nanos() as u64);
            let code = Arc::new(ck);
            // Offered under the lock: the compiler's result waits for the `Quick` state it replaces.
            let mut t = entry.lock();
            let queued_by = if offer_at <= calls && offer(&entry, kernel, later) {
                std::process::id()
            } else {
                0
            };
            *t = Tier::Quick {
                code: code.clone(),
                queued_by,
                offer_at,
                later,
            };
            return Runner::Compiled(code);
        }
    }
    let t0 = std::time::Instant::now();
    let result = lazulite_codegen_cpu::compile_with(kernel, quality);
    let (tier, runner) = match result {
        Ok(ck) => {
            bump(&c.kernels_compiled, 1);
            bump(&c.compile_time_ns, t0.elapsed().as_nanos() as u64);
            let ck = Arc::new(ck);
            (Tier::Ready(ck.clone()), Runner::Compiled(ck))
        }
        Err(e) => {
            bump(&c.compile_failures, 1);
            (Tier::Interpret(e.message), Runner::Interpreted)
        }
    };
    *entry.lock() = tier;
    runner
}

/// Queues the compile of `kernel` as code of `quality` for `entry`; whether it was taken.
fn offer(entry: &Arc<KernelEntry>, kernel: &Arc<Kernel>, quality: CodeQuality) -> bool {
    crate::compiler::submit(crate::compiler::Job {
        entry: entry.clone(),
        kernel: kernel.clone(),
        quality,
    })
}

/// The cached state of a kernel, without touching recency or counters (for `explain`).
pub(crate) fn peek_tier(kernel: &Arc<Kernel>) -> Option<Tier> {
    let cache = kernel_cache().lock().unwrap_or_else(|e| e.into_inner());
    cache
        .lru
        .peek(&CpuBackend.key(kernel))
        .map(|e| e.lock().clone())
}

/// Number of kernels in the kernel cache.
pub fn kernel_cache_len() -> usize {
    kernel_cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .lru
        .len()
}

// ---------------------------------------------------------------------------------------------------
// plan cache

/// The structure of the subgraph reachable from the roots, with node ids renumbered in order, plus the
/// roots: two requests with equal keys plan to the same schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlanKey {
    nodes: Vec<Node>,
    roots: Vec<u32>,
    /// `ir::graph::structure_hash(&nodes)`: what the key hashes instead of every node.
    structure: u64,
}

impl Hash for PlanKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // as `PlanKeyRef` hashes
        state.write_u64(self.structure);
        self.roots.hash(state);
    }
}

pub(crate) fn plan_key(graph: &Graph, roots: &[NodeId]) -> Result<PlanKey> {
    let n = graph.len();
    let mut seen = vec![false; n];
    let mut stack = Vec::with_capacity(roots.len());
    for r in roots {
        if r.index() >= n {
            bail!(
                Index,
                "compute: root node {} does not exist in a graph of {n} nodes; pass ids returned by Graph::add",
                r.0
            );
        }
        stack.push(*r);
    }
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        stack.extend(graph.node(id).inputs.iter().copied());
    }
    let mut renumber = vec![u32::MAX; n];
    let mut nodes = Vec::with_capacity(seen.iter().filter(|&&s| s).count());
    for (i, _) in seen.iter().enumerate().filter(|(_, s)| **s) {
        renumber[i] = nodes.len() as u32;
        let mut node = graph.node(NodeId(i as u32)).clone();
        for inp in node.inputs.iter_mut() {
            *inp = NodeId(renumber[inp.index()]);
        }
        nodes.push(node);
    }
    let roots = roots.iter().map(|r| renumber[r.index()]).collect();
    let structure = lazulite_ir::graph::structure_hash(&nodes);
    Ok(PlanKey {
        nodes,
        roots,
        structure,
    })
}

fn plan_cache() -> &'static Mutex<Lru<PlanKey, Arc<Schedule>>> {
    static C: OnceLock<Mutex<Lru<PlanKey, Arc<Schedule>>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(Lru::new()))
}

/// A plan key borrowed from a graph whose nodes the roots all reach (then the renumbering is the
/// identity): hashes like the [`PlanKey`] it equals, so that a warm lookup copies nothing, and hashes
/// no node (the graph's structure hash was computed as its nodes were added).
struct PlanKeyRef<'a> {
    nodes: &'a [Node],
    roots: &'a [u32],
    structure: u64,
}

impl Hash for PlanKeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // as `PlanKey` hashes
        state.write_u64(self.structure);
        self.roots.hash(state);
    }
}

impl Equivalent<PlanKey> for PlanKeyRef<'_> {
    fn equivalent(&self, key: &PlanKey) -> bool {
        self.nodes == key.nodes.as_slice() && self.roots == key.roots.as_slice()
    }
}

/// Whether the roots reach every node of `graph` (what the frontend hands the runtime).
fn all_reached(graph: &Graph, roots: &[NodeId]) -> bool {
    let n = graph.len();
    let mut live = vec![false; n];
    for r in roots {
        match live.get_mut(r.index()) {
            Some(l) => *l = true,
            None => return false,
        }
    }
    for (i, node) in graph.node_slice().iter().enumerate().rev() {
        if !live[i] {
            return false;
        }
        for inp in &node.inputs {
            match live.get_mut(inp.index()) {
                Some(l) => *l = true,
                None => return false,
            }
        }
    }
    true
}

/// The schedule of `roots`, from the plan cache or freshly planned (and then cached).
pub fn plan_cached(graph: &Graph, roots: &[NodeId]) -> Result<Arc<Schedule>> {
    let hit = if all_reached(graph, roots) {
        let root_ids: Vec<u32> = roots.iter().map(|r| r.0).collect();
        let key = PlanKeyRef {
            nodes: graph.node_slice(),
            roots: &root_ids,
            structure: graph.structure_hash(),
        };
        plan_cache()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
    } else {
        let key = plan_key(graph, roots)?;
        plan_cache()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
    };
    if let Some(s) = hit {
        bump(&counters().plan_cache_hits, 1);
        return Ok(s);
    }
    bump(&counters().plan_cache_misses, 1);
    // The key is a copy of the reachable graph, and planning makes copies of its own: build it after
    // planning, so that one fewer copy is alive at the peak.
    let schedule = Arc::new(lazulite_passes::plan(graph, roots)?);
    let key = plan_key(graph, roots)?;
    let cap = config().plan_cache_capacity;
    plan_cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, schedule.clone(), cap);
    Ok(schedule)
}

/// Bumped by [`clear_caches`]: a schedule kept outside the plan cache (the frontend remembers the last
/// one it ran) is valid while the generation it was planned in is current.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The plan cache's generation (see [`GENERATION`]).
pub fn plan_generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Empties the plan and kernel caches (compiled code is freed once no running call holds it).
pub fn clear_caches() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
    plan_cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    let mut k = kernel_cache().lock().unwrap_or_else(|e| e.into_inner());
    k.lru.clear();
    k.by_address.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazulite_ir::{DType, Device, Op, UnaryOp};
    use smallvec::smallvec;

    fn input(n: usize) -> Node {
        Node {
            op: Op::Input {
                slot: 0,
                device: Device::Cpu,
                strides: smallvec![1],
            },
            inputs: smallvec![],
            dtype: DType::F64,
            shape: smallvec![n],
        }
    }

    fn unary(op: UnaryOp, x: NodeId, n: usize) -> Node {
        Node {
            op: Op::Unary(op),
            inputs: smallvec![x],
            dtype: DType::F64,
            shape: smallvec![n],
        }
    }

    /// Separately built equal graphs share a structure hash (the plan cache's hash) and a cached plan,
    /// also when one of them holds a node the roots do not reach (its key is then copied and
    /// renumbered, and must hash like the borrowed key of the other); a different graph does not.
    #[test]
    fn plan_key_hash_agrees_across_graphs() -> Result<()> {
        // a size no other test plans, so that the first call below is a miss
        let n = 7919;
        let build = |dead: bool, op: UnaryOp| {
            let mut g = Graph::new();
            let x = g.add(input(n));
            if dead {
                g.add(unary(UnaryOp::Cos, x, n));
            }
            let y = g.add(unary(op, x, n));
            (g, y)
        };
        let (a, ya) = build(false, UnaryOp::Sin);
        let (b, yb) = build(false, UnaryOp::Sin);
        let (c, yc) = build(true, UnaryOp::Sin);
        let (d, yd) = build(false, UnaryOp::Exp);
        assert_eq!(a.structure_hash(), b.structure_hash());
        assert_eq!(
            a.structure_hash(),
            lazulite_ir::graph::structure_hash(a.node_slice())
        );
        assert_ne!(a.structure_hash(), d.structure_hash());
        assert_eq!(plan_key(&c, &[yc])?, plan_key(&a, &[ya])?);
        let pa = plan_cached(&a, &[ya])?;
        assert!(
            Arc::ptr_eq(&pa, &plan_cached(&b, &[yb])?),
            "an equal graph re-planned"
        );
        assert!(
            Arc::ptr_eq(&pa, &plan_cached(&c, &[yc])?),
            "a dead node changed the key"
        );
        assert!(
            !Arc::ptr_eq(&pa, &plan_cached(&d, &[yd])?),
            "exp found sin's plan"
        );
        Ok(())
    }

    #[test]
    fn lru_evicts_least_recent() {
        let mut l: Lru<u32, u32> = Lru::new();
        l.insert(1, 10, 2);
        l.insert(2, 20, 2);
        assert_eq!(l.get(&1), Some(10));
        l.insert(3, 30, 2);
        assert_eq!(l.len(), 2);
        assert_eq!(l.get(&2), None, "2 was least recently used");
        assert_eq!(l.get(&1), Some(10));
        assert_eq!(l.get(&3), Some(30));
    }
}
