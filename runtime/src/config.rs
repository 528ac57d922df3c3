//! One place for every knob of the runtime, and its counters.
//!
//! The environment (`LAZULITE_*`) is read once, the first time [`config`] is called; [`set_config`]
//! replaces the whole value afterwards (tests and embedders use it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};

/// How kernels are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecPolicy {
    /// Interpret small cold kernels, compile large or hot ones (the default).
    Auto,
    /// Never compile (`LAZULITE_EXEC=interpret`).
    InterpretOnly,
    /// Compile every kernel on first use (`LAZULITE_EXEC=compile`); unsupported ones still interpret.
    CompileAlways,
}

/// Loop points from which the first call of a large cold kernel compiles its wide code (interleaved
/// groups, `CodeQuality::Wide`) at once instead of narrow code first (see [`Config::narrow_first`]):
/// the 20-op trig chain's 4 groups cost ~2.5 ms more compiling than one (in-process, warm compiler)
/// and save ~0.6 ms per 65536 float32 elements (float64: ~1.5 ms), so past ~110k (float64) to
/// ~260k (float32) elements the wide code is the faster first call.
pub const WIDE_FIRST_WORK: usize = 1 << 17;

/// Every tunable of the runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Worker threads of the kernel pool (`LAZULITE_THREADS`; default: available parallelism).
    pub threads: usize,
    /// Loop points at or above which a kernel is split across threads (`LAZULITE_PARALLEL_THRESHOLD`).
    pub parallel_threshold: usize,
    /// Loop points at or above which a cold kernel is compiled at once (`LAZULITE_COMPILE_THRESHOLD`).
    pub compile_threshold: usize,
    /// Calls after which a kernel counts as hot and is compiled whatever its size (`LAZULITE_HOT_CALLS`).
    pub hot_calls: u64,
    /// Tiered compilation of large cold kernels (`LAZULITE_QUICK_TIER` = `1` | `0`, default off;
    /// policy `Auto` only): the first call compiles quick code (single-pass register allocation,
    /// about half the compile time) and the optimized code is compiled by a background thread
    /// and swapped in when ready. Off: the first call compiles the optimized code itself. Off by
    /// default because today's quick code runs the float32 trig chain 1.65x longer, which costs a
    /// first call of 65536 elements more than the compile it saves (bench/README.md, issue 11's
    /// cold first call).
    pub quick_tier: bool,
    /// Narrow first (`LAZULITE_NARROW_FIRST` = `1` | `0`, default on; policy `Auto` only, and not
    /// with `quick_tier`): the first call of a large cold kernel whose loop would interleave
    /// several vectors per iteration as `CodeQuality::Wide` code (`codegen_cpu::planned_groups`, the
    /// long trig chains) compiles optimized code of one vector per iteration (`CodeQuality::Narrow`,
    /// the 20-op float32 chain: ~1.4 ms instead of ~2.0 ms for 2 groups in a fresh process), and
    /// the background compiler makes the wide code (4 groups for that chain) once the kernel is
    /// called again; a first call of [`WIDE_FIRST_WORK`] loop points or more compiles the wide code
    /// at once (its faster run pays for the longer compile within that call).
    pub narrow_first: bool,
    /// Interpret / compile policy (`LAZULITE_EXEC` = `auto` | `interpret` | `compile`).
    pub policy: ExecPolicy,
    /// Compiled kernels kept (LRU) (`LAZULITE_KERNEL_CACHE`).
    pub kernel_cache_capacity: usize,
    /// Schedules kept (LRU) (`LAZULITE_PLAN_CACHE`).
    pub plan_cache_capacity: usize,
    /// Bytes of freed buffers the pool may keep for reuse (`LAZULITE_POOL_BYTES`).
    pub pool_max_bytes: usize,
    /// Pin each worker of the kernel pool to its own CPU when the pool has one worker per CPU the
    /// process may run on (`LAZULITE_PIN_THREADS` = `1` | `0`; Linux only). See `runtime/src/affinity.rs`.
    pub pin_threads: bool,
    /// Bytes of rows (of every buffer the steps touch) one block of a row-blocked run of kernel
    /// steps works on (`rowblock.rs`; about a core's L2); `0` runs every step over all its rows
    /// before the next (`LAZULITE_ROW_BLOCK_BYTES`).
    pub row_block_bytes: usize,
    /// New pool blocks of at least this many bytes are advised for transparent huge pages, as NumPy
    /// advises its arrays (`LAZULITE_HUGE_PAGE_BYTES`; `0`, the default, never; Linux only). Off by
    /// default: on the project's VM the first touch of fresh huge pages was at times much slower
    /// than of 4 KiB pages (see `advise_huge_pages` in `runtime/src/buffer.rs`).
    pub huge_page_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            parallel_threshold: 1 << 16,
            compile_threshold: 1 << 15,
            hot_calls: 8,
            quick_tier: false,
            narrow_first: true,
            policy: ExecPolicy::Auto,
            kernel_cache_capacity: 1024,
            plan_cache_capacity: 512,
            pool_max_bytes: 512 << 20,
            pin_threads: true,
            row_block_bytes: 1 << 20,
            huge_page_bytes: 0,
        }
    }
}

