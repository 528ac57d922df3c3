//! End-to-end values: small arrays computed through the runtime, checked against plain Rust loops.

use lazulite_frontend::{
    self as lz, ArrayData, BinaryOp, DType, IndexItem, LazyArray, Operand, Scalar,
};

fn f64s(d: &ArrayData) -> Vec<f64> {
    let size = d.dtype.size();
    d.to_contiguous_bytes()
        .chunks(size)
        .map(|c| Scalar::from_bytes(d.dtype, c).as_f64())
        .collect()
}

fn i128s(d: &ArrayData) -> Vec<i128> {
    let size = d.dtype.size();
    d.to_contiguous_bytes()
        .chunks(size)
        .map(|c| {
            Scalar::from_bytes(d.dtype, c)
                .as_i128()
                .expect("integer or bool")
        })
        .collect()
}

fn compute(a: &LazyArray) -> ArrayData {
    let d = a
        .compute()
        .unwrap_or_else(|e| panic!("compute failed: {:?}: {}", e.kind, e.message));
    assert_eq!((d.dtype, d.shape.as_slice()), (a.dtype(), a.shape()));
    d
}

#[track_caller]
fn close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * w.abs().max(1.0);
        assert!(ok, "element {i}: got {g}, want {w}");
    }
}

const XS: [f64; 6] = [0.25, -1.5, 2.0, 3.75, -0.125, 10.0];

fn xs() -> LazyArray {
    lz::from_vec(XS.to_vec(), &[2, 3]).unwrap()
}

#[test]
fn data_round_trips_without_computing() {
    let x = xs();
    let d = x.realized().expect("from_vec is realized at once");
    assert_eq!(f64s(&d), XS.to_vec());
    assert_eq!(d.get(&[1, 2]), Scalar::Float(10.0));
    let b = lz::from_bytes(&[1, 0, 7, 0], DType::Bool, &[2, 2]).unwrap();
    assert_eq!(i128s(&b.realized().unwrap()), vec![1, 0, 1, 0]);
    // computing a realized array returns its data
    assert!(std::sync::Arc::ptr_eq(
        &x.compute().unwrap().buffer,
        &d.buffer
    ));
}

#[test]
fn unary_float_functions() {
    let pos: Vec<f64> = XS.iter().map(|v| v.abs() + 0.5).collect();
    let p = lz::from_vec(pos.clone(), &[6]).unwrap();
    let x = lz::from_vec(XS.to_vec(), &[6]).unwrap();
    type Case<'a> = (&'a str, &'a LazyArray, fn(f64) -> f64, &'a [f64]);
    let cases: [Case; 8] = [
        ("sin", &x, f64::sin, &XS),
        ("exp", &x, f64::exp, &XS),
        ("tanh", &x, f64::tanh, &XS),
        ("sqrt", &p, f64::sqrt, &pos),
        ("log", &p, f64::ln, &pos),
        ("negative", &x, |v| -v, &XS),
        ("floor", &x, f64::floor, &XS),
        ("abs", &x, f64::abs, &XS),
    ];
    for (name, arr, f, src) in cases {
        let y = lz::unary(lz::UnaryOp::from_name(name).unwrap(), arr).unwrap();
        let want: Vec<f64> = src.iter().map(|&v| f(v)).collect();
        close(&f64s(&compute(&y)), &want);
    }
}

#[test]
fn binary_with_broadcasting_and_promotion() {
    let a = lz::from_vec(vec![1i8, -2, 3, 127], &[4, 1]).unwrap();
    let b = lz::from_vec(vec![200u8, 0, 55], &[3]).unwrap();
    let s = lz::add(&a, &b).unwrap();
    assert_eq!(s.dtype(), DType::I16);
    let got = i128s(&compute(&s));
    let mut want = Vec::new();
    for &ai in &[1i16, -2, 3, 127] {
        for &bj in &[200i16, 0, 55] {
            want.push((ai + bj) as i128);
        }
    }
    assert_eq!(got, want);

    // float division broadcasting a row
    let x = xs();
    let row = lz::from_vec(vec![2.0f64, -4.0, 0.5], &[3]).unwrap();
    let q = compute(&lz::divide(&x, &row).unwrap());
    let want: Vec<f64> = (0..6).map(|k| XS[k] / [2.0, -4.0, 0.5][k % 3]).collect();
    close(&f64s(&q), &want);

    // comparisons give bool
    let c = compute(&lz::greater(&x, &row).unwrap());
    let want: Vec<i128> = (0..6)
        .map(|k| (XS[k] > [2.0, -4.0, 0.5][k % 3]) as i128)
        .collect();
    assert_eq!(i128s(&c), want);
}

