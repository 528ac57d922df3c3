//! The inline vector float32 `pow` (`jit/pow.rs`) over millions of (x, y) pairs: within 1 ulp of
//! the float64 `pow` rounded to float32 (a near-correctly-rounded oracle) and within 2 ulp of
//! `lazulite_ir::semantics` (the scalar `powf`), non-finite results exact; and a table of the C99 /
//! IEEE special cases, exact, each in a vector with ordinary lanes around it.

mod common;
use common::ulp::*;
use common::*;
use lazulite_codegen_cpu::{compile, KernelArgs};
use lazulite_ir::semantics as sem;
use lazulite_ir::*;

/// Runs the compiled vector kernel `x ** y` (float32, contiguous) over the pairs.
fn run_pow(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let d = DType::F32;
    let c = StrideClass::Contiguous;
    let k = binary_kernel(BinaryOp::Pow, d, 1, c, c, c);
    let ck = compile(&k).unwrap();
    assert!(ck.vector_lanes() > 1, "{}", k.pretty());
    let n = xs.len();
    let bytes = |vs: &[f64]| -> Vec<u8> {
        vs.iter()
            .flat_map(|&v| Scalar::Float(v).to_bytes(d))
            .collect()
    };
    let (xb, yb) = (bytes(xs), bytes(ys));
    let mut outb = vec![0u8; n * d.size()];
    let shape = [n as i64];
    let strides = [1i64, 1];
    let ins = [xb.as_ptr(), yb.as_ptr()];
    let outs = [outb.as_mut_ptr()];
    let args = KernelArgs {
        shape: shape.as_ptr(),
        inputs: ins.as_ptr(),
        in_strides: strides.as_ptr(),
        outputs: outs.as_ptr(),
        out_strides: strides.as_ptr(),
    };
    // SAFETY: both inputs hold `n` contiguous float32 values and the output `n`, as many as the
    // kernel reads and writes over its only dimension; all outlive the call.
    unsafe { ck.entry()(&args, 0, n as i64) };
    outb.chunks(d.size())
        .map(|c| Scalar::from_bytes(d, c).as_f64())
        .collect()
}

fn f32v(v: f64) -> f64 {
    v as f32 as f64
}

/// Random pairs from the regions where `pow` is interesting.
fn pairs(rng: &mut Rng) -> (Vec<f64>, Vec<f64>) {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let mut push = |x: f64, y: f64| {
        xs.push(f32v(x));
        ys.push(f32v(y));
    };
    // The benchmark's region: |x| of a normal sample, y normal.
    for _ in 0..400_000 {
        push(rng.uniform(0.0, 4.0), rng.uniform(-4.0, 4.0));
    }
    // x over every float32 exponent (subnormals too), y such that |y log2 x| reaches past the
    // overflow and underflow thresholds.
    for _ in 0..600_000 {
        let x = rng.uniform(-149.0, 128.0).exp2();
        let t = rng.uniform(-160.0, 140.0);
        let y = t / x.log2();
        push(x, if y.is_finite() { y } else { 1.0 });
    }
    // x near 1 with large y: the error of log2 x is amplified the most relative to its size.
    for _ in 0..300_000 {
        let e = rng.uniform(-24.0, -1.0).exp2();
        let x = if rng.next() & 1 == 0 {
            1.0 + e
        } else {
            1.0 - e
        };
        push(x, rng.uniform(-100.0, 100.0) / e);
    }
    // Negative x with integer y (odd and even), and with non-integer y (NaN).
    for _ in 0..200_000 {
        let x = -rng.uniform(0.0, 3.0);
        let y = (rng.uniform(-60.0, 60.0)).round();
        push(x, y);
        push(x, y + 0.5);
    }
    // Integer y and small rational y on a wide x range.
    for _ in 0..200_000 {
        let x = rng.uniform(-20.0, 20.0).exp2();
        let y = [0.5, -0.5, 2.0, 3.0, -1.0, 1.0 / 3.0, 1e-3, 16.0][(rng.next() % 8) as usize];
        push(x, y);
    }
    // Random bit patterns for both (every sign, exponent, special value).
    let bx = bit_patterns(DType::F32, rng, 300_000);
    let by = bit_patterns(DType::F32, rng, 300_000);
    for (x, y) in bx.into_iter().zip(by) {
        push(x, y);
    }
    (xs, ys)
}

