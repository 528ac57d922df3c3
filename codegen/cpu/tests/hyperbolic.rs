//! The inline vector `expm1`, `sinh`, `cosh` and `tanh` (f64x2 and f32x4) against `lazulite_ir::semantics`:
//! at most 2 ulp apart on finite results over special values, random bit patterns, each branch of
//! the algorithms (near zero, `tanh`'s polynomial and its switch, every `k` of `expm1`'s reduction, the switch points, the overflow
//! band of `sinh`/`cosh`, saturation of `expm1`), and both sides of every threshold; the spec's
//! special cases exact.

mod common;
use common::ulp::*;
use lazulite_ir::*;

fn inputs(op: UnaryOp, d: DType, rng: &mut Rng) -> Vec<f64> {
    let f32 = d == DType::F32;
    let round = |v: f64| if f32 { v as f32 as f64 } else { v };
    let mut xs = bit_patterns(d, rng, 300_000);
    let top = if f32 { 92.0 } else { 712.0 };
    for (lo, hi, count) in [
        (-2.0, 2.0, 500_000),
        (-25.0, 25.0, 500_000),
        (-top, top, 500_000),
    ] {
        xs.extend((0..count).map(|_| round(rng.uniform(lo, hi))));
    }
    // small magnitudes, both signs
    for _ in 0..300_000 {
        let m = rng.uniform(-60.0, 1.0).exp2();
        xs.push(round(if rng.next() & 1 == 0 { m } else { -m }));
    }
    // expm1's reduction boundaries: near (k + 1/2) ln2 for small k
    if op == UnaryOp::Expm1 {
        for _ in 0..200_000 {
            let k = (rng.next() % 120) as f64 - 60.0;
            xs.push(round(
                (k + 0.5) * std::f64::consts::LN_2 + rng.uniform(-1e-3, 1e-3),
            ));
        }
    }
    let mut edges = vec![
        0.25, 0.5, 0.55, 1.0, 9.0, 20.0, 22.0, 17.33, 38.82, 40.0, 88.72, 89.41, 709.78, 710.47,
    ];
    edges.push(std::f64::consts::LN_2 / 2.0);
    for e in edges {
        for s in [1.0, -1.0] {
            let v = round(s * e);
            let mut lo = v;
            let mut hi = v;
            for _ in 0..64 {
                xs.extend([lo, hi]);
                if f32 {
                    lo = (lo as f32).next_down() as f64;
                    hi = (hi as f32).next_up() as f64;
                } else {
                    lo = lo.next_down();
                    hi = hi.next_up();
                }
            }
        }
    }
    xs
}

fn special_inputs(d: DType) -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
    ];
    if d == DType::F32 {
        v.extend(
            [f32::MIN_POSITIVE, f32::from_bits(1), f32::MAX]
                .iter()
                .flat_map(|&a| [a as f64, -a as f64]),
        );
    } else {
        v.extend(
            [f64::MIN_POSITIVE, f64::from_bits(1), f64::MAX]
                .iter()
                .flat_map(|&a| [a, -a]),
        );
    }
    v
}

/// The spec's special cases, exactly (sign of zero included).
fn spec_special(op: UnaryOp, x: f64) -> Option<f64> {
    use UnaryOp::*;
    match op {
        _ if x.is_nan() => Some(f64::NAN),
        Cosh if x == 0.0 => Some(1.0),
        Cosh if x.is_infinite() => Some(f64::INFINITY),
        _ if x == 0.0 => Some(x),
        Expm1 if x == f64::INFINITY => Some(f64::INFINITY),
        Expm1 if x == f64::NEG_INFINITY => Some(-1.0),
        Sinh if x.is_infinite() => Some(x),
        Tanh if x.is_infinite() => Some(x.signum()),
        _ => None,
    }
}

fn check(op: UnaryOp, d: DType, seed: u64) {
    let mut rng = Rng(seed);
    let mut xs = special_inputs(d);
    xs.extend(inputs(op, d, &mut rng));
    check_within_2_ulp(op, d, xs, spec_special);
}

#[test]
fn expm1_within_2_ulp() {
    check(UnaryOp::Expm1, DType::F64, 0x1111_2222_3333_4444);
    check(UnaryOp::Expm1, DType::F32, 0x5555_6666_7777_8888);
}

#[test]
fn sinh_within_2_ulp() {
    check(UnaryOp::Sinh, DType::F64, 0x9999_aaaa_bbbb_cccc);
    check(UnaryOp::Sinh, DType::F32, 0xdddd_eeee_ffff_0001);
}

#[test]
fn cosh_within_2_ulp() {
    check(UnaryOp::Cosh, DType::F64, 0x0102_0304_0506_0708);
    check(UnaryOp::Cosh, DType::F32, 0x1112_1314_1516_1718);
}

#[test]
fn tanh_within_2_ulp() {
    check(UnaryOp::Tanh, DType::F64, 0x2122_2324_2526_2728);
    check(UnaryOp::Tanh, DType::F32, 0x3132_3334_3536_3738);
}

// Every f32 bit pattern, one op per test (minutes each in a release build; run with
// `cargo test --release -p lazulite-codegen-cpu --test hyperbolic -- --ignored`).

#[test]
#[ignore]
fn expm1_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Expm1);
}

#[test]
#[ignore]
fn sinh_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Sinh);
}

#[test]
#[ignore]
fn cosh_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Cosh);
}

#[test]
#[ignore]
fn tanh_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Tanh);
}
