//! Inline vector `log1p` for f64x2 and f32x4 (fdlibm's `s_log1p.c`, branch-free): `u = 1 + x` split
//! as `2^k (1 + f)` with `1 + f` in `[sqrt(2)/2, sqrt(2))` by the bit operations of the inline
//! `log`; the rounding error of `u` comes back as `c = (k > 0 ? 1 - (u - x) : x - (u - 1)) / u`,
//! and where `k = 0` `f` is `x` itself (no rounding at all); then `log(1 + f)` by `log`'s
//! polynomial in `s = f / (2 + f)`. `-1` gives `-inf`, below it NaN, `+inf` itself, tiny `|x|`
//! (signed zeros, subnormals) `x`. Error: within 2 ulp of `lazulite_ir::semantics`
//! (tests/log1p.rs).

use super::exp_log::{LOG_F32, LOG_F64};
use super::{Emitter, FloatLayout};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

impl Emitter<'_, '_> {
    pub(super) fn vector_log1p(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let k = if fl.p == 52 { &LOG_F64 } else { &LOG_F32 };
        let one = self.vfc(t, 1.0);
        let u = self.b.ins().fadd(one, x);
        let (m, dk) = self.split_log_argument(u, k);
        let fu = self.b.ins().fsub(m, one);

        // c: the rounding error of u relative to u (0 where k = 0, and f = x there)
        let ux = self.b.ins().fsub(u, x);
        let c_pos = self.b.ins().fsub(one, ux);
        let u1 = self.b.ins().fsub(u, one);
        let c_neg = self.b.ins().fsub(x, u1);
        let zero = self.vfc(t, 0.0);
        let kpos = self.b.ins().fcmp(FloatCC::GreaterThan, dk, zero);
        let c = self.sel(kpos, c_pos, c_neg);
        let c = self.b.ins().fdiv(c, u);
        let k0 = self.b.ins().fcmp(FloatCC::Equal, dk, zero);
        let c = self.sel(k0, zero, c);
        let f = self.sel(k0, x, fu);

        let (hfsq, s, rr) = self.log_kernel(k, f);
        // k ln2_hi - ((hfsq - (s (hfsq + R) + (k ln2_lo + c))) - f)
        let a = self.b.ins().fadd(hfsq, rr);
        let a = self.b.ins().fmul(s, a);
        let c_lo = self.vfc(t, k.ln2_lo);
        let klo = self.mul_add(dk, c_lo, c);
        let a = self.b.ins().fadd(a, klo);
        let a = self.b.ins().fsub(hfsq, a);
        let a = self.b.ins().fsub(a, f);
        let c_hi = self.vfc(t, k.ln2_hi);
        // dk ln2_hi is exact: fused or not, the difference rounds once.
        let na = self.b.ins().fneg(a);
        let r = self.mul_add(dk, c_hi, na);

        let m1 = self.vfc(t, -1.0);
        let below = self.b.ins().fcmp(FloatCC::LessThan, x, m1);
        let nan = self.vfc(t, f64::NAN);
        let r = self.sel(below, nan, r);
        let is_m1 = self.b.ins().fcmp(FloatCC::Equal, x, m1);
        let ninf = self.vfc(t, f64::NEG_INFINITY);
        let r = self.sel(is_m1, ninf, r);
        let inf = self.vfc(t, f64::INFINITY);
        let isinf = self.b.ins().fcmp(FloatCC::Equal, x, inf);
        let r = self.sel(isinf, inf, r);
        let ax = self.b.ins().fabs(x);
        let tiny = self.vfc(
            t,
            if fl.p == 52 {
                2f64.powi(-54)
            } else {
                2f64.powi(-25)
            },
        );
        let small = self.b.ins().fcmp(FloatCC::LessThan, ax, tiny);
        let r = self.sel(small, x, r);
        let isnan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(isnan, x, r)
    }
}
