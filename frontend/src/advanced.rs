//! Indexing with arrays and its functional update: `getitem_arrays` (integer arrays, boolean masks,
//! mixed with ints, slices, `...` and `None` by NumPy's rules) and `setitem` (`x[key] = value` as a
//! new array).
//!
//! Integer arrays stay lazy: the indexed axes are moved to the front of a view and flattened into one
//! axis, a row-major linear index is computed elementwise from the broadcast index arrays (negative
//! indices wrapped), and one extern `take` gathers along it. Indices known at build time (realized
//! data, constants) are range-checked here with the axis they index (`Index`); others are checked per
//! axis when the graph runs (an out-of-range index becomes a linear index that `take` rejects with an
//! `Index` error).
//!
//! `setitem` selects the flat positions of the updated elements by indexing the array of positions
//! `arange(size).reshape(shape)` with the same key (so every key kind has exactly `getitem`'s
//! meaning), broadcasts and casts the value, and writes it with the extern op `ScatterFlat` into a
//! copy of `x`. Repeated positions: the last write wins (row-major order of the key's result).
//!
//! A boolean mask is a data-dependent shape: it is computed (a sync point) and replaced by its
//! `nonzero` integer arrays, as the spec defines (`A[B] == A[nonzero(B)]`).

use crate::array::LazyArray;
use crate::creation::arange;
use crate::data_dependent::nonzero;
use crate::elementwise::{
    binary, cast, check_int_range, describe_scalar, fill, scalar_kind, where_, Operand,
};
use crate::externs::{check_known_indices, extern_node};
use crate::indexing::take;
use crate::movement::{broadcast_unchecked, getitem, permute_dims, reshape, IndexItem};
use lazulite_ir::shape::{broadcast_all, broadcast_shapes, numel};
use lazulite_ir::{bail, ensure, promote, BinaryOp, DType, ExternOp, Op, Result, Scalar};

/// One item of an indexing key: a basic item, or an array (integer: gathered coordinates along one
/// axis; boolean: a mask over as many axes as it has dimensions).
#[derive(Clone, Debug)]
pub enum IndexKey {
    /// A basic item: an int, a slice, `...` or `None`.
    Item(IndexItem),
    /// An integer array (gathers along its axis) or a boolean mask.
    Array(LazyArray),
}

impl From<IndexItem> for IndexKey {
    fn from(i: IndexItem) -> Self {
        IndexKey::Item(i)
    }
}

/// Whether `key` holds a boolean array (a data-dependent shape).
pub fn key_has_mask(key: &[IndexKey]) -> bool {
    key.iter()
        .any(|k| matches!(k, IndexKey::Array(a) if a.dtype() == DType::Bool))
}

/// Basic indexing items, or `None` when the key holds an array.
fn basic_items(key: &[IndexKey]) -> Option<Vec<IndexItem>> {
    key.iter()
        .map(|k| match k {
            IndexKey::Item(i) => Some(*i),
            IndexKey::Array(_) => None,
        })
        .collect()
}

const FULL: IndexItem = IndexItem::Slice {
    start: None,
    stop: None,
    step: None,
};

