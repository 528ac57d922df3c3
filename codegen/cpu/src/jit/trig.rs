//! Inline vector `sin`, `cos`, `tan` and `atan` for f64x2 and f32x4 (each dtype in its own lane
//! type: f32 is never widened to f64). The algorithm is fdlibm's (`e_rem_pio2.c`, `k_sin.c`,
//! `k_cos.c`) made branch-free:
//!
//! - reduction `x = n pi/2 + (y0 + y1)`: `n = round(x 2/pi)` by the magic-number trick; `pi/2` in
//!   pieces `p1 + p2 + p3 + tail` whose first three have few enough significant bits that `n p_k`
//!   is exact for every `n` below the dtype's bound (`|n| < 2^20` for f64 with 33-bit pieces, `|n|
//!   < 2^12` for f32 with 12-bit pieces); the partial remainders are summed with TwoSum, so `y0 +
//!   y1` carries the reduced argument to about twice the dtype's precision (Cody-Waite, extended);
//! - kernels: odd polynomial for `sin`, even for `cos` on `[-pi/4, pi/4]`, with the tail `y1`
//!   folded in as fdlibm does; the quadrant `n mod 4` swaps them and flips the sign (an integer
//!   xor); `tan` is their quotient (`-cos/sin` in odd quadrants);
//! - special values: `|x|` below a tiny bound returns `x` (sin and tan: signed zero and subnormals
//!   exact) or 1 (cos); NaN returns NaN; when any lane's `|x|` is past the reduction's bound
//!   (infinities included), the whole vector takes a cold block that runs the scalar `semantics`
//!   routine lane by lane (with its own reduction for huge arguments), so those stay exact and the
//!   hot path has no calls.
//!
//! f32 `sin` and `cos` with FMA take a cheaper path (`sin_cos_parts_f32_fma`): `|x|` reduced by
//! three `fma` steps with f32 pieces of pi/2 (no TwoSum, no tail: `x - n p1` is exact and the other
//! two round once, so the reduced argument is within about 1 ulp), plain f32 polynomials, and the
//! special values by construction instead of selects (the kernels give `x` for tiny `|x|` and 1 for
//! zero; the sign of `x` and the quadrant's are one xor; NaN lanes take the cold block). Its fast
//! range is `|x| <= 1e5`.
//!
//! Error: within 2 ulp of `lazulite_ir::semantics` (tests/trig.rs checks it over special values,
//! random bit patterns, the fast range and the fallback range; every f32 input in an ignored test).

use super::{Emitter, FloatLayout};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use lazulite_ir::UnaryOp;

/// What `sin`, `cos` and `tan` of one operand share: the kernels' `sin` and `cos` of the reduced
/// argument, the bits holding the quadrant `n` in their low bits, the mask of even `n`, the masks
/// of tiny and NaN lanes, and whether any lane is past the fast range (Cranelift at
/// `opt_level=none` does not merge repeated instructions, so sharing is explicit).
#[derive(Clone, Copy)]
pub(super) struct SinCos {
    ks: Value,
    kc: Value,
    nbits: Value,
    even: Value,
    special: Special,
    /// The lanes that need the cold block: past the fast range (NaN lanes too where the fast path
    /// leaves them to it). [`Emitter::vector_sin_cos`] ors the masks of all its operands and tests
    /// them once (`vany_true`, one `ptest`).
    slow: Value,
}

/// How the fast path gets the special values right.
#[derive(Clone, Copy)]
enum Special {
    /// Reduced `x` itself: tiny lanes (signed zeros, subnormals) and NaN lanes are selected.
    Selects { small: Value, nan: Value },
    /// Reduced `|x|` (the f32 path with FMA): the kernels return `x` for tiny and subnormal `|x|`
    /// and 1 for zero, `sin` takes the sign of `x` by an xor, and NaN lanes take the cold block.
    /// Both fast results are made with the parts (an unused one is never lowered), so only they,
    /// not the kernels and the quadrant, live across the cold blocks' branches.
    OddSign { sin: Value, cos: Value },
}

