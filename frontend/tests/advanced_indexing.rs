//! Integer-array and boolean-mask indexing, `setitem`, and the data-dependent functions (`nonzero`,
//! `unique_all`), computed end to end and checked against plain Rust loops over the
//! same data.

use lazulite_frontend::{
    self as lz, ArrayData, ErrorKind, IndexItem, IndexKey, LazyArray, Operand, Scalar,
};

fn i128s(d: &ArrayData) -> Vec<i128> {
    d.to_contiguous_bytes()
        .chunks(d.dtype.size())
        .map(|c| Scalar::from_bytes(d.dtype, c).as_i128().expect("integer"))
        .collect()
}

fn f64s(d: &ArrayData) -> Vec<f64> {
    d.to_contiguous_bytes()
        .chunks(d.dtype.size())
        .map(|c| Scalar::from_bytes(d.dtype, c).as_f64())
        .collect()
}

fn compute(a: &LazyArray) -> ArrayData {
    let d = a
        .compute()
        .unwrap_or_else(|e| panic!("compute failed: {:?}: {}", e.kind, e.message));
    assert_eq!((d.dtype, d.shape.as_slice()), (a.dtype(), a.shape()));
    d
}

/// `x[i, j, k] = 100 * i + 10 * j + k` of shape (2, 3, 4): every value names its coordinates.
fn cube() -> LazyArray {
    let mut v = Vec::new();
    for i in 0..2i64 {
        for j in 0..3 {
            for k in 0..4 {
                v.push(100 * i + 10 * j + k);
            }
        }
    }
    lz::from_vec(v, &[2, 3, 4]).unwrap()
}

fn val(i: i64, j: i64, k: i64) -> i128 {
    (100 * i + 10 * j + k) as i128
}

fn idx(v: &[i64], shape: &[usize]) -> IndexKey {
    IndexKey::Array(lz::from_vec(v.to_vec(), shape).unwrap())
}

const ALL: IndexKey = IndexKey::Item(IndexItem::Slice {
    start: None,
    stop: None,
    step: None,
});

fn wrap(i: i64, n: i64) -> i64 {
    if i < 0 {
        i + n
    } else {
        i
    }
}

#[test]
fn integer_arrays_on_every_axis_broadcast_together() {
    let x = cube();
    // a: (2, 1), b: (3,), c: scalar int -> (2, 3)
    let (a, b) = ([1i64, -2], [0i64, 2, -1]);
    let key = [
        idx(&a, &[2, 1]),
        idx(&b, &[3]),
        IndexKey::Item(IndexItem::Int(3)),
    ];
    let y = lz::getitem_arrays(&x, &key).unwrap();
    assert_eq!(y.shape(), &[2, 3]);
    let mut want = Vec::new();
    for &p in &a {
        for &q in &b {
            want.push(val(wrap(p, 2), wrap(q, 3), 3));
        }
    }
    assert_eq!(i128s(&compute(&y)), want);
}

