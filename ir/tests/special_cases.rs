//! The special cases of the array API standard 2025.12 (the "Special Cases" sections of
//! `array_api_stubs/_2025_12/elementwise_functions.py`), one table row per listed case, checked against
//! `lazulite_ir::semantics`.
//!
//! A row names input classes ("a positive finite number", "+infinity", ...) and the expected result
//! class; every class stands for a set of sample values, and every combination of samples is checked.
//! Real rows run for float64 and, where the samples are exact in f32, for float32; complex rows run for
//! complex128 and complex64.

use lazulite_ir::semantics::{compare, float_binary, float_predicate, float_unary};
use lazulite_ir::semantics_complex as cs;
use lazulite_ir::{BinaryOp, DType, UnaryOp};
use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, LN_10, LN_2, PI};

const INF: f64 = f64::INFINITY;
const NINF: f64 = f64::NEG_INFINITY;
const NAN: f64 = f64::NAN;

/// Input classes.
#[derive(Clone, Copy, Debug)]
enum I {
    PInf,
    NInf,
    /// either infinity
    Inf,
    PZ,
    NZ,
    /// either zero
    Z,
    NaN,
    /// a NaN with its sign bit set / clear
    NaNNeg,
    NaNPos,
    /// a positive / negative finite number (nonzero)
    Pos,
    Neg,
    /// greater than 0 (finite or +inf) / less than 0
    Gt0,
    Lt0,
    /// any finite number, zeros included
    Fin,
    NonzeroFin,
    /// any value, NaN included
    Any,
    /// anything but NaN
    NotNaN,
    /// anything but 1 (NaN included)
    NotOne,
    /// anything but a zero (NaN included)
    NotZero,
    V(f64),
    /// finite, greater than 1 / less than -1
    Gt1,
    LtM1,
    /// |x| > 1 (infinities included), |x| == 1, |x| < 1
    AbsGt1,
    AbsOne,
    AbsLt1,
    /// odd integers > 0, other numbers > 0 (inf included); same for < 0
    OddPos,
    NotOddPos,
    OddNeg,
    NotOddNeg,
    /// finite and not an integer
    NonInt,
    /// finite or NaN
    FinOrNaN,
    /// moderate nonzero finite values
    Mid,
}

fn samples(c: I) -> Vec<f64> {
    let pos = vec![0.5, 1.0, 1.5, 2.0, 3.0, 1e-300, 1e300, 5e-324, 123.25];
    let neg: Vec<f64> = pos.iter().map(|v| -v).collect();
    let cat = |parts: &[Vec<f64>]| parts.concat();
    match c {
        I::PInf => vec![INF],
        I::NInf => vec![NINF],
        I::Inf => vec![INF, NINF],
        I::PZ => vec![0.0],
        I::NZ => vec![-0.0],
        I::Z => vec![0.0, -0.0],
        I::NaN => vec![NAN, -NAN],
        I::NaNNeg => vec![-NAN],
        I::NaNPos => vec![NAN],
        I::Pos => pos,
        I::Neg => neg,
        I::Gt0 => cat(&[pos, vec![INF]]),
        I::Lt0 => cat(&[neg, vec![NINF]]),
        I::Fin => cat(&[pos, neg, vec![0.0, -0.0]]),
        I::NonzeroFin => cat(&[pos, neg]),
        I::Any => cat(&[pos, neg, vec![0.0, -0.0, INF, NINF, NAN]]),
        I::NotNaN => cat(&[pos, neg, vec![0.0, -0.0, INF, NINF]]),
        I::NotOne => vec![0.5, -1.0, 2.0, 0.0, -0.0, INF, NINF, NAN, -3.0],
        I::NotZero => cat(&[pos, neg, vec![INF, NINF, NAN]]),
        I::V(v) => vec![v],
        I::Gt1 => vec![1.5, 2.0, 3.0, 1e300],
        I::LtM1 => vec![-1.5, -2.0, -3.0, -1e300],
        I::AbsGt1 => vec![1.5, -1.5, 2.0, -3.0, 1e300, -1e300, INF, NINF],
        I::AbsOne => vec![1.0, -1.0],
        I::AbsLt1 => vec![0.5, -0.5, 0.0, -0.0, 1e-300, -0.75],
        I::OddPos => vec![1.0, 3.0, 5.0, 9007199254740991.0],
        I::NotOddPos => vec![0.5, 2.0, 4.0, 2.5, 1e300, INF],
        I::OddNeg => vec![-1.0, -3.0, -5.0, -9007199254740991.0],
        I::NotOddNeg => vec![-0.5, -2.0, -4.0, -2.5, -1e300, NINF],
        I::NonInt => vec![0.5, -2.5, 1.25, -0.75],
        I::FinOrNaN => cat(&[pos, neg, vec![0.0, -0.0, NAN]]),
        I::Mid => vec![0.5, 1.5, 2.0, 3.0, 7.0, 123.25, -0.5, -2.0, -7.0, -123.25],
    }
}

/// Expected results; closures see the inputs (`x1, x2` or `a, b`).
#[derive(Clone, Copy)]
enum O {
    PInf,
    NInf,
    /// an infinity of either sign
    Inf,
    PZ,
    NZ,
    /// a zero of either sign
    Z,
    NaN,
    /// NaN with its sign bit set / clear
    NaNNeg,
    NaNPos,
    /// exactly this value (a zero's sign included)
    Is(f64),
    /// within a few ULP of this value
    Near(f64),
    /// greater than 0 (or +0) / less than 0 (or -0)
    PosSign,
    NegSign,
    /// computed from the inputs, then compared exactly (signs of zeros included)
    F(fn(f64, f64) -> f64),
}

fn same(got: f64, want: f64) -> bool {
    (got.is_nan() && want.is_nan())
        || (got == want && got.is_sign_negative() == want.is_sign_negative())
}

fn matches(o: O, got: f64, x1: f64, x2: f64, tol: f64) -> bool {
    match o {
        O::PInf => got == INF,
        O::NInf => got == NINF,
        O::Inf => got.is_infinite(),
        O::PZ => same(got, 0.0),
        O::NZ => same(got, -0.0),
        O::Z => got == 0.0,
        O::NaN => got.is_nan(),
        O::NaNNeg => got.is_nan() && got.is_sign_negative(),
        O::NaNPos => got.is_nan() && got.is_sign_positive(),
        O::Is(v) => same(got, v),
        O::Near(v) => (got - v).abs() <= tol * v.abs(),
        O::PosSign => got.is_sign_positive() && !got.is_nan(),
        O::NegSign => got.is_sign_negative() && !got.is_nan(),
        O::F(f) => {
            let want = f(x1, x2);
            if want.is_finite() && want != 0.0 {
                (got - want).abs() <= tol * want.abs()
            } else {
                same(got, want)
            }
        }
    }
}

