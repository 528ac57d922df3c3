//! dtype and shape inference of every function, without computing anything; every error kind, and that
//! messages name the function.

use lazulite_frontend::{self as lz, DType, ErrorKind, IndexItem, LazyArray, Operand, Scalar};
use DType::*;

fn arr(shape: &[usize], d: DType) -> LazyArray {
    lz::zeros(shape, d).unwrap()
}

fn sig(r: lz::Result<LazyArray>) -> (DType, Vec<usize>) {
    let a = r.unwrap_or_else(|e| panic!("unexpected error: {}", e.message));
    (a.dtype(), a.shape().to_vec())
}

#[track_caller]
fn err(r: lz::Result<LazyArray>, kind: ErrorKind, name: &str) {
    match r {
        Ok(a) => panic!("expected {kind:?} error from {name}, got {a:?}"),
        Err(e) => {
            assert_eq!(e.kind, kind, "{}", e.message);
            assert!(
                e.message.contains(name),
                "message does not name {name}: {}",
                e.message
            );
        }
    }
}

fn arg(a: &LazyArray) -> Operand<'_> {
    Operand::Array(a)
}
fn int(v: i64) -> Operand<'static> {
    Operand::Scalar(Scalar::Int(v))
}
fn float(v: f64) -> Operand<'static> {
    Operand::Scalar(Scalar::Float(v))
}

#[test]
fn metadata() {
    let x = arr(&[2, 3, 4], F32);
    assert_eq!(
        (x.dtype(), x.shape(), x.ndim(), x.size()),
        (F32, &[2, 3, 4][..], 3, 24)
    );
    assert!(x.realized().is_none());
    let s = arr(&[], I8);
    assert_eq!((s.ndim(), s.size()), (0, 1));
    assert_eq!(arr(&[3, 0], F64).size(), 0);
}

#[test]
fn unary_dtypes() {
    // (function, accepted dtypes -> result dtype), written from the spec's function pages.
    let float_only = [
        "sqrt",
        "reciprocal",
        "exp",
        "expm1",
        "log",
        "log1p",
        "log2",
        "log10",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
    ];
    for name in float_only {
        let op = lz::UnaryOp::from_name(name).unwrap();
        for d in [F32, F64] {
            assert_eq!(
                sig(lz::unary(op, &arr(&[2, 1], d))),
                (d, vec![2, 1]),
                "{name}"
            );
        }
        err(lz::unary(op, &arr(&[2], I32)), ErrorKind::Type, name);
        err(lz::unary(op, &arr(&[2], Bool)), ErrorKind::Type, name);
    }
    for name in ["negative", "square", "sign", "abs"] {
        let op = lz::UnaryOp::from_name(name).unwrap();
        for d in [I8, U16, I64, F32, F64] {
            assert_eq!(sig(lz::unary(op, &arr(&[3], d))).0, d, "{name} {d}");
        }
        err(lz::unary(op, &arr(&[3], Bool)), ErrorKind::Type, name);
    }
    assert_eq!(sig(lz::abs(&arr(&[3], C64))).0, F32);
    for name in ["floor", "ceil", "trunc"] {
        let op = lz::UnaryOp::from_name(name).unwrap();
        assert_eq!(sig(lz::unary(op, &arr(&[3], I16))).0, I16);
        assert_eq!(sig(lz::unary(op, &arr(&[3], F32))).0, F32);
        err(lz::unary(op, &arr(&[3], Bool)), ErrorKind::Type, name);
    }
    for name in ["isnan", "isinf", "isfinite"] {
        let op = lz::UnaryOp::from_name(name).unwrap();
        assert_eq!(sig(lz::unary(op, &arr(&[3], F32))).0, Bool);
        assert_eq!(sig(lz::unary(op, &arr(&[3], I32))).0, Bool);
    }
    assert_eq!(sig(lz::signbit(&arr(&[3], F64))).0, Bool);
    err(lz::signbit(&arr(&[3], I64)), ErrorKind::Type, "signbit");
    assert_eq!(sig(lz::logical_not(&arr(&[3], Bool))).0, Bool);
    err(
        lz::logical_not(&arr(&[3], I8)),
        ErrorKind::Type,
        "logical_not",
    );
    assert_eq!(sig(lz::bitwise_invert(&arr(&[3], U8))).0, U8);
    assert_eq!(sig(lz::bitwise_invert(&arr(&[3], Bool))).0, Bool);
    err(
        lz::bitwise_invert(&arr(&[3], F32)),
        ErrorKind::Type,
        "bitwise_invert",
    );
    assert_eq!(sig(lz::positive(&arr(&[3], I32))).0, I32);
    assert_eq!(sig(lz::real(&arr(&[3], F32))).0, F32);
    err(lz::imag(&arr(&[3], F32)), ErrorKind::Type, "imag");
    // the result keeps the operand's shape, including 0-d and empty shapes
    assert_eq!(sig(lz::sin(&arr(&[], F64))).1, Vec::<usize>::new());
    assert_eq!(sig(lz::sin(&arr(&[0, 5], F64))).1, vec![0, 5]);
}