#[test]
fn arrays_mixed_with_slices_follow_numpy_placement() {
    let x = cube();
    let j = [2i64, 0, -1, 1];
    // Adjacent (one array between slices): the index dims replace the axis in place.
    let y = lz::getitem_arrays(&x, &[ALL, idx(&j, &[2, 2]), ALL]).unwrap();
    assert_eq!(y.shape(), &[2, 2, 2, 4]);
    let mut want = Vec::new();
    for i in 0..2 {
        for &jj in &j {
            for k in 0..4 {
                want.push(val(i, wrap(jj, 3), k));
            }
        }
    }
    assert_eq!(i128s(&compute(&y)), want);
    // Separated by a slice: the index dims go first.
    let (a, c) = ([1i64, 0, 1], [3i64, -4, 0]);
    let y = lz::getitem_arrays(&x, &[idx(&a, &[3]), ALL, idx(&c, &[3])]).unwrap();
    assert_eq!(y.shape(), &[3, 3]);
    let mut want = Vec::new();
    for (&p, &r) in a.iter().zip(&c) {
        for jj in 0..3 {
            want.push(val(p, jj, wrap(r, 4)));
        }
    }
    assert_eq!(i128s(&compute(&y)), want);
    // An int and an array adjacent, with a step slice, an ellipsis and a new axis.
    let step = IndexKey::Item(IndexItem::Slice {
        start: None,
        stop: None,
        step: Some(-2),
    });
    let y = lz::getitem_arrays(
        &x,
        &[
            IndexKey::Item(IndexItem::NewAxis),
            step,
            IndexKey::Item(IndexItem::Int(-1)),
            idx(&[0, 3], &[2]),
        ],
    )
    .unwrap();
    assert_eq!(y.shape(), &[1, 1, 2]);
    assert_eq!(i128s(&compute(&y)), vec![val(1, 2, 0), val(1, 2, 3)]);
    let y =
        lz::getitem_arrays(&x, &[IndexKey::Item(IndexItem::Ellipsis), idx(&[1], &[1])]).unwrap();
    assert_eq!(y.shape(), &[2, 3, 1]);
    let want: Vec<i128> = (0..2)
        .flat_map(|i| (0..3).map(move |j| val(i, j, 1)))
        .collect();
    assert_eq!(i128s(&compute(&y)), want);
}

#[test]
fn out_of_range_indices_are_index_errors() {
    let x = cube();
    // Known at build time: the axis is named.
    let e = lz::getitem_arrays(&x, &[ALL, idx(&[0, 3], &[2])]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Index);
    assert!(e.message.contains("axis 1"), "{}", e.message);
    let e = lz::getitem_arrays(&x, &[idx(&[-3], &[1])]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Index);
    // Computed indices: checked when the graph runs.
    let raw = lz::from_vec(vec![1i64, 3], &[2]).unwrap();
    let lazy = lz::binary(
        lz::BinaryOp::Add,
        Operand::Array(&raw),
        Operand::Scalar(Scalar::Int(0)),
    )
    .unwrap();
    let y = lz::getitem_arrays(&x, &[ALL, IndexKey::Array(lazy.clone())]).unwrap();
    // Built lazily: nothing was computed, not even the indices.
    assert!(y.realized().is_none() && lazy.realized().is_none());
    assert_eq!(y.compute().unwrap_err().kind, ErrorKind::Index);
    // Lazy indices in range work (and wrap negatives).
    let back = lz::binary(
        lz::BinaryOp::Sub,
        Operand::Array(&raw),
        Operand::Scalar(Scalar::Int(4)),
    )
    .unwrap(); // [-3, -1]
    let y = lz::getitem_arrays(
        &x,
        &[IndexKey::Item(IndexItem::Int(1)), IndexKey::Array(back)],
    )
    .unwrap();
    let want: Vec<i128> = [-3i64, -1]
        .iter()
        .flat_map(|&j| (0..4).map(move |k| val(1, wrap(j, 3), k)))
        .collect();
    assert_eq!(i128s(&compute(&y)), want);
}

#[test]
fn non_integer_index_arrays_and_bad_broadcasts_are_rejected() {
    let x = cube();
    let f = lz::from_vec(vec![0.0f64, 1.0], &[2]).unwrap();
    let e = lz::getitem_arrays(&x, &[IndexKey::Array(f)]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Index);
    let e = lz::getitem_arrays(&x, &[idx(&[0, 1], &[2]), idx(&[0, 1, 2], &[3])]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Index);
    let e = lz::getitem_arrays(&x, &[idx(&[0], &[1]), ALL, ALL, ALL]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Index);
}