fn exact_in_f32(v: f64) -> bool {
    v.is_nan() || (v as f32) as f64 == v
}

// ------------------------------------------------------------------------------------------------
// real

#[derive(Clone, Copy)]
enum RealFn {
    U(UnaryOp),
    B(BinaryOp),
}

fn eval_real(f: RealFn, x1: f64, x2: f64, d: DType) -> f64 {
    let r = match f {
        RealFn::U(op) if op.returns() == lazulite_ir::ops::Returns::Bool => {
            float_predicate(op, x1) as u8 as f64
        }
        RealFn::U(op) => float_unary(op, x1),
        RealFn::B(op) if op.is_comparison() => compare(op, x1, x2) as u8 as f64,
        RealFn::B(op) => float_binary(op, x1, x2, d),
    };
    if d == DType::F32 {
        r as f32 as f64
    } else {
        r
    }
}

fn real_rows() -> Vec<(RealFn, I, I, O)> {
    use BinaryOp as B;
    use UnaryOp as U;
    use I::*;
    let u = |op, x, o| (RealFn::U(op), x, V(0.0), o);
    let b = |op, x1, x2, o| (RealFn::B(op), x1, x2, o);
    let t = O::Is(1.0);
    let f = O::Is(0.0);
    vec![
        // abs
        u(U::Abs, NaN, O::NaN),
        u(U::Abs, NZ, O::PZ),
        u(U::Abs, NInf, O::PInf),
        // acos
        u(U::Acos, NaN, O::NaN),
        u(U::Acos, Gt1, O::NaN),
        u(U::Acos, LtM1, O::NaN),
        u(U::Acos, V(1.0), O::PZ),
        // acosh
        u(U::Acosh, NaN, O::NaN),
        u(U::Acosh, V(0.5), O::NaN),
        u(U::Acosh, Neg, O::NaN),
        u(U::Acosh, V(-116954.0), O::NaN),
        u(U::Acosh, V(1.0), O::PZ),
        u(U::Acosh, PInf, O::PInf),
        // add
        b(B::Add, NaN, Any, O::NaN),
        b(B::Add, Any, NaN, O::NaN),
        b(B::Add, PInf, NInf, O::NaN),
        b(B::Add, NInf, PInf, O::NaN),
        b(B::Add, PInf, PInf, O::PInf),
        b(B::Add, NInf, NInf, O::NInf),
        b(B::Add, PInf, Fin, O::PInf),
        b(B::Add, NInf, Fin, O::NInf),
        b(B::Add, Fin, PInf, O::PInf),
        b(B::Add, Fin, NInf, O::NInf),
        b(B::Add, NZ, NZ, O::NZ),
        b(B::Add, NZ, PZ, O::PZ),
        b(B::Add, PZ, NZ, O::PZ),
        b(B::Add, PZ, PZ, O::PZ),
        b(B::Add, Z, NonzeroFin, O::F(|_, x2| x2)),
        b(B::Add, NonzeroFin, Z, O::F(|x1, _| x1)),
        // asin, asinh, atan
        u(U::Asin, NaN, O::NaN),
        u(U::Asin, Gt1, O::NaN),
        u(U::Asin, LtM1, O::NaN),
        u(U::Asin, PZ, O::PZ),
        u(U::Asin, NZ, O::NZ),
        u(U::Asinh, NaN, O::NaN),
        u(U::Asinh, PZ, O::PZ),
        u(U::Asinh, NZ, O::NZ),
        u(U::Asinh, PInf, O::PInf),
        u(U::Asinh, NInf, O::NInf),
        u(U::Atan, NaN, O::NaN),
        u(U::Atan, PZ, O::PZ),
        u(U::Atan, NZ, O::NZ),
        u(U::Atan, PInf, O::Near(FRAC_PI_2)),
        u(U::Atan, NInf, O::Near(-FRAC_PI_2)),
        // atan2
        b(B::Atan2, NaN, Any, O::NaN),
        b(B::Atan2, Any, NaN, O::NaN),
        b(B::Atan2, Pos, PZ, O::Near(FRAC_PI_2)),
        b(B::Atan2, Pos, NZ, O::Near(FRAC_PI_2)),
        b(B::Atan2, PZ, Gt0, O::PZ),
        b(B::Atan2, PZ, PZ, O::PZ),
        b(B::Atan2, PZ, NZ, O::Near(PI)),
        b(B::Atan2, PZ, Lt0, O::Near(PI)),
        b(B::Atan2, NZ, Gt0, O::NZ),
        b(B::Atan2, NZ, PZ, O::NZ),
        b(B::Atan2, NZ, NZ, O::Near(-PI)),
        b(B::Atan2, NZ, Lt0, O::Near(-PI)),
        b(B::Atan2, Neg, PZ, O::Near(-FRAC_PI_2)),
        b(B::Atan2, Neg, NZ, O::Near(-FRAC_PI_2)),
        b(B::Atan2, Pos, PInf, O::PZ),
        b(B::Atan2, Pos, NInf, O::Near(PI)),
        b(B::Atan2, Neg, PInf, O::NZ),
        b(B::Atan2, Neg, NInf, O::Near(-PI)),
        b(B::Atan2, PInf, Fin, O::Near(FRAC_PI_2)),
        b(B::Atan2, NInf, Fin, O::Near(-FRAC_PI_2)),
        b(B::Atan2, PInf, PInf, O::Near(FRAC_PI_4)),
        b(B::Atan2, PInf, NInf, O::Near(3.0 * FRAC_PI_4)),
        b(B::Atan2, NInf, PInf, O::Near(-FRAC_PI_4)),
        b(B::Atan2, NInf, NInf, O::Near(-3.0 * FRAC_PI_4)),
        // atanh
        u(U::Atanh, NaN, O::NaN),
        u(U::Atanh, LtM1, O::NaN),
        u(U::Atanh, Gt1, O::NaN),
        u(U::Atanh, V(-1.0), O::NInf),
        u(U::Atanh, V(1.0), O::PInf),
        u(U::Atanh, PZ, O::PZ),
        u(U::Atanh, NZ, O::NZ),
        // ceil, floor, trunc, round
        u(U::Ceil, PInf, O::PInf),
        u(U::Ceil, NInf, O::NInf),
        u(U::Ceil, PZ, O::PZ),
        u(U::Ceil, NZ, O::NZ),
        u(U::Ceil, NaN, O::NaN),
        u(U::Ceil, V(-0.5), O::NZ),
        u(U::Ceil, V(3.0), O::Is(3.0)),
        u(U::Floor, PInf, O::PInf),
        u(U::Floor, NInf, O::NInf),
        u(U::Floor, PZ, O::PZ),
        u(U::Floor, NZ, O::NZ),
        u(U::Floor, NaN, O::NaN),
        u(U::Floor, V(-3.0), O::Is(-3.0)),
        u(U::Trunc, PInf, O::PInf),
        u(U::Trunc, NInf, O::NInf),
        u(U::Trunc, PZ, O::PZ),
        u(U::Trunc, NZ, O::NZ),
        u(U::Trunc, NaN, O::NaN),
        u(U::Trunc, V(-0.5), O::NZ),
        u(U::Round, PInf, O::PInf),
        u(U::Round, NInf, O::NInf),
        u(U::Round, PZ, O::PZ),
        u(U::Round, NZ, O::NZ),
        u(U::Round, NaN, O::NaN),
        u(U::Round, V(2.5), O::Is(2.0)),
        u(U::Round, V(3.5), O::Is(4.0)),
        u(U::Round, V(-2.5), O::Is(-2.0)),
        u(U::Round, V(-0.5), O::NZ),
        u(U::Round, V(0.5), O::PZ),
        u(U::Round, V(-3.0), O::Is(-3.0)),
        // copysign
        b(B::Copysign, FinOrNaN, Neg, O::F(|x1, _| -x1.abs())),
        b(B::Copysign, NotNaN, Lt0, O::F(|x1, _| -x1.abs())),
        b(B::Copysign, NotNaN, NZ, O::F(|x1, _| -x1.abs())),
        b(B::Copysign, NotNaN, PZ, O::F(|x1, _| x1.abs())),
        b(B::Copysign, NotNaN, Gt0, O::F(|x1, _| x1.abs())),
        b(B::Copysign, NotNaN, NaNNeg, O::F(|x1, _| -x1.abs())),
        b(B::Copysign, NotNaN, NaNPos, O::F(|x1, _| x1.abs())),
        b(B::Copysign, NaN, Lt0, O::NaNNeg),
        b(B::Copysign, NaN, NZ, O::NaNNeg),
        b(B::Copysign, NaN, PZ, O::NaNPos),
        b(B::Copysign, NaN, Gt0, O::NaNPos),
        b(B::Copysign, NaN, NaNNeg, O::NaNNeg),
        b(B::Copysign, NaN, NaNPos, O::NaNPos),
        // cos, cosh
        u(U::Cos, NaN, O::NaN),
        u(U::Cos, Z, O::Is(1.0)),
        u(U::Cos, Inf, O::NaN),
        u(U::Cosh, NaN, O::NaN),
        u(U::Cosh, Z, O::Is(1.0)),
        u(U::Cosh, Inf, O::PInf),
        // divide
        b(B::Div, NaN, Any, O::NaN),
        b(B::Div, Any, NaN, O::NaN),
        b(B::Div, Inf, Inf, O::NaN),
        b(B::Div, Z, Z, O::NaN),
        b(B::Div, PZ, Gt0, O::PZ),
        b(B::Div, NZ, Gt0, O::NZ),
        b(B::Div, PZ, Lt0, O::NZ),
        b(B::Div, NZ, Lt0, O::PZ),
        b(B::Div, Gt0, PZ, O::PInf),
        b(B::Div, Gt0, NZ, O::NInf),
        b(B::Div, Lt0, PZ, O::NInf),
        b(B::Div, Lt0, NZ, O::PInf),
        b(B::Div, PInf, Pos, O::PInf),
        b(B::Div, PInf, Neg, O::NInf),
        b(B::Div, NInf, Pos, O::NInf),
        b(B::Div, NInf, Neg, O::PInf),
        b(B::Div, Pos, PInf, O::PZ),
        b(B::Div, Pos, NInf, O::NZ),
        b(B::Div, Neg, PInf, O::NZ),
        b(B::Div, Neg, NInf, O::PZ),
        b(B::Div, Pos, Pos, O::PosSign),
        b(B::Div, Neg, Neg, O::PosSign),
        b(B::Div, Pos, Neg, O::NegSign),
        b(B::Div, Neg, Pos, O::NegSign),
        // equal, not_equal
        b(B::Eq, NaN, Any, f),
        b(B::Eq, Any, NaN, f),
        b(B::Eq, PInf, PInf, t),
        b(B::Eq, NInf, NInf, t),
        b(B::Eq, Z, Z, t),
        b(B::Eq, Fin, Fin, O::F(|x1, x2| (x1 == x2) as u8 as f64)),
        b(B::Eq, PInf, NInf, f),
        b(B::Ne, NaN, Any, t),
        b(B::Ne, Any, NaN, t),
        b(B::Ne, PInf, NInf, t),
        b(B::Ne, NInf, PInf, t),
        b(B::Ne, Fin, Fin, O::F(|x1, x2| (x1 != x2) as u8 as f64)),
        b(B::Ne, Z, Z, f),
        b(B::Ne, PInf, PInf, f),
        // exp, expm1
        u(U::Exp, NaN, O::NaN),
        u(U::Exp, Z, O::Is(1.0)),
        u(U::Exp, PInf, O::PInf),
        u(U::Exp, NInf, O::PZ),
        u(U::Expm1, NaN, O::NaN),
        u(U::Expm1, PZ, O::PZ),
        u(U::Expm1, NZ, O::NZ),
        u(U::Expm1, PInf, O::PInf),
        u(U::Expm1, NInf, O::Is(-1.0)),
        // floor_divide
        b(B::FloorDiv, NaN, Any, O::NaN),
        b(B::FloorDiv, Any, NaN, O::NaN),
        b(B::FloorDiv, Inf, Inf, O::NaN),
        b(B::FloorDiv, Z, Z, O::NaN),
        b(B::FloorDiv, PZ, Gt0, O::PZ),
        b(B::FloorDiv, NZ, Gt0, O::NZ),
        b(B::FloorDiv, PZ, Lt0, O::NZ),
        b(B::FloorDiv, NZ, Lt0, O::PZ),
        b(B::FloorDiv, Gt0, PZ, O::PInf),
        b(B::FloorDiv, Gt0, NZ, O::NInf),
        b(B::FloorDiv, Lt0, PZ, O::NInf),
        b(B::FloorDiv, Lt0, NZ, O::PInf),
        b(B::FloorDiv, PInf, Pos, O::PInf),
        b(B::FloorDiv, PInf, Neg, O::NInf),
        b(B::FloorDiv, NInf, Pos, O::NInf),
        b(B::FloorDiv, NInf, Neg, O::PInf),
        b(B::FloorDiv, Pos, PInf, O::PZ),
        b(B::FloorDiv, Pos, NInf, O::NZ),
        b(B::FloorDiv, Neg, PInf, O::NZ),
        b(B::FloorDiv, Neg, NInf, O::PZ),
        b(B::FloorDiv, Pos, Pos, O::PosSign),
        b(B::FloorDiv, Neg, Neg, O::PosSign),
        b(B::FloorDiv, Pos, Neg, O::NegSign),
        b(B::FloorDiv, Neg, Pos, O::NegSign),
        // (quotients that do not underflow: Python and NumPy give -1.0 for 5e-324 // -2.0, the
        // mathematically right floor)
        b(B::FloorDiv, Mid, Mid, O::F(|x1, x2| (x1 / x2).floor())),
        b(B::FloorDiv, V(5e-324), V(-2.0), O::Is(-1.0)),
        // hypot
        b(B::Hypot, Inf, Any, O::PInf),
        b(B::Hypot, Any, Inf, O::PInf),
        b(B::Hypot, Z, NotNaN, O::F(|_, x2| x2.abs())),
        b(B::Hypot, NotNaN, Z, O::F(|x1, _| x1.abs())),
        b(B::Hypot, FinOrNaN, NaN, O::NaN),
        b(B::Hypot, NaN, FinOrNaN, O::NaN),
        b(
            B::Hypot,
            Any,
            Any,
            O::F(|x1, x2| float_binary(B::Hypot, x2, -x1, DType::F64)),
        ),
        // isfinite, isinf, isnan, signbit
        u(U::IsFinite, Inf, f),
        u(U::IsFinite, NaN, f),
        u(U::IsFinite, Fin, t),
        u(U::IsInf, Inf, t),
        u(U::IsInf, FinOrNaN, f),
        u(U::IsNan, NaN, t),
        u(U::IsNan, NotNaN, f),
        u(U::Signbit, PZ, f),
        u(U::Signbit, NZ, t),
        u(U::Signbit, PInf, f),
        u(U::Signbit, NInf, t),
        u(U::Signbit, Pos, f),
        u(U::Signbit, Neg, t),
        u(U::Signbit, NaNPos, f),
        u(U::Signbit, NaNNeg, t),
        // log, log1p, log2, log10
        u(U::Log, NaN, O::NaN),
        u(U::Log, Neg, O::NaN),
        u(U::Log, Z, O::NInf),
        u(U::Log, V(1.0), O::PZ),
        u(U::Log, PInf, O::PInf),
        u(U::Log1p, NaN, O::NaN),
        u(U::Log1p, LtM1, O::NaN),
        u(U::Log1p, V(-1.0), O::NInf),
        u(U::Log1p, NZ, O::NZ),
        u(U::Log1p, PZ, O::PZ),
        u(U::Log1p, PInf, O::PInf),
        u(U::Log2, NaN, O::NaN),
        u(U::Log2, Neg, O::NaN),
        u(U::Log2, Z, O::NInf),
        u(U::Log2, V(1.0), O::PZ),
        u(U::Log2, PInf, O::PInf),
        u(U::Log10, NaN, O::NaN),
        u(U::Log10, Neg, O::NaN),
        u(U::Log10, Z, O::NInf),
        u(U::Log10, V(1.0), O::PZ),
        u(U::Log10, PInf, O::PInf),
        // logaddexp
        b(B::Logaddexp, NaN, Any, O::NaN),
        b(B::Logaddexp, Any, NaN, O::NaN),
        b(B::Logaddexp, PInf, NotNaN, O::PInf),
        b(B::Logaddexp, NotNaN, PInf, O::PInf),
        // maximum, minimum (and the standard's -0 < +0 ordering)
        b(B::Maximum, NaN, Any, O::NaN),
        b(B::Maximum, Any, NaN, O::NaN),
        b(B::Maximum, NZ, PZ, O::PZ),
        b(B::Maximum, PZ, NZ, O::PZ),
        b(B::Minimum, NaN, Any, O::NaN),
        b(B::Minimum, Any, NaN, O::NaN),
        b(B::Minimum, NZ, PZ, O::NZ),
        b(B::Minimum, PZ, NZ, O::NZ),
        // multiply
        b(B::Mul, NaN, Any, O::NaN),
        b(B::Mul, Any, NaN, O::NaN),
        b(B::Mul, Inf, Z, O::NaN),
        b(B::Mul, Z, Inf, O::NaN),
        b(B::Mul, Gt0, Gt0, O::PosSign),
        b(B::Mul, Lt0, Lt0, O::PosSign),
        b(B::Mul, Gt0, Lt0, O::NegSign),
        b(B::Mul, Inf, Inf, O::F(|x1, x2| INF.copysign(x1 * x2))),
        b(
            B::Mul,
            Inf,
            NonzeroFin,
            O::F(|x1, x2| INF.copysign(x1).copysign(x1 * x2)),
        ),
        b(
            B::Mul,
            NonzeroFin,
            Inf,
            O::F(|x1, x2| INF.copysign(x1 * x2)),
        ),
        // nextafter
        b(B::Nextafter, NaN, Any, O::NaN),
        b(B::Nextafter, Any, NaN, O::NaN),
        b(B::Nextafter, NZ, PZ, O::PZ),
        b(B::Nextafter, PZ, NZ, O::NZ),
        // pow
        b(B::Pow, NotOne, NaN, O::NaN),
        b(B::Pow, Any, PZ, O::Is(1.0)),
        b(B::Pow, Any, NZ, O::Is(1.0)),
        b(B::Pow, NaN, NotZero, O::NaN),
        b(B::Pow, AbsGt1, PInf, O::PInf),
        b(B::Pow, AbsGt1, NInf, O::PZ),
        b(B::Pow, AbsOne, Inf, O::Is(1.0)),
        b(B::Pow, V(1.0), NotNaN, O::Is(1.0)),
        b(B::Pow, AbsLt1, PInf, O::PZ),
        b(B::Pow, AbsLt1, NInf, O::PInf),
        b(B::Pow, PInf, Gt0, O::PInf),
        b(B::Pow, PInf, Lt0, O::PZ),
        b(B::Pow, NInf, OddPos, O::NInf),
        b(B::Pow, NInf, NotOddPos, O::PInf),
        b(B::Pow, NInf, OddNeg, O::NZ),
        b(B::Pow, NInf, NotOddNeg, O::PZ),
        b(B::Pow, PZ, Gt0, O::PZ),
        b(B::Pow, PZ, Lt0, O::PInf),
        b(B::Pow, NZ, OddPos, O::NZ),
        b(B::Pow, NZ, NotOddPos, O::PZ),
        b(B::Pow, NZ, OddNeg, O::NInf),
        b(B::Pow, NZ, NotOddNeg, O::PInf),
        b(B::Pow, Neg, NonInt, O::NaN),
        // reciprocal: as 1.0 / x
        u(U::Reciprocal, Any, O::F(|x, _| 1.0 / x)),
        // remainder
        b(B::Rem, NaN, Any, O::NaN),
        b(B::Rem, Any, NaN, O::NaN),
        b(B::Rem, Inf, Inf, O::NaN),
        b(B::Rem, Z, Z, O::NaN),
        b(B::Rem, PZ, Gt0, O::PZ),
        b(B::Rem, NZ, Gt0, O::PZ),
        b(B::Rem, PZ, Lt0, O::NZ),
        b(B::Rem, NZ, Lt0, O::NZ),
        b(B::Rem, Gt0, Z, O::NaN),
        b(B::Rem, Lt0, Z, O::NaN),
        b(B::Rem, Inf, NonzeroFin, O::NaN),
        b(B::Rem, Pos, PInf, O::F(|x1, _| x1)),
        b(B::Rem, Pos, NInf, O::F(|_, x2| x2)),
        b(B::Rem, Neg, PInf, O::F(|_, x2| x2)),
        b(B::Rem, Neg, NInf, O::F(|x1, _| x1)),
        b(B::Rem, V(-7.0), V(2.0), O::Is(1.0)),
        b(B::Rem, V(7.0), V(-2.0), O::Is(-1.0)),
        b(B::Rem, V(6.0), V(-2.0), O::NZ),
        // sign
        u(U::Sign, Lt0, O::Is(-1.0)),
        u(U::Sign, Z, O::Z),
        u(U::Sign, Gt0, O::Is(1.0)),
        u(U::Sign, NaN, O::NaN),
        // sin, sinh
        u(U::Sin, NaN, O::NaN),
        u(U::Sin, PZ, O::PZ),
        u(U::Sin, NZ, O::NZ),
        u(U::Sin, Inf, O::NaN),
        u(U::Sinh, NaN, O::NaN),
        u(U::Sinh, PZ, O::PZ),
        u(U::Sinh, NZ, O::NZ),
        u(U::Sinh, PInf, O::PInf),
        u(U::Sinh, NInf, O::NInf),
        // square: as x * x
        u(U::Square, Any, O::F(|x, _| x * x)),
        // sqrt
        u(U::Sqrt, NaN, O::NaN),
        u(U::Sqrt, Neg, O::NaN),
        u(U::Sqrt, PZ, O::PZ),
        u(U::Sqrt, NZ, O::NZ),
        u(U::Sqrt, PInf, O::PInf),
        // tan, tanh
        u(U::Tan, NaN, O::NaN),
        u(U::Tan, PZ, O::PZ),
        u(U::Tan, NZ, O::NZ),
        u(U::Tan, Inf, O::NaN),
        u(U::Tanh, NaN, O::NaN),
        u(U::Tanh, PZ, O::PZ),
        u(U::Tanh, NZ, O::NZ),
        u(U::Tanh, PInf, O::Is(1.0)),
        u(U::Tanh, NInf, O::Is(-1.0)),
    ]
}