/// `x[key]` with any mix of ints, slices, one ellipsis, `None`, integer arrays and boolean arrays.
///
/// With at least one array, ints count as 0-d integer arrays (the spec's rule); all index arrays
/// broadcast to one shape `S`, which replaces the indexed axes: in place when those axes are adjacent
/// in the key, else at the front (NumPy's rule; the spec leaves mixing with slices to
/// implementations). A boolean array of `M` dimensions indexes `M` axes (its extents must equal
/// them); a 0-d boolean array must be the sole index.
pub fn getitem_arrays(x: &LazyArray, key: &[IndexKey]) -> Result<LazyArray> {
    let name = "getitem";
    if let Some(items) = basic_items(key) {
        return getitem(x, &items);
    }
    // 0-d boolean: a new axis of length 1 (True) or 0 (False).
    if let [IndexKey::Array(b)] = key {
        if b.dtype() == DType::Bool && b.ndim() == 0 {
            let v = b.compute()?.get(&[]);
            let stop = if v.is_zero() { 0 } else { 1 };
            let expanded = getitem(x, &[IndexItem::NewAxis])?;
            return getitem(
                &expanded,
                &[IndexItem::Slice {
                    start: Some(0),
                    stop: Some(stop),
                    step: None,
                }],
            );
        }
    }
    check_mask_extents(x, key)?;
    // Expand masks into their nonzero coordinates; ints become 0-d index arrays.
    let mut items: Vec<Option<LazyArray>> = Vec::with_capacity(key.len()); // None: basic
    let mut basic: Vec<IndexItem> = Vec::with_capacity(key.len());
    for k in key {
        match k {
            IndexKey::Item(IndexItem::Int(i)) => {
                items.push(Some(fill(Scalar::Int(*i), DType::I64, &[])));
                basic.push(FULL);
            }
            IndexKey::Item(it) => {
                items.push(None);
                basic.push(*it);
            }
            IndexKey::Array(a) if a.dtype() == DType::Bool => {
                ensure!(
                    a.ndim() > 0,
                    Index,
                    "{name}: a zero-dimensional boolean index must be the only index; use \
                     expand_dims() or a separate indexing step"
                );
                for c in nonzero(a)? {
                    items.push(Some(c));
                    basic.push(FULL);
                }
            }
            IndexKey::Array(a) => {
                ensure!(
                    a.dtype().is_integer(),
                    Index,
                    "{name}: an index array of dtype {}; only integer and boolean arrays are valid \
                     indices (cast with astype(i, int64))",
                    a.dtype()
                );
                items.push(Some(a.clone()));
                basic.push(FULL);
            }
        }
    }
    let y = getitem(x, &basic)?;
    // Where each array item lands in `y`.
    let consuming = basic
        .iter()
        .filter(|b| matches!(b, IndexItem::Int(_) | IndexItem::Slice { .. }))
        .count();
    let mut pos = 0usize;
    let mut adv: Vec<(usize, LazyArray)> = Vec::new();
    for (item, b) in items.iter().zip(&basic) {
        match (item, b) {
            (Some(a), _) => {
                adv.push((pos, a.clone()));
                pos += 1;
            }
            (None, IndexItem::Ellipsis) => pos += x.ndim() - consuming,
            (None, IndexItem::Int(_)) => {}
            (None, _) => pos += 1,
        }
    }
    gather(name, &y, &adv)
}

/// The mask extents of a key must equal the axes they cover or be 0 (the spec: `IndexError`
/// otherwise).
fn check_mask_extents(x: &LazyArray, key: &[IndexKey]) -> Result<()> {
    let mut axis = 0usize;
    let consuming: usize = key
        .iter()
        .map(|k| match k {
            IndexKey::Item(IndexItem::Int(_) | IndexItem::Slice { .. }) => 1,
            IndexKey::Array(a) if a.dtype() == DType::Bool => a.ndim(),
            IndexKey::Array(_) => 1,
            _ => 0,
        })
        .sum();
    ensure!(
        consuming <= x.ndim(),
        Index,
        "getitem: too many indices for an array of shape {:?}: the key indexes {consuming} axes, \
         but the array has {} dimension{}",
        x.shape(),
        x.ndim(),
        if x.ndim() == 1 { "" } else { "s" }
    );
    for k in key {
        match k {
            IndexKey::Item(IndexItem::Ellipsis) => axis += x.ndim() - consuming,
            IndexKey::Item(IndexItem::NewAxis) => {}
            IndexKey::Array(a) if a.dtype() == DType::Bool => {
                for (d, &m) in a.shape().iter().enumerate() {
                    let n = x.shape()[axis + d];
                    // An extent of 0 selects nothing (the spec allows it on any axis).
                    ensure!(
                        m == n || m == 0,
                        Index,
                        "getitem: a boolean index of shape {:?} does not match the array of shape \
                         {:?}: its axis {d} has size {m} where the array's axis {} has size {n} \
                         (a mask's extents must equal the array's, or be 0)",
                        a.shape(),
                        x.shape(),
                        axis + d
                    );
                }
                axis += a.ndim();
            }
            _ => axis += 1,
        }
    }
    Ok(())
}

