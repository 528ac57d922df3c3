//! Functions whose output shape depends on values (the spec's optional extension): `nonzero` (also
//! behind boolean-mask indexing) and the `unique_*` family. (`repeat` with an array of repeats is
//! `manipulation::repeat_each`.) Each is a sync point: it computes its input, does the data-dependent
//! work on the host (sorting via the standard library), and returns realized arrays, from which the
//! graph continues lazily.

use crate::array::LazyArray;
use crate::elementwise::{binary, Operand};
use lazulite_ir::{ensure, BinaryOp, DType, Result, Scalar};
use lazulite_runtime::ArrayData;
use std::cmp::Ordering;

fn realized(data: ArrayData) -> LazyArray {
    LazyArray::from_data(data)
}

fn int64_array(values: &[i64], shape: &[usize]) -> Result<LazyArray> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    Ok(realized(ArrayData::from_bytes(&bytes, DType::I64, shape)?))
}

/// The elements of `x` in row-major order, as scalars (computes `x`).
fn elements(x: &LazyArray) -> Result<Vec<Scalar>> {
    let data = x.compute()?;
    let size = data.dtype.size();
    let bytes = data.try_to_contiguous_bytes("elements")?;
    lazulite_ir::alloc::try_collect(
        "elements",
        bytes
            .chunks_exact(size)
            .map(|c| Scalar::from_bytes(data.dtype, c)),
    )
}

/// `nonzero(x)`: one int64 array per axis with the coordinates of the non-zero (true) elements, in
/// row-major order. `x` must have at least one dimension.
pub fn nonzero(x: &LazyArray) -> Result<Vec<LazyArray>> {
    ensure!(
        x.ndim() > 0,
        Value,
        "nonzero: x is zero-dimensional; nonzero requires an array with at least one dimension \
         (use expand_dims(x, axis=0) or astype(x, bool))"
    );
    let flags = if x.dtype() == DType::Bool {
        x.clone()
    } else {
        binary(
            BinaryOp::Ne,
            Operand::Array(x),
            Operand::Scalar(Scalar::Int(0)),
        )?
    };
    let values = elements(&flags)?;
    let shape = x.shape();
    let hits: Vec<usize> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_zero())
        .map(|(i, _)| i)
        .collect();
    let mut coords: Vec<Vec<i64>> = vec![Vec::with_capacity(hits.len()); shape.len()];
    for &flat in &hits {
        let mut rem = flat;
        for d in (0..shape.len()).rev() {
            coords[d].push((rem % shape[d]) as i64);
            rem /= shape[d];
        }
    }
    coords.iter().map(|c| int64_array(c, &[c.len()])).collect()
}

/// A total order for one value: NaNs (and complex values with a NaN part) sort last and are never
/// equal to anything (each NaN is a distinct value, as the spec requires); `-0.0 == 0.0`.
#[derive(Clone, Copy)]
enum Key {
    Int(i128),
    Float(f64),
    Complex(f64, f64),
}

impl Key {
    fn of(v: Scalar) -> Key {
        match v {
            Scalar::Bool(b) => Key::Int(b as i128),
            Scalar::Int(i) => Key::Int(i as i128),
            Scalar::UInt(u) => Key::Int(u as i128),
            Scalar::Float(f) => Key::Float(f),
            Scalar::Complex(r, i) => Key::Complex(r, i),
        }
    }

    fn is_nan(self) -> bool {
        match self {
            Key::Int(_) => false,
            Key::Float(f) => f.is_nan(),
            Key::Complex(r, i) => r.is_nan() || i.is_nan(),
        }
    }

    /// Ascending order with NaNs last (NaNs compare equal here; `same` keeps them apart).
    fn cmp(self, other: Key) -> Ordering {
        match (self.is_nan(), other.is_nan()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        match (self, other) {
            (Key::Int(a), Key::Int(b)) => a.cmp(&b),
            (Key::Float(a), Key::Float(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            (Key::Complex(a, b), Key::Complex(c, d)) => a
                .partial_cmp(&c)
                .unwrap_or(Ordering::Equal)
                .then(b.partial_cmp(&d).unwrap_or(Ordering::Equal)),
            _ => Ordering::Equal,
        }
    }

    fn same(self, other: Key) -> bool {
        !self.is_nan() && !other.is_nan() && self.cmp(other) == Ordering::Equal
    }
}

/// The result of the `unique_*` functions (realized arrays).
#[derive(Clone, Debug)]
pub struct Unique {
    /// The distinct values, ascending, NaNs last (each NaN its own value); 1-D, `x`'s dtype.
    pub values: LazyArray,
    /// For each value, the flat (row-major) index of its first occurrence in `x`; int64.
    pub indices: LazyArray,
    /// For each element of `x`, the index of its value in `values`; int64 of `x`'s shape.
    pub inverse_indices: LazyArray,
    /// How often each value occurs; int64.
    pub counts: LazyArray,
}

/// `unique_all(x)` (also what `unique_counts`, `unique_inverse` and `unique_values` return parts of):
/// computes `x` and sorts its elements on the host.
pub fn unique_all(x: &LazyArray) -> Result<Unique> {
    let values = elements(x)?;
    let keys: Vec<Key> = values.iter().map(|&v| Key::of(v)).collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    // Stable: equal values keep their order, so the first of a run is the first occurrence.
    order.sort_by(|&a, &b| keys[a].cmp(keys[b]));
    let mut uniq: Vec<Scalar> = Vec::new();
    let mut first: Vec<i64> = Vec::new();
    let mut counts: Vec<i64> = Vec::new();
    let mut inverse = vec![0i64; values.len()];
    let mut last: Option<Key> = None;
    for &i in &order {
        let k = keys[i];
        if !last.is_some_and(|l| l.same(k)) {
            uniq.push(values[i]);
            first.push(i as i64);
            counts.push(0);
        }
        *counts.last_mut().expect("a value was pushed") += 1;
        inverse[i] = (uniq.len() - 1) as i64;
        last = Some(k);
    }
    let n = uniq.len();
    Ok(Unique {
        values: realized(ArrayData::from_scalars(&uniq, x.dtype(), &[n])?),
        indices: int64_array(&first, &[n])?,
        inverse_indices: int64_array(&inverse, x.shape())?,
        counts: int64_array(&counts, &[n])?,
    })
}