#[test]
fn real_special_cases() {
    let rows = real_rows();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (f, c1, c2, want) in rows {
        for x1 in samples(c1) {
            for x2 in samples(c2) {
                for d in [DType::F64, DType::F32] {
                    if d == DType::F32 && !(exact_in_f32(x1) && exact_in_f32(x2)) {
                        continue;
                    }
                    let tol = if d == DType::F32 { 4e-7 } else { 4e-16 };
                    let got = eval_real(f, x1, x2, d);
                    checked += 1;
                    if !matches(want, got, x1, x2, tol) {
                        let name = match f {
                            RealFn::U(op) => op.name(),
                            RealFn::B(op) => op.name(),
                        };
                        failures.push(format!(
                            "{name}({x1:?}, {x2:?}) [{d}] = {got:?} ({c1:?}, {c2:?})"
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 2000, "only {checked} checks");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ------------------------------------------------------------------------------------------------
// complex

fn cu(op: UnaryOp) -> impl Fn([f64; 2], [f64; 2]) -> [f64; 2] {
    move |z, _| cs::complex_unary(op, z)
}

type CRow = (UnaryOp, I, I, O, O);

/// `z / |z|` for a finite nonzero `z`.
fn unit(a: f64, b: f64) -> [f64; 2] {
    let m = a.abs().max(b.abs());
    let (x, y) = (a / m, b / m);
    let r = (x * x + y * y).sqrt();
    [x / r, y / r]
}

fn complex_rows() -> Vec<CRow> {
    use UnaryOp as U;
    use I::*;
    let pi2 = O::Near(FRAC_PI_2);
    vec![
        // acos
        (U::Acos, Z, PZ, pi2, O::NZ),
        (U::Acos, Z, NaN, pi2, O::NaN),
        (U::Acos, Fin, PInf, pi2, O::NInf),
        (U::Acos, NonzeroFin, NaN, O::NaN, O::NaN),
        (U::Acos, NInf, Pos, O::Near(PI), O::NInf),
        (U::Acos, PInf, Pos, O::PZ, O::NInf),
        (U::Acos, NInf, PInf, O::Near(3.0 * FRAC_PI_4), O::NInf),
        (U::Acos, PInf, PInf, O::Near(FRAC_PI_4), O::NInf),
        (U::Acos, Inf, NaN, O::NaN, O::Inf),
        (U::Acos, NaN, Fin, O::NaN, O::NaN),
        (U::Acos, NaN, PInf, O::NaN, O::NInf),
        (U::Acos, NaN, NaN, O::NaN, O::NaN),
        // acosh
        (U::Acosh, Z, PZ, O::PZ, pi2),
        (U::Acosh, Fin, PInf, O::PInf, pi2),
        (U::Acosh, NonzeroFin, NaN, O::NaN, O::NaN),
        (U::Acosh, PZ, NaN, O::NaN, O::F(|_, _| FRAC_PI_2)),
        (U::Acosh, NInf, Pos, O::PInf, O::Near(PI)),
        (U::Acosh, PInf, Pos, O::PInf, O::PZ),
        (U::Acosh, NInf, PInf, O::PInf, O::Near(3.0 * FRAC_PI_4)),
        (U::Acosh, PInf, PInf, O::PInf, O::Near(FRAC_PI_4)),
        (U::Acosh, Inf, NaN, O::PInf, O::NaN),
        (U::Acosh, NaN, Fin, O::NaN, O::NaN),
        (U::Acosh, NaN, PInf, O::PInf, O::NaN),
        (U::Acosh, NaN, NaN, O::NaN, O::NaN),
        // asinh
        (U::Asinh, PZ, PZ, O::PZ, O::PZ),
        (U::Asinh, Pos, PInf, O::PInf, pi2),
        (U::Asinh, Fin, NaN, O::NaN, O::NaN),
        (U::Asinh, PInf, Pos, O::PInf, O::PZ),
        (U::Asinh, PInf, PInf, O::PInf, O::Near(FRAC_PI_4)),
        (U::Asinh, NaN, PZ, O::NaN, O::PZ),
        (U::Asinh, NaN, NonzeroFin, O::NaN, O::NaN),
        (U::Asinh, NaN, PInf, O::Inf, O::NaN),
        (U::Asinh, NaN, NaN, O::NaN, O::NaN),
        // atanh
        (U::Atanh, PZ, PZ, O::PZ, O::PZ),
        (U::Atanh, PZ, NaN, O::PZ, O::NaN),
        (U::Atanh, V(1.0), PZ, O::PInf, O::PZ),
        (U::Atanh, Pos, PInf, O::PZ, pi2),
        (U::Atanh, NonzeroFin, NaN, O::NaN, O::NaN),
        (U::Atanh, PInf, Pos, O::PZ, pi2),
        (U::Atanh, PInf, PInf, O::PZ, pi2),
        (U::Atanh, PInf, NaN, O::PZ, O::NaN),
        (U::Atanh, NaN, Fin, O::NaN, O::NaN),
        (U::Atanh, NaN, PInf, O::Z, pi2),
        (U::Atanh, NaN, NaN, O::NaN, O::NaN),
        // cosh
        (U::Cosh, PZ, PZ, O::Is(1.0), O::PZ),
        (U::Cosh, PZ, PInf, O::NaN, O::Z),
        (U::Cosh, PZ, NaN, O::NaN, O::Z),
        (U::Cosh, NonzeroFin, PInf, O::NaN, O::NaN),
        (U::Cosh, NonzeroFin, NaN, O::NaN, O::NaN),
        (U::Cosh, PInf, PZ, O::PInf, O::PZ),
        (
            U::Cosh,
            PInf,
            NonzeroFin,
            O::F(|_, b| INF * b.cos()),
            O::F(|_, b| INF * b.sin()),
        ),
        (U::Cosh, PInf, PInf, O::Inf, O::NaN),
        (U::Cosh, PInf, NaN, O::PInf, O::NaN),
        (U::Cosh, NaN, Z, O::NaN, O::Z),
        (U::Cosh, NaN, NonzeroFin, O::NaN, O::NaN),
        (U::Cosh, NaN, NaN, O::NaN, O::NaN),
        // exp
        (U::Exp, Z, PZ, O::Is(1.0), O::PZ),
        (U::Exp, Fin, PInf, O::NaN, O::NaN),
        (U::Exp, Fin, NaN, O::NaN, O::NaN),
        (U::Exp, PInf, PZ, O::PInf, O::PZ),
        (
            U::Exp,
            NInf,
            Fin,
            O::F(|_, b| 0.0 * b.cos()),
            O::F(|_, b| 0.0 * b.sin()),
        ),
        (
            U::Exp,
            PInf,
            NonzeroFin,
            O::F(|_, b| INF * b.cos()),
            O::F(|_, b| INF * b.sin()),
        ),
        (U::Exp, NInf, PInf, O::Z, O::Z),
        (U::Exp, PInf, PInf, O::Inf, O::NaN),
        (U::Exp, NInf, NaN, O::Z, O::Z),
        (U::Exp, PInf, NaN, O::Inf, O::NaN),
        (U::Exp, NaN, PZ, O::NaN, O::PZ),
        (U::Exp, NaN, NotZero, O::NaN, O::NaN),
        // expm1 (the standard's table, not exp(z) - 1 of NumPy)
        (U::Expm1, Z, PZ, O::PZ, O::PZ),
        (U::Expm1, Fin, PInf, O::NaN, O::NaN),
        (U::Expm1, Fin, NaN, O::NaN, O::NaN),
        (U::Expm1, PInf, PZ, O::PInf, O::PZ),
        (U::Expm1, NInf, Fin, O::Is(-1.0), O::F(|_, b| 0.0 * b.sin())),
        (
            U::Expm1,
            PInf,
            NonzeroFin,
            O::F(|_, b| INF * b.cos() - 1.0),
            O::F(|_, b| INF * b.sin()),
        ),
        (U::Expm1, NInf, PInf, O::Is(-1.0), O::Z),
        (U::Expm1, PInf, PInf, O::Inf, O::NaN),
        (U::Expm1, NInf, NaN, O::Is(-1.0), O::Z),
        (U::Expm1, PInf, NaN, O::Inf, O::NaN),
        (U::Expm1, NaN, PZ, O::NaN, O::PZ),
        (U::Expm1, NaN, NotZero, O::NaN, O::NaN),
        // log
        (U::Log, NZ, PZ, O::NInf, O::Near(PI)),
        (U::Log, PZ, PZ, O::NInf, O::PZ),
        (U::Log, Fin, PInf, O::PInf, pi2),
        (U::Log, Fin, NaN, O::NaN, O::NaN),
        (U::Log, NInf, Pos, O::PInf, O::Near(PI)),
        (U::Log, PInf, Pos, O::PInf, O::PZ),
        (U::Log, NInf, PInf, O::PInf, O::Near(3.0 * FRAC_PI_4)),
        (U::Log, PInf, PInf, O::PInf, O::Near(FRAC_PI_4)),
        (U::Log, Inf, NaN, O::PInf, O::NaN),
        (U::Log, NaN, Fin, O::NaN, O::NaN),
        (U::Log, NaN, PInf, O::PInf, O::NaN),
        (U::Log, NaN, NaN, O::NaN, O::NaN),
        // log1p
        (U::Log1p, V(-1.0), PZ, O::NInf, O::PZ),
        (U::Log1p, Fin, PInf, O::PInf, pi2),
        (U::Log1p, Fin, NaN, O::NaN, O::NaN),
        (U::Log1p, NInf, Pos, O::PInf, O::Near(PI)),
        (U::Log1p, PInf, Pos, O::PInf, O::PZ),
        (U::Log1p, NInf, PInf, O::PInf, O::Near(3.0 * FRAC_PI_4)),
        (U::Log1p, PInf, PInf, O::PInf, O::Near(FRAC_PI_4)),
        (U::Log1p, Inf, NaN, O::PInf, O::NaN),
        (U::Log1p, NaN, Fin, O::NaN, O::NaN),
        (U::Log1p, NaN, PInf, O::PInf, O::NaN),
        (U::Log1p, NaN, NaN, O::NaN, O::NaN),
        // sinh
        (U::Sinh, PZ, PZ, O::PZ, O::PZ),
        (U::Sinh, PZ, PInf, O::Z, O::NaN),
        (U::Sinh, PZ, NaN, O::Z, O::NaN),
        (U::Sinh, Pos, PInf, O::NaN, O::NaN),
        (U::Sinh, Pos, NaN, O::NaN, O::NaN),
        (U::Sinh, PInf, PZ, O::PInf, O::PZ),
        (
            U::Sinh,
            PInf,
            Pos,
            O::F(|_, b| INF * b.cos()),
            O::F(|_, b| INF * b.sin()),
        ),
        (U::Sinh, PInf, PInf, O::Inf, O::NaN),
        (U::Sinh, PInf, NaN, O::Inf, O::NaN),
        (U::Sinh, NaN, PZ, O::NaN, O::PZ),
        (U::Sinh, NaN, NonzeroFin, O::NaN, O::NaN),
        (U::Sinh, NaN, NaN, O::NaN, O::NaN),
        // sqrt (with the 2025.12 erratum: any a, +inf b -> +inf + inf j)
        (U::Sqrt, Z, PZ, O::PZ, O::PZ),
        (U::Sqrt, Any, PInf, O::PInf, O::PInf),
        (U::Sqrt, Fin, NaN, O::NaN, O::NaN),
        (U::Sqrt, NInf, Pos, O::PZ, O::PInf),
        (U::Sqrt, PInf, Pos, O::PInf, O::PZ),
        (U::Sqrt, NInf, NaN, O::NaN, O::Inf),
        (U::Sqrt, PInf, NaN, O::PInf, O::NaN),
        (U::Sqrt, NaN, Fin, O::NaN, O::NaN),
        (U::Sqrt, NaN, NaN, O::NaN, O::NaN),
        // tanh
        (U::Tanh, PZ, PZ, O::PZ, O::PZ),
        (U::Tanh, NonzeroFin, PInf, O::NaN, O::NaN),
        (U::Tanh, PZ, PInf, O::PZ, O::NaN),
        (U::Tanh, NonzeroFin, NaN, O::NaN, O::NaN),
        (U::Tanh, PZ, NaN, O::PZ, O::NaN),
        (U::Tanh, PInf, Pos, O::Is(1.0), O::PZ),
        (U::Tanh, PInf, PInf, O::Is(1.0), O::Z),
        (U::Tanh, PInf, NaN, O::Is(1.0), O::Z),
        (U::Tanh, NaN, PZ, O::NaN, O::PZ),
        (U::Tanh, NaN, NotZero, O::NaN, O::NaN),
        // sign
        (U::Sign, Z, Z, O::Z, O::Z),
        (U::Sign, NaN, Any, O::NaN, O::NaN),
        (U::Sign, Any, NaN, O::NaN, O::NaN),
        // z / |z| with |z| computed on the parts scaled by the larger one (exact), so that subnormal
        // parts do not lose their ratio
        (
            U::Sign,
            NonzeroFin,
            Fin,
            O::F(|a, b| unit(a, b)[0]),
            O::F(|a, b| unit(a, b)[1]),
        ),
        // round (each part independently)
        (
            U::Round,
            Any,
            Any,
            O::F(|a, _| a.round_ties_even()),
            O::F(|_, b| b.round_ties_even()),
        ),
        (U::Round, V(2.5), V(-0.5), O::Is(2.0), O::NZ),
    ]
}

/// Runs every complex row on complex128 and complex64; `failures` collects what did not match.
fn check_complex_rows(rows: &[CRow], failures: &mut Vec<String>) -> usize {
    let mut checked = 0;
    for &(op, ca, cb, wre, wim) in rows {
        for a in samples(ca) {
            for b in samples(cb) {
                for d in [DType::C128, DType::C64] {
                    if d == DType::C64 && !(exact_in_f32(a) && exact_in_f32(b)) {
                        continue;
                    }
                    let tol = if d == DType::C64 { 4e-7 } else { 4e-15 };
                    let [re, im] = cs::complex_unary_in(op, [a, b], d);
                    checked += 1;
                    if !(matches(wre, re, a, b, tol) && matches(wim, im, a, b, tol)) {
                        failures.push(format!(
                            "{}({a:?} + {b:?}j) [{d}] = {re:?} + {im:?}j ({ca:?}, {cb:?})",
                            op.name()
                        ));
                    }
                }
            }
        }
    }
    checked
}

#[test]
fn complex_special_cases() {
    let mut failures = Vec::new();
    let checked = check_complex_rows(&complex_rows(), &mut failures);
    assert!(checked > 1000, "only {checked} checks");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Special values of one part, for the identities below.
const PARTS: [f64; 12] = [
    0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 1e300, -1e-300, INF, NINF, NAN,
];

fn same_c(a: [f64; 2], b: [f64; 2]) -> bool {
    same(a[0], b[0]) && same(a[1], b[1])
}

/// The standard defines `abs`, `isnan`, `isinf`, `isfinite`, `equal` and `not_equal` of complex values
/// by tables over the parts.
#[test]
fn complex_predicates_abs_and_comparisons() {
    for a in PARTS {
        for b in PARTS {
            let z = [a, b];
            let abs = cs::complex_to_real(UnaryOp::Abs, z);
            if a.is_infinite() || b.is_infinite() {
                assert_eq!(abs, INF, "abs({a}, {b})");
            } else if a.is_nan() || b.is_nan() {
                assert!(abs.is_nan(), "abs({a}, {b})");
            } else if a == 0.0 {
                assert!(same(abs, b.abs()), "abs({a}, {b})");
            } else if b == 0.0 {
                assert!(same(abs, a.abs()), "abs({a}, {b})");
            }
            assert_eq!(cs::complex_to_real(UnaryOp::Real, z).to_bits(), a.to_bits());
            assert_eq!(cs::complex_to_real(UnaryOp::Imag, z).to_bits(), b.to_bits());
            let nan = a.is_nan() || b.is_nan();
            let inf = a.is_infinite() || b.is_infinite();
            assert_eq!(cs::complex_predicate(UnaryOp::IsNan, z), nan);
            assert_eq!(cs::complex_predicate(UnaryOp::IsInf, z), inf);
            assert_eq!(cs::complex_predicate(UnaryOp::IsFinite, z), !nan && !inf);
            for c in PARTS {
                for d in [0.0, -0.0, NAN, b] {
                    let w = [c, d];
                    let any_nan = nan || c.is_nan() || d.is_nan();
                    let eq = !any_nan && a == c && b == d;
                    assert_eq!(cs::complex_compare(BinaryOp::Eq, z, w), eq);
                    assert_eq!(cs::complex_compare(BinaryOp::Ne, z, w), !eq);
                }
            }
        }
    }
}

/// Functions defined through others: `asin(z) == -i asinh(iz)`, `atan`, `sin`, `tan` likewise,
/// `cos(z) == cosh(iz)`, `log2`/`log10` by the change of base, `reciprocal` as `1 / z`, `square` as
/// `z * z`, `add`/`subtract` part by part (real special cases per part), and all-NaN products and
/// quotients.
#[test]
fn complex_functions_defined_through_others() {
    let neg_i = |w: [f64; 2]| [w[1], -w[0]];
    let times_i = |z: [f64; 2]| [-z[1], z[0]];
    for a in PARTS {
        for b in PARTS {
            let z = [a, b];
            let f = |op| cu(op)(z, z);
            let g = |op| cu(op)(times_i(z), z);
            let ctx = format!("z = {a:?} + {b:?}j");
            assert!(
                same_c(f(UnaryOp::Asin), neg_i(g(UnaryOp::Asinh))),
                "asin {ctx}"
            );
            assert!(
                same_c(f(UnaryOp::Atan), neg_i(g(UnaryOp::Atanh))),
                "atan {ctx}"
            );
            assert!(
                same_c(f(UnaryOp::Sin), neg_i(g(UnaryOp::Sinh))),
                "sin {ctx}"
            );
            assert!(
                same_c(f(UnaryOp::Tan), neg_i(g(UnaryOp::Tanh))),
                "tan {ctx}"
            );
            assert!(same_c(f(UnaryOp::Cos), g(UnaryOp::Cosh)), "cos {ctx}");
            let l = f(UnaryOp::Log);
            assert!(
                same_c(f(UnaryOp::Log2), [l[0] / LN_2, l[1] / LN_2]),
                "log2 {ctx}"
            );
            assert!(
                same_c(f(UnaryOp::Log10), [l[0] / LN_10, l[1] / LN_10]),
                "log10 {ctx}"
            );
            assert!(
                same_c(
                    f(UnaryOp::Reciprocal),
                    cs::complex_binary(BinaryOp::Div, [1.0, 0.0], z)
                ),
                "reciprocal {ctx}"
            );
            assert!(
                same_c(f(UnaryOp::Square), cs::complex_binary(BinaryOp::Mul, z, z)),
                "square {ctx}"
            );
            for w in [
                [0.0, -0.0],
                [-0.0, -0.0],
                [INF, 1.0],
                [NAN, 2.0],
                [-3.5, 0.25],
            ] {
                let s = cs::complex_binary(BinaryOp::Add, z, w);
                assert!(same_c(s, [a + w[0], b + w[1]]), "add {ctx} {w:?}");
                let s = cs::complex_binary(BinaryOp::Sub, z, w);
                assert!(same_c(s, [a - w[0], b - w[1]]), "subtract {ctx} {w:?}");
            }
        }
    }
    let nan = [NAN, NAN];
    for op in [BinaryOp::Mul, BinaryOp::Div] {
        let r = cs::complex_binary(op, nan, nan);
        assert!(r[0].is_nan() && r[1].is_nan(), "{}", op.name());
    }
    // add: -0 + -0 is -0 in each part; +0 + -0 is +0
    let s = cs::complex_binary(BinaryOp::Add, [-0.0, 0.0], [-0.0, -0.0]);
    assert!(same_c(s, [-0.0, 0.0]));
}

/// `f(conj(z)) == conj(f(z))` for every function with the property in the standard (all of them with a
/// branch cut on the real axis, and the hyperbolic ones explicitly), on signed zeros and infinities.
#[test]
fn complex_conjugate_symmetry() {
    use UnaryOp::*;
    for op in [
        Sqrt, Exp, Expm1, Log, Log1p, Log2, Log10, Sin, Cos, Tan, Sinh, Cosh, Tanh, Asin, Acos,
        Atan, Asinh, Acosh, Atanh,
    ] {
        for a in PARTS {
            for b in PARTS {
                if a.is_nan() || b.is_nan() {
                    continue; // signs next to a NaN part are unspecified
                }
                let f = cs::complex_unary(op, [a, b]);
                let g = cs::complex_unary(op, [a, -b]);
                assert!(
                    same_c(g, [f[0], -f[1]]),
                    "{}: f(conj({a:?} + {b:?}j)) = {g:?}, conj(f(z)) = [{:?}, {:?}]",
                    op.name(),
                    f[0],
                    -f[1]
                );
            }
        }
    }
}

/// Branch cuts: a value on a cut takes the side of its signed zero.
#[test]
fn complex_branch_cuts_follow_signed_zeros() {
    use UnaryOp::*;
    // (op, a point on the cut with +0 imaginary part, expected sign of the result's imaginary part)
    let cases = [
        (Sqrt, -4.0, 1.0),
        (Log, -2.0, 1.0),
        (Log1p, -3.0, 1.0),
        (Asin, 2.0, 1.0),
        (Acos, 2.0, -1.0),
        (Acosh, 0.5, 1.0),
        (Atanh, 2.0, 1.0),
    ];
    for (op, x, sign) in cases {
        let up = cs::complex_unary(op, [x, 0.0]);
        let down = cs::complex_unary(op, [x, -0.0]);
        assert!(up[1] * sign > 0.0, "{}({x} + 0j) = {up:?}", op.name());
        assert!(
            same_c(down, [up[0], -up[1]]),
            "{}({x} - 0j) = {down:?}",
            op.name()
        );
    }
    // on the imaginary axis cuts of asinh / atan: the sign of the real zero picks the side
    for (op, y) in [(Asinh, 2.0), (Atan, 2.0)] {
        let right = cs::complex_unary(op, [0.0, y]);
        let left = cs::complex_unary(op, [-0.0, y]);
        assert!(
            right[0] > 0.0 && left[0] < 0.0,
            "{}: {right:?} {left:?}",
            op.name()
        );
    }
}