#[test]
fn pow_f32_within_1_ulp() {
    let (mut xs, mut ys) = pairs(&mut Rng(0x005e_ed0f_0b0e_0011));
    // an odd count: the last elements run through the padded tail
    xs.push(1.5);
    ys.push(2.5);
    let got = run_pow(&xs, &ys);
    let (mut worst, mut inexact, mut finite) = ((0u64, 0.0, 0.0), 0usize, 0usize);
    for ((&x, &y), &g) in xs.iter().zip(&ys).zip(&got) {
        let oracle = f32v(x.powf(y));
        let semantics = sem::float_binary(BinaryOp::Pow, x, y, DType::F32);
        if !oracle.is_finite() || !g.is_finite() || !semantics.is_finite() {
            assert!(
                same(Scalar::Float(g), Scalar::Float(semantics)),
                "pow f32 ({x:e}, {y:e}): got {g:e}, semantics {semantics:e}"
            );
            continue;
        }
        finite += 1;
        let u = ulps(DType::F32, g, oracle);
        assert!(
            u <= 1 && ulps(DType::F32, g, semantics) <= 2,
            "pow f32 ({x:e}, {y:e}): got {g:e}, oracle {oracle:e} ({u} ulp), semantics {semantics:e}"
        );
        // the sign of a zero result (odd y) exactly
        assert_eq!(g.is_sign_negative(), semantics.is_sign_negative());
        inexact += (u > 0) as usize;
        if u > worst.0 {
            worst = (u, x, y);
        }
    }
    eprintln!(
        "pow f32: {} pairs ({finite} finite), {inexact} not bit-exact, worst {} ulp (at {:e} ** {:e})",
        xs.len(),
        worst.0,
        worst.1,
        worst.2
    );
}

