//! Inline vector `expm1`, `sinh` and `cosh` for f64x2 and f32x4 (each dtype in its own lane type).
//! The algorithms are fdlibm's (`s_expm1.c`, `e_sinh.c`, `e_cosh.c`) made branch-free: every case
//! is computed and the right one selected per lane.
//!
//! - `expm1`: `x = k ln2 + r` (`k ln2` in two parts, the rounding error of `r` kept in `c`), a
//!   rational approximation of `expm1(r)` built on `r^2/2`, then per `k` the form that avoids
//!   cancellation (`k = 0`, `k = +-1`, `2 <= k < mid_k`, `mid_k <= k <= 56`, else `2^k (1 + ...) -
//!   1`), scaled by `2^k` as two power-of-two factors;
//! - `sinh`, `cosh`: from `expm1` near zero (no cancellation) and `exp` further out; past
//!   `hyp_switch` `sinh`/`cosh` are `exp(|x|) / 2` with the halving in the exponent, which stays
//!   finite through the band where `exp` alone would overflow.
//!
//! Special cases (NaN, infinities, signed zeros, overflow to infinity, saturation to -1) are
//! selected at the end. Error: within 2 ulp of `lazulite_ir::semantics` (tests/hyperbolic.rs).
//!
//! `tanh`: fdlibm's `-t/(t + 2)` with `t = expm1(-2|x|)` reaches 3 ulp for `|x| < 1` (the error
//! of `t` lands in a result of a smaller binade), so below `TANH_SWITCH` (where `tanh` is just past
//! 1/2) it is an odd polynomial of its own, `|x| + |x|^3 P(x^2)`, and above it `1 - 2/(t + 2)` with
//! `t = expm1(2|x|)` (the quotient is below 1/2, so its error is at most half an ulp of the result);
//! the sign is copied from `x` at the end, which also keeps `tanh(-0) = -0`.

use super::exp_log::{EXP_F32, EXP_F64};
use super::{Emitter, FloatLayout};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use lazulite_ir::UnaryOp;

/// fdlibm's `s_expm1.c` coefficients: `r1 = 1 + hxs (q[0] + hxs (q[1] + ...))`, `hxs = r^2/2`.
const EXPM1_Q: [f64; 5] = [
    f64::from_bits(0xbfa1_1111_1111_10f4),
    f64::from_bits(0x3f5a_01a0_19fe_5585),
    f64::from_bits(0xbf14_ce19_9eaa_dbb7),
    f64::from_bits(0x3ed0_cfca_86e6_5239),
    f64::from_bits(0xbe8a_fdb7_6e09_c32d),
];

/// Per lane type: the thresholds of fdlibm's double and float versions.
struct HypConsts {
    /// `expm1(x)` is `-1` after rounding below this.
    expm1_floor: f64,
    /// `|x|` below this: `expm1` returns `x`.
    expm1_tiny: f64,
    /// `|x|` below this: `sinh` returns `x`.
    tiny: f64,
    /// `expm1`'s switch between its two middle forms.
    mid_k: f64,
    /// `sinh`/`cosh` use `expm1`/`exp(x)` and `exp(-x)` below this, `exp(|x|)/2` above.
    hyp_switch: f64,
    /// Past `exp`'s overflow, `sinh` and `cosh` stay finite up to this.
    hyp_overflow: f64,
}

const HYP_F64: HypConsts = HypConsts {
    expm1_floor: -38.816_242_111_356_935,        // -56 ln2
    expm1_tiny: 5.551_115_123_125_783e-17,       // 2^-54
    tiny: f64::from_bits(0x3e30_0000_0000_0000), // 2^-28
    mid_k: 20.0,
    hyp_switch: 22.0,
    hyp_overflow: 710.475_860_073_943_9,
};

const HYP_F32: HypConsts = HypConsts {
    expm1_floor: -17.328_679_513_998_633,              // -25 ln2
    expm1_tiny: f64::from_bits(0x3e60_0000_0000_0000), // 2^-25
    tiny: f64::from_bits(0x3f30_0000_0000_0000),       // 2^-12
    mid_k: 23.0,
    hyp_switch: 9.0,
    hyp_overflow: 89.415_985,
};

