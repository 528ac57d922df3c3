//! Graph memory per node: a counting global allocator measures the heap a long elementwise chain
//! holds once built, and the peak while it is lowered, planned (a plan-cache miss) and run. Both must
//! stay under 1 KB per op (they were about 0.7 KB and 5.8 KB when nodes held their view maps inline,
//! the graph kept a second copy of every node in its intern map, planning copied the graph and the
//! interpreter gave every instruction a tile of its own).
//!
//! One test in this file: the counters are process-wide, so nothing else may allocate meanwhile.

use lazulite_frontend::{self as lz, BinaryOp, LazyArray, Operand, Scalar};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};

struct Counting;
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(by: isize) {
    let now = CURRENT.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every method forwards its arguments unchanged to the system allocator, which upholds the
// `GlobalAlloc` contract; the counters are bookkeeping only.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        grew(l.size() as isize);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        grew(l.size() as isize);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        CURRENT.fetch_sub(l.size() as isize, Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // counted as the moment both blocks may exist
        grew(new as isize);
        CURRENT.fetch_sub(l.size() as isize, Relaxed);
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Binary ops in the chain (`x = x * 1.0001 + 0.5`, repeated).
const OPS: usize = 100_000;
const LIMIT: isize = 1024;

#[test]
fn chain_memory_per_op_stays_under_1kb() {
    let start = [1.0f64, -2.0, 0.25, 3.0];
    let x = lz::from_vec(start.to_vec(), &[4]).unwrap();
    let base = CURRENT.load(Relaxed);
    let t = std::time::Instant::now();
    let mut y: LazyArray = x.clone();
    for _ in 0..OPS / 2 {
        let m = Operand::Scalar(Scalar::Float(1.0001));
        y = lz::binary(BinaryOp::Mul, Operand::Array(&y), m).unwrap();
        let a = Operand::Scalar(Scalar::Float(0.5));
        y = lz::binary(BinaryOp::Add, Operand::Array(&y), a).unwrap();
    }
    let build = t.elapsed();
    let held = (CURRENT.load(Relaxed) - base) / OPS as isize;
    PEAK.store(CURRENT.load(Relaxed), Relaxed);
    let t = std::time::Instant::now();
    let data = y.compute().unwrap();
    let run = t.elapsed();
    let peak = (PEAK.load(Relaxed) - base) / OPS as isize;
    eprintln!(
        "{OPS} ops: build {:.2} us/op, {held} B/op held; compute {:.2} s, peak {peak} B/op",
        build.as_secs_f64() * 1e6 / OPS as f64,
        run.as_secs_f64()
    );
    assert!(held < LIMIT, "the built chain holds {held} B per op");
    assert!(
        peak < LIMIT,
        "computing the chain peaks at {peak} B per op above the start"
    );
    // the oracle: the same ops in plain Rust, in the same order
    for (i, &s) in start.iter().enumerate() {
        let want = (0..OPS / 2).fold(s, |v, _| v * 1.0001 + 0.5);
        assert_eq!(data.get(&[i]), Scalar::Float(want), "element {i}");
    }
}
