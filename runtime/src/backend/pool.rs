//! Device memory pool: a caching allocator over a [`Driver`], as CuPy's memory pool. Requests are
//! rounded up to a size class (multiples of 512 bytes, then of 1/8 of the power of two above them for
//! large requests), a freed block goes to the free list of its class, and the next request of that class
//! takes it without a driver call. Blocks are used in stream order (one stream per device), so a block
//! freed after the last launch that reads it can be handed out at once: the next user's work queues
//! behind that launch. When the driver has no room, the pool gives every cached block back and asks
//! once more; then it is a `Memory` error.

use super::driver::{DevPtr, Driver};
use lazulite_ir::{Error, ErrorKind, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Smallest allocation unit (CuPy's).
const UNIT: usize = 512;

/// The size class of a request of `bytes`.
pub fn size_class(bytes: usize) -> usize {
    let b = bytes.max(1).div_ceil(UNIT) * UNIT;
    if b <= 1 << 20 {
        return b;
    }
    // above 1 MiB: steps of 1/8 of the enclosing power of two (at most 12.5% slack)
    let step = (b.next_power_of_two() / 8).max(UNIT);
    b.div_ceil(step) * step
}

/// What the pool did (see [`DevicePool::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DevicePoolStats {
    /// Requests served from a free list.
    pub reused: u64,
    /// Requests that called the driver.
    pub driver_allocs: u64,
    /// Bytes held by live blocks.
    pub in_use_bytes: usize,
    /// Bytes in free lists.
    pub cached_bytes: usize,
}

struct State {
    free: HashMap<usize, Vec<DevPtr>>,
    stats: DevicePoolStats,
}

/// The pool of one device.
pub struct DevicePool {
    driver: Arc<dyn Driver>,
    state: Mutex<State>,
}

impl DevicePool {
    pub fn new(driver: Arc<dyn Driver>) -> DevicePool {
        DevicePool {
            driver,
            state: Mutex::new(State {
                free: HashMap::new(),
                stats: DevicePoolStats::default(),
            }),
        }
    }

    pub fn driver(&self) -> &Arc<dyn Driver> {
        &self.driver
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stats(&self) -> DevicePoolStats {
        self.state().stats
    }

    /// A block of at least `bytes`; `what` names the value for a `Memory` error.
    pub fn alloc(self: &Arc<Self>, what: &str, bytes: usize) -> Result<DeviceBlock> {
        let class = size_class(bytes);
        {
            let mut s = self.state();
            if let Some(ptr) = s.free.get_mut(&class).and_then(Vec::pop) {
                s.stats.reused += 1;
                s.stats.cached_bytes -= class;
                s.stats.in_use_bytes += class;
                return Ok(self.block(ptr, bytes, class));
            }
        }
        let ptr = match self.driver.alloc(class) {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::Memory => {
                self.release_cached();
                self.driver
                    .alloc(class)
                    .map_err(|e| self.oom(what, bytes, e))?
            }
            Err(e) => return Err(e),
        };
        let mut s = self.state();
        s.stats.driver_allocs += 1;
        s.stats.in_use_bytes += class;
        Ok(self.block(ptr, bytes, class))
    }

    fn oom(&self, what: &str, bytes: usize, e: Error) -> Error {
        if e.kind != ErrorKind::Memory {
            return e;
        }
        let s = self.stats();
        Error::new(
            ErrorKind::Memory,
            format!(
                "{what}: the CUDA device {} has no room for {bytes} bytes ({} in use by lazulite arrays; \
                 {}); free some arrays, use smaller ones or compute on the CPU",
                self.driver.info().name,
                s.in_use_bytes,
                e.message
            ),
        )
    }

    fn block(self: &Arc<Self>, ptr: DevPtr, len: usize, class: usize) -> DeviceBlock {
        DeviceBlock {
            ptr,
            len,
            class,
            pool: self.clone(),
        }
    }

    /// Gives every cached (free) block back to the driver.
    pub fn release_cached(&self) {
        let blocks: Vec<DevPtr> = {
            let mut s = self.state();
            s.stats.cached_bytes = 0;
            s.free.drain().flat_map(|(_, v)| v).collect()
        };
        for p in blocks {
            self.driver.free(p);
        }
    }

    fn give_back(&self, ptr: DevPtr, class: usize) {
        let mut s = self.state();
        s.stats.in_use_bytes -= class;
        s.stats.cached_bytes += class;
        s.free.entry(class).or_default().push(ptr);
    }
}

/// A block of device memory from a [`DevicePool`]; it returns to the pool when dropped.
pub struct DeviceBlock {
    ptr: DevPtr,
    len: usize,
    class: usize,
    pool: Arc<DevicePool>,
}

impl DeviceBlock {
    pub fn ptr(&self) -> DevPtr {
        self.ptr
    }

    /// The bytes asked for (the block may be larger).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for DeviceBlock {
    fn drop(&mut self) {
        self.pool.give_back(self.ptr, self.class);
    }
}

impl std::fmt::Debug for DeviceBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceBlock({:#x}, {} bytes)", self.ptr, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_round_up_with_bounded_slack() {
        assert_eq!(size_class(0), 512);
        assert_eq!(size_class(1), 512);
        assert_eq!(size_class(513), 1024);
        assert_eq!(size_class(1 << 20), 1 << 20);
        for b in [(1 << 20) + 1, 3 << 20, 1000 << 20, (1 << 30) + 7] {
            let c = size_class(b);
            assert!(c >= b && (c - b) * 8 <= b.next_power_of_two(), "{b} -> {c}");
        }
    }
}