#[test]
fn weak_scalars_wrap_in_the_array_dtype() {
    let u = lz::from_vec(vec![200u8, 10, 255], &[3]).unwrap();
    let y = lz::binary(
        BinaryOp::Add,
        Operand::Array(&u),
        Operand::Scalar(Scalar::Int(100)),
    )
    .unwrap();
    assert_eq!(y.dtype(), DType::U8);
    let want: Vec<i128> = [200u8, 10, 255]
        .iter()
        .map(|v| v.wrapping_add(100) as i128)
        .collect();
    assert_eq!(i128s(&compute(&y)), want);
    // scalar on the left: 1 - x
    let x = xs();
    let r = lz::binary(
        BinaryOp::Sub,
        Operand::Scalar(Scalar::Int(1)),
        Operand::Array(&x),
    )
    .unwrap();
    close(&f64s(&compute(&r)), &XS.map(|v| 1.0 - v));
    let f = lz::from_vec(vec![1.5f32, -2.25], &[2]).unwrap();
    let m = lz::binary(
        BinaryOp::Mul,
        Operand::Array(&f),
        Operand::Scalar(Scalar::Float(0.5)),
    )
    .unwrap();
    assert_eq!(m.dtype(), DType::F32);
    close(&f64s(&compute(&m)), &[0.75, -1.125]);
}

#[test]
fn where_and_clip() {
    let x = xs();
    let cond = lz::binary(
        BinaryOp::Gt,
        Operand::Array(&x),
        Operand::Scalar(Scalar::Int(1)),
    )
    .unwrap();
    let w = lz::where_(
        &cond,
        Operand::Array(&x),
        Operand::Scalar(Scalar::Float(-9.0)),
    )
    .unwrap();
    close(
        &f64s(&compute(&w)),
        &XS.map(|v| if v > 1.0 { v } else { -9.0 }),
    );

    let c = lz::clip(
        &x,
        Some(Operand::Scalar(Scalar::Int(0))),
        Some(Operand::Scalar(Scalar::Float(3.0))),
    )
    .unwrap();
    close(&f64s(&compute(&c)), &XS.map(|v| v.clamp(0.0, 3.0)));

    let lo = lz::from_vec(vec![-1.0f64, 0.0, 2.5], &[3]).unwrap();
    let c2 = lz::clip(&x, Some(Operand::Array(&lo)), None).unwrap();
    let want: Vec<f64> = (0..6).map(|k| XS[k].max([-1.0, 0.0, 2.5][k % 3])).collect();
    close(&f64s(&compute(&c2)), &want);

    let i = lz::from_vec(vec![-5i32, 0, 7, 100], &[4]).unwrap();
    let ci = lz::clip(
        &i,
        Some(Operand::Scalar(Scalar::Int(-2))),
        Some(Operand::Scalar(Scalar::Int(50))),
    )
    .unwrap();
    assert_eq!(i128s(&compute(&ci)), vec![-2, 0, 7, 50]);

    // x of shape () with bounds of shape (3, 1) and (2,): the result has shape (3, 2)
    let x0 = lz::from_vec(vec![1.5f64], &[]).unwrap();
    let lo = lz::from_vec(vec![0.0f64, 2.0, -1.0], &[3, 1]).unwrap();
    let hi = lz::from_vec(vec![1.0f64, 3.0], &[2]).unwrap();
    let cb = lz::clip(&x0, Some(Operand::Array(&lo)), Some(Operand::Array(&hi))).unwrap();
    assert_eq!(cb.shape(), &[3, 2]);
    let want: Vec<f64> = (0..6)
        .map(|k| 1.5f64.max([0.0, 2.0, -1.0][k / 2]).min([1.0, 3.0][k % 2]))
        .collect();
    close(&f64s(&compute(&cb)), &want);
    // an empty bound empties the result
    let empty = lz::from_vec(Vec::<f64>::new(), &[0]).unwrap();
    let ce = lz::clip(&x0, None, Some(Operand::Array(&empty))).unwrap();
    assert_eq!(ce.shape(), &[0]);
    assert!(f64s(&compute(&ce)).is_empty());
}