#[test]
fn binary_promotion_and_broadcasting() {
    let cases = [
        (I8, U8, I16),
        (U8, U16, U16),
        (I32, U32, I64),
        (U8, I64, I64),
        (F32, F64, F64),
        (F32, C64, C64),
        (F64, C64, C128),
        (I16, I16, I16),
    ];
    for (a, b, want) in cases {
        assert_eq!(
            sig(lz::add(&arr(&[2, 1], a), &arr(&[3], b))),
            (want, vec![2, 3]),
            "{a}+{b}"
        );
        if !want.is_complex() {
            // less has no complex overload
            assert_eq!(sig(lz::less(&arr(&[4], a), &arr(&[1], b))), (Bool, vec![4]));
        }
    }
    err(
        lz::add(&arr(&[2], U64), &arr(&[2], I8)),
        ErrorKind::Type,
        "add",
    );
    err(
        lz::add(&arr(&[2], I32), &arr(&[2], F32)),
        ErrorKind::Type,
        "add",
    );
    err(
        lz::multiply(&arr(&[2], Bool), &arr(&[2], Bool)),
        ErrorKind::Type,
        "multiply",
    );
    err(
        lz::add(&arr(&[3], F32), &arr(&[4], F32)),
        ErrorKind::Value,
        "add",
    );
    err(
        lz::divide(&arr(&[3], I32), &arr(&[3], I32)),
        ErrorKind::Type,
        "divide",
    );
    err(
        lz::atan2(&arr(&[3], I32), &arr(&[3], I32)),
        ErrorKind::Type,
        "atan2",
    );
    err(
        lz::bitwise_left_shift(&arr(&[3], Bool), &arr(&[3], Bool)),
        ErrorKind::Type,
        "bitwise_left_shift",
    );
    assert_eq!(
        sig(lz::logical_and(&arr(&[3], Bool), &arr(&[1], Bool))).0,
        Bool
    );
    assert_eq!(sig(lz::equal(&arr(&[3], Bool), &arr(&[1], Bool))).0, Bool);
    assert_eq!(
        sig(lz::bitwise_xor(&arr(&[3], Bool), &arr(&[3], Bool))).0,
        Bool
    );
    assert_eq!(
        sig(lz::floor_divide(&arr(&[5, 1, 2], I64), &arr(&[4, 1], I64))).1,
        vec![5, 4, 2]
    );
    assert_eq!(
        sig(lz::pow(&arr(&[], F32), &arr(&[2, 0], F32))).1,
        vec![2, 0]
    );
}