/// `tanh` uses its polynomial below this and `expm1` above (`tanh(0.55) = 0.5005...`).
const TANH_SWITCH: f64 = 0.55;

/// `tanh(x) = x + x^3 P(x^2)` on `|x| <= TANH_SWITCH`: near-minimax (Chebyshev) fits of
/// `(tanh(s) - s)/s^3` in `u = s^2` on `[0, 0.55^2]`, by mpmath 1.3 at 200 bits:
/// `mpmath.chebyfit(g, [0, mpf('0.55')**2], N)` with `N = 11` (f64; fit error 2.7e-16 of `P`,
/// 3e-18 relative to `tanh`) and `N = 5` (f32; 1.3e-8 of `P`, 4e-9 relative), coefficients rounded
/// to the lane type, lowest degree first.
const TANH_P_F64: [f64; 11] = [
    f64::from_bits(0xbfd5_5555_5555_5555),
    f64::from_bits(0x3fc1_1111_1111_1032),
    f64::from_bits(0xbfab_a1ba_1b9f_ec84),
    f64::from_bits(0x3f96_64f4_8771_3373),
    f64::from_bits(0xbf82_26e3_2f00_cf0c),
    f64::from_bits(0x3f6d_6d33_9333_f329),
    f64::from_bits(0xbf57_d97c_fd13_8c28),
    f64::from_bits(0x3f43_4c5a_8a99_6cd4),
    f64::from_bits(0xbf2e_c109_1436_eb2a),
    f64::from_bits(0x3f16_4fd8_8e99_00a5),
    f64::from_bits(0xbef5_9a83_4187_ce22),
];

const TANH_P_F32: [f64; 5] = [
    f32::from_bits(0xbeaa_aaaa) as f64,
    f32::from_bits(0x3e08_87f5) as f64,
    f32::from_bits(0xbd5c_d022) as f64,
    f32::from_bits(0x3cae_9107) as f64,
    f32::from_bits(0xbbd8_9a9c) as f64,
];

impl Emitter<'_, '_> {
    /// `expm1`, `sinh`, `cosh` or `tanh` of a float vector (f64x2 or f32x4), inline.
    pub(super) fn vector_hyperbolic(&mut self, op: UnaryOp, x: Value) -> Value {
        match op {
            UnaryOp::Expm1 => self.vector_expm1(x),
            UnaryOp::Sinh => self.vector_sinh(x),
            UnaryOp::Tanh => self.vector_tanh(x),
            _ => self.vector_cosh(x),
        }
    }