/// Constants of the inline `sin`/`cos`/`tan` per lane type.
struct TrigConsts {
    /// `pi/2 = p[0] + p[1] + p[2] + tail` (to about 2^-60 relative).
    p: [f64; 3],
    tail: f64,
    /// `|x|` above this (or not finite) goes to the scalar fallback: `n p_k` must stay exact.
    max_fast: f64,
    /// `|x|` below this: `sin x = x`, `cos x = 1` after rounding.
    tiny: f64,
    /// `sin r = r + r^3 (s[0] + r^2 (s[1] + ...))`.
    s: &'static [f64],
    /// `cos r = 1 - r^2/2 + r^4 (c[0] + r^2 (c[1] + ...))`.
    c: &'static [f64],
}

/// fdlibm's `k_sin.c` coefficients (a minimax fit on `[-pi/4, pi/4]`).
const SIN_POLY: [f64; 6] = [
    f64::from_bits(0xbfc5_5555_5555_5549),
    f64::from_bits(0x3f81_1111_1110_f8a6),
    f64::from_bits(0xbf2a_01a0_19c1_61d5),
    f64::from_bits(0x3ec7_1de3_57b1_fe7d),
    f64::from_bits(0xbe5a_e5e6_8a2b_9ceb),
    f64::from_bits(0x3de5_d93a_5acf_d57c),
];

/// fdlibm's `k_cos.c` coefficients.
const COS_POLY: [f64; 6] = [
    f64::from_bits(0x3fa5_5555_5555_554c),
    f64::from_bits(0xbf56_c16c_16c1_5177),
    f64::from_bits(0x3efa_01a0_19cb_1590),
    f64::from_bits(0xbe92_7e4f_809c_52ad),
    f64::from_bits(0x3e21_ee9e_bdb4_b1c4),
    f64::from_bits(0xbda8_fae9_be88_38d4),
];

/// fdlibm's `e_rem_pio2.c` medium-range pieces (33 significant bits each, then the tail).
const TRIG_F64: TrigConsts = TrigConsts {
    p: [
        f64::from_bits(0x3ff9_21fb_5440_0000),
        f64::from_bits(0x3dd0_b461_1a60_0000),
        f64::from_bits(0x3ba3_198a_2e00_0000),
    ],
    tail: f64::from_bits(0x397b_839a_2520_49c1),
    // 2^20 pi/2: |n| <= 2^20, and n * (33-bit piece) fits 53 bits.
    max_fast: 1_647_099.0,
    tiny: f64::from_bits(0x3e40_0000_0000_0000), // 2^-27
    s: &SIN_POLY,
    c: &COS_POLY,
};

/// `pi/2` in f32 pieces of at most 12 significant bits (then the f32 tail), computed exactly from a
/// 100-digit pi; the leading terms of fdlibm's polynomials suffice at f32 precision (the dropped
/// terms are below 0.05 ulp on `[-pi/4, pi/4]`).
const TRIG_F32: TrigConsts = TrigConsts {
    p: [
        f32::from_bits(0x3fc9_0000) as f64,
        f32::from_bits(0x39fd_a000) as f64,
        f32::from_bits(0x33a2_2000) as f64,
    ],
    tail: f32::from_bits(0x2c34_611a) as f64,
    // 4000 pi/2 < 2^12 pi/2: n * (12-bit piece) fits 24 bits.
    max_fast: 6_283.0,
    tiny: f64::from_bits(0x3f30_0000_0000_0000), // 2^-12
    s: &[SIN_POLY[0], SIN_POLY[1], SIN_POLY[2], SIN_POLY[3]],
    c: &[COS_POLY[0], COS_POLY[1], COS_POLY[2], COS_POLY[3]],
};

/// `pi/2 = A + B + C` (to about 2^-75) as f32 pieces for the f32 reduction with FMA: `x - n A` is
/// exact in one `fma` (its result is a multiple of `2^-24` below 2 for `n < 2^24`), the other two
/// pieces each round once; the reduced `r` is then within about 1 ulp of `x - n pi/2` over the
/// fast range (no TwoSum: the error is relative to `r`, the pieces' residue `n 2^-75` is far below
/// the closest any f32 in range comes to a multiple of pi/2).
const PIO2_F32_FMA: [f32; 3] = [
    f32::from_bits(0x3fc9_0fdb),
    f32::from_bits(0xb33b_bd2e),
    f32::from_bits(0xa6f7_2ced),
];

/// The fast range of the f32 reduction with FMA (every f32 checked by the exhaustive tests of
/// `tests/trig.rs`). A scalar model of this path over every f32 up to 4e6 (`|n| < 2^22` for the
/// rounding constant) stayed within 2 ulp of the oracle everywhere and within 1 ulp below 2^17;
/// the bound keeps that 1 ulp of margin.
pub(super) const F32_FMA_MAX_FAST: f64 = 100_000.0;