#[test]
fn boolean_masks_select_row_major() {
    let x = cube();
    let m = [true, false, true, false, false, true];
    let mask = lz::from_vec(m.to_vec(), &[2, 3]).unwrap();
    let y = lz::getitem_arrays(&x, &[IndexKey::Array(mask)]).unwrap();
    assert_eq!(y.shape(), &[3, 4]);
    let mut want = Vec::new();
    for (f, &b) in m.iter().enumerate() {
        if b {
            for k in 0..4 {
                want.push(val(f as i64 / 3, f as i64 % 3, k));
            }
        }
    }
    assert_eq!(i128s(&compute(&y)), want);
    // A mask on a later axis.
    let mk = lz::from_vec(vec![false, true, true, false], &[4]).unwrap();
    let y = lz::getitem_arrays(
        &x,
        &[IndexKey::Item(IndexItem::Ellipsis), IndexKey::Array(mk)],
    )
    .unwrap();
    assert_eq!(y.shape(), &[2, 3, 2]);
    // 0-d masks add an axis of length 1 or 0.
    for (b, n) in [(true, 1), (false, 0)] {
        let m0 = lz::from_vec(vec![b], &[]).unwrap();
        let y = lz::getitem_arrays(&x, &[IndexKey::Array(m0)]).unwrap();
        assert_eq!(y.shape(), &[n, 2, 3, 4]);
    }
    // An extent of 0 selects nothing.
    let empty = lz::from_vec(Vec::<bool>::new(), &[0, 3]).unwrap();
    let y = lz::getitem_arrays(&x, &[IndexKey::Array(empty)]).unwrap();
    assert_eq!(y.shape(), &[0, 4]);
    assert_eq!(compute(&y).shape.as_slice(), &[0, 4]);
    // Wrong extent: IndexError.
    let bad = lz::from_vec(vec![true, false], &[2]).unwrap();
    let e = lz::getitem_arrays(&x, &[ALL, IndexKey::Array(bad)]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Index);
}

/// Plain-Rust `setitem` on the cube's values at the given coordinates.
fn cube_values() -> Vec<i128> {
    i128s(&compute(&cube()))
}

#[test]
fn setitem_with_every_key_kind() {
    let x = cube();
    let flat = |i: usize, j: usize, k: usize| i * 12 + j * 4 + k;
    // int + slice: x[1, 1:] = 7
    let y = lz::setitem(
        &x,
        &[
            IndexKey::Item(IndexItem::Int(1)),
            IndexKey::Item(IndexItem::Slice {
                start: Some(1),
                stop: None,
                step: None,
            }),
        ],
        Operand::Scalar(Scalar::Int(7)),
    )
    .unwrap();
    let mut want = cube_values();
    for j in 1..3 {
        for k in 0..4 {
            want[flat(1, j, k)] = 7;
        }
    }
    assert_eq!(i128s(&compute(&y)), want);
    // x is unchanged (functional update).
    assert_eq!(i128s(&compute(&x)), cube_values());
    // ellipsis + new axis + broadcast array value: x[..., None, ::3] = [[-1, -2]]
    let v = lz::from_vec(vec![-1i64, -2], &[1, 2]).unwrap();
    let y = lz::setitem(
        &x,
        &[
            IndexKey::Item(IndexItem::Ellipsis),
            IndexKey::Item(IndexItem::NewAxis),
            IndexKey::Item(IndexItem::Slice {
                start: None,
                stop: None,
                step: Some(3),
            }),
        ],
        Operand::Array(&v),
    )
    .unwrap();
    let mut want = cube_values();
    for i in 0..2 {
        for j in 0..3 {
            want[flat(i, j, 0)] = -1;
            want[flat(i, j, 3)] = -2;
        }
    }
    assert_eq!(i128s(&compute(&y)), want);
    // integer arrays with a narrower value dtype (int8 promotes to int64)
    let v8 = lz::from_vec(vec![5i8, 6], &[2, 1]).unwrap();
    let y = lz::setitem(
        &x,
        &[idx(&[0, -1], &[2]), idx(&[2, 0], &[2])],
        Operand::Array(&v8),
    )
    .unwrap();
    let mut want = cube_values();
    for k in 0..4 {
        want[flat(0, 2, k)] = 5;
        want[flat(1, 0, k)] = 6;
    }
    assert_eq!(i128s(&compute(&y)), want);
    // boolean mask with a scalar
    let m = [false, true, true, false, true, false];
    let mask = lz::from_vec(m.to_vec(), &[2, 3]).unwrap();
    let y = lz::setitem(
        &x,
        &[IndexKey::Array(mask)],
        Operand::Scalar(Scalar::Int(0)),
    )
    .unwrap();
    let mut want = cube_values();
    for (f, &b) in m.iter().enumerate() {
        if b {
            for k in 0..4 {
                want[f * 4 + k] = 0;
            }
        }
    }
    assert_eq!(i128s(&compute(&y)), want);
}