#[test]
fn weak_scalars() {
    let x = arr(&[2], F32);
    assert_eq!(sig(lz::binary(lz::BinaryOp::Add, arg(&x), int(1))).0, F32);
    assert_eq!(
        sig(lz::binary(lz::BinaryOp::Add, float(0.5), arg(&x))).0,
        F32
    );
    // a Python complex with a real float array promotes to complex (spec 2024.12)
    let c = Operand::Scalar(Scalar::Complex(1.0, 2.0));
    assert_eq!(sig(lz::binary(lz::BinaryOp::Mul, arg(&x), c)).0, C64);
    assert_eq!(
        sig(lz::binary(lz::BinaryOp::Mul, arg(&arr(&[2], F64)), c)).0,
        C128
    );
    let i = arr(&[3], U8);
    assert_eq!(sig(lz::binary(lz::BinaryOp::Sub, arg(&i), int(255))).0, U8);
    err(
        lz::binary(lz::BinaryOp::Sub, arg(&i), int(256)),
        ErrorKind::Overflow,
        "subtract",
    );
    err(
        lz::binary(lz::BinaryOp::Sub, int(-1), arg(&i)),
        ErrorKind::Overflow,
        "subtract",
    );
    let big = Operand::Scalar(Scalar::UInt(u64::MAX));
    assert_eq!(
        sig(lz::binary(lz::BinaryOp::Add, arg(&arr(&[1], U64)), big)).0,
        U64
    );
    err(
        lz::binary(lz::BinaryOp::Add, arg(&arr(&[1], I64)), big),
        ErrorKind::Overflow,
        "add",
    );
    err(
        lz::binary(lz::BinaryOp::Add, arg(&i), float(1.5)),
        ErrorKind::Type,
        "add",
    );
    err(
        lz::binary(lz::BinaryOp::Add, arg(&arr(&[1], Bool)), int(1)),
        ErrorKind::Type,
        "add",
    );
    err(
        lz::binary(lz::BinaryOp::Add, int(1), int(2)),
        ErrorKind::Type,
        "add",
    );
    assert_eq!(
        sig(lz::binary(
            lz::BinaryOp::LogicalOr,
            arg(&arr(&[2], Bool)),
            Operand::Scalar(Scalar::Bool(true))
        ))
        .0,
        Bool
    );
    assert_eq!(
        sig(lz::binary(
            lz::BinaryOp::Gt,
            arg(&arr(&[2, 2], I8)),
            int(-128)
        )),
        (Bool, vec![2, 2])
    );
}

#[test]
fn where_clip_astype() {
    let c = arr(&[3, 1], Bool);
    assert_eq!(
        sig(lz::where_(&c, arg(&arr(&[4], I8)), arg(&arr(&[1], U8)))),
        (I16, vec![3, 4])
    );
    assert_eq!(
        sig(lz::where_(&c, float(1.0), arg(&arr(&[2], F32)))),
        (F32, vec![3, 2])
    );
    err(
        lz::where_(&arr(&[3], I8), arg(&arr(&[3], I8)), int(0)),
        ErrorKind::Type,
        "where",
    );
    err(lz::where_(&c, int(1), int(0)), ErrorKind::Type, "where");
    err(
        lz::where_(&arr(&[2], Bool), arg(&arr(&[3], F64)), int(0)),
        ErrorKind::Value,
        "where",
    );
    err(
        lz::where_(&c, arg(&arr(&[4], I8)), int(1000)),
        ErrorKind::Overflow,
        "where",
    );

    let x = arr(&[2, 3], I16);
    assert_eq!(
        sig(lz::clip(&x, Some(int(0)), Some(int(10)))),
        (I16, vec![2, 3])
    );
    assert_eq!(
        sig(lz::clip(&x, Some(arg(&arr(&[3], I8))), None)),
        (I16, vec![2, 3])
    );
    assert_eq!(sig(lz::clip(&x, None, None)), (I16, vec![2, 3]));
    err(
        lz::clip(&x, Some(arg(&arr(&[3], I32))), None),
        ErrorKind::Type,
        "clip",
    );
    err(
        lz::clip(&x, Some(float(0.5)), None),
        ErrorKind::Type,
        "clip",
    );
    err(
        lz::clip(&x, None, Some(int(40000))),
        ErrorKind::Overflow,
        "clip",
    );
    // the result takes the broadcast shape of x and the array bounds (x's dtype is kept)
    assert_eq!(
        sig(lz::clip(&x, Some(arg(&arr(&[4, 2, 3], I16))), None)),
        (I16, vec![4, 2, 3])
    );
    assert_eq!(
        sig(lz::clip(
            &arr(&[], I16),
            Some(arg(&arr(&[5, 1, 1], I8))),
            Some(arg(&arr(&[0], I16)))
        )),
        (I16, vec![5, 1, 0])
    );
    err(
        lz::clip(&x, Some(arg(&arr(&[4, 1, 2], I16))), None),
        ErrorKind::Value,
        "clip",
    );
    err(
        lz::clip(&x, None, Some(arg(&arr(&[4], I16)))),
        ErrorKind::Value,
        "clip",
    );
    err(
        lz::clip(&arr(&[2], Bool), Some(int(0)), None),
        ErrorKind::Type,
        "clip",
    );
    assert_eq!(
        sig(lz::clip(&arr(&[2], F32), Some(int(0)), Some(float(1.5)))).0,
        F32
    );

    assert_eq!(sig(lz::astype(&x, F32)), (F32, vec![2, 3]));
    assert_eq!(sig(lz::astype(&x, Bool)).0, Bool);
    assert_eq!(sig(lz::astype(&arr(&[1], F64), C64)).0, C64);
    err(lz::astype(&arr(&[1], C64), F64), ErrorKind::Type, "astype");
}

