//! Host buffers (64-byte aligned, pooled by size class) and [`ArrayData`], a buffer read with a layout.

use crate::backend::driver::DevPtr;
use crate::backend::pool::DeviceBlock;
use crate::config::{bump, config, counters};
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{bail, ensure, DType, Device, Error, ErrorKind, Result, Scalar, Shape, Strides};
use std::alloc::Layout;
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, OnceLock};

/// Alignment of every pool allocation (a cache line; enough for any SIMD load).
pub const ALIGN: usize = 64;

/// The size class of an allocation: 64 bytes at least, then four classes per power of two (so at most
/// 25% is wasted).
fn size_class(bytes: usize) -> usize {
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
struct Block(NonNull<u8>);
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
    fn take(&self, class: usize) -> Result<(Block, bool)> {
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
    fn give(&self, block: Block, class: usize) {
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

enum Storage {
    /// Zero bytes: no memory at all.
    Empty,
    Pooled {
        block: Block,
        class: usize,
        pool: Arc<Pool>,
    },
    External {
        ptr: *const u8,
        _owner: Box<dyn std::any::Any + Send + Sync>,
    },
    /// Memory of CUDA device `ordinal` (a block of its pool, returned to the pool on drop). Never
    /// read through a host pointer: host access is an error, or a copy through [`crate::to_device`].
    Device { block: DeviceBlock, ordinal: u16 },
    /// Memory of CUDA device `ordinal` owned by someone else (a DLPack producer): `owner` keeps it
    /// alive and frees it on drop; lazulite's pool never sees it.
    ExternalDevice {
        ptr: DevPtr,
        ordinal: u16,
        _owner: Box<dyn std::any::Any + Send + Sync>,
    },
}

/// Aligned host memory from a pool (or borrowed from an external owner, zero-copy), or a block of a
/// CUDA device's memory ([`Buffer::device`]). Dropping a pooled buffer returns its memory to the pool.
pub struct Buffer {
    storage: Storage,
    len: usize,
}

// SAFETY: the buffer owns its memory (or keeps its `Send + Sync` owner alive); the runtime writes to a
// pooled buffer only while it is a temporary reachable from one executor, before it is shared.
unsafe impl Send for Buffer {}
// SAFETY: as above; shared access is read-only.
unsafe impl Sync for Buffer {}

impl Buffer {
    /// `bytes` bytes from the global pool; contents unspecified.
    pub fn alloc(bytes: usize) -> Result<Buffer> {
        Buffer::alloc_in(Pool::global(), bytes)
    }

    /// `bytes` bytes from `pool`; contents unspecified.
    pub fn alloc_in(pool: &Arc<Pool>, bytes: usize) -> Result<Buffer> {
        if bytes == 0 {
            return Ok(Buffer {
                storage: Storage::Empty,
                len: 0,
            });
        }
        // Beyond this no size class exists (and no machine has the memory).
        ensure!(
            bytes <= isize::MAX as usize / 2,
            Memory,
            "alloc: {bytes} bytes is too large for one buffer; use smaller arrays"
        );
        let class = size_class(bytes);
        let (block, reused) = pool.take(class)?;
        let c = counters();
        bump(
            if reused {
                &c.buffers_reused
            } else {
                &c.buffers_allocated
            },
            1,
        );
        Ok(Buffer {
            storage: Storage::Pooled {
                block,
                class,
                pool: pool.clone(),
            },
            len: bytes,
        })
    }

    /// A pooled copy of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Buffer> {
        let b = Buffer::alloc(bytes.len())?;
        if !bytes.is_empty() {
            // SAFETY: `b` owns `bytes.len()` writable bytes that nothing else references yet.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), b.as_mut_ptr()?, bytes.len()) };
        }
        Ok(b)
    }

    /// Zero-copy wrap of foreign memory kept alive by `owner` (e.g. a NumPy array).
    ///
    /// # Safety
    /// `ptr..ptr + len` must be readable, and stay valid and unmutated while `owner` lives. The runtime
    /// never writes to an external buffer.
    pub unsafe fn from_external(
        ptr: *const u8,
        len: usize,
        owner: Box<dyn std::any::Any + Send + Sync>,
    ) -> Buffer {
        Buffer {
            storage: Storage::External { ptr, _owner: owner },
            len,
        }
    }

    /// A buffer over a block of CUDA device `ordinal`'s memory, `len` bytes of it.
    pub(crate) fn from_device(block: DeviceBlock, ordinal: u16) -> Buffer {
        let len = block.len();
        Buffer {
            storage: Storage::Device { block, ordinal },
            len,
        }
    }

    /// Zero-copy wrap of foreign memory of CUDA device `ordinal` (e.g. a CuPy or PyTorch tensor's,
    /// imported through DLPack), kept alive by `owner` and never returned to lazulite's pool.
    ///
    /// # Safety
    /// `ptr..ptr + len` must be device memory of `ordinal`, and stay valid while `owner` lives. The
    /// runtime never writes to it (arrays over it are read-only).
    pub unsafe fn from_external_device(
        ptr: DevPtr,
        len: usize,
        ordinal: u16,
        owner: Box<dyn std::any::Any + Send + Sync>,
    ) -> Buffer {
        Buffer {
            storage: Storage::ExternalDevice {
                ptr,
                ordinal,
                _owner: owner,
            },
            len,
        }
    }

    /// Where the memory lives: the host, or a CUDA device.
    pub fn device(&self) -> Device {
        match &self.storage {
            Storage::Device { ordinal, .. } | Storage::ExternalDevice { ordinal, .. } => {
                Device::Cuda(*ordinal)
            }
            _ => Device::Cpu,
        }
    }

    /// The device address of a device buffer (`None` for host memory).
    pub(crate) fn device_ptr(&self) -> Option<DevPtr> {
        match &self.storage {
            Storage::Device { block, .. } => Some(block.ptr()),
            Storage::ExternalDevice { ptr, .. } => Some(*ptr),
            _ => None,
        }
    }

    /// The host address, or `None` for device memory.
    fn host_addr(&self) -> Option<*const u8> {
        match &self.storage {
            Storage::Empty => Some(NonNull::<u8>::dangling().as_ptr().cast_const()),
            Storage::Pooled { block, .. } => Some(block.0.as_ptr().cast_const()),
            Storage::External { ptr, .. } => Some(*ptr),
            Storage::Device { .. } | Storage::ExternalDevice { .. } => None,
        }
    }

    /// The error of host access to device memory.
    fn on_device_error(&self) -> Error {
        Error::new(
            ErrorKind::Value,
            format!(
                "host access to an array on {}: its memory is device memory, not readable from the \
                 host; copy it to the host first (to_device(cpu))",
                self.device()
            ),
        )
    }

    /// The host address of the memory; a `Value` error for device memory (never a device address
    /// read as a host pointer).
    pub fn as_ptr(&self) -> Result<*const u8> {
        self.host_addr().ok_or_else(|| self.on_device_error())
    }

    /// The address for writing. Only the executor writes, and only to pooled temporaries it owns alone.
    pub(crate) fn as_mut_ptr(&self) -> Result<*mut u8> {
        self.as_ptr().map(<*const u8>::cast_mut)
    }

    pub fn is_external(&self) -> bool {
        matches!(self.storage, Storage::External { .. })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes; a `Value` error for device memory (copy it to the host with [`crate::to_device`]).
    pub fn as_slice(&self) -> Result<&[u8]> {
        let p = self.as_ptr()?;
        if self.len == 0 {
            return Ok(&[]);
        }
        // SAFETY: host memory: the buffer holds `len` readable bytes for its lifetime (pooled memory
        // is owned; external memory is valid by `from_external`'s contract).
        Ok(unsafe { std::slice::from_raw_parts(p, self.len) })
    }
}

/// The element of a scalar parameter ([`ArrayData::broadcast_scalar`]), aligned for every dtype.
#[repr(C, align(16))]
struct ScalarCell([u8; 16]);

impl Drop for Buffer {
    fn drop(&mut self) {
        if let Storage::Pooled { block, class, pool } =
            std::mem::replace(&mut self.storage, Storage::Empty)
        {
            pool.give(block, class);
        }
    }
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.host_addr(), self.device_ptr()) {
            (Some(p), _) => write!(f, "Buffer({} bytes @ {:p})", self.len, p),
            (None, d) => write!(
                f,
                "Buffer({} bytes on {} @ {:#x})",
                self.len,
                self.device(),
                d.unwrap_or(0)
            ),
        }
    }
}

/// An array value: a buffer read with a layout. `offset` is the element index (in the buffer) of the
/// element at index (0, ..., 0); `strides` are in elements and may be 0 or negative.
#[derive(Debug)]
pub struct ArrayData {
    pub buffer: Arc<Buffer>,
    pub offset: isize,
    pub strides: Strides,
    pub shape: Shape,
    pub dtype: DType,
}

impl Clone for ArrayData {
    fn clone(&self) -> Self {
        // `from_slice` copies the layout in one go (SmallVec's `clone` goes element by element
        // through `extend`; the compute walk clones one ArrayData per input).
        ArrayData {
            buffer: self.buffer.clone(),
            offset: self.offset,
            strides: Strides::from_slice(&self.strides),
            shape: Shape::from_slice(&self.shape),
            dtype: self.dtype,
        }
    }
}

impl ArrayData {
    /// A C-contiguous copy of `bytes` (little-endian elements in C order).
    pub fn from_bytes(bytes: &[u8], dtype: DType, shape: &[usize]) -> Result<ArrayData> {
        let n = numel(shape);
        ensure!(
            bytes.len() == n * dtype.size(),
            Value,
            "from_bytes: {} bytes do not hold an array of shape {shape:?} and dtype {dtype} ({} bytes); \
             pass exactly numel * itemsize bytes",
            bytes.len(),
            n * dtype.size()
        );
        Ok(ArrayData {
            buffer: Arc::new(Buffer::from_bytes(bytes)?),
            offset: 0,
            strides: contiguous_strides(shape),
            shape: shape.into(),
            dtype,
        })
    }

    /// `value` as `dtype` seen at every index of `shape` (all strides 0): a scalar parameter of a
    /// kernel. Its one element lives in a small heap cell of its own (no pool, no lock), read-only
    /// like external memory.
    pub fn broadcast_scalar(value: Scalar, dtype: DType, shape: &[usize]) -> ArrayData {
        let mut cell = Box::new(ScalarCell([0; 16]));
        let bytes = value.cast(dtype).to_bytes(dtype);
        let n = bytes.len().min(16);
        cell.0[..n].copy_from_slice(&bytes[..n]);
        let ptr = cell.0.as_ptr();
        // SAFETY: `ptr` points at the cell's 16 bytes (at least one element of any dtype); the box,
        // moved into the buffer as its owner, keeps them at a fixed heap address and nothing writes
        // them while the buffer lives.
        let buffer = unsafe { Buffer::from_external(ptr, dtype.size().min(16), cell) };
        ArrayData {
            buffer: Arc::new(buffer),
            offset: 0,
            strides: std::iter::repeat_n(0, shape.len()).collect(),
            shape: shape.into(),
            dtype,
        }
    }

    /// A C-contiguous array of `dtype` holding `values` (each cast to `dtype`).
    pub fn from_scalars(values: &[Scalar], dtype: DType, shape: &[usize]) -> Result<ArrayData> {
        ensure!(
            values.len() == numel(shape),
            Value,
            "from_scalars: {} values for shape {shape:?}; give one value per element",
            values.len()
        );
        let n = lazulite_ir::alloc::bytes_for("from_scalars", values.len(), dtype.size())?;
        let mut bytes = lazulite_ir::alloc::try_vec("from_scalars", n)?;
        for v in values {
            bytes.extend_from_slice(&v.to_bytes(dtype));
        }
        ArrayData::from_bytes(&bytes, dtype, shape)
    }

    /// A new C-contiguous array of `dtype` and `shape` whose bytes `fill` writes in place (they start
    /// zeroed). A size that cannot be allocated is a `Memory` error naming `what`.
    pub fn from_writer(
        what: &str,
        dtype: DType,
        shape: &[usize],
        fill: impl FnOnce(&mut [u8]) -> Result<()>,
    ) -> Result<ArrayData> {
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        let n = lazulite_ir::alloc::bytes_for(what, count.unwrap_or(usize::MAX), dtype.size())?;
        let buffer =
            Buffer::alloc(n).map_err(|e| Error::new(e.kind, format!("{what}: {}", e.message)))?;
        if n > 0 {
            let p = buffer.as_mut_ptr()?;
            // SAFETY: `buffer` owns `n` writable bytes that nothing else references yet; they are
            // zeroed before the slice is made, so the slice never exposes uninitialised memory.
            let out = unsafe {
                std::ptr::write_bytes(p, 0, n);
                std::slice::from_raw_parts_mut(p, n)
            };
            fill(out)?;
        }
        Ok(ArrayData {
            buffer: Arc::new(buffer),
            offset: 0,
            strides: contiguous_strides(shape),
            shape: shape.into(),
            dtype,
        })
    }

    /// Whether this is a scalar parameter: one element seen at every index (all strides 0), as the
    /// frontend makes from a Python or Rust number.
    pub fn is_scalar_parameter(&self) -> bool {
        self.buffer.len() == self.dtype.size() && self.strides.iter().all(|&s| s == 0)
    }

    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// Checks that every element the layout addresses lies inside the buffer.
    pub fn check_layout(&self) -> Result<()> {
        check_extent(
            "array",
            self.buffer.len(),
            self.dtype,
            self.offset,
            &self.strides,
            &self.shape,
        )
    }

    /// Where the array's memory lives.
    pub fn device(&self) -> Device {
        self.buffer.device()
    }

    /// Reads one element, or `Index` when `index` is out of range. Never compiles anything. An array
    /// on a device is read through a copy of its elements to the host ([`crate::to_device`]).
    pub fn try_get(&self, index: &[usize]) -> Result<Scalar> {
        if self.device() != Device::Cpu {
            return crate::transfer::to_device(self, Device::Cpu)?.try_get(index);
        }
        ensure!(
            index.len() == self.shape.len(),
            Index,
            "get: index {index:?} has {} entries for an array of rank {}; give one index per axis",
            index.len(),
            self.shape.len()
        );
        for (a, (&i, &n)) in index.iter().zip(&self.shape).enumerate() {
            ensure!(
                i < n,
                Index,
                "get: index {i} is out of bounds for axis {a} of size {n} (shape {:?})",
                self.shape
            );
        }
        let e = self.offset
            + index
                .iter()
                .zip(&self.strides)
                .map(|(&i, &s)| i as isize * s)
                .sum::<isize>();
        let size = self.dtype.size();
        let start = e as usize * size;
        let bytes = self.buffer.as_slice()?;
        ensure!(
            e >= 0 && start + size <= bytes.len(),
            Internal,
            "get: element {e} lies outside its buffer of {} bytes (layout offset {} strides {:?})",
            bytes.len(),
            self.offset,
            self.strides
        );
        Ok(Scalar::from_bytes(self.dtype, &bytes[start..start + size]))
    }

    /// Reads one element. Panics when `index` is out of range (use [`ArrayData::try_get`] for user input).
    pub fn get(&self, index: &[usize]) -> Scalar {
        match self.try_get(index) {
            Ok(s) => s,
            Err(e) => panic!("{}", e.message),
        }
    }

    /// The elements in C order, as little-endian bytes. Panics when the copy cannot be allocated
    /// (tests); the engine uses [`ArrayData::try_to_contiguous_bytes`].
    pub fn to_contiguous_bytes(&self) -> Vec<u8> {
        match self.try_to_contiguous_bytes("to_contiguous_bytes") {
            Ok(v) => v,
            Err(e) => panic!("{}", e.message),
        }
    }

    /// The elements in C order, as little-endian bytes, or a `Memory` error naming `what`. An array on
    /// a device is copied to the host first ([`crate::to_device`], counted by `transfer_stats`).
    pub fn try_to_contiguous_bytes(&self, what: &str) -> Result<Vec<u8>> {
        if self.device() != Device::Cpu {
            return crate::transfer::to_device(self, Device::Cpu)?.try_to_contiguous_bytes(what);
        }
        let size = self.dtype.size();
        let n = self.numel();
        let mut out =
            lazulite_ir::alloc::try_vec(what, lazulite_ir::alloc::bytes_for(what, n, size)?)?;
        if n == 0 {
            return Ok(out);
        }
        let bytes = self.buffer.as_slice()?;
        if self.is_c_contiguous() {
            let s = self.offset as usize * size;
            out.extend_from_slice(&bytes[s..s + n * size]);
            return Ok(out);
        }
        let rank = self.shape.len();
        let mut idx = vec![0usize; rank];
        let mut e = self.offset;
        for _ in 0..n {
            let s = e as usize * size;
            out.extend_from_slice(&bytes[s..s + size]);
            // advance the multi-index
            let mut d = rank;
            while d > 0 {
                d -= 1;
                idx[d] += 1;
                e += self.strides[d];
                if idx[d] < self.shape[d] {
                    break;
                }
                e -= self.strides[d] * self.shape[d] as isize;
                idx[d] = 0;
            }
        }
        Ok(out)
    }

    /// True when the elements lie in C order without gaps (axes of size 1 may have any stride).
    pub fn is_c_contiguous(&self) -> bool {
        if self.numel() == 0 {
            return true;
        }
        let want = contiguous_strides(&self.shape);
        self.shape
            .iter()
            .zip(self.strides.iter().zip(&want))
            .all(|(&n, (&s, &w))| n == 1 || s == w)
    }

    /// Host address of element (0, ..., 0); a `Value` error for an array on a device (copy it to
    /// the host with [`crate::to_device`]).
    pub fn data_ptr(&self) -> Result<*const u8> {
        Ok(self
            .buffer
            .as_ptr()?
            .wrapping_offset(self.offset * self.dtype.size() as isize))
    }

    /// The range of elements of the buffer the layout reads, `lo..hi` (empty for no element).
    pub(crate) fn extent(&self) -> std::ops::Range<isize> {
        if self.numel() == 0 {
            return 0..0;
        }
        let (mut lo, mut hi) = (self.offset, self.offset);
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            let span = (n as isize - 1) * s;
            if span < 0 {
                lo += span;
            } else {
                hi += span;
            }
        }
        lo..hi + 1
    }
}

