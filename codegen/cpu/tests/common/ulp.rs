//! Shared pieces of the ULP tests of the inline vector math (`exp_log.rs`, `trig.rs`,
//! `hyperbolic.rs`, `log1p.rs`): a deterministic generator, a one-op kernel runner over a slice,
//! the scalar oracle, the ULP distance and the checks built on them.

use super::unary_kernel;
use lazulite_codegen_cpu::{compile, KernelArgs, KernelFn};
use lazulite_ir::semantics as sem;
use lazulite_ir::*;

/// xorshift64*: deterministic inputs without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Runs the one-op kernel `op(x)` over `xs` (as `d`) with the compiled vector loop; returns the
/// results as f64.
pub fn run(op: UnaryOp, d: DType, xs: &[f64]) -> Vec<f64> {
    let k = unary_kernel(op, d, 1, StrideClass::Contiguous);
    let ck = compile(&k).unwrap();
    assert!(ck.vector_lanes() > 1, "{}", k.pretty());
    call_contiguous(ck.entry(), d, xs, xs.len())
}

/// Calls the compiled one-dimensional kernel `entry` over `xs` (as `d`, contiguous) into `out_len`
/// contiguous outputs of `d` (`xs.len()` for elementwise, 1 for a full reduction); returns them as f64.
pub fn call_contiguous(entry: KernelFn, d: DType, xs: &[f64], out_len: usize) -> Vec<f64> {
    let n = xs.len();
    let mut inb = vec![0u8; n * d.size()];
    for (c, &x) in inb.chunks_mut(d.size()).zip(xs) {
        c.copy_from_slice(&Scalar::Float(x).to_bytes(d));
    }
    let mut outb = vec![0u8; out_len * d.size()];
    let shape = [n as i64];
    let strides = [1i64];
    let ins = [inb.as_ptr()];
    let outs = [outb.as_mut_ptr()];
    let args = KernelArgs {
        shape: shape.as_ptr(),
        inputs: ins.as_ptr(),
        in_strides: strides.as_ptr(),
        outputs: outs.as_ptr(),
        out_strides: strides.as_ptr(),
    };
    // SAFETY: the input holds `n` contiguous elements of `d` and the output `out_len`, as many as
    // the kernel writes over its only dimension; both outlive the call.
    unsafe { entry(&args, 0, n as i64) };
    outb.chunks(d.size())
        .map(|c| Scalar::from_bytes(d, c).as_f64())
        .collect()
}

/// The oracle: the scalar semantics (f32: the f64 result rounded to f32, as the interpreter does).
pub fn want(op: UnaryOp, d: DType, x: f64) -> f64 {
    let r = sem::float_unary(op, x);
    if d == DType::F32 {
        r as f32 as f64
    } else {
        r
    }
}

/// Distance in units in the last place of `d` between two finite values of the same dtype.
pub fn ulps(d: DType, a: f64, b: f64) -> u64 {
    let ord = |v: f64| -> i64 {
        let (bits, sign) = if d == DType::F32 {
            let b = (v as f32).to_bits();
            ((b & 0x7fff_ffff) as i64, b >> 31 == 1)
        } else {
            let b = v.to_bits();
            ((b & 0x7fff_ffff_ffff_ffff) as i64, b >> 63 == 1)
        };
        if sign {
            -bits
        } else {
            bits
        }
    };
    ord(a).abs_diff(ord(b))
}

/// Random bit patterns of `d`: every exponent and sign.
pub fn bit_patterns(d: DType, rng: &mut Rng, count: usize) -> Vec<f64> {
    (0..count)
        .map(|_| {
            let b = rng.next();
            if d == DType::F32 {
                f32::from_bits(b as u32) as f64
            } else {
                f64::from_bits(b)
            }
        })
        .collect()
}

/// Runs `op` over `xs` (as `d`) and checks every result: `spec(op, x)` exactly where it names a
/// special case, non-finite oracle values exactly, everything else within 2 ulp of the oracle.
/// Prints the worst distance.
pub fn check_within_2_ulp(
    op: UnaryOp,
    d: DType,
    mut xs: Vec<f64>,
    spec: impl Fn(UnaryOp, f64) -> Option<f64>,
) {
    // an odd count: the last elements run through the padded tail
    xs.push(0.5);
    let got = run(op, d, &xs);
    let mut worst = (0u64, 0.0f64);
    let mut inexact = 0usize;
    for (&x, &g) in xs.iter().zip(&got) {
        let w = want(op, d, x);
        if let Some(s) = spec(op, x) {
            assert!(
                super::same(Scalar::Float(g), Scalar::Float(s))
                    && super::same(Scalar::Float(w), Scalar::Float(s)),
                "{} {d} special case {x:e}: got {g:e}, spec {s:e}, semantics {w:e}",
                op.name()
            );
            continue;
        }
        if !w.is_finite() || !g.is_finite() {
            assert!(
                super::same(Scalar::Float(g), Scalar::Float(w)),
                "{} {d} of {x:e} ({:#x}): got {g:e}, want {w:e}",
                op.name(),
                x.to_bits()
            );
            continue;
        }
        let u = ulps(d, g, w);
        assert!(
            u <= 2,
            "{} {d} of {x:e} ({:#x}): got {g:e}, want {w:e}: {u} ulp",
            op.name(),
            x.to_bits()
        );
        inexact += (u > 0) as usize;
        if u > worst.0 {
            worst = (u, x);
        }
    }
    eprintln!(
        "{} {d}: {} inputs, {inexact} not bit-exact, worst {} ulp (at {:e})",
        op.name(),
        xs.len(),
        worst.0,
        worst.1
    );
}

/// Every f32 bit pattern through `op`, within 2 ulp of the oracle (non-finite results exact).
pub fn check_f32_exhaustive(op: UnaryOp) {
    let mut inexact = 0u64;
    let chunk = 1u64 << 24;
    for c in 0..(1u64 << 32) / chunk {
        let xs: Vec<f64> = (c * chunk..(c + 1) * chunk)
            .map(|b| f32::from_bits(b as u32) as f64)
            .collect();
        let got = run(op, DType::F32, &xs);
        for (&x, &g) in xs.iter().zip(&got) {
            let w = want(op, DType::F32, x);
            if w.is_finite() && g.is_finite() {
                let u = ulps(DType::F32, g, w);
                assert!(u <= 2, "{} f32 of {x:e}: got {g:e}, want {w:e}", op.name());
                inexact += (u > 0) as u64;
            } else {
                assert!(
                    super::same(Scalar::Float(g), Scalar::Float(w)),
                    "{} f32 of {x:e}: got {g:e}, want {w:e}",
                    op.name()
                );
            }
        }
    }
    eprintln!(
        "{} f32: all 2^32 inputs within 2 ulp, {inexact} not bit-exact",
        op.name()
    );
}
