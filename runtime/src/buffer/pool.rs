//! The host pool: freed buffer blocks kept by size class for reuse, bounded by
//! `Config::pool_max_bytes`, and the optional huge-page advice for new blocks.

use crate::config::config;
use lazulite_ir::{bail, Error, ErrorKind, Result};
use std::alloc::Layout;
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, OnceLock};

/// Alignment of every pool allocation (a cache line; enough for any SIMD load).
pub const ALIGN: usize = 64;

/// The size class of an allocation: 64 bytes at least, then four classes per power of two (so at most
/// 25% is wasted).
pub(super) fn size_class(bytes: usize) -> usize {
    if bytes <= ALIGN {
        return ALIGN;
    }
    let p = usize::BITS - (bytes - 1).leading_zeros(); // 2^p >= bytes
    let step = (1usize << (p - 1)) / 4; // quarter of the lower power of two
    let base = 1usize << (p - 1);
    let k = (bytes - base).div_ceil(step);
    let c = base + k * step;
    c.div_ceil(ALIGN) * ALIGN
}

/// A raw block owned by the pool or a buffer.
pub(super) struct Block(pub(super) NonNull<u8>);
// SAFETY: a block is plain heap memory with no thread affinity; ownership moves with the value.
unsafe impl Send for Block {}

/// Freed blocks by size class, bounded by `Config::pool_max_bytes`.
pub struct Pool {
    inner: Mutex<PoolInner>,
}

#[derive(Default)]
struct PoolInner {
    free: HashMap<usize, Vec<Block>>,
    bytes: usize,
}

/// Counters of one pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Bytes held for reuse now.
    pub cached_bytes: usize,
    /// Blocks held for reuse now.
    pub cached_blocks: usize,
}

impl Pool {
    pub fn new() -> Pool {
        Pool {
            inner: Mutex::new(PoolInner::default()),
        }
    }

    /// The process-wide pool every [`Buffer::alloc`] uses.
    pub fn global() -> &'static Arc<Pool> {
        static P: OnceLock<Arc<Pool>> = OnceLock::new();
        P.get_or_init(|| Arc::new(Pool::new()))
    }

    pub fn stats(&self) -> PoolStats {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        PoolStats {
            cached_bytes: g.bytes,
            cached_blocks: g.free.values().map(Vec::len).sum(),
        }
    }

    /// Returns every cached block to the system.
    pub fn trim(&self) {
        let blocks: Vec<(usize, Vec<Block>)> = {
            let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            g.bytes = 0;
            g.free.drain().collect()
        };
        for (class, list) in blocks {
            for b in list {
                free_block(b, class);
            }
        }
    }

    /// A block of `class` bytes, from the cache when one is free. `(block, reused)`.
    pub(super) fn take(&self, class: usize) -> Result<(Block, bool)> {
        {
            let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(b) = g.free.get_mut(&class).and_then(Vec::pop) {
                g.bytes -= class;
                return Ok((b, true));
            }
        }
        let layout = Layout::from_size_align(class, ALIGN).map_err(|_| {
            Error::new(
                ErrorKind::Memory,
                format!("alloc: {class} bytes is too large for one buffer; use smaller arrays"),
            )
        })?;
        // SAFETY: `layout` has a non-zero size (classes are >= 64 bytes).
        let p = unsafe { std::alloc::alloc(layout) };
        match NonNull::new(p) {
            Some(p) => {
                advise_huge_pages(p.as_ptr(), class);
                Ok((Block(p), false))
            }
            None => bail!(
                Memory,
                "alloc: the system refused {class} bytes; free some arrays or use smaller ones"
            ),
        }
    }

    /// Takes a block back, or frees it when the pool is full.
    pub(super) fn give(&self, block: Block, class: usize) {
        let max = config().pool_max_bytes;
        {
            let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if g.bytes + class <= max {
                g.bytes += class;
                g.free.entry(class).or_default().push(block);
                return;
            }
        }
        free_block(block, class);
    }
}

impl Default for Pool {
    fn default() -> Self {
        Pool::new()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.trim();
    }
}

/// Asks Linux to back the whole pages of a new block of `len` bytes at `p` with transparent huge pages
/// when it has at least `Config::huge_page_bytes` (`LAZULITE_HUGE_PAGE_BYTES`; 0, never, by default).
fn advise_huge_pages(p: *mut u8, len: usize) {
    let from = config().huge_page_bytes;
    if from != 0 && len >= from {
        advise_huge_pages_now(p, len);
    }
}

