//! `broadcast_arrays`, `broadcast_shapes`, `moveaxis`, `repeat`, `roll`, `tile`, `unstack`, and the
//! 2025.12 axis rules of `expand_dims` and `permute_dims`, against plain Rust index arithmetic.

mod common;

use common::*;
use lazulite_frontend::{self as lz, DType, ErrorKind, LazyArray};

/// An array of `shape` and dtype `d` whose element at flat position `f` is `f + 1` (for bool:
/// whether `f` is a multiple of 3), and those values as i128.
fn seq(shape: &[usize], d: DType) -> (LazyArray, Vec<i128>) {
    let n: usize = shape.iter().product();
    let v: Vec<i64> = (0..n as i64)
        .map(|f| {
            if d == DType::Bool {
                i64::from(f % 3 == 0)
            } else {
                f + 1
            }
        })
        .collect();
    let x = lz::astype(&lz::from_vec(v, shape).unwrap(), d).unwrap();
    let v = i128s(&x);
    (x, v)
}

#[test]
fn broadcast_shapes_and_arrays() {
    assert_eq!(lz::broadcast_shapes(&[]).unwrap(), Vec::<usize>::new());
    assert_eq!(
        lz::broadcast_shapes(&[&[3, 1], &[4], &[2, 1, 1]]).unwrap(),
        vec![2, 3, 4]
    );
    assert_eq!(
        lz::broadcast_shapes(&[&[], &[0, 1], &[5]]).unwrap(),
        vec![0, 5]
    );
    err(
        lz::broadcast_shapes(&[&[3], &[4]]),
        ErrorKind::Value,
        "broadcast_shapes",
    );

    let (a, av) = seq(&[3, 1], DType::I8);
    let (b, bv) = seq(&[4], DType::F32);
    let (c, _) = seq(&[], DType::Bool);
    let out = lz::broadcast_arrays(&[&a, &b, &c]).unwrap();
    for (o, d) in out.iter().zip([DType::I8, DType::F32, DType::Bool]) {
        assert_eq!((o.dtype(), o.shape()), (d, &[3, 4][..]));
    }
    let idx = indices(&[3, 4]);
    assert_eq!(
        i128s(&out[0]),
        idx.iter().map(|ix| av[ix[0]]).collect::<Vec<_>>()
    );
    assert_eq!(
        i128s(&out[1]),
        idx.iter().map(|ix| bv[ix[1]]).collect::<Vec<_>>()
    );
    assert_eq!(bools(&out[2]), vec![true; 12]); // the 0-D bool is element 0: true
    assert!(lz::broadcast_arrays(&[]).unwrap().is_empty());
    err(
        lz::broadcast_arrays(&[&a, &lz::zeros(&[2, 2], DType::I8).unwrap()]),
        ErrorKind::Value,
        "broadcast_arrays",
    );
}

/// NumPy's `moveaxis` order, written independently: the destination positions take the sources,
/// the remaining positions take the other axes in order.
fn moved_order(n: usize, src: &[usize], dst: &[usize]) -> Vec<usize> {
    let mut order = vec![usize::MAX; n];
    for (&s, &d) in src.iter().zip(dst) {
        order[d] = s;
    }
    let mut rest = (0..n).filter(|a| !src.contains(a));
    for slot in order.iter_mut() {
        if *slot == usize::MAX {
            *slot = rest.next().unwrap();
        }
    }
    order
}

#[test]
fn moveaxis_values() {
    let shape = [2usize, 3, 4, 5];
    let (x, xv) = seq(&shape, DType::I32);
    let cases: &[(&[isize], &[isize])] = &[
        (&[0], &[-1]),
        (&[-1], &[0]),
        (&[0, 1], &[-1, -2]),
        (&[3, 0, 2], &[0, 1, 3]),
        (&[], &[]),
        (&[1, 2], &[2, 1]),
    ];
    for &(src, dst) in cases {
        let y = lz::moveaxis(&x, src, dst).unwrap();
        let norm = |v: &[isize]| -> Vec<usize> {
            v.iter()
                .map(|&a| if a < 0 { (a + 4) as usize } else { a as usize })
                .collect()
        };
        let order = moved_order(4, &norm(src), &norm(dst));
        let out_shape: Vec<usize> = order.iter().map(|&a| shape[a]).collect();
        assert_eq!(y.shape(), out_shape.as_slice(), "{src:?} -> {dst:?}");
        let want: Vec<i128> = indices(&out_shape)
            .iter()
            .map(|ix| {
                let mut src_ix = [0usize; 4];
                for (j, &a) in order.iter().enumerate() {
                    src_ix[a] = ix[j];
                }
                xv[flat(&src_ix, &shape)]
            })
            .collect();
        assert_eq!(i128s(&y), want, "{src:?} -> {dst:?}");
    }
    err(
        lz::moveaxis(&x, &[0], &[1, 2]),
        ErrorKind::Value,
        "moveaxis",
    );
    err(
        lz::moveaxis(&x, &[0, -4], &[1, 2]),
        ErrorKind::Value,
        "moveaxis",
    );
    err(
        lz::moveaxis(&x, &[0, 1], &[2, 2]),
        ErrorKind::Value,
        "moveaxis",
    );
    err(lz::moveaxis(&x, &[4], &[0]), ErrorKind::Index, "moveaxis");
    err(lz::moveaxis(&x, &[0], &[-5]), ErrorKind::Index, "moveaxis");
}