/// Gathers `y` at the coordinates `adv` (`(axis of y, integer index array)`, axes ascending).
fn gather(name: &str, y: &LazyArray, adv: &[(usize, LazyArray)]) -> Result<LazyArray> {
    let shapes: Vec<&[usize]> = adv.iter().map(|(_, a)| a.shape()).collect();
    let s2 = broadcast_all(name, &shapes).map_err(|e| {
        lazulite_ir::Error::new(
            lazulite_ir::ErrorKind::Index,
            format!(
                "{name}: the index arrays of shapes {shapes:?} cannot be broadcast together ({})",
                e.message
            ),
        )
    })?;
    let axes: Vec<usize> = adv.iter().map(|(p, _)| *p).collect();
    let extents: Vec<usize> = axes.iter().map(|&p| y.shape()[p]).collect();
    let mut all_known = true;
    for ((p, a), &n) in adv.iter().zip(&extents) {
        check_known_indices(name, a, n, *p)?;
        all_known &= a.realized().is_some() || matches!(a.pending_op(), Some(Op::Fill(_)));
    }
    // Row-major linear index over the indexed axes, each index wrapped.
    let mut lin: Option<LazyArray> = None;
    let mut valid: Option<LazyArray> = None;
    for ((_, a), &n) in adv.iter().zip(&extents) {
        let i = broadcast_unchecked(&cast(a, DType::I64), &s2);
        let n_s = Scalar::Int(n as i64);
        let neg = binary(
            BinaryOp::Lt,
            Operand::Array(&i),
            Operand::Scalar(Scalar::Int(0)),
        )?;
        let shifted = binary(BinaryOp::Add, Operand::Array(&i), Operand::Scalar(n_s))?;
        let w = where_(&neg, Operand::Array(&shifted), Operand::Array(&i))?;
        if !all_known {
            let lo = binary(
                BinaryOp::Ge,
                Operand::Array(&w),
                Operand::Scalar(Scalar::Int(0)),
            )?;
            let hi = binary(BinaryOp::Lt, Operand::Array(&w), Operand::Scalar(n_s))?;
            let ok = binary(
                BinaryOp::LogicalAnd,
                Operand::Array(&lo),
                Operand::Array(&hi),
            )?;
            valid = Some(match valid {
                None => ok,
                Some(v) => binary(
                    BinaryOp::LogicalAnd,
                    Operand::Array(&v),
                    Operand::Array(&ok),
                )?,
            });
        }
        lin = Some(match lin {
            None => w,
            Some(l) => {
                let scaled = binary(BinaryOp::Mul, Operand::Array(&l), Operand::Scalar(n_s))?;
                binary(BinaryOp::Add, Operand::Array(&scaled), Operand::Array(&w))?
            }
        });
    }
    let total: usize = extents.iter().product();
    let mut lin = lin.expect("at least one index array");
    if let Some(v) = valid {
        // An out-of-range index anywhere: a linear index `take` rejects (`Index` at execution).
        let bad = Scalar::Int(-(total as i64) - 1);
        lin = where_(&v, Operand::Array(&lin), Operand::Scalar(bad))?;
    }
    let lin = reshape(&lin, &[-1])?;
    // Indexed axes first, flattened into one.
    let rest: Vec<usize> = (0..y.ndim()).filter(|d| !axes.contains(d)).collect();
    let perm: Vec<isize> = axes
        .iter()
        .chain(rest.iter())
        .map(|&d| d as isize)
        .collect();
    let z = permute_dims(y, &perm)?;
    let mut flat_shape: Vec<isize> = vec![total as isize];
    flat_shape.extend(rest.iter().map(|&d| y.shape()[d] as isize));
    let z = reshape(&z, &flat_shape)?;
    let g = take(&z, &lin, Some(0))?;
    let mut out_shape: Vec<isize> = s2.iter().map(|&s| s as isize).collect();
    out_shape.extend(rest.iter().map(|&d| y.shape()[d] as isize));
    let g = reshape(&g, &out_shape)?;
    // Adjacent indexed axes: the broadcast dims go where the first indexed axis was.
    let adjacent = axes.windows(2).all(|w| w[1] == w[0] + 1);
    let p0 = axes[0];
    if adjacent && p0 > 0 {
        let k = s2.len();
        let perm: Vec<isize> = (k..k + p0)
            .chain(0..k)
            .chain(k + p0..g.ndim())
            .map(|d| d as isize)
            .collect();
        return permute_dims(&g, &perm);
    }
    Ok(g)
}

