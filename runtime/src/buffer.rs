//! Host buffers (64-byte aligned, pooled by size class) and [`ArrayData`], a buffer read with a layout.

use crate::backend::driver::DevPtr;
use crate::backend::pool::DeviceBlock;
use crate::config::{bump, counters};
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{ensure, DType, Device, Error, ErrorKind, Result, Scalar, Shape, Strides};
use std::ptr::NonNull;
use std::sync::Arc;

mod pool;

use pool::{size_class, Block};
pub use pool::{Pool, PoolStats, ALIGN};

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