#[test]
fn expand_dims_axes_are_relative_to_the_output_rank() {
    let (x, xv) = seq(&[2, 3], DType::F64);
    let cases: &[(&[isize], &[usize])] = &[
        (&[0], &[1, 2, 3]),
        (&[-1], &[2, 3, 1]),
        (&[0, -1], &[1, 2, 3, 1]),
        (&[-1, -2], &[2, 3, 1, 1]),
        (&[1, 3], &[2, 1, 3, 1]),
        (&[-4, 2], &[1, 2, 1, 3]),
        (&[], &[2, 3]),
    ];
    for &(axes, shape) in cases {
        let y = lz::expand_dims(&x, axes).unwrap();
        assert_eq!(y.shape(), shape, "{axes:?}");
        assert_eq!(i128s(&lz::astype(&y, DType::I64).unwrap()), xv, "{axes:?}");
    }
    err(lz::expand_dims(&x, &[3]), ErrorKind::Index, "expand_dims");
    err(lz::expand_dims(&x, &[-4]), ErrorKind::Index, "expand_dims");
    err(
        lz::expand_dims(&x, &[0, -4]),
        ErrorKind::Value,
        "expand_dims",
    );
}

#[test]
fn permute_dims_with_negative_axes() {
    let shape = [2usize, 3, 4];
    let (x, xv) = seq(&shape, DType::U16);
    let y = lz::permute_dims(&x, &[-1, 0, -2]).unwrap();
    assert_eq!(y.shape(), &[4, 2, 3]);
    let want: Vec<i128> = indices(&[4, 2, 3])
        .iter()
        .map(|ix| xv[flat(&[ix[1], ix[2], ix[0]], &shape)])
        .collect();
    assert_eq!(i128s(&y), want);
    err(
        lz::permute_dims(&x, &[0, -3, 1]),
        ErrorKind::Value,
        "permute_dims",
    );
    err(
        lz::permute_dims(&x, &[0, 1, -4]),
        ErrorKind::Index,
        "permute_dims",
    );
}

#[test]
fn repeat_values() {
    let shape = [2usize, 3];
    for d in [DType::I64, DType::F32, DType::Bool, DType::U8] {
        let (x, xv) = seq(&shape, d);
        // axis None: each element of the flattened array r times
        for r in [0i64, 1, 3] {
            let y = lz::repeat(&x, r, None).unwrap();
            let want: Vec<i128> = xv
                .iter()
                .flat_map(|&v| std::iter::repeat_n(v, r as usize))
                .collect();
            assert_eq!((y.dtype(), y.shape()), (d, &[6 * r as usize][..]));
            assert_eq!(i128s(&y), want);
        }
        for (axis, a) in [(0isize, 0usize), (1, 1), (-1, 1), (-2, 0)] {
            let y = lz::repeat(&x, 2, Some(axis)).unwrap();
            let mut out_shape = shape.to_vec();
            out_shape[a] *= 2;
            assert_eq!(y.shape(), out_shape.as_slice());
            let want: Vec<i128> = indices(&out_shape)
                .iter()
                .map(|ix| {
                    let mut s = ix.clone();
                    s[a] /= 2;
                    xv[flat(&s, &shape)]
                })
                .collect();
            assert_eq!(i128s(&y), want, "{d} axis {axis}");
        }
    }
    // 0-D and size-0 inputs
    let (s, _) = seq(&[], DType::I32);
    assert_eq!(i128s(&lz::repeat(&s, 3, None).unwrap()), vec![1, 1, 1]);
    let e = lz::zeros(&[0, 2], DType::F64).unwrap();
    assert_eq!(lz::repeat(&e, 4, Some(1)).unwrap().shape(), &[0, 8]);
    err(lz::repeat(&s, -1, None), ErrorKind::Value, "repeat");
    err(lz::repeat(&e, 2, Some(2)), ErrorKind::Index, "repeat");
    err(lz::repeat(&s, 2, Some(0)), ErrorKind::Index, "repeat");
}