#[test]
fn reductions() {
    let x = arr(&[2, 3, 4], I8);
    assert_eq!(sig(lz::sum(&x, None, false, None)), (I64, vec![]));
    assert_eq!(sig(lz::sum(&arr(&[2], U16), None, false, None)).0, U64);
    assert_eq!(sig(lz::prod(&arr(&[2], I32), None, false, None)).0, I64);
    assert_eq!(sig(lz::sum(&arr(&[2], F32), None, false, None)).0, F32);
    assert_eq!(
        sig(lz::sum(&x, Some(&[1]), false, Some(I16))),
        (I16, vec![2, 4])
    );
    assert_eq!(
        sig(lz::sum(&x, Some(&[-1, 0]), true, None)),
        (I64, vec![1, 3, 1])
    );
    assert_eq!(
        sig(lz::sum(&x, Some(&[]), false, None)),
        (I64, vec![2, 3, 4])
    );
    assert_eq!(
        sig(lz::prod(&x, Some(&[2]), true, Some(F64))),
        (F64, vec![2, 3, 1])
    );
    err(
        lz::sum(&arr(&[2], Bool), None, false, None),
        ErrorKind::Type,
        "sum",
    );
    err(
        lz::sum(&x, Some(&[3]), false, None),
        ErrorKind::Index,
        "sum",
    );
    err(
        lz::sum(&x, Some(&[1, -2]), false, None),
        ErrorKind::Value,
        "sum",
    );
    err(
        lz::prod(&x, None, false, Some(Bool)),
        ErrorKind::Type,
        "prod",
    );

    let f = arr(&[3, 0, 2], F64);
    assert_eq!(sig(lz::max(&f, Some(&[0, 2]), false)), (F64, vec![0]));
    assert_eq!(sig(lz::min(&x, Some(&[1]), true)), (I8, vec![2, 1, 4]));
    err(lz::max(&f, None, false), ErrorKind::Value, "max");
    err(lz::min(&f, Some(&[1]), false), ErrorKind::Value, "min");
    err(
        lz::min(&arr(&[2], Bool), None, false),
        ErrorKind::Type,
        "min",
    );
    err(lz::max(&x, Some(&[-4]), false), ErrorKind::Index, "max");

    assert_eq!(
        sig(lz::mean(&arr(&[4, 5], F32), Some(&[0]), false)),
        (F32, vec![5])
    );
    assert_eq!(
        sig(lz::mean(&arr(&[4, 5], F64), None, true)),
        (F64, vec![1, 1])
    );
    err(lz::mean(&x, None, false), ErrorKind::Type, "mean");

    for d in [Bool, I32, F64, U8] {
        assert_eq!(
            sig(lz::any(&arr(&[2, 3], d), Some(&[1]), false)),
            (Bool, vec![2])
        );
        assert_eq!(
            sig(lz::all(&arr(&[2, 3], d), None, true)),
            (Bool, vec![1, 1])
        );
    }
    err(lz::any(&x, Some(&[5]), false), ErrorKind::Index, "any");
}