/// `atan` at the breakpoints 1/2, 1, 3/2 and infinity, each as `hi + lo` (fdlibm's `s_atan.c`).
const ATAN_HI: [f64; 4] = [
    f64::from_bits(0x3fdd_ac67_0561_bb4f),
    f64::from_bits(0x3fe9_21fb_5444_2d18),
    f64::from_bits(0x3fef_730b_d281_f69b),
    f64::from_bits(0x3ff9_21fb_5444_2d18),
];
const ATAN_LO: [f64; 4] = [
    f64::from_bits(0x3c7a_2b7f_222f_65e2),
    f64::from_bits(0x3c81_a626_3314_5c07),
    f64::from_bits(0x3c70_0788_7af0_cbbd),
    f64::from_bits(0x3c91_a626_3314_5c07),
];
/// `atan(u) = u - u (z (t[0] + w (t[2] + ...)) + w (t[1] + w (t[3] + ...)))`, `z = u^2`, `w = z^2`,
/// on `|u| <= 7/16`.
const ATAN_T: [f64; 11] = [
    f64::from_bits(0x3fd5_5555_5555_550d),
    f64::from_bits(0xbfc9_9999_9998_ebc4),
    f64::from_bits(0x3fc2_4924_9200_83ff),
    f64::from_bits(0xbfbc_71c6_fe23_1671),
    f64::from_bits(0x3fb7_45cd_c54c_206e),
    f64::from_bits(0xbfb3_b0f2_af74_9a6d),
    f64::from_bits(0x3fb1_0d66_a0d0_3d51),
    f64::from_bits(0xbfad_de2d_52de_fd9a),
    f64::from_bits(0x3fa9_7b4b_2476_0deb),
    f64::from_bits(0xbfa2_b444_2c6a_6c2f),
    f64::from_bits(0x3f90_ad3a_e322_da11),
];

impl Emitter<'_, '_> {
    /// `(s, e)` with `s + e = a + b` exactly (Knuth's TwoSum: no condition on the magnitudes).
    fn two_sum(&mut self, a: Value, b: Value) -> (Value, Value) {
        let s = self.b.ins().fadd(a, b);
        let bb = self.b.ins().fsub(s, a);
        let ab = self.b.ins().fsub(s, bb);
        let da = self.b.ins().fsub(a, ab);
        let db = self.b.ins().fsub(b, bb);
        let e = self.b.ins().fadd(da, db);
        (s, e)
    }

    /// The reduction of `x` and both kernels for `op`, computed once per operand within an emitted
    /// block (`self.sincos`; `nest::block` clears it) and shared by its `sin`, `cos` and `tan`. With
    /// FMA, f32 `sin` and `cos` take [`Self::sin_cos_parts_f32_fma`]; f32 `tan` keeps the
    /// compensated reduction, since the quotient of the plain kernels reaches 3 ulp.
    fn sin_cos_parts(&mut self, x: Value, op: UnaryOp) -> SinCos {
        let t = self.b.func.dfg.value_type(x);
        let fma_f32 = self.fma && t.lane_type() == types::F32 && op != UnaryOp::Tan;
        if let Some(&(_, p)) = self
            .sincos
            .iter()
            .find(|(v, p)| *v == x && matches!(p.special, Special::OddSign { .. }) == fma_f32)
        {
            return p;
        }
        let p = if fma_f32 {
            self.sin_cos_parts_f32_fma(x)
        } else {
            self.sin_cos_parts_compensated(x)
        };
        self.sincos.push((x, p));
        p
    }