/// Checks that `offset + Σ i_d * strides[d]` (elements of `dtype`) stays inside `len_bytes` for every
/// index of `shape`.
pub(crate) fn check_extent(
    what: &str,
    len_bytes: usize,
    dtype: DType,
    offset: isize,
    strides: &[isize],
    shape: &[usize],
) -> Result<()> {
    ensure!(
        strides.len() == shape.len(),
        Internal,
        "{what}: {} strides for shape {shape:?}",
        strides.len()
    );
    if numel(shape) == 0 {
        return Ok(());
    }
    let (mut lo, mut hi) = (offset as i128, offset as i128);
    for (&n, &s) in shape.iter().zip(strides) {
        let span = (n as i128 - 1) * s as i128;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    let elems = (len_bytes / dtype.size()) as i128;
    ensure!(
        lo >= 0 && hi < elems,
        Internal,
        "{what}: layout (offset {offset}, strides {strides:?}, shape {shape:?}, {dtype}) reads elements \
         {lo}..={hi} of a buffer holding {elems}; the layout does not fit its buffer"
    );
    Ok(())
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

    #[test]
    fn pool_reuses_freed_blocks() {
        let pool = Arc::new(Pool::new());
        let a = Buffer::alloc_in(&pool, 10_000).unwrap();
        let pa = a.as_ptr().unwrap();
        assert_eq!(pa as usize % ALIGN, 0);
        drop(a);
        assert_eq!(pool.stats().cached_blocks, 1);
        let b = Buffer::alloc_in(&pool, 9_990).unwrap();
        assert_eq!(
            b.as_ptr().unwrap(),
            pa,
            "same size class must reuse the freed block"
        );
        assert_eq!(pool.stats().cached_blocks, 0);
        let c = Buffer::alloc_in(&pool, 100_000).unwrap();
        assert_ne!(c.as_ptr().unwrap(), pa);
        drop((b, c));
        assert_eq!(pool.stats().cached_blocks, 2);
        pool.trim();
        assert_eq!(pool.stats(), PoolStats::default());
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

    #[test]
    fn impossible_allocations_are_memory_errors() {
        let pool = Arc::new(Pool::new());
        for bytes in [usize::MAX, isize::MAX as usize, 1 << 62] {
            let e = Buffer::alloc_in(&pool, bytes).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Memory, "{bytes}: {}", e.message);
            assert!(e.message.contains(&bytes.to_string()), "{}", e.message);
        }
        let e = ArrayData::from_writer("arange", DType::F64, &[1 << 62], |_| Ok(())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Memory);
        assert!(e.message.starts_with("arange:"), "{}", e.message);
        // an element count that overflows is refused too, not wrapped
        let e = ArrayData::from_writer("t", DType::U8, &[1 << 62, 1 << 2], |_| Ok(())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Memory);
        // the pool is still usable, and a writer sees zeroed memory it fills in place
        let a = ArrayData::from_writer("t", DType::U8, &[2, 3], |b| {
            assert!(b.iter().all(|&x| x == 0));
            b.copy_from_slice(&[1, 2, 3, 4, 5, 6]);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            a.try_to_contiguous_bytes("t").unwrap(),
            vec![1, 2, 3, 4, 5, 6]
        );
    }

    #[test]
    fn external_buffers_keep_owner_alive() {
        let v: Arc<Vec<u8>> = Arc::new(vec![1, 2, 3, 4]);
        // SAFETY: the Arc'd vector is kept alive and unmutated by the owner box.
        let b = unsafe { Buffer::from_external(v.as_ptr(), v.len(), Box::new(v.clone())) };
        assert_eq!(Arc::strong_count(&v), 2);
        assert_eq!(b.as_slice().unwrap(), &[1, 2, 3, 4]);
        drop(b);
        assert_eq!(Arc::strong_count(&v), 1);
    }

    #[test]
    fn array_views_read_through_strides() {
        let vals: Vec<u8> = (0..6i32).flat_map(|i| i.to_le_bytes()).collect();
        let a = ArrayData::from_bytes(&vals, DType::I32, &[2, 3]).unwrap();
        assert!(a.is_c_contiguous());
        assert_eq!(a.get(&[1, 2]), Scalar::Int(5));
        // transpose, then flip axis 0 of the transpose
        let t = ArrayData {
            offset: 2,
            strides: [-1isize, 3].into_iter().collect(),
            shape: [3usize, 2].into_iter().collect(),
            ..a.clone()
        };
        assert!(!t.is_c_contiguous());
        t.check_layout().unwrap();
        let got: Vec<i32> = t
            .to_contiguous_bytes()
            .chunks(4)
            .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        // t[i, j] = a[j, 2 - i]
        assert_eq!(got, vec![2, 5, 1, 4, 0, 3]);
        assert_eq!(t.try_get(&[3, 0]).unwrap_err().kind, ErrorKind::Index);
        let bad = ArrayData {
            offset: 5,
            ..a.clone()
        };
        assert_eq!(bad.check_layout().unwrap_err().kind, ErrorKind::Internal);
        assert_eq!(
            ArrayData::from_bytes(&vals, DType::I32, &[4])
                .unwrap_err()
                .kind,
            ErrorKind::Value
        );
    }
}