#[test]
fn astype_values() {
    let x = xs();
    let i = lz::astype(&x, DType::I32).unwrap();
    assert_eq!(
        i128s(&compute(&i)),
        XS.iter().map(|&v| v as i32 as i128).collect::<Vec<_>>()
    );
    let b = lz::astype(&x, DType::Bool).unwrap();
    assert_eq!(
        i128s(&compute(&b)),
        XS.iter().map(|&v| (v != 0.0) as i128).collect::<Vec<_>>()
    );
}

#[test]
fn reductions() {
    let vals: Vec<i8> = vec![100, 100, 100, -7, 3, 120];
    let x = lz::from_vec(vals.clone(), &[2, 3]).unwrap();
    // int8 sums accumulate in int64: no wrap-around
    let s = lz::sum(&x, None, false, None).unwrap();
    assert_eq!(s.dtype(), DType::I64);
    let total: i64 = vals.iter().map(|&v| v as i64).sum();
    assert_eq!(i128s(&compute(&s)), vec![total as i128]);
    let rows = lz::sum(&x, Some(&[1]), true, None).unwrap();
    assert_eq!(rows.shape(), &[2, 1]);
    let want: Vec<i128> = (0..2)
        .map(|r| (0..3).map(|c| vals[r * 3 + c] as i128).sum())
        .collect();
    assert_eq!(i128s(&compute(&rows)), want);
    let cols = lz::max(&x, Some(&[0]), false).unwrap();
    let want: Vec<i128> = (0..3).map(|c| vals[c].max(vals[3 + c]) as i128).collect();
    assert_eq!(i128s(&compute(&cols)), want);
    let mn = lz::min(&x, None, false).unwrap();
    assert_eq!(
        i128s(&compute(&mn)),
        vec![*vals.iter().min().unwrap() as i128]
    );
    let p = lz::prod(&x, Some(&[0]), false, None).unwrap();
    let want: Vec<i128> = (0..3)
        .map(|c| vals[c] as i128 * vals[3 + c] as i128)
        .collect();
    assert_eq!(i128s(&compute(&p)), want);

    let f = xs();
    let m = lz::mean(&f, Some(&[-1]), false).unwrap();
    let want: Vec<f64> = (0..2)
        .map(|r| XS[r * 3..r * 3 + 3].iter().sum::<f64>() / 3.0)
        .collect();
    close(&f64s(&compute(&m)), &want);
    let all_mean = lz::mean(&f, None, false).unwrap();
    close(&f64s(&compute(&all_mean)), &[XS.iter().sum::<f64>() / 6.0]);

    let z = lz::from_vec(vec![0i32, 0, 3, 0, 0, 0], &[3, 2]).unwrap();
    let any = lz::any(&z, Some(&[1]), false).unwrap();
    assert_eq!(i128s(&compute(&any)), vec![0, 1, 0]);
    let all = lz::all(
        &lz::from_vec(vec![1.0f32, 2.0, -1.0], &[3]).unwrap(),
        None,
        false,
    )
    .unwrap();
    assert_eq!(i128s(&compute(&all)), vec![1]);
    let sum_empty = lz::sum(
        &lz::zeros(&[0, 3], DType::F64).unwrap(),
        Some(&[0]),
        false,
        None,
    )
    .unwrap();
    assert_eq!(f64s(&compute(&sum_empty)), vec![0.0; 3]);
}

