//! The inline vector `pow` of float32 (f32x4, computed in f64x2 halves; `codegen/cpu/src/jit/pow.rs`)
//! against `lazulite_ir::semantics` (the platform's `powf`): every pair of a grid of special values
//! exact (IEEE's special cases: zeros, ones, infinities, NaN, negative bases with odd, even and
//! non-integer exponents), and random pairs within 2 ulp: positive bases, negative bases with
//! integer exponents, bases next to 1 with large exponents, results next to overflow and underflow
//! (subnormal results included), random bit patterns. The padded tail runs too (odd counts).

mod common;
use common::ulp::*;
use common::*;
use lazulite_codegen_cpu::compile;
use lazulite_ir::semantics as sem;
use lazulite_ir::*;

const D: DType = DType::F32;

/// `pow(xs[i], ys[i])` through the compiled vector kernel, as f64.
fn run_pow(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let c = StrideClass::Contiguous;
    let k = binary_kernel(BinaryOp::Pow, D, 1, c, c, c);
    let ck = compile(&k).unwrap();
    assert!(ck.vector_lanes() > 1, "{}", k.pretty());
    let n = xs.len() as i64;
    let mut ins = [View::new(D, &[n], &[1]), View::new(D, &[n], &[1])];
    for (i, (&x, &y)) in xs.iter().zip(ys).enumerate() {
        ins[0].set(&[i as i64], Scalar::Float(x).cast(D));
        ins[1].set(&[i as i64], Scalar::Float(y).cast(D));
    }
    let mut out = [View::new(D, &[n], &[1])];
    call(ck.entry(), &[n], &ins, &mut out, 0, n);
    (0..n).map(|i| out[0].get(&[i]).as_f64()).collect()
}

fn want_pow(x: f64, y: f64) -> f64 {
    sem::float_binary(BinaryOp::Pow, x, y, D) as f32 as f64
}

/// Checks every pair: exact (same bits, any NaN) where `exact(x, y, want)` holds or either result
/// is not finite, else within 2 ulp with the same sign. Returns the worst distance.
fn check(xs: &[f64], ys: &[f64], exact: impl Fn(f64, f64, f64) -> bool) -> u64 {
    assert_eq!(xs.len() % 2, 1, "an odd count: the padded tail runs too");
    let got = run_pow(xs, ys);
    let mut worst = 0;
    for ((&x, &y), &g) in xs.iter().zip(ys).zip(&got) {
        let w = want_pow(x, y);
        if exact(x, y, w) || !w.is_finite() || !g.is_finite() {
            assert!(
                same(Scalar::Float(g), Scalar::Float(w)),
                "pow f32 ({x:e}, {y:e}): got {g:e}, want {w:e} exactly"
            );
            continue;
        }
        let u = ulps(D, g, w);
        assert!(
            u <= 2 && g.is_sign_negative() == w.is_sign_negative(),
            "pow f32 ({x:e}, {y:e}): got {g:e}, want {w:e}: {u} ulp"
        );
        worst = worst.max(u);
    }
    worst
}

fn f32r(v: f64) -> f64 {
    v as f32 as f64
}

#[test]
fn pow_f32_special_cases_exact() {
    let tiny = f32::from_bits(1) as f64;
    let big_odd = 16_777_215.0; // 2^24 - 1, the largest odd f32 integer
    let vals = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        3.0,
        -3.0,
        1.5,
        -2.5,
        tiny,
        -tiny,
        f32::MIN_POSITIVE as f64,
        f32::MAX as f64,
        f32::MIN as f64,
        big_odd,
        -big_odd,
        1e30,
        -1e30,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
    ];
    let (mut xs, mut ys) = (vec![], vec![]);
    for &x in &vals {
        for &y in &vals {
            xs.push(x);
            ys.push(y);
        }
    }
    // (25 values: an odd count of pairs)
    // every result of the grid is a special case or an exact power (0, 1, inf, NaN, 2^k, 3^k, ...)
    // except the few that round: those within 2 ulp
    let special = |x: f64, y: f64, w: f64| {
        y == 0.0
            || x == 1.0
            || x == 0.0
            || x.is_infinite()
            || y.is_infinite()
            || x.is_nan()
            || y.is_nan()
            || w == 0.0
            || w.abs() == 1.0
    };
    check(&xs, &ys, special);
}

#[test]
fn pow_f32_within_2_ulp() {
    let mut rng = Rng(0x0070_7700_1234_5678);
    let (mut xs, mut ys) = (vec![], vec![]);
    let mut push = |x: f64, y: f64| {
        xs.push(f32r(x));
        ys.push(f32r(y));
    };
    for _ in 0..300_000 {
        push(rng.uniform(0.0, 10.0), rng.uniform(-30.0, 30.0));
    }
    // negative bases with integer exponents (odd and even), and with non-integer ones (NaN)
    for _ in 0..200_000 {
        let x = rng.uniform(-10.0, 0.0);
        let y = rng.uniform(-40.0, 40.0);
        push(x, if rng.next() % 4 == 0 { y } else { y.round() });
    }
    // bases next to 1 with large exponents: log's accuracy near 0 matters
    for _ in 0..200_000 {
        let x = 1.0 + rng.uniform(-1.0, 1.0) * rng.uniform(-30.0, -1.0).exp2();
        push(x, rng.uniform(-1e7, 1e7));
    }
    // results next to overflow and underflow (subnormal results)
    for _ in 0..200_000 {
        let x = rng.uniform(0.01, 100.0);
        let e = if rng.next() & 1 == 0 {
            rng.uniform(125.0, 129.0)
        } else {
            rng.uniform(-152.0, -124.0)
        };
        push(x, e / x.log2());
    }
    // random bit patterns of both operands, and of the base with small exponents
    let bx = bit_patterns(D, &mut rng, 200_000);
    let by = bit_patterns(D, &mut rng, 200_000);
    for (&x, &y) in bx.iter().zip(&by) {
        push(x, y);
    }
    for &x in &bx {
        let y = rng.uniform(-3.0, 3.0);
        push(x, y);
    }
    push(2.0, 0.5);
    let worst = check(&xs, &ys, |x, y, _| y == 0.0 || x == 1.0);
    eprintln!("pow f32: {} pairs, worst {worst} ulp", xs.len());
}
