//! Sort and argsort along an axis. A long row is sorted in blocks (across the pool) that are then
//! merged pairwise, looking at the cancel flag between blocks and during merges, so that sorting one
//! huge axis can be interrupted; the merge keeps ties in order, so a stable sort stays stable.

use super::*;

/// Elements per block of a blocked sort (a row at most this long is sorted in one call).
const SORT_BLOCK: usize = 1 << 18;
/// Elements a plain copy moves between two looks at the cancel flag.
const COPY_PIECE: usize = 1 << 20;

/// Calls `f` on consecutive ranges covering `0..n`, looking at the cancel flag before each.
fn in_pieces(
    cancel: &Cancel,
    name: &str,
    n: usize,
    mut f: impl FnMut(std::ops::Range<usize>),
) -> Result<()> {
    let mut at = 0;
    while at < n {
        cancel.check(name)?;
        let end = (at + COPY_PIECE).min(n);
        f(at..end);
        at = end;
    }
    Ok(())
}

/// The comparison of a sort: NumPy's ascending order, or its exact reverse (NaNs first), so that a
/// stable sort keeps equal values in their original order either way.
fn sort_order<T: Real>(descending: bool) -> impl Fn(&T, &T) -> Ordering + Copy + Send + Sync {
    move |a: &T, b: &T| {
        if descending {
            T::order(*b, *a)
        } else {
            T::order(*a, *b)
        }
    }
}

/// Sorts `v` by `cmp`: blocks of [`SORT_BLOCK`] elements (in parallel when large), then pairwise
/// merges of runs of doubling width through one scratch copy. Stable when `stable` (the blocks are
/// sorted stably and a merge takes the left run's element on ties); deterministic either way.
pub(super) fn blocked_sort<E: Copy + Send + Sync>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    name: &str,
    v: &mut [E],
    cmp: impl Fn(&E, &E) -> Ordering + Copy + Send + Sync,
    stable: bool,
) -> Result<()> {
    let n = v.len();
    let sort_block = |b: &mut [E]| -> Result<()> {
        cancel.check(name)?;
        if stable {
            b.sort_by(cmp);
        } else {
            b.sort_unstable_by(cmp);
        }
        Ok(())
    };
    if n <= SORT_BLOCK {
        return sort_block(v);
    }
    let par = parallel(n);
    let mut scratch = try_vec(name, n)?;
    in_pieces(cancel, name, n, |r| scratch.extend_from_slice(&v[r]))?;
    // Sort the blocks where an even number of merge passes is left to go, so that the last pass
    // writes `v` (no copy back).
    let passes = n.div_ceil(SORT_BLOCK).next_power_of_two().trailing_zeros();
    let mut in_v = passes.is_multiple_of(2); // where the sorted runs of `width` are now
    let blocks: &mut [E] = if in_v { &mut *v } else { &mut scratch };
    if par {
        pool.install(|| blocks.par_chunks_mut(SORT_BLOCK).try_for_each(sort_block))?;
    } else {
        blocks.chunks_mut(SORT_BLOCK).try_for_each(sort_block)?;
    }
    let mut width = SORT_BLOCK;
    while width < n {
        let (src, dst): (&[E], &mut [E]) = if in_v {
            (&*v, &mut scratch[..])
        } else {
            (&scratch[..], &mut *v)
        };
        let merge_pair = |i: usize, d: &mut [E]| {
            let lo = i * 2 * width;
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            merge(cancel, name, &src[lo..mid], &src[mid..hi], d, cmp)
        };
        if par {
            pool.install(|| {
                dst.par_chunks_mut(2 * width)
                    .enumerate()
                    .try_for_each(|(i, d)| merge_pair(i, d))
            })?;
        } else {
            dst.chunks_mut(2 * width)
                .enumerate()
                .try_for_each(|(i, d)| merge_pair(i, d))?;
        }
        in_v = !in_v;
        width *= 2;
    }
    debug_assert!(in_v, "the last merge pass writes v");
    if !in_v {
        in_pieces(cancel, name, n, |r| {
            v[r.clone()].copy_from_slice(&scratch[r])
        })?;
    }
    Ok(())
}