#[test]
fn movement_values() {
    // x[i, j, k] = 100 i + 10 j + k, shape (2, 3, 4)
    let v: Vec<i64> = (0..2)
        .flat_map(|i| (0..3).flat_map(move |j| (0..4).map(move |k| 100 * i + 10 * j + k)))
        .collect();
    let x = lz::from_vec(v, &[2, 3, 4]).unwrap();
    let at = |i: i64, j: i64, k: i64| (100 * i + 10 * j + k) as i128;

    let t = lz::permute_dims(&x, &[2, 0, 1]).unwrap();
    let want: Vec<i128> = (0..4)
        .flat_map(|k| (0..2).flat_map(move |i| (0..3).map(move |j| at(i, j, k))))
        .collect();
    assert_eq!(i128s(&compute(&t)), want);

    // x[1, ::-2, 1:] -> shape (2, 3): rows j = 2, 0; k = 1..4
    use IndexItem::*;
    let g = lz::getitem(
        &x,
        &[
            Int(1),
            Slice {
                start: None,
                stop: None,
                step: Some(-2),
            },
            Slice {
                start: Some(1),
                stop: None,
                step: None,
            },
        ],
    )
    .unwrap();
    assert_eq!(g.shape(), &[2, 3]);
    let want: Vec<i128> = [2, 0]
        .iter()
        .flat_map(|&j| (1..4).map(move |k| at(1, j, k)))
        .collect();
    assert_eq!(i128s(&compute(&g)), want);

    let f = lz::flip(&x, Some(&[0, 2])).unwrap();
    let want: Vec<i128> = (0..2)
        .flat_map(|i| (0..3).flat_map(move |j| (0..4).map(move |k| at(1 - i, j, 3 - k))))
        .collect();
    assert_eq!(i128s(&compute(&f)), want);

    let e = lz::expand_dims(&lz::getitem(&x, &[Ellipsis, Int(-1)]).unwrap(), &[1]).unwrap();
    assert_eq!(e.shape(), &[2, 1, 3]);
    let b = lz::broadcast_to(&e, &[2, 2, 3]).unwrap();
    let want: Vec<i128> = (0..2)
        .flat_map(|i| (0..2).flat_map(move |_| (0..3).map(move |j| at(i, j, 3))))
        .collect();
    assert_eq!(i128s(&compute(&b)), want);
    let sq = lz::squeeze(&e, &[1]).unwrap();
    let want: Vec<i128> = (0..2)
        .flat_map(|i| (0..3).map(move |j| at(i, j, 3)))
        .collect();
    assert_eq!(i128s(&compute(&sq)), want);
}

#[test]
fn creation_values() {
    let a = lz::arange(
        Scalar::Int(10),
        Some(Scalar::Int(-3)),
        Scalar::Int(-4),
        None,
    )
    .unwrap();
    assert_eq!(a.dtype(), DType::I64);
    let want: Vec<i128> = (0..).map(|i| 10 - 4 * i).take_while(|&v| v > -3).collect();
    assert_eq!(i128s(&compute(&a)), want);
    let f = lz::arange(
        Scalar::Float(0.0),
        Some(Scalar::Float(1.0)),
        Scalar::Float(0.25),
        None,
    )
    .unwrap();
    assert_eq!(f.dtype(), DType::F64);
    assert_eq!(f64s(&compute(&f)), vec![0.0, 0.25, 0.5, 0.75]);
    let n = lz::arange(Scalar::Int(5), None, Scalar::Int(1), Some(DType::F32)).unwrap();
    assert_eq!(f64s(&compute(&n)), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    let full = lz::full(&[2, 2], Scalar::Float(2.5), Some(DType::F32)).unwrap();
    assert_eq!(f64s(&compute(&full)), vec![2.5; 4]);
    let ones = lz::ones(&[3], DType::I16).unwrap();
    assert_eq!(i128s(&compute(&ones)), vec![1; 3]);
}

#[test]
fn compute_many_shares_and_realized_arrays_are_leaves() {
    let x = xs();
    let e = lz::exp(&x).unwrap();
    let a = lz::sum(&e, None, false, None).unwrap();
    let b = lz::max(&e, Some(&[1]), false).unwrap();
    let out = lz::compute_many(&[&a, &b, &a]).unwrap();
    assert_eq!(out.len(), 3);
    let ex: Vec<f64> = XS.iter().map(|v| v.exp()).collect();
    close(&f64s(&out[0]), &[ex.iter().sum()]);
    close(
        &f64s(&out[1]),
        &[ex[0].max(ex[1]).max(ex[2]), ex[3].max(ex[4]).max(ex[5])],
    );
    assert!(a.realized().is_some() && b.realized().is_some());
    // a graph over a realized array reads it as an input
    let c = lz::binary(
        BinaryOp::Mul,
        Operand::Array(&a),
        Operand::Scalar(Scalar::Int(2)),
    )
    .unwrap();
    let (g, _, inputs) = lz::build_graph(&[&c]).unwrap();
    // `a`, and the scalar `2` as a parameter (one element, zero strides)
    assert_eq!(inputs.len(), 2);
    assert_eq!(
        (inputs[1].buffer.len(), inputs[1].strides.as_slice()),
        (8, &[][..])
    );
    assert!(g.len() <= 3);
    close(&f64s(&compute(&c)), &[2.0 * ex.iter().sum::<f64>()]);
    let text = lz::explain(&[&lz::sin(&x).unwrap()]).unwrap();
    assert!(!text.is_empty());
}

#[test]
fn reshape_of_a_non_contiguous_view() {
    let v: Vec<i64> = (0..2)
        .flat_map(|i| (0..3).flat_map(move |j| (0..4).map(move |k| 100 * i + 10 * j + k)))
        .collect();
    let x = lz::from_vec(v, &[2, 3, 4]).unwrap();
    let at = |i: i64, j: i64, k: i64| (100 * i + 10 * j + k) as i128;
    // reshape of a transposed (non-contiguous) array reads in row-major order of the transpose
    let r = lz::reshape(&lz::matrix_transpose(&x).unwrap(), &[-1]).unwrap();
    let want: Vec<i128> = (0..2)
        .flat_map(|i| (0..4).flat_map(move |k| (0..3).map(move |j| at(i, j, k))))
        .collect();
    assert_eq!(i128s(&compute(&r)), want);

    // and of a lazy (unrealized) operand
    let y = lz::binary(
        BinaryOp::Mul,
        Operand::Array(&x),
        Operand::Scalar(Scalar::Int(2)),
    )
    .unwrap();
    let r2 = lz::reshape(&lz::permute_dims(&y, &[1, 0, 2]).unwrap(), &[6, 4]).unwrap();
    let want: Vec<i128> = (0..3)
        .flat_map(|j| (0..2).flat_map(move |i| (0..4).map(move |k| 2 * at(i, j, k))))
        .collect();
    assert_eq!(i128s(&compute(&r2)), want);
}

#[test]
fn arrays_are_send_sync_and_compute_concurrently() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LazyArray>();
    let x = xs();
    let y = lz::multiply(&lz::cos(&x).unwrap(), &x).unwrap();
    let results: Vec<Vec<f64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| f64s(&y.compute().unwrap())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let want: Vec<f64> = XS.iter().map(|v| v.cos() * v).collect();
    for r in results {
        close(&r, &want);
    }
}

