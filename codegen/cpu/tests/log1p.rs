//! The inline vector `log1p` (f64x2 and f32x4) against `lazulite_ir::semantics`: at most 2 ulp
//! apart on finite results over special values, random bit patterns, values near 0 (where `log1p`
//! exists for), near -1, both sides of `k = 0` (`x` around `sqrt(2)/2 - 1` and `sqrt(2) - 1`), and
//! large values; the spec's special cases exact.

mod common;
use common::ulp::*;
use lazulite_ir::*;

fn inputs(d: DType, rng: &mut Rng) -> Vec<f64> {
    let f32 = d == DType::F32;
    let round = |v: f64| if f32 { v as f32 as f64 } else { v };
    let mut xs = vec![
        0.0,
        -0.0,
        -1.0,
        1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -2.0,
    ];
    xs.extend(bit_patterns(d, rng, 300_000));
    for (lo, hi, count) in [(-1.0, 2.0, 600_000), (-1.0, 1e6, 200_000)] {
        xs.extend((0..count).map(|_| round(rng.uniform(lo, hi))));
    }
    for _ in 0..300_000 {
        let m = rng.uniform(-60.0, 0.0).exp2();
        xs.push(round(if rng.next() & 1 == 0 { m } else { -m }));
        xs.push(round(-1.0 + m));
    }
    for b in [
        std::f64::consts::FRAC_1_SQRT_2 - 1.0,
        std::f64::consts::SQRT_2 - 1.0,
    ] {
        let (mut lo, mut hi) = (round(b), round(b));
        for _ in 0..256 {
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
    xs
}

fn spec_special(_: UnaryOp, x: f64) -> Option<f64> {
    if x.is_nan() || x < -1.0 {
        Some(f64::NAN)
    } else if x == -1.0 {
        Some(f64::NEG_INFINITY)
    } else if x == 0.0 || x == f64::INFINITY {
        Some(x)
    } else {
        None
    }
}

#[test]
fn log1p_within_2_ulp() {
    for (d, seed) in [
        (DType::F64, 0x7a7a_1b1b_3c3c_4d4d),
        (DType::F32, 0x0e0e_5f5f_6a6a_7b7b),
    ] {
        let xs = inputs(d, &mut Rng(seed));
        check_within_2_ulp(UnaryOp::Log1p, d, xs, spec_special);
    }
}

/// Every f32 bit pattern (minutes in a release build; run with
/// `cargo test --release -p lazulite-codegen-cpu --test log1p -- --ignored`).
#[test]
#[ignore]
fn log1p_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Log1p);
}