/// Merges the sorted runs `a` and `b` into `out` (of their total length), taking `a`'s element on
/// ties.
fn merge<E: Copy>(
    cancel: &Cancel,
    name: &str,
    a: &[E],
    b: &[E],
    out: &mut [E],
    cmp: impl Fn(&E, &E) -> Ordering,
) -> Result<()> {
    let (mut i, mut j) = (0, 0);
    for piece in out.chunks_mut(SORT_BLOCK) {
        cancel.check(name)?;
        for o in piece {
            let take_b = j < b.len() && (i == a.len() || cmp(&b[j], &a[i]) == Ordering::Less);
            if take_b {
                *o = b[j];
                j += 1;
            } else {
                *o = a[i];
                i += 1;
            }
        }
    }
    Ok(())
}

/// Sorts every row along `axis`: `f(row values, order scratch, output chunk, inner index)`.
fn sort_rows<T: Real, U: Pod>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    name: &str,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    f: impl Fn(&mut Vec<T>, &mut Vec<usize>, &mut [U], usize) -> Result<()> + Send + Sync,
) -> Result<()> {
    let data = contiguous::<T>(name, x)?;
    let (outer, len, inner) = split(x.shape, axis);
    let out = output::<U>(name, out, outer * len * inner)?;
    for_chunks(pool, cancel, out, len * inner, |o, chunk| {
        let mut row: Vec<T> = try_vec(name, len)?;
        let mut order: Vec<usize> = Vec::new();
        for r in 0..inner {
            cancel.check(name)?;
            row.clear();
            row.extend((0..len).map(|i| data[(o * len + i) * inner + r]));
            f(&mut row, &mut order, chunk, r)?;
        }
        Ok(())
    })
}

pub(super) fn sort<T: Real>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    descending: bool,
    stable: bool,
) -> Result<()> {
    let inner = numel(&x.shape[axis + 1..]);
    let cmp = sort_order::<T>(descending);
    if inner == 1 {
        // Rows are contiguous: copy each into its output row and sort it there.
        let data = contiguous::<T>("sort", x)?;
        let len = x.shape[axis];
        let out = output::<T>("sort", out, data.len())?;
        return for_chunks(pool, cancel, out, len, |o, row| {
            let src = &data[o * len..(o + 1) * len];
            in_pieces(cancel, "sort", len, |r| {
                row[r.clone()].copy_from_slice(&src[r])
            })?;
            blocked_sort(pool, cancel, "sort", row, cmp, stable)
        });
    }
    sort_rows::<T, T>(pool, cancel, "sort", x, out, axis, |row, _, chunk, r| {
        blocked_sort(pool, cancel, "sort", row, cmp, stable)?;
        for (i, &val) in row.iter().enumerate() {
            chunk[i * inner + r] = val;
        }
        Ok(())
    })
}

pub(super) fn argsort<T: Real>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    descending: bool,
    stable: bool,
) -> Result<()> {
    let inner = numel(&x.shape[axis + 1..]);
    let cmp = sort_order::<T>(descending);
    // The positions of `vals` in sorted order, into `order`.
    let order_of = |vals: &[T], order: &mut Vec<usize>| -> Result<()> {
        order.clear();
        try_reserve("argsort", order, vals.len())?;
        in_pieces(cancel, "argsort", vals.len(), |r| order.extend(r))?;
        blocked_sort(
            pool,
            cancel,
            "argsort",
            order,
            |&i: &usize, &j: &usize| cmp(&vals[i], &vals[j]),
            stable,
        )
    };
    if inner == 1 {
        // Rows are contiguous: sort their positions, reading the values in place.
        let data = contiguous::<T>("argsort", x)?;
        let len = x.shape[axis];
        let out = output::<i64>("argsort", out, data.len())?;
        return for_chunks(pool, cancel, out, len, |o, row| {
            let mut order = Vec::new();
            order_of(&data[o * len..(o + 1) * len], &mut order)?;
            in_pieces(cancel, "argsort", len, |r| {
                for (d, &src) in row[r.clone()].iter_mut().zip(&order[r]) {
                    *d = src as i64;
                }
            })
        });
    }
    sort_rows::<T, i64>(
        pool,
        cancel,
        "argsort",
        x,
        out,
        axis,
        |row, order, chunk, r| {
            order_of(row, order)?;
            for (i, &src) in order.iter().enumerate() {
                chunk[i * inner + r] = src as i64;
            }
            Ok(())
        },
    )
}