/// The value of `x[key] = value`: a new array equal to `x` except at the elements `key` selects,
/// which take `value` broadcast to `x[key]`'s shape. `value` must not change `x`'s dtype: an array
/// value must promote with `x` to `x`'s dtype, a Python scalar must be of a kind `x`'s dtype takes
/// (and an int must fit), else `TypeError` (`OverflowError` for an int out of range).
pub fn setitem(x: &LazyArray, key: &[IndexKey], value: Operand) -> Result<LazyArray> {
    let positions = reshape(
        &arange(
            Scalar::Int(x.size() as i64),
            None,
            Scalar::Int(1),
            Some(DType::I64),
        )?,
        &x.shape().iter().map(|&s| s as isize).collect::<Vec<_>>(),
    )?;
    setitem_at(x, &positions, key, value)
}

/// `setitem` through a view: `positions` (int64) holds the flat position in `x` of each element of
/// the view being written (`arange(x.size).reshape(x.shape)` for `x` itself), `key` indexes the view.
/// Positions must be distinct (a broadcast view is read-only).
pub(crate) fn setitem_at(
    x: &LazyArray,
    positions: &LazyArray,
    key: &[IndexKey],
    value: Operand,
) -> Result<LazyArray> {
    let name = "setitem";
    let d = x.dtype();
    let value = match value {
        Operand::Array(v) => {
            let p = promote(name, d, v.dtype()).map_err(|_| type_err(d, v.dtype()))?;
            ensure!(p == d, Type, "{}", type_err(d, v.dtype()).message);
            cast(v, d)
        }
        Operand::Scalar(s) => {
            let p = lazulite_ir::promote_with_scalar(name, d, scalar_kind(s))?;
            ensure!(
                p == d,
                Type,
                "{name}: the Python scalar {} cannot be stored in an array of dtype {d} without \
                 changing its dtype; cast the array with astype() first",
                describe_scalar(s)
            );
            check_int_range(name, s, d)?;
            fill(s, d, &[])
        }
    };
    let sel = getitem_arrays(positions, key)?;
    let target = broadcast_shapes(name, value.shape(), sel.shape())
        .ok()
        .filter(|s| s.as_slice() == sel.shape());
    let Some(_) = target else {
        bail!(
            Value,
            "{name}: a value of shape {:?} cannot be broadcast to the indexed shape {:?}; give a \
             value of that shape or one that broadcasts to it",
            value.shape(),
            sel.shape()
        );
    };
    if numel(sel.shape()) == 0 {
        return Ok(x.clone());
    }
    let vals = reshape(&broadcast_unchecked(&value, sel.shape()), &[-1])?;
    let pos = reshape(&sel, &[-1])?;
    extern_node(ExternOp::ScatterFlat, &[x.clone(), pos, vals])
}

fn type_err(x: DType, v: DType) -> lazulite_ir::Error {
    lazulite_ir::Error::new(
        lazulite_ir::ErrorKind::Type,
        format!(
            "setitem: a value of dtype {v} cannot be stored in an array of dtype {x}: it would \
             promote the array's dtype; cast the value with astype(value, {x}) first"
        ),
    )
}