    fn hyp_consts(&self, t: types::Type) -> &'static HypConsts {
        if t.lane_type() == types::F32 {
            &HYP_F32
        } else {
            &HYP_F64
        }
    }

    /// `expm1(x)` for every `x` (the special cases selected at the end).
    fn vector_expm1(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let res = self.expm1_core(x);
        let hc = self.hyp_consts(t);
        let ek = if t.lane_type() == types::F32 {
            &EXP_F32
        } else {
            &EXP_F64
        };
        let ovf = self.vfc(t, ek.overflow);
        let big = self.b.ins().fcmp(FloatCC::GreaterThan, x, ovf);
        let inf = self.vfc(t, f64::INFINITY);
        let res = self.sel(big, inf, res);
        let floor = self.vfc(t, hc.expm1_floor);
        let low = self.b.ins().fcmp(FloatCC::LessThan, x, floor);
        let m1 = self.vfc(t, -1.0);
        let res = self.sel(low, m1, res);
        let ax = self.b.ins().fabs(x);
        let tiny = self.vfc(t, hc.expm1_tiny);
        let small = self.b.ins().fcmp(FloatCC::LessThan, ax, tiny);
        let res = self.sel(small, x, res);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(nan, x, res)
    }

    /// `expm1(x)` for finite `x` in `[expm1_floor, overflow]` (garbage elsewhere).
    fn expm1_core(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let ek = if fl.p == 52 { &EXP_F64 } else { &EXP_F32 };
        let hc = self.hyp_consts(t);
        // k = round(x / ln2); r + c = x - k ln2 (r rounded, c its error).
        let magic = self.vfc(t, 1.5 * fl.two_p);
        let inv = self.vfc(t, std::f64::consts::LOG2_E);
        let v = self.mul_add(x, inv, magic);
        let k = self.b.ins().fsub(v, magic);
        let c_hi = self.vfc(t, ek.ln2_hi);
        let c_lo = self.vfc(t, ek.ln2_lo);
        // k ln2_hi is exact: fused or not, hi rounds once.
        let hi = self.neg_mul_add(k, c_hi, x);
        let lo = self.b.ins().fmul(k, c_lo);
        let r = self.b.ins().fsub(hi, lo);
        let c = self.b.ins().fsub(hi, r);
        let c = self.b.ins().fsub(c, lo);

        let half = self.vfc(t, 0.5);
        let one = self.vfc(t, 1.0);
        let two = self.vfc(t, 2.0);
        let hfx = self.b.ins().fmul(half, r);
        let hxs = self.b.ins().fmul(r, hfx);
        let q = self.horner(hxs, &EXPM1_Q);
        let r1 = self.mul_add(hxs, q, one);
        let three = self.vfc(t, 3.0);
        let tt = self.neg_mul_add(r1, hfx, three);
        let six = self.vfc(t, 6.0);
        let den = self.neg_mul_add(r, tt, six);
        let num = self.b.ins().fsub(r1, tt);
        let e = self.b.ins().fdiv(num, den);
        let e = self.b.ins().fmul(hxs, e);

        // k = 0: r - (r e - hxs)
        let re = self.b.ins().fmul(r, e);
        let a = self.b.ins().fsub(re, hxs);
        let res0 = self.b.ins().fsub(r, a);
        // e2 = (r (e - c) - c) - hxs
        let ec = self.b.ins().fsub(e, c);
        let e2 = self.b.ins().fmul(r, ec);
        let e2 = self.b.ins().fsub(e2, c);
        let e2 = self.b.ins().fsub(e2, hxs);
        let e2r = self.b.ins().fsub(e2, r);
        // k = -1: (r - e2)/2 - 1/2
        let d = self.b.ins().fsub(r, e2);
        let m = self.b.ins().fmul(half, d);
        let resm1 = self.b.ins().fsub(m, half);
        // k = 1: r < -1/4 ? -2 (e2 - (r + 1/2)) : 1 + 2 (r - e2)
        let rh = self.b.ins().fadd(r, half);
        let a = self.b.ins().fsub(e2, rh);
        let m2 = self.vfc(t, -2.0);
        let lo1 = self.b.ins().fmul(m2, a);
        let a = self.b.ins().fmul(two, d);
        let hi1 = self.b.ins().fadd(one, a);
        let quarter = self.vfc(t, -0.25);
        let neg = self.b.ins().fcmp(FloatCC::LessThan, r, quarter);
        let resp1 = self.sel(neg, lo1, hi1);
        // 2^k as two factors (k up to 1024 and down to -56 stay in range), and 2^-k
        let kh = self.mul_add(k, half, magic);
        let k1 = self.b.ins().fsub(kh, magic);
        let k2 = self.b.ins().fsub(k, k1);
        let s1 = self.exp2_int(k1);
        let s2 = self.exp2_int(k2);
        let nk = self.b.ins().fneg(k);
        let sinv = self.exp2_int(nk);
        // k <= -2 or k > 56: (1 - (e2 - r)) 2^k - 1
        let y = self.b.ins().fsub(one, e2r);
        let y = self.b.ins().fmul(y, s1);
        let y = self.b.ins().fmul(y, s2);
        let resbig = self.b.ins().fsub(y, one);
        // 2 <= k < mid_k: ((1 - 2^-k) - (e2 - r)) 2^k
        let tm = self.b.ins().fsub(one, sinv);
        let y = self.b.ins().fsub(tm, e2r);
        let y = self.b.ins().fmul(y, s1);
        let resmid = self.b.ins().fmul(y, s2);
        // mid_k <= k <= 56: ((r - (e2 + 2^-k)) + 1) 2^k
        let a = self.b.ins().fadd(e2, sinv);
        let y = self.b.ins().fsub(r, a);
        let y = self.b.ins().fadd(y, one);
        let y = self.b.ins().fmul(y, s1);
        let reshi = self.b.ins().fmul(y, s2);

        let midk = self.vfc(t, hc.mid_k);
        let below_mid = self.b.ins().fcmp(FloatCC::LessThan, k, midk);
        let res = self.sel(below_mid, resmid, reshi);
        let m2k = self.vfc(t, -2.0);
        let kneg = self.b.ins().fcmp(FloatCC::LessThanOrEqual, k, m2k);
        let k56 = self.vfc(t, 56.0);
        let kbig = self.b.ins().fcmp(FloatCC::GreaterThan, k, k56);
        let far = self.b.ins().bor(kneg, kbig);
        let res = self.sel(far, resbig, res);
        let is1 = self.b.ins().fcmp(FloatCC::Equal, k, one);
        let res = self.sel(is1, resp1, res);
        let mone = self.vfc(t, -1.0);
        let ism1 = self.b.ins().fcmp(FloatCC::Equal, k, mone);
        let res = self.sel(ism1, resm1, res);
        let zero = self.vfc(t, 0.0);
        let is0 = self.b.ins().fcmp(FloatCC::Equal, k, zero);
        self.sel(is0, res0, res)
    }

    /// `min(a, b)` for non-NaN `b` (NaN `a` gives `b`; callers select NaN lanes afterwards).
    fn fmin_fast(&mut self, a: Value, b: Value) -> Value {
        let lt = self.b.ins().fcmp(FloatCC::LessThan, a, b);
        self.sel(lt, a, b)
    }

    /// `h e^|x|` (`h = +-1/2`) for `|x| >= hyp_switch`: `exp(|x|) / 2` with the halving in the
    /// exponent (finite past `exp`'s own overflow), infinity of `h`'s sign past `hyp_overflow`.
    fn exp_large(&mut self, h: Value, ax: Value) -> Value {
        let t = self.b.func.dfg.value_type(ax);
        let hc = self.hyp_consts(t);
        let e = self.exp_scaled(ax, -1.0);
        let res = self.copysign_v(e, h);
        let hovf = self.vfc(t, hc.hyp_overflow);
        let over = self.b.ins().fcmp(FloatCC::GreaterThan, ax, hovf);
        let inf = self.vfc(t, f64::INFINITY);
        let sinf = self.copysign_v(inf, h);
        self.sel(over, sinf, res)
    }

    /// `|a|` with the sign of `s`.
    pub(super) fn copysign_v(&mut self, a: Value, s: Value) -> Value {
        let t = self.b.func.dfg.value_type(a);
        let it = t.as_int();
        let flags = Self::vflags();
        let sign_bit = 1u64 << (it.lane_bits() - 1);
        let sm = self.vsplat_bits(it, sign_bit);
        let mm = self.vsplat_bits(it, !sign_bit & (u64::MAX >> (64 - it.lane_bits())));
        let ai = self.b.ins().bitcast(it, flags, a);
        let si = self.b.ins().bitcast(it, flags, s);
        let am = self.b.ins().band(ai, mm);
        let ss = self.b.ins().band(si, sm);
        let r = self.b.ins().bor(am, ss);
        self.b.ins().bitcast(t, flags, r)
    }

    fn vector_sinh(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let hc = self.hyp_consts(t);
        let ax = self.b.ins().fabs(x);
        let half = self.vfc(t, 0.5);
        let h = self.copysign_v(half, x);
        // |x| < hyp_switch: h (2t - t^2/(t+1)) below 1, h (t + t/(t+1)) above, t = expm1(|x|)
        let sw = self.vfc(t, hc.hyp_switch);
        let a = self.fmin_fast(ax, sw);
        let tm = self.expm1_core(a);
        let one = self.vfc(t, 1.0);
        let t1 = self.b.ins().fadd(tm, one);
        let tt = self.b.ins().fmul(tm, tm);
        let q = self.b.ins().fdiv(tt, t1);
        let two = self.vfc(t, 2.0);
        let t2 = self.b.ins().fmul(two, tm);
        let lo = self.b.ins().fsub(t2, q);
        let q = self.b.ins().fdiv(tm, t1);
        let hi = self.b.ins().fadd(tm, q);
        let below1 = self.b.ins().fcmp(FloatCC::LessThan, ax, one);
        let m = self.sel(below1, lo, hi);
        let small = self.b.ins().fmul(h, m);
        let large = self.exp_large(h, ax);
        let is_small = self.b.ins().fcmp(FloatCC::LessThan, ax, sw);
        let res = self.sel(is_small, small, large);
        let tiny = self.vfc(t, hc.tiny);
        let tiny = self.b.ins().fcmp(FloatCC::LessThan, ax, tiny);
        let res = self.sel(tiny, x, res);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(nan, x, res)
    }

    fn vector_cosh(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let hc = self.hyp_consts(t);
        let ax = self.b.ins().fabs(x);
        let half = self.vfc(t, 0.5);
        let one = self.vfc(t, 1.0);
        // |x| < ln2/2: 1 + t^2 / (2 (1 + t)), t = expm1(|x|)
        let lim = self.vfc(t, std::f64::consts::LN_2 / 2.0);
        let a = self.fmin_fast(ax, lim);
        let tm = self.expm1_core(a);
        let w = self.b.ins().fadd(one, tm);
        let tt = self.b.ins().fmul(tm, tm);
        let ww = self.b.ins().fadd(w, w);
        let q = self.b.ins().fdiv(tt, ww);
        let near0 = self.b.ins().fadd(one, q);
        // |x| < hyp_switch: e/2 + 1/(2e), e = exp(|x|)
        let sw = self.vfc(t, hc.hyp_switch);
        let a = self.fmin_fast(ax, sw);
        let e = self.vector_exp(a);
        let he = self.b.ins().fmul(half, e);
        let ie = self.b.ins().fdiv(half, e);
        let mid = self.b.ins().fadd(he, ie);
        let large = self.exp_large(half, ax);
        let is_mid = self.b.ins().fcmp(FloatCC::LessThan, ax, sw);
        let res = self.sel(is_mid, mid, large);
        let is_near0 = self.b.ins().fcmp(FloatCC::LessThan, ax, lim);
        let res = self.sel(is_near0, near0, res);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(nan, x, res)
    }

    fn vector_tanh(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let f32 = t.lane_type() == types::F32;
        let ax = self.b.ins().fabs(x);
        // |x| <= TANH_SWITCH: |x| + |x| u P(u), u = x^2
        let u = self.b.ins().fmul(ax, ax);
        let p = self.horner(u, if f32 { &TANH_P_F32 } else { &TANH_P_F64 });
        let au = self.b.ins().fmul(ax, u);
        let near0 = self.mul_add(au, p, ax);
        // above: 1 - 2/(expm1(2|x|) + 2); |x| capped where tanh rounds to 1 with room to spare
        // (infinities included; NaN lanes are selected at the end)
        let cap = self.vfc(t, if f32 { 20.0 } else { 40.0 });
        let a = self.fmin_fast(ax, cap);
        let a2 = self.b.ins().fadd(a, a);
        let e = self.expm1_core(a2);
        let two = self.vfc(t, 2.0);
        let den = self.b.ins().fadd(e, two);
        let q = self.b.ins().fdiv(two, den);
        let one = self.vfc(t, 1.0);
        let far = self.b.ins().fsub(one, q);
        let sw = self.vfc(t, TANH_SWITCH);
        let is_near = self.b.ins().fcmp(FloatCC::LessThanOrEqual, ax, sw);
        let res = self.sel(is_near, near0, far);
        let res = self.copysign_v(res, x);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(nan, x, res)
    }
}