#[test]
fn zero_size_and_zero_dim_arrays() {
    let e = lz::from_vec(Vec::<f32>::new(), &[0, 3]).unwrap();
    let s = lz::sin(&e).unwrap();
    assert_eq!(f64s(&compute(&s)), Vec::<f64>::new());
    let m = lz::sum(&e, Some(&[0]), true, None).unwrap();
    assert_eq!(m.shape(), &[1, 3]);
    assert_eq!(f64s(&compute(&m)), vec![0.0; 3]);
    let any = lz::any(&e, None, false).unwrap();
    let all = lz::all(&e, None, false).unwrap();
    let out = lz::compute_many(&[&any, &all]).unwrap();
    assert_eq!((i128s(&out[0]), i128s(&out[1])), (vec![0], vec![1]));
    let z = lz::from_vec(vec![2.5f64], &[]).unwrap();
    let p = lz::binary(
        BinaryOp::Pow,
        Operand::Array(&z),
        Operand::Scalar(Scalar::Int(2)),
    )
    .unwrap();
    assert_eq!(compute(&p).get(&[]), Scalar::Float(2.5f64.powi(2)));
}

#[test]
fn integer_division_and_shifts_follow_python() {
    let a = lz::from_vec(vec![7i32, -7, 7, -7], &[4]).unwrap();
    let b = lz::from_vec(vec![2i32, 2, -2, -2], &[4]).unwrap();
    let fd = compute(&lz::floor_divide(&a, &b).unwrap());
    let rem = compute(&lz::remainder(&a, &b).unwrap());
    let pairs = [(7i32, 2i32), (-7, 2), (7, -2), (-7, -2)];
    // Python: floor division rounds toward -inf, remainder = x - y * floor(x / y) (divisor's sign)
    let floor_div = |x: i32, y: i32| (x as f64 / y as f64).floor() as i128;
    let want_fd: Vec<i128> = pairs.iter().map(|&(x, y)| floor_div(x, y)).collect();
    let want_rem: Vec<i128> = pairs
        .iter()
        .map(|&(x, y)| x as i128 - y as i128 * floor_div(x, y))
        .collect();
    assert_eq!(i128s(&fd), want_fd);
    assert_eq!(i128s(&rem), want_rem);
    let sh = lz::binary(
        BinaryOp::Shl,
        Operand::Array(&a),
        Operand::Scalar(Scalar::Int(3)),
    )
    .unwrap();
    assert_eq!(i128s(&compute(&sh)), vec![56, -56, 56, -56]);
}