/// `madvise(MADV_HUGEPAGE)` over the whole pages of `[p, p + len)`, effective where THP is `madvise`
/// or `always`; on untouched pages the first write then faults 2 MiB pages in. NumPy does this for
/// its arrays from 4 MiB on. A stream through a 64 MiB buffer of 4 KiB pages walks the page table
/// every 4 KiB; with huge pages, every 2 MiB: `sum(x)` of 2^24 float32 read at 67-69 GB/s from a
/// 4 KiB-page copy and at 72-78 GB/s from a huge-page one (two threads). But on the project's VM the
/// first touch of fresh huge pages was at times far slower (a fresh 256 MiB kernel output 1.7-3.3 s
/// against 0.25-0.3 s; Ctrl-C during FFT passes over 256 MiB answered in 330-930 ms against
/// 76-150 ms), so it is off unless asked for (bench/README.md, branch `red11d`). Only advice: a
/// refusal (no THP, an old kernel) changes nothing.
#[cfg(target_os = "linux")]
fn advise_huge_pages_now(p: *mut u8, len: usize) {
    const PAGE: usize = 4096;
    let start = (p as usize).next_multiple_of(PAGE);
    let end = (p as usize + len) & !(PAGE - 1);
    if end > start {
        // SAFETY: `[start, end)` lies inside the caller's block (page-aligned inward), which the
        // caller owns; MADV_HUGEPAGE changes how its pages are backed, never their contents.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages_now(_p: *mut u8, _len: usize) {}

fn free_block(b: Block, class: usize) {
    // SAFETY: `b` was allocated by `Pool::take` with exactly this size and alignment, and is owned here.
    unsafe {
        std::alloc::dealloc(
            b.0.as_ptr(),
            Layout::from_size_align_unchecked(class, ALIGN),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_cover_and_bound_waste() {
        for bytes in [
            1usize,
            63,
            64,
            65,
            100,
            1000,
            4096,
            4097,
            1 << 20,
            (1 << 20) + 1,
            12345678,
        ] {
            let c = size_class(bytes);
            assert!(c >= bytes, "{bytes} -> {c}");
            assert_eq!(c % ALIGN, 0);
            assert!(c <= bytes.max(64) * 5 / 4 + ALIGN, "{bytes} -> {c}");
        }
        assert_eq!(size_class(4096), size_class(4000));
    }

    /// The `VmFlags` line of the mapping in `/proc/self/smaps` that holds address `at`.
    #[cfg(target_os = "linux")]
    fn vm_flags(at: usize) -> Option<String> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            let range = line
                .split_whitespace()
                .next()
                .and_then(|r| r.split_once('-'));
            if let Some((lo, hi)) = range {
                if let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
                {
                    inside = lo <= at && at < hi;
                    continue;
                }
            }
            if inside && line.starts_with("VmFlags:") {
                return Some(line.to_string());
            }
        }
        None
    }

    /// An advised region gets the `hg` flag in its mapping (where the kernel has THP: the advice
    /// is recorded whether THP is `always`, `madvise` or `never`) and keeps what is written to it;
    /// `LAZULITE_HUGE_PAGE_BYTES` is off by default.
    #[cfg(target_os = "linux")]
    #[test]
    fn advised_regions_ask_for_huge_pages() {
        assert_eq!(crate::config::Config::default().huge_page_bytes, 0);
        let len = 8 << 20;
        // SAFETY: a fresh private anonymous mapping of `len` bytes, unmapped below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        let p = p as *mut u8;
        let thp = std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists();
        let hg = |at: usize| vm_flags(at).map(|f| f.split_whitespace().any(|w| w == "hg"));
        if thp {
            assert_eq!(hg(p as usize + len / 2), Some(false), "not advised yet");
        }
        advise_huge_pages_now(p, len);
        // SAFETY: the mapping is `len` writable bytes that nothing else references.
        let bytes = unsafe { std::slice::from_raw_parts_mut(p, len) };
        bytes.fill(7);
        assert!(bytes.iter().all(|&b| b == 7));
        if thp {
            assert_eq!(hg(p as usize + len / 2), Some(true));
        }
        // SAFETY: unmaps exactly the mapping made above; `bytes` is not used after.
        assert_eq!(unsafe { libc::munmap(p as *mut libc::c_void, len) }, 0);
    }
}
