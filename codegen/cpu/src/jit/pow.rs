//! Inline float32 `pow` on f32x4: each half widened to f64x2 (`fvpromote_low`), `2^(y log2|x|)`
//! in double with short polynomials, rounded once to float32. No tables, no double-double: float32
//! needs `t = y log2 x` to about `2^-30` absolute (`|t| < 150` for a finite nonzero float32
//! result), which double with polynomials accurate to `2^-37` relative gives.
//!
//! - `log2 x`: `x = 2^k m` with `m` in `[sqrt(2)/2, sqrt(2))` by integer operations on the bits
//!   ([`Emitter::split_log_argument`], every float32, subnormals too, is a normal double), then
//!   `log2 m = s G(s^2)` with `s = (m - 1)/(m + 1)` (`|s| < 0.172`) and `G` a degree-4 polynomial
//!   ([`LOG2_G`], relative error `2^-37.8`), so `log2 x = fma(s, G, k)`.
//! - `2^t`: `t = n + r` (`n = round(t)` by the magic constant that also carries the exponent bias,
//!   `|r| <= 1/2`, exact), `2^r = 1 + r Q(r)` with `Q` of degree 5 ([`EXP2_Q`], relative error
//!   `2^-27.6`, 0.08 float32 ulp), times `2^n` from the exponent bits.
//!
//! The result before the float32 rounding is within about `2^-27` relative, so the float32 result
//! is within 0.6 ulp of the exact value (`tests/pow.rs`: within 1 ulp of the scalar `powf` of
//! `semantics`). Overflow to `inf` and underflow to subnormals and zero come from the final
//! `fvdemote`: the hot path covers every `|t| < 1000`.
//!
//! Hot path: every lane with `x` positive finite, `y` finite and `|t| < 1000` (one branch per f32x4,
//! no select). Everything else takes one cold block that recomputes the vector with the C99 / IEEE
//! special cases as selects ([`Emitter::pow_general_f64`]).

use super::exp_log::LOG_F64;
use super::{Emitter, FloatLayout};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types;
use cranelift_codegen::ir::{ConstantData, InstBuilder, Value};

/// `log2(m) = s G(s^2)`, `s = (m - 1)/(m + 1)`, lowest degree first: the Chebyshev interpolant of
/// `2 atanh(sqrt z) / (sqrt(z) ln 2)` on `z` in `[0, 0.0295]` (`s^2 < 0.02944`), degree 4, fitted in
/// 50-digit arithmetic (mpmath `chebyfit`); relative error `2^-37.8` with these float64
/// coefficients.
const LOG2_G: [f64; 5] = [
    f64::from_bits(0x4007_1547_652b_ee3a),
    f64::from_bits(0x3fee_c709_d123_9480),
    f64::from_bits(0x3fe2_7778_07dc_7f0e),
    f64::from_bits(0x3fda_58d3_45c7_fd67),
    f64::from_bits(0x3fd5_cef5_3531_4c71),
];

/// `2^r = 1 + r Q(r)` on `[-1/2, 1/2]`, lowest degree first: the Chebyshev interpolant of
/// `(2^r - 1)/r`, degree 5 (fitted like [`LOG2_G`]); relative error of `1 + r Q(r)` `2^-27.6`.
const EXP2_Q: [f64; 6] = [
    f64::from_bits(0x3fe6_2e43_02fc_626e),
    f64::from_bits(0x3fce_bfbe_00e6_3bae),
    f64::from_bits(0x3fac_6af6_cdbb_dcc7),
    f64::from_bits(0x3f83_b2a5_3045_179a),
    f64::from_bits(0x3f55_f089_0162_a90a),
    f64::from_bits(0x3f24_4138_96e1_ad27),
];

/// The hot path takes `|y log2 x|` below this: `2^n` is one normal double, and the double result
/// rounds to the float32 result (`inf`, a subnormal or zero past float32's range).
const HOT_T: f64 = 1000.0;

/// The cold block clamps `t` to `[-CLAMP_T, CLAMP_T]` (infinite `t` included): `2^CLAMP_T` is
/// `inf` and `2^-CLAMP_T` is zero in double, and both factors of the two-factor scaling stay normal.
const CLAMP_T: f64 = 2000.0;

