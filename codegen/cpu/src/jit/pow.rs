//! Inline float32 `pow` on f32x4: `2^(y log2 x)` in double (each half of the vector widened to
//! f64x2 with `fvpromote_low`) with short polynomials, rounded once to float32. No tables, no
//! double-double: float32 needs `t = y log2 x` to about `2^-30` absolute (`|t| < 150` for a finite
//! nonzero float32 result), which double with polynomials accurate to `2^-37` relative gives.
//!
//! - `log2 x`: `x = 2^k m` with `m` in `[sqrt(2)/2, sqrt(2))` by integer operations on the float32
//!   bits, four lanes at once ([`Emitter::split_log_argument`]; `m` and `k` widen exactly), then
//!   `log2 m = s G(s^2)` with `s = (m - 1)/(m + 1)` (`|s| < 0.172`) and `G` a degree-4 polynomial
//!   ([`LOG2_G`], relative error `2^-37.8`), so `log2 x = fma(s, G, k)`.
//! - `2^t`: `t = n + r` (`n = round(t)` by a magic constant, `|r| <= 1/2`, exact),
//!   `2^r = 1 + r Q(r)` with `Q` of degree 5 ([`EXP2_Q`], relative error `2^-27.6`, 0.08 float32
//!   ulp), and `n` added to the exponent bits of that.
//!
//! The result before the float32 rounding is within about `2^-27` relative, so the float32 result
//! is within 0.6 ulp of the exact value (`tests/pow.rs`: within 1 ulp of float64 `pow` rounded,
//! within 2 of the scalar `powf` of `semantics`). Overflow to `inf` and underflow to subnormals
//! and zero come from the final `fvdemote`: the hot path covers every `|t| < 1000`.
//!
//! Hot path: every lane with `x` normal, positive and finite and `|t| < 1000` (one branch per
//! f32x4, no select). Everything else (subnormal, zero, negative, infinite or NaN `x`, infinite or
//! NaN `y`, huge `|t|`) takes one cold block that recomputes the vector from the widened `x` with
//! the C99 / IEEE special cases as selects ([`Emitter::pow_general_f64`]). The loop is bound by
//! instruction throughput, not latency (interleaved groups and Estrin's scheme did not help;
//! `bench/README.md`), hence the lockstep halves of [`Emitter::pow_hot_halves`].