    /// [`Self::sin_cos_parts`] for f64, and for f32 without FMA: the reduction of `x` with the
    /// compensated (TwoSum) pieces and fdlibm's kernels with the tail.
    fn sin_cos_parts_compensated(&mut self, x: Value) -> SinCos {
        let t = self.b.func.dfg.value_type(x);
        let it = t.as_int();
        let fl = FloatLayout::of(t);
        let k = trig_consts(t);
        let flags = Self::vflags();

        // n = round(x 2/pi); its low bits are the low mantissa bits of `x 2/pi + 1.5 2^p`.
        let magic = self.vfc(t, 1.5 * fl.two_p);
        let inv = self.vfc(t, std::f64::consts::FRAC_2_PI);
        let v = self.mul_add(x, inv, magic);
        let nbits = self.b.ins().bitcast(it, flags, v);
        let n = self.b.ins().fsub(v, magic);

        // r = x - n p1 is exact; the next pieces through TwoSum, their errors summed in `e`.
        let p1 = self.vfc(t, k.p[0]);
        let mut r = self.neg_mul_add(n, p1, x);
        let mut e: Option<Value> = None;
        for &pk in &k.p[1..] {
            let pv = self.vfc(t, -pk);
            let w = self.b.ins().fmul(n, pv);
            let (s, err) = self.two_sum(r, w);
            r = s;
            e = Some(match e {
                None => err,
                Some(prev) => self.b.ins().fadd(prev, err),
            });
        }
        let tail = self.vfc(t, k.tail);
        let e = self.neg_mul_add(n, tail, e.expect("two pieces after the first"));
        // y0 + y1 = r + e, |y1| <= ulp(y0)/2.
        let y0 = self.b.ins().fadd(r, e);
        let d0 = self.b.ins().fsub(r, y0);
        let y1 = self.b.ins().fadd(d0, e);

        let z = self.b.ins().fmul(y0, y0);
        let ks = self.kernel_sin(y0, y1, z, k.s);
        let kc = self.kernel_cos(y0, y1, z, k.c);
        // n even: an integer compare for equality (one instruction; the select on it one blend).
        let one_i = self.vsplat_bits(it, 1);
        let zero_i = self.vsplat_bits(it, 0);
        let odd = self.b.ins().band(nbits, one_i);
        let even = self.b.ins().icmp(IntCC::Equal, odd, zero_i);
        let ax = self.b.ins().fabs(x);
        let tiny = self.vfc(t, k.tiny);
        let small = self.b.ins().fcmp(FloatCC::LessThan, ax, tiny);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        let lim = self.vfc(t, k.max_fast);
        let big = self.b.ins().fcmp(FloatCC::GreaterThan, ax, lim);
        SinCos {
            ks,
            kc,
            nbits,
            even,
            special: Special::Selects { small, nan },
            slow: big,
        }
    }