impl Emitter<'_, '_> {
    /// `x ** y` of two f32x4 (see the module documentation).
    pub(super) fn vector_pow_f32(&mut self, x: Value, y: Value) -> Value {
        let t32 = self.b.func.dfg.value_type(x);
        debug_assert_eq!(t32, types::F32X4);
        let halves = [self.f32x4_halves(x), self.f32x4_halves(y)];
        let mut ts = Vec::with_capacity(2);
        let mut hot = Vec::with_capacity(2);
        for h in 0..2 {
            let (xd, yd) = (halves[0][h], halves[1][h]);
            let l = self.log2_positive_f64(xd);
            let t = self.b.ins().fmul(yd, l);
            hot.push(self.exp2_hot_f64(t));
            ts.push(t);
        }
        let hot = self.f64x2_pair_to_f32x4(hot[0], hot[1]);

        // Every lane: 0 < x < inf, |y| < inf, |t| < HOT_T (NaN fails each compare).
        let zero = self.vfc(t32, 0.0);
        let inf = self.vfc(t32, f64::INFINITY);
        let xpos = self.b.ins().fcmp(FloatCC::GreaterThan, x, zero);
        let xfin = self.b.ins().fcmp(FloatCC::LessThan, x, inf);
        let ay = self.b.ins().fabs(y);
        let yfin = self.b.ins().fcmp(FloatCC::LessThan, ay, inf);
        let ok = self.b.ins().band(xpos, xfin);
        let ok = self.b.ins().band(ok, yfin);
        let lim = self.vfc(types::F64X2, HOT_T);
        let mut okt = None;
        for &t in &ts {
            let at = self.b.ins().fabs(t);
            let c = self.b.ins().fcmp(FloatCC::LessThan, at, lim);
            okt = Some(match okt {
                None => c,
                Some(o) => self.b.ins().band(o, c),
            });
        }
        let okt = okt.expect("two halves");
        let all_xy = self.b.ins().vall_true(ok);
        let all_t = self.b.ins().vall_true(okt);
        let all = self.b.ins().band(all_xy, all_t);

        let var = self.b.declare_var(t32);
        self.b.def_var(var, hot);
        let cold = self.b.create_block();
        let merge = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(all, merge, &[], cold, &[]);

        self.b.switch_to_block(cold);
        let r0 = self.pow_general_f64(halves[0][0], halves[1][0]);
        let r1 = self.pow_general_f64(halves[0][1], halves[1][1]);
        let res = self.f64x2_pair_to_f32x4(r0, r1);
        self.b.def_var(var, res);
        self.b.ins().jump(merge, &[]);

        self.b.switch_to_block(merge);
        self.b.use_var(var)
    }

    /// Lanes 0-1 and 2-3 of an f32x4, each widened to an f64x2 (exact).
    fn f32x4_halves(&mut self, v: Value) -> [Value; 2] {
        let lo = self.b.ins().fvpromote_low(v);
        let bytes = self.bitcast(types::I8X16, v);
        // 32-bit lanes [2, 3, 2, 3]: one `pshufd`.
        let mask: Vec<u8> = (8..16).chain(8..16).collect();
        let imm = self.b.func.dfg.immediates.push(ConstantData::from(mask));
        let hi = self.b.ins().shuffle(bytes, bytes, imm);
        let hi = self.bitcast(types::F32X4, hi);
        let hi = self.b.ins().fvpromote_low(hi);
        [lo, hi]
    }

    /// Two f64x2 rounded to float32 into one f32x4 (`lo` in lanes 0-1).
    fn f64x2_pair_to_f32x4(&mut self, lo: Value, hi: Value) -> Value {
        let lo = self.b.ins().fvdemote(lo);
        let hi = self.b.ins().fvdemote(hi);
        let lo = self.bitcast(types::I8X16, lo);
        let hi = self.bitcast(types::I8X16, hi);
        // The low 8 bytes of each: one `punpcklqdq`.
        let mask: Vec<u8> = (0..8).chain(16..24).collect();
        let imm = self.b.func.dfg.immediates.push(ConstantData::from(mask));
        let r = self.b.ins().shuffle(lo, hi, imm);
        self.bitcast(types::F32X4, r)
    }

    /// `log2 x` of an f64x2 of positive normal finite lanes (other lanes: garbage), to `2^-37`
    /// relative.
    fn log2_positive_f64(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let (m, k) = self.split_log_argument(x, &LOG_F64);
        let one = self.vfc(t, 1.0);
        let f = self.b.ins().fsub(m, one);
        let den = self.b.ins().fadd(m, one);
        let s = self.b.ins().fdiv(f, den);
        let z = self.b.ins().fmul(s, s);
        let g = self.horner(z, &LOG2_G);
        self.mul_add(s, g, k)
    }

    /// `2^r` for `|r| <= 1/2` (relative error `2^-27.6`).
    fn exp2_reduced_f64(&mut self, r: Value) -> Value {
        let t = self.b.func.dfg.value_type(r);
        let q = self.horner(r, &EXP2_Q);
        let one = self.vfc(t, 1.0);
        self.mul_add(r, q, one)
    }