impl Config {
    /// The defaults, overridden by any `LAZULITE_*` variable that is set and parses.
    pub fn from_env() -> Config {
        let mut c = Config::default();
        fn num<T: std::str::FromStr>(name: &str, into: &mut T) {
            if let Some(v) = std::env::var(name).ok().and_then(|s| s.trim().parse().ok()) {
                *into = v;
            }
        }
        num("LAZULITE_THREADS", &mut c.threads);
        num("LAZULITE_PARALLEL_THRESHOLD", &mut c.parallel_threshold);
        num("LAZULITE_COMPILE_THRESHOLD", &mut c.compile_threshold);
        num("LAZULITE_HOT_CALLS", &mut c.hot_calls);
        num("LAZULITE_KERNEL_CACHE", &mut c.kernel_cache_capacity);
        num("LAZULITE_PLAN_CACHE", &mut c.plan_cache_capacity);
        num("LAZULITE_POOL_BYTES", &mut c.pool_max_bytes);
        num("LAZULITE_ROW_BLOCK_BYTES", &mut c.row_block_bytes);
        num("LAZULITE_HUGE_PAGE_BYTES", &mut c.huge_page_bytes);
        if let Ok(p) = std::env::var("LAZULITE_PIN_THREADS") {
            c.pin_threads = !matches!(p.trim(), "0" | "false" | "no" | "off");
        }
        if let Ok(p) = std::env::var("LAZULITE_QUICK_TIER") {
            c.quick_tier = matches!(p.trim(), "1" | "true" | "yes" | "on");
        }
        if let Ok(p) = std::env::var("LAZULITE_NARROW_FIRST") {
            c.narrow_first = !matches!(p.trim(), "0" | "false" | "no" | "off");
        }
        if let Ok(p) = std::env::var("LAZULITE_EXEC") {
            c.policy = match p.trim() {
                "interpret" => ExecPolicy::InterpretOnly,
                "compile" => ExecPolicy::CompileAlways,
                _ => ExecPolicy::Auto,
            };
        }
        c.threads = c.threads.max(1);
        c.kernel_cache_capacity = c.kernel_cache_capacity.max(1);
        c.plan_cache_capacity = c.plan_cache_capacity.max(1);
        c
    }
}

fn cell() -> &'static RwLock<Config> {
    static CONFIG: OnceLock<RwLock<Config>> = OnceLock::new();
    CONFIG.get_or_init(|| RwLock::new(Config::from_env()))
}