use super::exp_log::{LOG_F32, LOG_F64};
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
        // x = 2^k m on the float32 bits, four lanes at once (right for normal x; subnormals go
        // cold); m and k are exact in float32 and widen exactly.
        let (m, k) = self.split_log_argument(x, &LOG_F32);
        let (mh, kh, yh) = (
            self.f32x4_halves(m),
            self.f32x4_halves(k),
            self.f32x4_halves(y),
        );
        let (hot, ts) = self.pow_hot_halves(mh, kh, yh);
        let hot = self.f64x2_pair_to_f32x4(hot[0], hot[1]);

        // Every lane: x normal positive finite and |t| < HOT_T (NaN fails each compare; an
        // infinite or NaN y makes t infinite or NaN: x is finite and nonzero here, and t is NaN
        // for x = 1, whose log2 is 0). One `vall_true` of both masks: a 64-bit lane's mask is two
        // equal 32-bit lane masks.
        let tiny = self.vfc(t32, f32::MIN_POSITIVE as f64);
        let inf = self.vfc(t32, f64::INFINITY);
        let xpos = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, x, tiny);
        let xfin = self.b.ins().fcmp(FloatCC::LessThan, x, inf);
        let ok = self.b.ins().band(xpos, xfin);
        // |t| by one mask made for both halves (`fabs` makes its mask at every use).
        let abs_mask = self.vsplat_bits(types::F64X2, !(1u64 << 63));
        let lim = self.vfc(types::F64X2, HOT_T);
        let okt = ts.map(|t| {
            let at = self.b.ins().band(t, abs_mask);
            self.b.ins().fcmp(FloatCC::LessThan, at, lim)
        });
        let okt = self.b.ins().band(okt[0], okt[1]);
        let okt = self.bitcast(types::I32X4, okt);
        let ok = self.b.ins().band(ok, okt);
        let all = self.b.ins().vall_true(ok);
        self.hot_or_cold(&[hot], all, false, |s| {
            let xh = s.f32x4_halves(x);
            let r0 = s.pow_general_f64(xh[0], yh[0]);
            let r1 = s.pow_general_f64(xh[1], yh[1]);
            vec![s.f64x2_pair_to_f32x4(r0, r1)]
        })[0]
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

    /// The hot path of both halves in lockstep: `2^(y (k + log2 m))` and `t = y (k + log2 m)`.
    /// Each constant is made once for both halves (at `opt_level=none` nothing merges repeated
    /// constants: every use would be a load), the polynomial steps keep the accumulator as the
    /// tied operand of `fma` (no register copy of `z` or `r` per step), and `2^n` is added to the
    /// exponent bits with an integer add instead of a multiplication: the loop is bound by
    /// instruction throughput, not latency.
    fn pow_hot_halves(
        &mut self,
        m: [Value; 2],
        k: [Value; 2],
        y: [Value; 2],
    ) -> ([Value; 2], [Value; 2]) {
        let ty = types::F64X2;
        let one = self.vfc(ty, 1.0);
        let f = m.map(|v| self.b.ins().fsub(v, one));
        let den = m.map(|v| self.b.ins().fadd(v, one));
        let s = [0, 1].map(|h| self.b.ins().fdiv(f[h], den[h]));
        let z = s.map(|v| self.b.ins().fmul(v, v));
        let g = self.horner_pair(z, &LOG2_G);
        let l = [0, 1].map(|h| self.mul_add(s[h], g[h], k[h]));
        let t = [0, 1].map(|h| self.b.ins().fmul(y[h], l[h]));
        // n = round(t) (adding 1.5 2^52 leaves no fraction bits), r = t - n exactly.
        let fl = FloatLayout::of(ty);
        let magic = self.vfc(ty, 1.5 * fl.two_p);
        let v = t.map(|x| self.b.ins().fadd(x, magic));
        let n = v.map(|x| self.b.ins().fsub(x, magic));
        let r = [0, 1].map(|h| self.b.ins().fsub(t[h], n[h]));
        let q = self.horner_pair(r, &EXP2_Q);
        let p = [0, 1].map(|h| self.mul_add(q[h], r[h], one));
        // v's low mantissa bits hold n (two's complement): shifted to the exponent field and
        // added to p's bits, they scale p by 2^n (|n| < 1000 and p in [0.7, 1.5]: no overflow of
        // the field).
        let sh = self.iconst(types::I32, fl.p);
        let it = ty.as_int();
        let res = [0, 1].map(|h| {
            let vb = self.bitcast(it, v[h]);
            let e = self.b.ins().ishl(vb, sh);
            let pb = self.bitcast(it, p[h]);
            let sum = self.b.ins().iadd(pb, e);
            self.bitcast(ty, sum)
        });
        (res, t)
    }

    /// Horner's scheme on two vectors at once, each constant made once; `fma(p, v, c)` keeps the
    /// accumulator `p` as the operand x64 overwrites.
    fn horner_pair(&mut self, v: [Value; 2], cs: &[f64]) -> [Value; 2] {
        let t = self.b.func.dfg.value_type(v[0]);
        let last = self.vfc(t, cs[cs.len() - 1]);
        let mut p = [last, last];
        for &c in cs[..cs.len() - 1].iter().rev() {
            let cv = self.vfc(t, c);
            p = [0, 1].map(|h| self.mul_add(p[h], v[h], cv));
        }
        p
    }

    /// `log2 x` of an f64x2 of positive normal finite lanes (other lanes: garbage), to `2^-37`
    /// relative.
    fn log2_positive_f64(&mut self, x: Value) -> Value {
        let (m, k) = self.split_log_argument(x, &LOG_F64);
        self.log2_mantissa_f64(m, k)
    }

    /// `k + log2 m` for `m` in `[sqrt(2)/2, sqrt(2))` (f64x2), to `2^-37` relative.
    fn log2_mantissa_f64(&mut self, m: Value, k: Value) -> Value {
        let t = self.b.func.dfg.value_type(m);
        let one = self.vfc(t, 1.0);
        let f = self.b.ins().fsub(m, one);
        let den = self.b.ins().fadd(m, one);
        let s = self.b.ins().fdiv(f, den);
        let z = self.b.ins().fmul(s, s);
        // Horner, not Estrin: the loop is bound by the multiply pipes, not by latency.
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
