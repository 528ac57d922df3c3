//! Fallible allocation: every buffer sized by user data is reserved through here, so that a request
//! the system refuses (or that cannot exist) is an [`ErrorKind::Memory`] error (`MemoryError` in
//! Python), never the abort of `Vec`'s infallible allocation.

use crate::{Error, ErrorKind, Result};

/// `n` elements of `size` bytes, or a `Memory` error when the byte count does not fit one allocation
/// (more than `isize::MAX` bytes).
pub fn bytes_for(what: &str, n: usize, size: usize) -> Result<usize> {
    n.checked_mul(size)
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Memory,
                format!(
                    "{what}: {n} elements of {size} bytes do not fit in memory (more than {} bytes); \
                     use smaller arrays",
                    isize::MAX
                ),
            )
        })
}

fn refused(what: &str, bytes: usize) -> Error {
    Error::new(
        ErrorKind::Memory,
        format!(
            "{what}: cannot allocate {bytes} bytes ({:.1} GiB); free some arrays or use smaller ones",
            bytes as f64 / (1u64 << 30) as f64
        ),
    )
}

/// Reserves room for `extra` more elements in `v`, or a `Memory` error naming `what` and the bytes.
pub fn try_reserve<T>(what: &str, v: &mut Vec<T>, extra: usize) -> Result<()> {
    let size = std::mem::size_of::<T>().max(1);
    let bytes = bytes_for(what, v.len().saturating_add(extra), size)?;
    v.try_reserve_exact(extra).map_err(|_| refused(what, bytes))
}

/// An empty `Vec` with room for `n` elements, or a `Memory` error naming `what` and the bytes.
pub fn try_vec<T>(what: &str, n: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    try_reserve(what, &mut v, n)?;
    Ok(v)
}

/// `n` copies of `value`, or a `Memory` error.
pub fn try_filled<T: Clone>(what: &str, n: usize, value: T) -> Result<Vec<T>> {
    let mut v = try_vec(what, n)?;
    v.resize(n, value);
    Ok(v)
}

/// A copy of `s`, or a `Memory` error.
pub fn try_to_vec<T: Clone>(what: &str, s: &[T]) -> Result<Vec<T>> {
    let mut v = try_vec(what, s.len())?;
    v.extend_from_slice(s);
    Ok(v)
}

/// The items of `it` (which knows its exact length), collected with one fallible reservation.
pub fn try_collect<T>(what: &str, it: impl ExactSizeIterator<Item = T>) -> Result<Vec<T>> {
    let mut v = try_vec(what, it.len())?;
    v.extend(it);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_sizes_are_memory_errors() {
        let e = bytes_for("matmul", 1 << 62, 8).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Memory);
        assert!(e.message.starts_with("matmul:"), "{}", e.message);
        let e = try_vec::<u64>("asarray", usize::MAX / 4).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Memory);
        assert!(e.message.contains("asarray"), "{}", e.message);
        // the largest request `Vec` accepts in principle, which no machine has
        let e = try_vec::<u8>("arange", isize::MAX as usize).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Memory);
        assert!(
            e.message.contains(&(isize::MAX as usize).to_string()),
            "{}",
            e.message
        );
    }

    #[test]
    fn small_sizes_allocate() {
        let v: Vec<u32> = try_collect("t", 0..10u32).unwrap();
        assert_eq!(v, (0..10).collect::<Vec<_>>());
        assert_eq!(try_filled("t", 3, 7u8).unwrap(), vec![7, 7, 7]);
        assert_eq!(try_to_vec("t", &[1, 2]).unwrap(), vec![1, 2]);
        assert!(try_vec::<u64>("t", 100).unwrap().capacity() >= 100);
    }
}
