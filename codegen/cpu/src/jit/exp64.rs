//! Inline float64 `exp` on f64x2 without a division: `x = n ln2 + r` (`|r| <= ln2/2`, `n ln2` in
//! two parts), `exp(r) = 1 + r + r^2 q(r)` with `q` a degree-10 polynomial (by Estrin's scheme: a
//! short dependency chain), and one multiplication by `2^n` when every lane is well inside the normal range (`|x| < 708`, the hot path: no select);
//! otherwise a cold block scales by two power-of-two factors (subnormal results round once) and
//! selects overflow, underflow and NaN. Both paths share `1 + r + r^2 q(r)`, so a lane's result
//! does not depend on its neighbour.
//!
//! `q` interpolates `(exp(r) - 1 - r) / r^2` at the 10 Chebyshev nodes of `[-a, a]`, `a` = 1.001
//! `ln2/2`, with `q(0) = 1/2` exact (fitted in exact rational arithmetic, coefficients rounded to
//! float64): its relative error on `[-a, a]` is below `1e-18` (0.009 ulp), so the result's error
//! is that of the reduction and of the last few roundings, below 1 ulp (fdlibm's rational form,
//! which this replaces for float64, needs a division, the slowest f64x2 instruction on the path).

use super::exp_log::EXP_F64;
use super::{Emitter, FloatLayout};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

/// `q(r) = Q[0] + r (Q[1] + r (...))`, `exp(r) ~ 1 + r + r^2 q(r)` (`Q[0]` = 1/2).
const Q: [f64; 11] = [
    f64::from_bits(0x3fe0_0000_0000_0000),
    f64::from_bits(0x3fc5_5555_5555_5556),
    f64::from_bits(0x3fa5_5555_5555_5555),
    f64::from_bits(0x3f81_1111_1111_09a6),
    f64::from_bits(0x3f56_c16c_16c1_67da),
    f64::from_bits(0x3f2a_01a0_1a7c_ebcd),
    f64::from_bits(0x3efa_01a0_1a48_116f),
    f64::from_bits(0x3ec7_1de0_d852_93b8),
    f64::from_bits(0x3e92_7e4e_1dcf_773b),
    f64::from_bits(0x3e5a_f390_ba7e_6f47),
    f64::from_bits(0x3e21_f671_7774_d5e0),
];

impl Emitter<'_, '_> {
    /// `exp(x)` of an f64x2 (see the module documentation).
    pub(super) fn vector_exp_f64(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        // n = round(x / ln2): adding 1.5 * 2^52 leaves no fraction bits.
        let magic = self.vfc(t, 1.5 * fl.two_p);
        let inv = self.vfc(t, std::f64::consts::LOG2_E);
        let v = self.mul_add(x, inv, magic);
        let n = self.b.ins().fsub(v, magic);
        // r = (x - n ln2_hi) - n ln2_lo; the first step is exact, fused or not.
        let c_hi = self.vfc(t, EXP_F64.ln2_hi);
        let c_lo = self.vfc(t, EXP_F64.ln2_lo);
        let hi = self.neg_mul_add(n, c_hi, x);
        let r = self.neg_mul_add(n, c_lo, hi);
        let r2 = self.b.ins().fmul(r, r);
        let q = self.estrin(r, r2, &Q);
        let p = self.mul_add(r2, q, r);
        let one = self.vfc(t, 1.0);
        let y = self.b.ins().fadd(one, p);

        let ax = self.b.ins().fabs(x);
        // Below 708, `n` is within `[-1022, 1022]`: `2^n` is one normal float and `exp(x)` neither
        // overflows nor underflows. Ordered: a NaN lane is not inside, so it takes the cold block.
        let lim = self.vfc(t, EXP_F64.fast);
        let inside = self.b.ins().fcmp(FloatCC::LessThan, ax, lim);
        let all_inside = self.b.ins().vall_true(inside);
        let var = self.b.declare_var(t);
        let s = self.exp2_int(n);
        let hot = self.b.ins().fmul(y, s);
        self.b.def_var(var, hot);
        let cold = self.b.create_block();
        let merge = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(all_inside, merge, &[], cold, &[]);

        self.b.switch_to_block(cold);
        // Two factors of 2^n; the lanes past the thresholds (and NaN) are selected below.
        let res = self.scale_by_two_factors(y, n, magic);
        let res = self.exp_special_values(x, res, &EXP_F64);
        self.b.def_var(var, res);
        self.b.ins().jump(merge, &[]);

        self.b.switch_to_block(merge);
        self.b.use_var(var)
    }

    /// `cs[0] + r cs[1] + r^2 cs[2] + ...` by Estrin's scheme (`r2 = r^2` given): pairs `cs[i] + r
    /// cs[i+1]`, then pairs of those with `r^2`, `r^4`, ...: a chain of about `log2(cs.len())`
    /// multiply-adds instead of Horner's `cs.len() - 1`, so that one vector's `exp` leaves the
    /// out-of-order core room for the next iteration's.
    fn estrin(&mut self, r: Value, r2: Value, cs: &[f64]) -> Value {
        let t = self.b.func.dfg.value_type(r);
        let mut level: Vec<Value> = cs
            .chunks(2)
            .map(|p| {
                let c0 = self.vfc(t, p[0]);
                match p {
                    [_, c1] => {
                        let c1 = self.vfc(t, *c1);
                        self.mul_add(r, c1, c0)
                    }
                    _ => c0,
                }
            })
            .collect();
        let mut power = r2;
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|p| match p {
                    [lo, hi] => self.mul_add(power, *hi, *lo),
                    _ => p[0],
                })
                .collect();
            if level.len() > 1 {
                power = self.b.ins().fmul(power, power);
            }
        }
        level[0]
    }
}