    /// [`Self::sin_cos_parts`] for f32 with FMA: `|x|` reduced by `n = round(|x| 2/pi)` and three
    /// `fma` steps ([`PIO2_F32_FMA`]), the kernels as plain polynomials in f32 (fdlibm's first four
    /// terms of each, by Estrin's scheme), no tail and no special-value masks.
    ///
    /// (Emitting each step for all the interleaved groups before the next, with the read-only
    /// constants shared, was tried: 18% slower at 4 groups, every group's intermediates live at
    /// once and spill; two groups at a time, 13% slower.)
    fn sin_cos_parts_f32_fma(&mut self, x: Value) -> SinCos {
        let t = self.b.func.dfg.value_type(x);
        let it = t.as_int();
        let fl = FloatLayout::of(t);
        let flags = Self::vflags();
        let ax = self.b.ins().fabs(x);
        let magic = self.vfc(t, 1.5 * fl.two_p);
        let inv = self.vfc(t, std::f64::consts::FRAC_2_PI);
        // (In every `fma` the first factor is a value that dies there: x64's `vfmadd213`
        // overwrites it, and a value that lives on would be copied first.)
        let v = self.b.ins().fma(inv, ax, magic);
        let nbits = self.b.ins().bitcast(it, flags, v);
        let n = self.b.ins().fsub(v, magic);
        // (Three `fma` in a row: summing `-n B - n C` beside `|x| - n A` instead cancels near the
        // multiples of pi/2, thousands of ulp in a scalar model.)
        let mut r = ax;
        for pk in PIO2_F32_FMA {
            let c = self.vfc(t, -pk as f64);
            r = self.b.ins().fma(c, n, r);
        }
        let z = self.b.ins().fmul(r, r);
        let z2 = self.b.ins().fmul(z, z);
        // sin r = r + r^3 (s0 + z (s1 + z (s2 + z s3))): exactly r for tiny and subnormal r;
        // the polynomial by Estrin's scheme, `(s0 + z s1) + z^2 (s2 + z s3)` (two steps deep,
        // not three: in a long chain this is the loop's critical path)
        let ps = self.estrin4(z, z2, &SIN_POLY[..4]);
        let r3 = self.b.ins().fmul(z, r);
        let ks = self.b.ins().fma(r3, ps, r);
        // cos r = 1 + z (-1/2 + z (c0 + z (c1 + ...)))
        let q = self.estrin4(z, z2, &COS_POLY[..4]);
        let mhalf = self.vfc(t, -0.5);
        let q = self.b.ins().fma(q, z, mhalf);
        let one = self.vfc(t, 1.0);
        let kc = self.b.ins().fma(q, z, one);
        let one_i = self.vsplat_bits(it, 1);
        let zero_i = self.vsplat_bits(it, 0);
        let odd = self.b.ins().band(nbits, one_i);
        let even = self.b.ins().icmp(IntCC::Equal, odd, zero_i);
        // Past the fast range, or NaN (unordered): one `cmpnleps`.
        let lim = self.vfc(t, F32_FMA_MAX_FAST);
        let slow = self.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, ax, lim);
        let xbits = self.b.ins().bitcast(it, flags, x);
        let sin = self.sin_cos_odd_sign(UnaryOp::Sin, [ks, kc, nbits, even, xbits]);
        let cos = self.sin_cos_odd_sign(UnaryOp::Cos, [ks, kc, nbits, even, xbits]);
        SinCos {
            ks,
            kc,
            nbits,
            even,
            special: Special::OddSign { sin, cos },
            slow,
        }
    }

    /// `sin`, `cos` or `tan` of float vectors (f64x2 or f32x4; several independent ones from an
    /// interleaved loop body), inline, with one cold fallback for all of them: when any lane of any
    /// of them is past the fast range (or infinite, or NaN where the fast path leaves NaN lanes to
    /// the fallback), all go through the scalar routine.
    pub(super) fn vector_sin_cos(&mut self, op: UnaryOp, xs: &[Value]) -> Vec<Value> {
        let mut any: Option<Value> = None;
        let mut fasts = Vec::with_capacity(xs.len());
        for &x in xs {
            fasts.push(self.sin_cos_fast(op, x));
            let p = self.sin_cos_parts(x, op);
            any = Some(match any {
                None => p.slow,
                Some(a) => self.b.ins().bor(a, p.slow),
            });
        }
        let any = any.expect("at least one operand");
        let any = self.b.ins().vany_true(any);
        self.hot_or_cold(&fasts, any, true, |s| s.unary_in_memory(op, xs))
    }

    /// The branch-free part of [`Self::vector_sin_cos`]: right for `|x| <= max_fast` and NaN.
    fn sin_cos_fast(&mut self, op: UnaryOp, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let it = t.as_int();
        let flags = Self::vflags();
        let SinCos {
            ks,
            kc,
            nbits,
            even,
            special,
            ..
        } = self.sin_cos_parts(x, op);
        let (small, nan) = match special {
            Special::Selects { small, nan } => (small, nan),
            Special::OddSign { sin, cos } => return if op == UnaryOp::Sin { sin } else { cos },
        };

        // Quadrant: odd n swaps sin and cos (tan: -cos/sin for sin/cos); bit 1 of n (of n + 1 for
        // cos) flips the sign of sin and cos.
        let res = if op == UnaryOp::Tan {
            let num = self.sel(even, ks, kc);
            let den = self.sel(even, kc, ks);
            let q = self.b.ins().fdiv(num, den);
            let nq = self.b.ins().fneg(q);
            self.sel(even, q, nq)
        } else {
            let (res, sign_src) = if op == UnaryOp::Sin {
                (self.sel(even, ks, kc), nbits)
            } else {
                let one_i = self.vsplat_bits(it, 1);
                (self.sel(even, kc, ks), self.b.ins().iadd(nbits, one_i))
            };
            let two_i = self.vsplat_bits(it, 2);
            let sign = self.b.ins().band(sign_src, two_i);
            let sh = self.iconst(types::I32, it.lane_bits() as i64 - 2);
            let sign = self.b.ins().ishl(sign, sh);
            let rb = self.b.ins().bitcast(it, flags, res);
            let rb = self.b.ins().bxor(rb, sign);
            self.b.ins().bitcast(t, flags, rb)
        };

        // Tiny |x| (signed zeros and subnormals included): sin x = tan x = x, cos x = 1.
        let small_val = if op == UnaryOp::Cos {
            self.vfc(t, 1.0)
        } else {
            x
        };
        let res = self.sel(small, small_val, res);
        self.sel(nan, x, res)
    }

    /// [`Self::sin_cos_fast`] of `sin` or `cos` on parts reduced from `|x|` ([`Special::OddSign`]):
    /// one blend picks the kernel by the parity of `n`, and one xor sets the sign: bit 1 of `n`
    /// xor the sign of `x` (`sin`, odd), bit 1 of `n + 1` (`cos`).
    /// `parts`: the kernels `ks` and `kc`, the quadrant bits, the even mask and the bits of `x`.
    fn sin_cos_odd_sign(&mut self, op: UnaryOp, parts: [Value; 5]) -> Value {
        let [ks, kc, nbits, even, xbits] = parts;
        let t = self.b.func.dfg.value_type(ks);
        let it = t.as_int();
        let flags = Self::vflags();
        let top = it.lane_bits() as i64 - 1;
        let (res, sign) = match op {
            UnaryOp::Sin => {
                let res = self.sel(even, ks, kc);
                let sh = self.iconst(types::I32, top - 1);
                let s = self.b.ins().ishl(nbits, sh);
                (res, self.b.ins().bxor(s, xbits))
            }
            _ => {
                let res = self.sel(even, kc, ks);
                let one_i = self.vsplat_bits(it, 1);
                let n1 = self.b.ins().iadd(nbits, one_i);
                let sh = self.iconst(types::I32, top - 1);
                (res, self.b.ins().ishl(n1, sh))
            }
        };
        let mask = self.vsplat_bits(it, 1 << top);
        let sign = self.b.ins().band(sign, mask);
        let rb = self.b.ins().bitcast(it, flags, res);
        let rb = self.b.ins().bxor(rb, sign);
        self.b.ins().bitcast(t, flags, rb)
    }

    /// `c0 + z c1 + z^2 c2 + z^3 c3` as `(c0 + z c1) + z2 (c2 + z c3)` (`z2 = z^2`): the two
    /// inner `fma` are independent, so the value is two `fma` latencies after `z2`, not three
    /// (a scalar model of the f32 `sin`/`cos` over every f32 up to the fast bound: the same
    /// 1 ulp at most as Horner's).
    fn estrin4(&mut self, z: Value, z2: Value, cs: &[f64]) -> Value {
        let t = self.b.func.dfg.value_type(z);
        let [c0, c1, c2, c3] = [0, 1, 2, 3].map(|i| self.vfc(t, cs[i]));
        let lo = self.b.ins().fma(c1, z, c0);
        let hi = self.b.ins().fma(c3, z, c2);
        self.b.ins().fma(hi, z2, lo)
    }

    /// `sin(x + y)` for `|x + y| <= pi/4`, `|y| <= ulp(x)/2` (fdlibm's `__kernel_sin`).
    /// `z = x^2`, shared with [`Self::kernel_cos`].
    fn kernel_sin(&mut self, x: Value, y: Value, z: Value, s: &[f64]) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let v = self.b.ins().fmul(z, x);
        let r = self.horner(z, &s[1..]);
        // x - ((z (y/2 - v r) - y) - v s1)
        let half = self.vfc(t, 0.5);
        let hy = self.b.ins().fmul(half, y);
        let a = self.neg_mul_add(v, r, hy);
        let ny = self.b.ins().fneg(y);
        let a = self.mul_add(z, a, ny);
        let s1 = self.vfc(t, s[0]);
        let a = self.neg_mul_add(v, s1, a);
        self.b.ins().fsub(x, a)
    }

    /// `cos(x + y)` for `|x + y| <= pi/4`, `|y| <= ulp(x)/2` (fdlibm's `__kernel_cos`).
    fn kernel_cos(&mut self, x: Value, y: Value, z: Value, c: &[f64]) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let p = self.horner(z, c);
        let r = self.b.ins().fmul(z, p);
        let half = self.vfc(t, 0.5);
        let hz = self.b.ins().fmul(half, z);
        let one = self.vfc(t, 1.0);
        let w = self.b.ins().fsub(one, hz);
        // w + (((1 - w) - hz) + (z r - x y))
        let a = self.b.ins().fsub(one, w);
        let a = self.b.ins().fsub(a, hz);
        let zr = self.b.ins().fmul(z, r);
        let b = self.neg_mul_add(x, y, zr);
        let a = self.b.ins().fadd(a, b);
        self.b.ins().fadd(w, a)
    }
    /// `atan(x)` for f64x2 and f32x4 (fdlibm's `s_atan.c`, branch-free): `|x|` is mapped by its
    /// interval (breakpoints 7/16, 11/16, 19/16, 39/16) to `u = (|x| - c) / (1 + c |x|)` for `c` in
    /// `{0, 1/2, 1, 3/2}` (`-1/|x|` past the last), `atan(|x|) = atan(c) + atan(u)` with `atan(c)`
    /// as `hi + lo`, one division for every interval; the sign copied back; `|x|` below a tiny
    /// bound (signed zeros, subnormals) returns `x`, NaN returns NaN, infinities `+-pi/2`.
    pub(super) fn vector_atan(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let f32 = t.lane_type() == types::F32;
        let ax = self.b.ins().fabs(x);
        let one = self.vfc(t, 1.0);
        let mut masks = Vec::with_capacity(4);
        for b in [7.0 / 16.0, 11.0 / 16.0, 19.0 / 16.0, 39.0 / 16.0] {
            let bv = self.vfc(t, b);
            masks.push(self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, ax, bv));
        }
        // u = num / den per interval
        let mut num = ax;
        let mut den = one;
        for (i, c) in [0.5f64, 1.0, 1.5].into_iter().enumerate() {
            let cv = self.vfc(t, c);
            let n = self.b.ins().fsub(ax, cv);
            let cx = self.b.ins().fmul(cv, ax);
            let d = self.b.ins().fadd(one, cx);
            // 2|x| - 1 over 2 + |x| for c = 1/2 (fdlibm's exact form of the same quotient)
            let (n, d) = if i == 0 {
                let two = self.vfc(t, 2.0);
                let tx = self.b.ins().fmul(two, ax);
                let n = self.b.ins().fsub(tx, one);
                let d = self.b.ins().fadd(two, ax);
                (n, d)
            } else {
                (n, d)
            };
            num = self.sel(masks[i], n, num);
            den = self.sel(masks[i], d, den);
        }
        let m1 = self.vfc(t, -1.0);
        num = self.sel(masks[3], m1, num);
        den = self.sel(masks[3], ax, den);
        let u = self.b.ins().fdiv(num, den);
        let z = self.b.ins().fmul(u, u);
        let w = self.b.ins().fmul(z, z);
        let even: Vec<f64> = ATAN_T.iter().step_by(2).copied().collect();
        let odd: Vec<f64> = ATAN_T.iter().skip(1).step_by(2).copied().collect();
        let p1 = self.horner(w, &even);
        let s1 = self.b.ins().fmul(z, p1);
        let p2 = self.horner(w, &odd);
        let s = self.mul_add(w, p2, s1);
        let us = self.b.ins().fmul(u, s);
        let near0 = self.b.ins().fsub(u, us);
        // hi[id] - ((u s - lo[id]) - u), hi/lo selected like num/den
        let (mut hi, mut lo) = (self.vfc(t, 0.0), self.vfc(t, 0.0));
        for i in 0..4 {
            // f32: hi rounded to f32, lo the rest of the f64 pair rounded to f32
            let (h, l) = if f32 {
                let h32 = ATAN_HI[i] as f32 as f64;
                (h32, (ATAN_HI[i] - h32) + ATAN_LO[i])
            } else {
                (ATAN_HI[i], ATAN_LO[i])
            };
            let hv = self.vfc(t, h);
            let lv = self.vfc(t, l);
            hi = self.sel(masks[i], hv, hi);
            lo = self.sel(masks[i], lv, lo);
        }
        let a = self.b.ins().fsub(us, lo);
        let a = self.b.ins().fsub(a, u);
        let far = self.b.ins().fsub(hi, a);
        let res = self.sel(masks[0], far, near0);
        let res = self.copysign_v(res, x);
        let tiny = self.vfc(t, if f32 { TRIG_F32.tiny } else { TRIG_F64.tiny });
        let small = self.b.ins().fcmp(FloatCC::LessThan, ax, tiny);
        let res = self.sel(small, x, res);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(nan, x, res)
    }
}

fn trig_consts(t: types::Type) -> &'static TrigConsts {
    if t.lane_type() == types::F32 {
        &TRIG_F32
    } else {
        &TRIG_F64
    }
}
