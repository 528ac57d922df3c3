//! Inline vector `pow` for f32x4: each half of the vector is widened to f64x2 (exactly), `|x|^y` is
//! `exp(y log|x|)` there with the inline f64 `log` and `exp` of `exp_log` (relative error about
//! 2^-44 over the whole f32 range, since `|y log|x||` stays below about 104 where the f32 result is
//! finite and non-zero), and the result is rounded back to f32 once. As musl's and glibc's `powf`
//! do, the float32 op is computed in double precision: it is the cheapest way to a float32 `pow`
//! within 1 ulp, since a float32 `log` alone would lose `|y log|x||` times its ulp.
//!
//! IEEE/C99 special cases, exact (selected at the end, in f64, before the rounding):
//! `pow(x, +-0) = 1` and `pow(1, y) = 1` even for NaN; `pow(-1, +-inf) = 1`; a negative base
//! (`-0` and `-inf` included) with an odd integer exponent negates `|x|^y`; a finite negative base
//! with a finite non-integer exponent is NaN; zeros, infinities and `|x| <> 1` with infinite `y`
//! follow from `log(0) = -inf`, `log(inf) = inf` and `exp`'s overflow/underflow (`+-inf` in the
//! product give `inf` or `+0`); any other NaN operand gives NaN.
//!
//! float64 `pow` still runs the scalar routine per lane (it would need `log` in double-double).

use super::Emitter;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, ConstantData, InstBuilder, Value};

impl Emitter<'_, '_> {
    /// `pow(x, y)` for f32x4 `x` and `y`, inline (see the module docs).
    pub(super) fn vector_pow_f32(&mut self, x: Value, y: Value) -> Value {
        let (xl, xh) = self.f32x4_halves(x);
        let (yl, yh) = self.f32x4_halves(y);
        let rl = self.pow_f64x2(xl, yl);
        let rh = self.pow_f64x2(xh, yh);
        let rl = self.b.ins().fvdemote(rl);
        let rh = self.b.ins().fvdemote(rh);
        // lanes 0, 1 of each demoted vector: the low 8 bytes of `rl`, then those of `rh`
        let mask: Vec<u8> = (0..8).chain(16..24).collect();
        self.shuffle_bytes(rl, rh, &mask, types::F32X4)
    }

    /// `(lanes 0, 1; lanes 2, 3)` of an f32x4 as two f64x2 (exact).
    fn f32x4_halves(&mut self, v: Value) -> (Value, Value) {
        let lo = self.b.ins().fvpromote_low(v);
        let mask: Vec<u8> = (8..16).chain(0..8).collect();
        let swapped = self.shuffle_bytes(v, v, &mask, types::F32X4);
        let hi = self.b.ins().fvpromote_low(swapped);
        (lo, hi)
    }

    /// The bytes `mask[i]` of `a ++ b` (32 bytes), as a vector of type `t`.
    fn shuffle_bytes(&mut self, a: Value, b: Value, mask: &[u8], t: types::Type) -> Value {
        let a8 = self.bitcast(types::I8X16, a);
        let b8 = self.bitcast(types::I8X16, b);
        let imm = self
            .b
            .func
            .dfg
            .immediates
            .push(ConstantData::from(mask.to_vec()));
        let r = self.b.ins().shuffle(a8, b8, imm);
        self.bitcast(t, r)
    }

    /// `pow(x, y)` in f64x2 with every special case (see the module docs); within about 2^-44
    /// relative of the exact value where the float32 result is finite.
    fn pow_f64x2(&mut self, x: Value, y: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let ax = self.b.ins().fabs(x);
        let l = self.vector_log(ax);
        let p = self.b.ins().fmul(y, l);
        let r = self.vector_exp(p);

        // y an integer (infinities count as even integers), and odd
        let ty_ = self.b.ins().trunc(y);
        let is_int = self.b.ins().fcmp(FloatCC::Equal, ty_, y);
        let half = self.vfc(t, 0.5);
        let hy = self.b.ins().fmul(y, half);
        let thy = self.b.ins().trunc(hy);
        let half_frac = self.b.ins().fcmp(FloatCC::NotEqual, thy, hy);
        let odd = self.b.ins().band(is_int, half_frac);

        // a negative base (sign bit set): odd y negates, non-integer finite y with finite x < 0 is NaN
        let zero = self.vfc(t, 0.0);
        let it = t.as_int();
        let xb = self.bitcast(it, x);
        let zi = self.vsplat_bits(it, 0);
        let neg_sign = self.b.ins().icmp(IntCC::SignedLessThan, xb, zi);
        let flip = self.b.ins().band(neg_sign, odd);
        let nr = self.b.ins().fneg(r);
        let r = self.sel(flip, nr, r);
        let inf = self.vfc(t, f64::INFINITY);
        let ninf = self.vfc(t, f64::NEG_INFINITY);
        let x_neg = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
        let x_fin = self.b.ins().fcmp(FloatCC::GreaterThan, x, ninf);
        let ay = self.b.ins().fabs(y);
        let y_fin = self.b.ins().fcmp(FloatCC::LessThan, ay, inf);
        let not_int = self.b.ins().bnot(is_int);
        let bad = self.b.ins().band(x_neg, x_fin);
        let bad = self.b.ins().band(bad, y_fin);
        let bad = self.b.ins().band(bad, not_int);
        let nan = self.vfc(t, f64::NAN);
        let r = self.sel(bad, nan, r);

        // 1 for y = +-0, x = 1, and x = -1 with infinite y
        let one = self.vfc(t, 1.0);
        let y0 = self.b.ins().fcmp(FloatCC::Equal, y, zero);
        let x1 = self.b.ins().fcmp(FloatCC::Equal, x, one);
        let m1 = self.vfc(t, -1.0);
        let xm1 = self.b.ins().fcmp(FloatCC::Equal, x, m1);
        let y_inf = self.b.ins().fcmp(FloatCC::Equal, ay, inf);
        let m1_inf = self.b.ins().band(xm1, y_inf);
        let is_one = self.b.ins().bor(y0, x1);
        let is_one = self.b.ins().bor(is_one, m1_inf);
        self.sel(is_one, one, r)
    }
}