#[test]
fn movement() {
    let x = arr(&[2, 3, 4], F32);
    assert_eq!(sig(lz::reshape(&x, &[4, -1])).1, vec![4, 6]);
    assert_eq!(sig(lz::reshape(&x, &[24])).1, vec![24]);
    assert_eq!(sig(lz::reshape(&arr(&[0, 3], F32), &[3, 0])).1, vec![3, 0]);
    err(lz::reshape(&x, &[5, -1]), ErrorKind::Value, "reshape");
    err(lz::reshape(&x, &[-1, -1]), ErrorKind::Value, "reshape");
    err(lz::reshape(&x, &[25]), ErrorKind::Value, "reshape");
    err(lz::reshape(&x, &[-2, 12]), ErrorKind::Value, "reshape");

    assert_eq!(sig(lz::permute_dims(&x, &[2, 0, 1])).1, vec![4, 2, 3]);
    assert_eq!(sig(lz::permute_dims(&x, &[-1, 1, 0])).1, vec![4, 3, 2]);
    err(
        lz::permute_dims(&x, &[0, 1]),
        ErrorKind::Value,
        "permute_dims",
    );
    err(
        lz::permute_dims(&x, &[0, 1, 1]),
        ErrorKind::Value,
        "permute_dims",
    );
    err(
        lz::permute_dims(&x, &[0, 1, 3]),
        ErrorKind::Index,
        "permute_dims",
    );

    assert_eq!(
        sig(lz::broadcast_to(&arr(&[3, 1], I8), &[2, 3, 5])).1,
        vec![2, 3, 5]
    );
    err(
        lz::broadcast_to(&arr(&[3, 2], I8), &[3, 3]),
        ErrorKind::Value,
        "broadcast_to",
    );
    err(
        lz::broadcast_to(&arr(&[3, 2], I8), &[2]),
        ErrorKind::Value,
        "broadcast_to",
    );

    assert_eq!(sig(lz::expand_dims(&x, &[0])).1, vec![1, 2, 3, 4]);
    assert_eq!(sig(lz::expand_dims(&x, &[-1, 1])).1, vec![2, 1, 3, 4, 1]);
    err(lz::expand_dims(&x, &[5]), ErrorKind::Index, "expand_dims");
    err(
        lz::expand_dims(&x, &[0, 0]),
        ErrorKind::Value,
        "expand_dims",
    );

    let y = arr(&[1, 3, 1], F64);
    assert_eq!(sig(lz::squeeze(&y, &[0, -1])).1, vec![3]);
    err(lz::squeeze(&y, &[1]), ErrorKind::Value, "squeeze");
    err(lz::squeeze(&y, &[3]), ErrorKind::Index, "squeeze");

    assert_eq!(sig(lz::flip(&x, None)).1, vec![2, 3, 4]);
    assert_eq!(sig(lz::flip(&x, Some(&[-1]))).1, vec![2, 3, 4]);
    err(lz::flip(&x, Some(&[3])), ErrorKind::Index, "flip");

    assert_eq!(sig(lz::matrix_transpose(&x)).1, vec![2, 4, 3]);
    err(
        lz::matrix_transpose(&arr(&[3], F64)),
        ErrorKind::Value,
        "matrix_transpose",
    );
}

#[test]
fn indexing() {
    use IndexItem::*;
    let sl = |a: Option<i64>, b: Option<i64>, c: Option<i64>| Slice {
        start: a,
        stop: b,
        step: c,
    };
    let x = arr(&[5, 6, 7], I32);
    assert_eq!(sig(lz::getitem(&x, &[Int(1)])).1, vec![6, 7]);
    assert_eq!(
        sig(lz::getitem(&x, &[Int(-1), Int(0), Int(6)])).1,
        Vec::<usize>::new()
    );
    assert_eq!(
        sig(lz::getitem(&x, &[sl(Some(1), Some(4), None)])).1,
        vec![3, 6, 7]
    );
    assert_eq!(
        sig(lz::getitem(&x, &[sl(None, None, Some(-2))])).1,
        vec![3, 6, 7]
    );
    assert_eq!(
        sig(lz::getitem(&x, &[sl(Some(10), Some(20), None)])).1,
        vec![0, 6, 7]
    );
    assert_eq!(sig(lz::getitem(&x, &[Ellipsis, Int(0)])).1, vec![5, 6]);
    assert_eq!(
        sig(lz::getitem(&x, &[NewAxis, Ellipsis, NewAxis])).1,
        vec![1, 5, 6, 7, 1]
    );
    assert_eq!(
        sig(lz::getitem(&x, &[Int(0), NewAxis, sl(None, None, Some(3))])).1,
        vec![1, 2, 7]
    );
    assert_eq!(sig(lz::getitem(&x, &[])).1, vec![5, 6, 7]);
    assert_eq!(sig(lz::getitem(&arr(&[], F64), &[NewAxis])).1, vec![1]);
    assert_eq!(
        sig(lz::getitem(&arr(&[], F64), &[Ellipsis])).1,
        Vec::<usize>::new()
    );
    err(lz::getitem(&x, &[Int(5)]), ErrorKind::Index, "getitem");
    err(
        lz::getitem(&x, &[Int(0), Int(-7)]),
        ErrorKind::Index,
        "getitem",
    );
    err(
        lz::getitem(&x, &[Int(0), Int(0), Int(0), Int(0)]),
        ErrorKind::Index,
        "getitem",
    );
    err(
        lz::getitem(&x, &[Ellipsis, Ellipsis]),
        ErrorKind::Index,
        "getitem",
    );
    err(
        lz::getitem(&x, &[sl(None, None, Some(0))]),
        ErrorKind::Value,
        "getitem",
    );
}

