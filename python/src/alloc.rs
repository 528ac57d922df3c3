//! The extension's global allocator: small blocks from mimalloc, large ones from the system's.
//!
//! Why not the system allocator alone: what a computation lets go of (a 1000-op chain: a few
//! thousand small blocks) is freed on the driver thread while the Python thread builds the next
//! graph, and glibc's `free` takes the lock of the arena a block came from, the one the Python
//! thread allocates from. Once the two overlapped they took turns on that lock for good: a process
//! ran the warm 1000-op compute at 400-500 us instead of 120 us, and built graphs 2-6x slower
//! (bench/README.md, branch warm11b). mimalloc frees another thread's block with one atomic push.
//!
//! Why not mimalloc alone: it grows a large block by copying it and keeps freed memory a while, so
//! a 100,000-op chain's planning (graph, stacks and tables grown by doubling) peaked at 1,500 B per
//! op against 980 with glibc, which grows a large block in place (`mremap`) and gives it back at
//! once (`python/tests/test_graph_memory.py` bounds it at 1 KiB). Large blocks are few: the system
//! allocator's lock is rarely taken for them.

use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of at least this many bytes come from the system allocator. A graph node and its operand
/// list are far smaller. At 64 KiB the linalg extern ops' medium temporaries (faer's) came from
/// mimalloc too, and a 1000x1000 `cholesky` took 2.2-3.2x the page faults per call of the system
/// allocator alone (105-121k against 35-49k over 40 calls, `perf stat`) and ran 1.3-2x slower;
/// at 4 KiB it takes the system allocator's 41k, and the warm 1000-op chain keeps mimalloc's gain.
const LARGE: usize = 4 << 10;

pub struct Split;

fn large(layout: &Layout) -> bool {
    layout.size() >= LARGE
}

// SAFETY: every block is allocated and freed by the same allocator: the one its layout's size picks
// (`dealloc` and `realloc` get the layout the block was allocated with); a `realloc` that crosses
// `LARGE` allocates from the other allocator, copies the smaller of the two sizes and frees the
// old block with the allocator that made it.
unsafe impl GlobalAlloc for Split {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees (a non-zero size).
        unsafe {
            if large(&layout) {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if large(&layout) {
                System.alloc_zeroed(layout)
            } else {
                MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated with `layout`, so by the allocator its size picks.
        unsafe {
            if large(&layout) {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `ptr` was allocated with `layout` by the allocator its size picks; when both
        // sizes pick the same allocator its `realloc` gets the caller's guarantees, else the new
        // block is allocated, the bytes both hold copied, and the old block freed.
        unsafe {
            match (large(&layout), large(&new)) {
                (true, true) => System.realloc(ptr, layout, new_size),
                (false, false) => MiMalloc.realloc(ptr, layout, new_size),
                _ => {
                    let q = self.alloc(new);
                    if !q.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, q, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    q
                }
            }
        }
    }
}
