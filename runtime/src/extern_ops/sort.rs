//! Sorting and searching: sort, argsort (the standard library's stable sort, NaNs last), argmax,
//! argmin, searchsorted.

use super::*;

/// The comparison of a sort: NumPy's ascending order, or its exact reverse (NaNs first), so that a
/// stable sort keeps equal values in their original order either way.
pub(super) fn sort_order<T: Real>(descending: bool) -> impl Fn(&T, &T) -> Ordering + Copy {
    move |a: &T, b: &T| {
        if descending {
            T::order(*b, *a)
        } else {
            T::order(*a, *b)
        }
    }
}

/// Sorts every row along `axis`: `f(row values, outer index, inner index, output chunk)`.
pub(super) fn sort_rows<T: Real, U: Pod>(
    pool: &rayon::ThreadPool,
    name: &str,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    f: impl Fn(&[T], &mut Vec<usize>, &mut [U], usize) + Send + Sync,
) -> Result<()> {
    let data = contiguous::<T>(name, x)?;
    let (outer, len, inner) = split(x.shape, axis);
    let out = output::<U>(name, out, outer * len * inner)?;
    for_chunks(pool, out, len * inner, |o, chunk| {
        let mut row: Vec<T> = Vec::with_capacity(len);
        let mut order: Vec<usize> = Vec::with_capacity(len);
        for r in 0..inner {
            row.clear();
            row.extend((0..len).map(|i| data[(o * len + i) * inner + r]));
            f(&row, &mut order, chunk, r);
        }
        Ok(())
    })
}

pub(super) fn stable_order<T: Real>(
    row: &[T],
    order: &mut Vec<usize>,
    descending: bool,
    stable: bool,
) {
    let cmp = sort_order::<T>(descending);
    order.clear();
    order.extend(0..row.len());
    if stable {
        order.sort_by(|&i, &j| cmp(&row[i], &row[j]));
    } else {
        order.sort_unstable_by(|&i, &j| cmp(&row[i], &row[j]));
    }
}

pub(super) fn sort<T: Real>(
    pool: &rayon::ThreadPool,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    descending: bool,
    stable: bool,
) -> Result<()> {
    let inner = numel(&x.shape[axis + 1..]);
    sort_rows::<T, T>(pool, "sort", x, out, axis, |row, _, chunk, r| {
        let mut v = row.to_vec();
        let cmp = sort_order::<T>(descending);
        if stable {
            v.sort_by(cmp);
        } else {
            v.sort_unstable_by(cmp);
        }
        for (i, val) in v.into_iter().enumerate() {
            chunk[i * inner + r] = val;
        }
    })
}

pub(super) fn argsort<T: Real>(
    pool: &rayon::ThreadPool,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    descending: bool,
    stable: bool,
) -> Result<()> {
    let inner = numel(&x.shape[axis + 1..]);
    sort_rows::<T, i64>(pool, "argsort", x, out, axis, |row, order, chunk, r| {
        stable_order(row, order, descending, stable);
        for (i, &src) in order.iter().enumerate() {
            chunk[i * inner + r] = src as i64;
        }
    })
}

pub(super) fn arg_extremum<T: Real>(
    pool: &rayon::ThreadPool,
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
    for_chunks(pool, out, inner, |o, chunk| {
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
    sorted: &Src,
    values: &Src,
    out: &mut [u8],
    right: bool,
) -> Result<()> {
    let hay = contiguous::<T>("searchsorted", sorted)?;
    let vals = contiguous::<T>("searchsorted", values)?;
    let out = output::<i64>("searchsorted", out, vals.len())?;
    let chunk = 4096;
    for_chunks(pool, out, chunk, |c, dst| {
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