    /// `2^t` of an f64x2 with every `|t| < HOT_T`: the rounding constant carries the exponent bias,
    /// so `2^n` is the rounded value's bits shifted into the exponent field.
    fn exp2_hot_f64(&mut self, t: Value) -> Value {
        let ty = self.b.func.dfg.value_type(t);
        let fl = FloatLayout::of(ty);
        let magic = self.vfc(ty, 1.5 * fl.two_p + fl.bias as f64);
        let v = self.b.ins().fadd(t, magic);
        let n = self.b.ins().fsub(v, magic);
        let r = self.b.ins().fsub(t, n);
        let p = self.exp2_reduced_f64(r);
        let bits = self.bitcast(ty.as_int(), v);
        let sh = self.iconst(types::I32, fl.p);
        let e = self.b.ins().ishl(bits, sh);
        let s = self.bitcast(ty, e);
        self.b.ins().fmul(p, s)
    }

    /// `x ** y` of f64x2 lanes that are float32 values (no double subnormals), every case: the
    /// magnitude `2^(y log2|x|)` with `log2 0 = -inf`, `log2 inf = inf` and `t` clamped, then the
    /// C99 special cases (`pow(x, +-0) = 1` and `pow(1, y) = 1` even for NaN, `pow(-1, +-inf) = 1`,
    /// the sign for negative `x` and odd integer `y`, NaN for negative finite `x` and non-integer
    /// finite `y`, NaN propagation) as selects.
    fn pow_general_f64(&mut self, x: Value, y: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let ax = self.b.ins().fabs(x);
        let l = self.log2_positive_f64(ax);
        let zero = self.vfc(t, 0.0);
        let one = self.vfc(t, 1.0);
        let inf = self.vfc(t, f64::INFINITY);
        let ninf = self.vfc(t, f64::NEG_INFINITY);
        let is0 = self.b.ins().fcmp(FloatCC::Equal, ax, zero);
        let l = self.sel(is0, ninf, l);
        let isinf = self.b.ins().fcmp(FloatCC::Equal, ax, inf);
        let l = self.sel(isinf, inf, l);
        // NaN where 0 * inf: |x| = 1 with y = +-inf, or y = 0 with x = 0 or +-inf (result 1 below).
        let tt = self.b.ins().fmul(y, l);
        let hi = self.vfc(t, CLAMP_T);
        let lo = self.vfc(t, -CLAMP_T);
        let big = self.b.ins().fcmp(FloatCC::GreaterThan, tt, hi);
        let tc = self.sel(big, hi, tt);
        let small = self.b.ins().fcmp(FloatCC::LessThan, tc, lo);
        let tc = self.sel(small, lo, tc);
        let fl = FloatLayout::of(t);
        let magic = self.vfc(t, 1.5 * fl.two_p);
        let v = self.b.ins().fadd(tc, magic);
        let n = self.b.ins().fsub(v, magic);
        let r = self.b.ins().fsub(tc, n);
        let p = self.exp2_reduced_f64(r);
        let res = self.scale_by_two_factors(p, n, magic);

        // y an integer (inf counts: trunc(inf) = inf), odd when y/2 is not.
        let ty = self.b.ins().trunc(y);
        let yint = self.b.ins().fcmp(FloatCC::Equal, ty, y);
        let half = self.vfc(t, 0.5);
        let yh = self.b.ins().fmul(y, half);
        let tyh = self.b.ins().trunc(yh);
        let hfrac = self.b.ins().fcmp(FloatCC::NotEqual, tyh, yh);
        let yodd = self.b.ins().band(yint, hfrac);
        // The sign bit of x (-0 too).
        let xi = self.bitcast(t.as_int(), x);
        let izero = self.vsplat_bits(t.as_int(), 0);
        let xsign = self.b.ins().icmp(IntCC::SignedLessThan, xi, izero);
        let neg = self.b.ins().band(xsign, yodd);
        let nres = self.b.ins().fneg(res);
        let res = self.sel(neg, nres, res);
        // Negative finite x, y not an integer: NaN (a NaN y is selected below anyway).
        let xneg = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
        let xfin = self.b.ins().fcmp(FloatCC::GreaterThan, x, ninf);
        let xnf = self.b.ins().band(xneg, xfin);
        let ynint = self.b.ins().fcmp(FloatCC::NotEqual, ty, y);
        let bad = self.b.ins().band(xnf, ynint);
        let nan = self.vfc(t, f64::NAN);
        let res = self.sel(bad, nan, res);
        let tnan = self.b.ins().fcmp(FloatCC::Unordered, tt, tt);
        let res = self.sel(tnan, one, res);
        let xynan = self.b.ins().fcmp(FloatCC::Unordered, x, y);
        let sum = self.b.ins().fadd(x, y);
        let res = self.sel(xynan, sum, res);
        let y0 = self.b.ins().fcmp(FloatCC::Equal, y, zero);
        let res = self.sel(y0, one, res);
        let x1 = self.b.ins().fcmp(FloatCC::Equal, x, one);
        self.sel(x1, one, res)
    }
}