// ---------------------------------------------------------------------------------------------
// argmax, argmin, searchsorted

pub(super) fn arg_extremum<T: Real>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    max: bool,
) -> Result<()> {
    let name = if max { "argmax" } else { "argmin" };
    let data = contiguous::<T>(name, x)?;
    let (outer, len, inner) = split(x.shape, axis);
    ensure!(
        len > 0 || outer * inner == 0,
        Value,
        "{name}: axis {axis} of the array of shape {:?} has size 0; search a non-empty axis",
        x.shape
    );
    let out = output::<i64>(name, out, outer * inner)?;
    for_chunks(pool, cancel, out, inner, |o, chunk| {
        for (r, dst) in chunk.iter_mut().enumerate() {
            let at = |i: usize| data[(o * len + i) * inner + r];
            let mut best = 0usize;
            let mut bv = at(0);
            if !bv.is_nan() {
                for i in 1..len {
                    let v = at(i);
                    if v.is_nan() {
                        best = i;
                        break;
                    }
                    let better = if max { v > bv } else { v < bv };
                    if better {
                        best = i;
                        bv = v;
                    }
                }
            }
            *dst = best as i64;
        }
        Ok(())
    })
}

pub(super) fn searchsorted<T: Real>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    sorted: &Src,
    values: &Src,
    out: &mut [u8],
    right: bool,
) -> Result<()> {
    let hay = contiguous::<T>("searchsorted", sorted)?;
    let vals = contiguous::<T>("searchsorted", values)?;
    let out = output::<i64>("searchsorted", out, vals.len())?;
    let chunk = 4096;
    for_chunks(pool, cancel, out, chunk, |c, dst| {
        for (k, d) in dst.iter_mut().enumerate() {
            let v = vals[c * chunk + k];
            let i = if right {
                hay.partition_point(|&a| T::order(a, v) != Ordering::Greater)
            } else {
                hay.partition_point(|&a| T::order(a, v) == Ordering::Less)
            };
            *d = i as i64;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    fn pool() -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
    }

    /// A blocked sort of a long row equals the standard library's stable sort (ties kept in order:
    /// keys compare by their first field only).
    #[test]
    fn blocked_sort_matches_std_stable_sort() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        for n in [0, 1, 100, SORT_BLOCK, SORT_BLOCK + 1, 3 * SORT_BLOCK + 17] {
            let v: Vec<(u32, usize)> = (0..n).map(|i| (next() % 1000, i)).collect();
            let cmp = |a: &(u32, usize), b: &(u32, usize)| a.0.cmp(&b.0);
            let mut want = v.clone();
            want.sort_by(cmp);
            let mut got = v.clone();
            blocked_sort(&pool(), &Cancel::never(), "t", &mut got, cmp, true).unwrap();
            assert_eq!(got, want, "n = {n}");
            let mut unstable = v.clone();
            blocked_sort(&pool(), &Cancel::never(), "t", &mut unstable, cmp, false).unwrap();
            assert!(unstable.windows(2).all(|w| w[0].0 <= w[1].0), "n = {n}");
        }
    }

    #[test]
    fn a_cancelled_sort_stops_with_interrupted() {
        let flag = Arc::new(AtomicBool::new(true));
        let cancel = lazulite_ir::cancel::with_cancel(flag, lazulite_ir::cancel::current);
        let mut v: Vec<u32> = (0..4 * SORT_BLOCK as u32).rev().collect();
        let e = blocked_sort(&pool(), &cancel, "sort", &mut v, |a, b| a.cmp(b), true).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Interrupted);
        assert!(e.message.starts_with("sort:"), "{}", e.message);
    }
}