/// C99 Annex F (and IEEE 754 `pow`) special cases, exact.
fn special_cases() -> Vec<(f64, f64, f64)> {
    let (inf, nan) = (f64::INFINITY, f64::NAN);
    let mut v = vec![
        // pow(x, +-0) = 1 for any x, NaN too
        (nan, 0.0, 1.0),
        (nan, -0.0, 1.0),
        (-inf, 0.0, 1.0),
        (0.0, -0.0, 1.0),
        (-3.5, 0.0, 1.0),
        // pow(+1, y) = 1 for any y, NaN too
        (1.0, nan, 1.0),
        (1.0, inf, 1.0),
        (1.0, -inf, 1.0),
        (1.0, -7.25, 1.0),
        // pow(-1, +-inf) = 1
        (-1.0, inf, 1.0),
        (-1.0, -inf, 1.0),
        // NaN propagation
        (nan, 1.0, nan),
        (2.0, nan, nan),
        (-1.0, nan, nan),
        (0.0, nan, nan),
        // negative finite x, non-integer finite y: NaN
        (-2.0, 0.5, nan),
        (-0.5, -1.5, nan),
        (-1.0, 0.25, nan),
        // negative x, integer y
        (-2.0, 3.0, -8.0),
        (-2.0, 2.0, 4.0),
        (-2.0, -1.0, -0.5),
        (-2.0, -2.0, 0.25),
        (-1.0, 3.0, -1.0),
        (-1.0, 1e10, 1.0),
        (-3.0, 1e30, inf),
        (-0.5, 1e30, 0.0),
        (-2.0, 129.0, -inf),
        (-2.0, 128.0, inf),
        (-2.0, -151.0, -0.0),
        (-2.0, -150.0, 0.0),
        // +-0 bases
        (0.0, -3.0, inf),
        (-0.0, -3.0, -inf),
        (0.0, -2.0, inf),
        (-0.0, -2.0, inf),
        (-0.0, -0.5, inf),
        (-0.0, -inf, inf),
        (0.0, -inf, inf),
        (0.0, 3.0, 0.0),
        (-0.0, 3.0, -0.0),
        (-0.0, 2.0, 0.0),
        (-0.0, 0.5, 0.0),
        (-0.0, inf, 0.0),
        (0.0, inf, 0.0),
        // +-inf bases
        (inf, -1.0, 0.0),
        (inf, -0.5, 0.0),
        (inf, 0.5, inf),
        (inf, 2.0, inf),
        (inf, inf, inf),
        (inf, -inf, 0.0),
        (-inf, -3.0, -0.0),
        (-inf, -2.0, 0.0),
        (-inf, -0.5, 0.0),
        (-inf, 3.0, -inf),
        (-inf, 2.0, inf),
        (-inf, 0.5, inf),
        (-inf, inf, inf),
        (-inf, -inf, 0.0),
        // infinite exponents: |x| < 1, = 1 (above), > 1
        (0.5, inf, 0.0),
        (-0.5, inf, 0.0),
        (0.5, -inf, inf),
        (-0.5, -inf, inf),
        (1.5, inf, inf),
        (-1.5, inf, inf),
        (1.5, -inf, 0.0),
        (-1.5, -inf, 0.0),
        // overflow, underflow to subnormals and zero
        (2.0, 128.0, inf),
        (2.0, 127.0, 2f64.powi(127)),
        (2.0, -149.0, 2f64.powi(-149)),
        (2.0, -150.0, 0.0),
        (2.0, -140.0, 2f64.powi(-140)),
        (10.0, 39.0, inf),
        (10.0, -46.0, 0.0),
        (3.4e38, 2.0, inf),
        (1e-30, 5.0, 0.0),
        (2.0, 1e30, inf),
        (2.0, -1e30, 0.0),
        (0.5, 1e30, 0.0),
        // exact small cases
        (2.0, 10.0, 1024.0),
        (4.0, 0.5, 2.0),
        (9.0, -0.5, 1.0 / 3.0),
        (1.0e-45, 1.0, f32v(1.0e-45)),
        (f32::MAX as f64, 1.0, f32::MAX as f64),
    ];
    for r in &mut v {
        r.2 = f32v(r.2);
    }
    v
}

#[test]
fn pow_f32_special_cases_exact() {
    // Each case in every lane position, between ordinary pairs (a vector takes the cold block
    // with hot-path lanes in it) and alone.
    let cases = special_cases();
    let mut rng = Rng(0x0dd5_eed5);
    for (x, y, want) in &cases {
        let (x, y) = (f32v(*x), f32v(*y));
        assert!(
            same(
                Scalar::Float(sem::float_binary(BinaryOp::Pow, x, y, DType::F32)),
                Scalar::Float(*want)
            ),
            "the table disagrees with semantics at ({x:e}, {y:e})"
        );
        for pos in 0..8 {
            let mut xs: Vec<f64> = (0..8).map(|_| f32v(rng.uniform(0.1, 3.0))).collect();
            let mut ys: Vec<f64> = (0..8).map(|_| f32v(rng.uniform(-2.0, 2.0))).collect();
            xs[pos] = x;
            ys[pos] = y;
            let got = run_pow(&xs, &ys);
            for i in 0..8 {
                let w = if i == pos {
                    *want
                } else {
                    f32v(xs[i].powf(ys[i]))
                };
                let ok = if i == pos {
                    same(Scalar::Float(got[i]), Scalar::Float(w))
                } else {
                    ulps(DType::F32, got[i], w) <= 1
                };
                assert!(
                    ok,
                    "pow f32 ({:e}, {:e}) in lane {i} (special case in lane {pos}): got {:e}, want {w:e}",
                    xs[i], ys[i], got[i]
                );
            }
        }
    }
}