#[test]
fn setitem_rejects_dtype_changes_and_bad_shapes() {
    let x = cube();
    let k = [IndexKey::Item(IndexItem::Int(0))];
    let f = lz::from_vec(vec![1.5f64], &[1]).unwrap();
    let kind = |r: lz::Result<LazyArray>| r.unwrap_err().kind;
    assert_eq!(
        kind(lz::setitem(&x, &k, Operand::Array(&f))),
        ErrorKind::Type
    );
    assert_eq!(
        kind(lz::setitem(&x, &k, Operand::Scalar(Scalar::Float(1.5)))),
        ErrorKind::Type
    );
    let u = lz::from_vec(vec![1u8, 2], &[2]).unwrap();
    assert_eq!(
        kind(lz::setitem(&u, &k, Operand::Scalar(Scalar::Int(300)))),
        ErrorKind::Overflow
    );
    let three = lz::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
    assert_eq!(
        kind(lz::setitem(&x, &k, Operand::Array(&three))),
        ErrorKind::Value
    );
    // A float array takes an int scalar and a float32 array.
    let xf = lz::from_vec(vec![0.0f64; 4], &[4]).unwrap();
    let v32 = lz::from_vec(vec![0.5f32], &[1]).unwrap();
    let y = lz::setitem(&xf, &[idx(&[2], &[1])], Operand::Array(&v32)).unwrap();
    let y = lz::setitem(
        &y,
        &[IndexKey::Item(IndexItem::Int(0))],
        Operand::Scalar(Scalar::Int(3)),
    )
    .unwrap();
    assert_eq!(f64s(&compute(&y)), vec![3.0, 0.0, 0.5, 0.0]);
}

#[test]
fn nonzero_and_unique_match_plain_rust() {
    let v = [0.0f64, 2.0, f64::NAN, 2.0, -0.0, f64::NAN, 1.0, 0.0];
    let x = lz::from_vec(v.to_vec(), &[2, 4]).unwrap();
    let nz = lz::nonzero(&x).unwrap();
    let (mut r, mut c) = (Vec::new(), Vec::new());
    for (f, &e) in v.iter().enumerate() {
        if e != 0.0 {
            r.push(f as i128 / 4);
            c.push(f as i128 % 4);
        }
    }
    assert_eq!(i128s(&compute(&nz[0])), r);
    assert_eq!(i128s(&compute(&nz[1])), c);
    assert_eq!(
        lz::nonzero(&lz::from_vec(vec![1i32], &[]).unwrap())
            .unwrap_err()
            .kind,
        ErrorKind::Value
    );
    let u = lz::unique_all(&x).unwrap();
    let vals = f64s(&compute(&u.values));
    // 0 (and -0), 1, 2, then each NaN on its own.
    assert_eq!(vals.len(), 5);
    assert_eq!(&vals[..3], &[0.0, 1.0, 2.0]);
    assert!(vals[3].is_nan() && vals[4].is_nan());
    assert_eq!(i128s(&compute(&u.counts)), vec![3, 1, 2, 1, 1]);
    assert_eq!(i128s(&compute(&u.indices)), vec![0, 6, 1, 2, 5]);
    let inv = i128s(&compute(&u.inverse_indices));
    assert_eq!(u.inverse_indices.shape(), &[2, 4]);
    for (f, &e) in v.iter().enumerate() {
        let j = inv[f] as usize;
        assert!(vals[j] == e || (e.is_nan() && vals[j].is_nan()));
    }
}