#[test]
fn creation() {
    assert_eq!(sig(lz::full(&[2], Scalar::Int(3), None)).0, I64);
    assert_eq!(sig(lz::full(&[2], Scalar::Float(3.0), None)).0, F64);
    assert_eq!(sig(lz::full(&[2], Scalar::Bool(true), None)).0, Bool);
    assert_eq!(sig(lz::full(&[2], Scalar::Complex(1.0, 0.0), None)).0, C128);
    assert_eq!(
        sig(lz::full(&[2, 0], Scalar::Int(3), Some(F32))),
        (F32, vec![2, 0])
    );
    err(
        lz::full(&[2], Scalar::Int(300), Some(U8)),
        ErrorKind::Overflow,
        "full",
    );
    err(
        lz::full(&[2], Scalar::UInt(u64::MAX), None),
        ErrorKind::Overflow,
        "full",
    );
    err(
        lz::full(&[2], Scalar::Float(1.5), Some(I32)),
        ErrorKind::Type,
        "full",
    );
    err(
        lz::full(&[2], Scalar::Complex(1.5, 1.0), Some(F64)),
        ErrorKind::Type,
        "full",
    );
    assert_eq!(
        (
            lz::ones(&[3], U8).unwrap().dtype(),
            lz::zeros(&[], C64).unwrap().shape().len()
        ),
        (U8, 0)
    );
    err(
        lz::arange(Scalar::Int(0), Some(Scalar::Int(3)), Scalar::Int(0), None),
        ErrorKind::Value,
        "arange",
    );
    err(
        lz::arange(Scalar::Complex(0.0, 1.0), None, Scalar::Int(1), None),
        ErrorKind::Type,
        "arange",
    );
    err(
        lz::from_vec(vec![1.0f64, 2.0], &[3]),
        ErrorKind::Value,
        "from_vec",
    );
    err(
        lz::from_bytes(&[0u8; 7], F64, &[1]),
        ErrorKind::Value,
        "from_bytes",
    );
}

/// Nodes handed to the runtime always have same-shape, same-dtype operands (the graph verifier agrees).
#[test]
fn graphs_satisfy_the_verifier() {
    let a = arr(&[3, 1], I8);
    let b = arr(&[4], U8);
    let c = lz::sin(&lz::astype(&lz::add(&a, &b).unwrap(), F32).unwrap()).unwrap();
    let m = lz::mean(&c, Some(&[0]), true).unwrap();
    let t = lz::getitem(&lz::matrix_transpose(&m).unwrap(), &[IndexItem::Int(-1)]).unwrap();
    let w = lz::where_(&lz::greater(&t, &t).unwrap(), arg(&t), float(0.0)).unwrap();
    let s = lz::sum(&lz::reshape(&w, &[-1]).unwrap(), None, false, None).unwrap();
    let (g, roots, inputs) = lz::build_graph(&[&s, &c]).unwrap();
    assert_eq!(roots.len(), 2);
    // the only inputs are scalar parameters (one element seen at every index), the `0.0` among them
    assert!(!inputs.is_empty());
    assert!(inputs.iter().all(|d| d.is_scalar_parameter()));
    lazulite_ir::verify::verify_graph(&g).unwrap();
    for (_, n) in g.nodes() {
        if let lazulite_ir::Op::Binary(_) | lazulite_ir::Op::Where = n.op {
            let ops: Vec<_> = n.inputs.iter().map(|&i| g.node(i)).collect();
            assert!(ops.iter().all(|o| o.shape == n.shape));
            let last = ops.len() - 1;
            assert_eq!(ops[last].dtype, ops[last - 1].dtype);
        }
    }
}

#[test]
fn zeros_and_ones_reject_shapes_they_cannot_address() {
    let huge = [1usize << 40, 1 << 40];
    err(lz::zeros(&huge, DType::F64), ErrorKind::Value, "zeros");
    err(lz::ones(&huge, DType::U8), ErrorKind::Value, "ones");
    err(lz::zeros(&[1; 65], DType::F64), ErrorKind::Value, "zeros");
    assert_eq!(lz::ones(&[1; 64], DType::I8).unwrap().ndim(), 64);
}