#[test]
fn repeat_each_values() {
    let shape = [2usize, 3];
    for d in [DType::I64, DType::F64, DType::Bool] {
        let (x, xv) = seq(&shape, d);
        // axis 1: column j repeated counts[j] times
        let counts = [2i64, 0, 3];
        let y = lz::repeat_each(&x, &counts, Some(1)).unwrap();
        assert_eq!((y.dtype(), y.shape()), (d, &[2usize, 5][..]));
        let want: Vec<i128> = (0..2)
            .flat_map(|i| {
                let xv = &xv;
                (0..3).flat_map(move |j| std::iter::repeat_n(xv[i * 3 + j], counts[j] as usize))
            })
            .collect();
        assert_eq!(i128s(&y), want, "{d}");
        // axis None: the flattened array, one count per element
        let flat_counts = [1i64, 0, 2, 0, 0, 1];
        let y = lz::repeat_each(&x, &flat_counts, None).unwrap();
        let want: Vec<i128> = xv
            .iter()
            .zip(flat_counts)
            .flat_map(|(&v, c)| std::iter::repeat_n(v, c as usize))
            .collect();
        assert_eq!(y.shape(), &[want.len()]);
        assert_eq!(i128s(&y), want);
        // a single count is the integer form
        assert_eq!(
            i128s(&lz::repeat_each(&x, &[2], Some(0)).unwrap()),
            i128s(&lz::repeat(&x, 2, Some(0)).unwrap())
        );
    }
    let (x, _) = seq(&shape, DType::I32);
    let all_zero = lz::repeat_each(&x, &[0, 0], Some(0)).unwrap();
    assert_eq!(all_zero.shape(), &[0, 3]);
    assert!(i128s(&all_zero).is_empty());
    err(
        lz::repeat_each(&x, &[1, 2], Some(1)),
        ErrorKind::Value,
        "repeat",
    );
    err(
        lz::repeat_each(&x, &[1, -1], Some(0)),
        ErrorKind::Value,
        "repeat",
    );
    err(
        lz::repeat_each(&x, &[1, 2], Some(2)),
        ErrorKind::Index,
        "repeat",
    );
    err(
        lz::repeat_each(&x, &[i64::MAX, i64::MAX], Some(0)),
        ErrorKind::Value,
        "repeat",
    );
}

/// `out[i] = x[(i - s) mod n]` along each axis, the oracle of `roll`.
fn rolled(xv: &[i128], shape: &[usize], shifts: &[i64]) -> Vec<i128> {
    indices(shape)
        .iter()
        .map(|ix| {
            let src: Vec<usize> = ix
                .iter()
                .zip(shape)
                .zip(shifts)
                .map(|((&i, &n), &s)| (i as i64 - s).rem_euclid(n as i64) as usize)
                .collect();
            xv[flat(&src, shape)]
        })
        .collect()
}