/// The current configuration.
pub fn config() -> Config {
    cell().read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Replaces the configuration (takes effect for the next kernel call).
pub fn set_config(c: Config) {
    let mut c = c;
    c.threads = c.threads.max(1);
    c.kernel_cache_capacity = c.kernel_cache_capacity.max(1);
    c.plan_cache_capacity = c.plan_cache_capacity.max(1);
    *cell().write().unwrap_or_else(|e| e.into_inner()) = c;
}

/// A snapshot of the runtime's counters (process-wide, monotonic).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Kernels compiled (each tier's code counts: quick code and its optimized replacement are two).
    pub kernels_compiled: u64,
    /// Of those, quick (first-tier) compilations.
    pub quick_compiles: u64,
    /// Of those, narrow first-call compilations (one vector per iteration; see
    /// [`Config::narrow_first`]).
    pub narrow_compiles: u64,
    /// Optimized compilations that ran in the background and replaced quick or narrow code.
    pub background_compiles: u64,
    /// Not a counter: optimized compilations queued or in flight now.
    pub background_compiles_pending: u64,
    /// Compilations that failed or were unsupported (those kernels are interpreted from then on).
    pub compile_failures: u64,
    /// Time spent compiling on the calling threads (what calls waited for).
    pub compile_time_ns: u64,
    /// Time the background compiler spent on optimized code (no call waited for it).
    pub background_compile_time_ns: u64,
    pub interpreted_runs: u64,
    pub compiled_runs: u64,
    /// Extern op steps run (matmul, sort, ...).
    pub extern_runs: u64,
    /// Kernel calls split across threads.
    pub parallel_runs: u64,
    pub plan_cache_hits: u64,
    pub plan_cache_misses: u64,
    pub kernel_cache_hits: u64,
    pub kernel_cache_misses: u64,
    /// Allocations served from the pool.
    pub buffers_reused: u64,
    /// Allocations that took fresh memory from the system.
    pub buffers_allocated: u64,
    /// Temporaries the executor released before the end of a schedule.
    pub temps_freed_early: u64,
    /// Where the time of `compute` calls went (wall time, summed over calls): the frontend's walk
    /// of the DAG into a graph, the plan lookup (and planning on a miss), running the schedule
    /// (compiling included), and releasing the computed DAG.
    pub lower_time_ns: u64,
    pub plan_time_ns: u64,
    pub execute_time_ns: u64,
    pub release_time_ns: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub kernels_compiled: AtomicU64,
    pub quick_compiles: AtomicU64,
    pub narrow_compiles: AtomicU64,
    pub background_compiles: AtomicU64,
    pub compile_failures: AtomicU64,
    pub compile_time_ns: AtomicU64,
    pub background_compile_time_ns: AtomicU64,
    pub interpreted_runs: AtomicU64,
    pub compiled_runs: AtomicU64,
    pub extern_runs: AtomicU64,
    pub parallel_runs: AtomicU64,
    pub plan_cache_hits: AtomicU64,
    pub plan_cache_misses: AtomicU64,
    pub kernel_cache_hits: AtomicU64,
    pub kernel_cache_misses: AtomicU64,
    pub buffers_reused: AtomicU64,
    pub buffers_allocated: AtomicU64,
    pub temps_freed_early: AtomicU64,
    pub lower_time_ns: AtomicU64,
    pub plan_time_ns: AtomicU64,
    pub execute_time_ns: AtomicU64,
    pub release_time_ns: AtomicU64,
}

pub(crate) fn counters() -> &'static Counters {
    static C: OnceLock<Counters> = OnceLock::new();
    C.get_or_init(Counters::default)
}

pub(crate) fn bump(c: &AtomicU64, by: u64) {
    c.fetch_add(by, Ordering::Relaxed);
}

/// The runtime's counters now.
pub fn stats() -> Stats {
    let c = counters();
    let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
    Stats {
        kernels_compiled: g(&c.kernels_compiled),
        quick_compiles: g(&c.quick_compiles),
        narrow_compiles: g(&c.narrow_compiles),
        background_compiles: g(&c.background_compiles),
        background_compiles_pending: crate::compiler::background_compiles_pending() as u64,
        compile_failures: g(&c.compile_failures),
        compile_time_ns: g(&c.compile_time_ns),
        background_compile_time_ns: g(&c.background_compile_time_ns),
        interpreted_runs: g(&c.interpreted_runs),
        compiled_runs: g(&c.compiled_runs),
        extern_runs: g(&c.extern_runs),
        parallel_runs: g(&c.parallel_runs),
        plan_cache_hits: g(&c.plan_cache_hits),
        plan_cache_misses: g(&c.plan_cache_misses),
        kernel_cache_hits: g(&c.kernel_cache_hits),
        kernel_cache_misses: g(&c.kernel_cache_misses),
        buffers_reused: g(&c.buffers_reused),
        buffers_allocated: g(&c.buffers_allocated),
        temps_freed_early: g(&c.temps_freed_early),
        lower_time_ns: g(&c.lower_time_ns),
        plan_time_ns: g(&c.plan_time_ns),
        execute_time_ns: g(&c.execute_time_ns),
        release_time_ns: g(&c.release_time_ns),
    }
}

/// Which part of a `compute` call a time belongs to (see [`Stats`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Lower,
    Release,
}

/// Adds the time the frontend spent in `phase` to the counters.
pub fn note_time(phase: Phase, since: std::time::Instant) {
    let c = counters();
    let ns = since.elapsed().as_nanos() as u64;
    bump(
        match phase {
            Phase::Lower => &c.lower_time_ns,
            Phase::Release => &c.release_time_ns,
        },
        ns,
    );
}