#[test]
fn roll_values() {
    let shape = [3usize, 4];
    for d in [DType::I16, DType::F64, DType::Bool] {
        let (x, xv) = seq(&shape, d);
        let cases: &[(&[i64], &[isize], [i64; 2])] = &[
            (&[1], &[1], [0, 1]),
            (&[-1], &[-1], [0, -1]),
            (&[5], &[0], [5, 0]),
            (&[2, -3], &[0, 1], [2, -3]),
            (&[1], &[0, 1], [1, 1]),
            (&[1, 2], &[1, 1], [0, 3]),
            (&[4], &[1], [0, 4]),
            (&[0], &[0], [0, 0]),
            (&[i64::MAX], &[1], [0, i64::MAX % 4]),
        ];
        for &(shift, axis, per_axis) in cases {
            let y = lz::roll(&x, shift, Some(axis)).unwrap();
            assert_eq!((y.dtype(), y.shape()), (d, &shape[..]));
            assert_eq!(
                i128s(&y),
                rolled(&xv, &shape, &per_axis),
                "{d} {shift:?} {axis:?}"
            );
        }
        // axis None rolls the flattened array
        for s in [1i64, -2, 13] {
            let y = lz::roll(&x, &[s], None).unwrap();
            assert_eq!(y.shape(), &shape);
            assert_eq!(i128s(&y), rolled(&xv, &[12], &[s]), "flat {s}");
        }
    }
    // 0-D and size-0 arrays
    let (s, _) = seq(&[], DType::I32);
    assert_eq!(i128s(&lz::roll(&s, &[3], None).unwrap()), vec![1]);
    let e = lz::zeros(&[2, 0], DType::F32).unwrap();
    assert_eq!(lz::roll(&e, &[1], Some(&[1])).unwrap().shape(), &[2, 0]);
    assert_eq!(lz::roll(&e, &[1], None).unwrap().shape(), &[2, 0]);
    // a lazy, non-contiguous operand
    let (x, _) = seq(&[3, 4], DType::I64);
    let t = lz::matrix_transpose(&x).unwrap();
    let tv = i128s(&t);
    assert_eq!(
        i128s(&lz::roll(&t, &[1, 1], Some(&[0, 1])).unwrap()),
        rolled(&tv, &[4, 3], &[1, 1])
    );

    err(lz::roll(&x, &[1, 2], None), ErrorKind::Value, "roll");
    err(
        lz::roll(&x, &[1, 2, 3], Some(&[0, 1])),
        ErrorKind::Value,
        "roll",
    );
    err(lz::roll(&x, &[1], Some(&[2])), ErrorKind::Index, "roll");
}

#[test]
fn tile_values() {
    let shape = [2usize, 3];
    let (x, xv) = seq(&shape, DType::I8);
    let cases: &[(&[i64], &[usize])] = &[
        (&[2], &[2, 6]),
        (&[2, 1], &[4, 3]),
        (&[3, 2], &[6, 6]),
        (&[2, 1, 1], &[2, 2, 3]),
        (&[], &[2, 3]),
        (&[0, 2], &[0, 6]),
        (&[1, 1], &[2, 3]),
    ];
    for &(reps, out_shape) in cases {
        let y = lz::tile(&x, reps).unwrap();
        assert_eq!((y.dtype(), y.shape()), (DType::I8, out_shape), "{reps:?}");
        let r = out_shape.len();
        let want: Vec<i128> = indices(out_shape)
            .iter()
            .map(|ix| {
                let src = [ix[r - 2] % 2, ix[r - 1] % 3];
                xv[flat(&src, &shape)]
            })
            .collect();
        assert_eq!(i128s(&y), want, "{reps:?}");
    }
    // a 0-D input takes the repetitions' rank
    let (s, _) = seq(&[], DType::F64);
    let y = lz::tile(&s, &[2, 3]).unwrap();
    assert_eq!((y.shape(), f64s(&y)), (&[2, 3][..], vec![1.0; 6]));
    err(lz::tile(&x, &[2, -1]), ErrorKind::Value, "tile");
}

#[test]
fn unstack_values() {
    let shape = [2usize, 3, 4];
    let (x, xv) = seq(&shape, DType::U32);
    for (axis, a) in [(0isize, 0usize), (1, 1), (2, 2), (-1, 2), (-3, 0)] {
        let parts = lz::unstack(&x, axis).unwrap();
        assert_eq!(parts.len(), shape[a]);
        let mut rest = shape.to_vec();
        rest.remove(a);
        for (i, p) in parts.iter().enumerate() {
            assert_eq!((p.dtype(), p.shape()), (DType::U32, rest.as_slice()));
            let want: Vec<i128> = indices(&rest)
                .iter()
                .map(|ix| {
                    let mut s = ix.clone();
                    s.insert(a, i);
                    xv[flat(&s, &shape)]
                })
                .collect();
            assert_eq!(i128s(p), want, "axis {axis} part {i}");
        }
    }
    assert!(lz::unstack(&lz::zeros(&[0, 3], DType::F64).unwrap(), 0)
        .unwrap()
        .is_empty());
    assert_eq!(
        lz::unstack(&lz::zeros(&[0, 3], DType::F64).unwrap(), 1).unwrap()[2].shape(),
        &[0]
    );
    err(lz::unstack(&x, 3), ErrorKind::Index, "unstack");
    err(
        lz::unstack(&lz::zeros(&[], DType::F64).unwrap(), 0),
        ErrorKind::Index,
        "unstack",
    );
}
