//! Inline vector `exp` and `log` (fdlibm's `e_exp.c`, `e_expf.c`, `e_log.c`, `e_logf.c`, branch-free),
//! and the helpers the other vector math kernels share (splat constants, Horner, `2^n`).

use super::{Emitter, FloatLayout};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types::{self, Type};
use cranelift_codegen::ir::{ConstantData, InstBuilder, Value};
use lazulite_ir::UnaryOp;

/// Constants of the inline `exp` (fdlibm's `e_exp.c` and `e_expf.c`).
pub(super) struct ExpConsts {
    /// `ln 2` in two parts; `ln2_hi` has few enough significant bits that `k * ln2_hi` is exact.
    pub(super) ln2_hi: f64,
    pub(super) ln2_lo: f64,
    /// The rational approximation of `exp(r)` on `[-ln2/2, ln2/2]`: `c = r - r^2 * poly(r^2)`.
    pub(super) poly: &'static [f64],
    /// Above this the result overflows to `+inf`.
    pub(super) overflow: f64,
    /// Below this the result underflows to `+0`.
    pub(super) underflow: f64,
    /// `|x|` up to this takes the hot path of `exp`: `round(x log2(e))` stays within the normal
    /// exponents (`|k| <= bias - 1`), so `2^k` is one normal factor and `exp(x)` is normal.
    pub(super) fast: f64,
}

pub(super) const EXP_F64: ExpConsts = ExpConsts {
    ln2_hi: f64::from_bits(0x3fe6_2e42_fee0_0000),
    ln2_lo: f64::from_bits(0x3dea_39ef_3579_3c76),
    poly: &[
        f64::from_bits(0x3fc5_5555_5555_553e),
        f64::from_bits(0xbf66_c16c_16be_bd93),
        f64::from_bits(0x3f11_566a_af25_de2c),
        f64::from_bits(0xbebb_bd41_c5d2_6bf1),
        f64::from_bits(0x3e66_3769_72be_a4d0),
    ],
    overflow: f64::from_bits(0x4086_2e42_fefa_39ef),
    underflow: f64::from_bits(0xc087_4910_d52d_3051),
    // 708 log2(e) = 1021.4
    fast: 708.0,
};

pub(super) const EXP_F32: ExpConsts = ExpConsts {
    ln2_hi: f32::from_bits(0x3f31_7200) as f64,
    ln2_lo: f32::from_bits(0x35bf_be8e) as f64,
    poly: &[
        f32::from_bits(0x3e2a_aa8f) as f64,
        f32::from_bits(0xbb35_5215) as f64,
    ],
    // fdlibm: x >= 0x42b17218 overflows, x <= -0x42cff1b5 underflows to 0 (x < its neighbour).
    overflow: f32::from_bits(0x42b1_7217) as f64,
    underflow: f32::from_bits(0xc2cf_f1b4) as f64,
    // 87 log2(e) = 125.5
    fast: 87.0,
};

/// `exp(r) = 1 + r + r^2 P(r)` on `[-ln2/2, ln2/2]` in f32, `P` lowest degree first (Cephes'
/// `expf.c`).
const EXP_F32_POLY: [f64; 6] = [
    5.000_000_120_1e-1,
    1.666_666_545_9e-1,
    4.166_579_589_4e-2,
    8.333_451_907_3e-3,
    1.398_199_950_7e-3,
    1.987_569_150_0e-4,
];

/// Constants of the inline `log` (fdlibm's `e_log.c` and `e_logf.c`).
pub(super) struct LogConsts {
    pub(super) ln2_hi: f64,
    pub(super) ln2_lo: f64,
    /// `log(1+f) = f - hfsq + s*(hfsq + R)`, `R = z*(lg[0] + w*(lg[2] + ...)) + w*(lg[1] + w*(lg[3]
    /// + ...))` with `z = s^2`, `w = z^2`.
    pub(super) lg: &'static [f64],
    /// The bits of `sqrt(2)/2` rounded: mantissas from there up get exponent 0.
    pub(super) sqrt_half_bits: u64,
    /// Subnormals are scaled by `2^sub_shift` first.
    pub(super) sub_shift: i64,
}

pub(super) const LOG_F64: LogConsts = LogConsts {
    ln2_hi: f64::from_bits(0x3fe6_2e42_fee0_0000),
    ln2_lo: f64::from_bits(0x3dea_39ef_3579_3c76),
    lg: &[
        f64::from_bits(0x3fe5_5555_5555_5593),
        f64::from_bits(0x3fd9_9999_9997_fa04),
        f64::from_bits(0x3fd2_4924_9422_9359),
        f64::from_bits(0x3fcc_71c5_1d8e_78af),
        f64::from_bits(0x3fc7_4664_96cb_03de),
        f64::from_bits(0x3fc3_9a09_d078_c69f),
        f64::from_bits(0x3fc2_f112_df3e_5244),
    ],
    sqrt_half_bits: 0x3fe6_a09e_0000_0000,
    sub_shift: 54,
};

pub(super) const LOG_F32: LogConsts = LogConsts {
    ln2_hi: f32::from_bits(0x3f31_7180) as f64,
    ln2_lo: f32::from_bits(0x3717_f7d1) as f64,
    lg: &[
        f32::from_bits(0x3f2a_aaaa) as f64,
        f32::from_bits(0x3ecc_ce13) as f64,
        f32::from_bits(0x3e91_e9ee) as f64,
        f32::from_bits(0x3e78_9e26) as f64,
    ],
    sqrt_half_bits: 0x3f35_04f3,
    sub_shift: 25,
};

impl Emitter<'_, '_> {
    // ---- inline exp and log ----------------------------------------------------------------------

    /// A 128-bit constant of vector type `t` with every lane holding `bits`.
    pub(super) fn vsplat_bits(&mut self, t: Type, bits: u64) -> Value {
        let lb = t.lane_bits() as usize / 8;
        let mut bytes = Vec::with_capacity(16);
        for _ in 0..16 / lb {
            bytes.extend_from_slice(&bits.to_le_bytes()[..lb]);
        }
        let c = self.b.func.dfg.constants.insert(ConstantData::from(bytes));
        self.b.ins().vconst(t, c)
    }

    /// A splat float constant of vector type `t` (f64x2, or f32x4 with `v` rounded to f32).
    pub(super) fn vfc(&mut self, t: Type, v: f64) -> Value {
        if t.lane_type() == types::F32 {
            self.vsplat_bits(t, (v as f32).to_bits() as u64)
        } else {
            self.vsplat_bits(t, v.to_bits())
        }
    }

    /// `exp` or `log` of a float vector (f64x2 or f32x4), inline.
    pub(super) fn vector_exp_log(&mut self, op: UnaryOp, x: Value) -> Value {
        if op == UnaryOp::Exp {
            self.vector_exp(x)
        } else {
            self.vector_log(x)
        }
    }

    /// `2^n` for integer-valued float lanes `n` in the normal exponent range: `n + 2^p + bias` (`p`
    /// mantissa bits) holds the biased exponent in its low mantissa bits, which a shift moves into the
    /// exponent field.
    pub(super) fn exp2_int(&mut self, n: Value) -> Value {
        let t = self.b.func.dfg.value_type(n);
        let f = FloatLayout::of(t);
        let c = self.vfc(t, f.two_p + f.bias as f64);
        let v = self.b.ins().fadd(n, c);
        let flags = Self::vflags();
        let bits = self.b.ins().bitcast(t.as_int(), flags, v);
        let sh = self.iconst(types::I32, f.p);
        let e = self.b.ins().ishl(bits, sh);
        self.b.ins().bitcast(t, flags, e)
    }

    /// `a * b + c`: one `fma` (a single rounding) when the ISA has it, else `fmul` then `fadd`.
    /// Only where the algorithm does not rely on the product's rounding (a compensated sum does).
    pub(super) fn mul_add(&mut self, a: Value, b: Value, c: Value) -> Value {
        if self.fma {
            self.b.ins().fma(a, b, c)
        } else {
            let m = self.b.ins().fmul(a, b);
            self.b.ins().fadd(m, c)
        }
    }

    /// `c - a * b` (`fma(-a, b, c)`, which x64 lowers to one `vfnmadd`), else `fmul` then `fsub`.
    pub(super) fn neg_mul_add(&mut self, a: Value, b: Value, c: Value) -> Value {
        if self.fma {
            let na = self.b.ins().fneg(a);
            self.b.ins().fma(na, b, c)
        } else {
            let m = self.b.ins().fmul(a, b);
            self.b.ins().fsub(c, m)
        }
    }

    /// Horner's scheme: `cs[0] + v * (cs[1] + v * (...))`, each step a [`Self::mul_add`] whose first
    /// operand is the running value (x64's `vfmadd213` overwrites the first operand: a value that
    /// dies there needs no copy, `v` would need one per step).
    pub(super) fn horner(&mut self, v: Value, cs: &[f64]) -> Value {
        let t = self.b.func.dfg.value_type(v);
        let mut p = self.vfc(t, cs[cs.len() - 1]);
        for &c in cs[..cs.len() - 1].iter().rev() {
            let cv = self.vfc(t, c);
            p = self.mul_add(p, v, cv);
        }
        p
    }

    /// `exp(x)` for f64x2 (`exp64.rs`) and f32x4 (the algorithm of fdlibm's `e_expf.c`, error below
    /// 1 ulp; with FMA the hot path is [`Self::exp_poly_f32`]): `x = k ln2 + r` with `|r| <= ln2/2` (`k ln2` in two parts), a rational approximation of
    /// `exp(r)`, and the scaling by `2^k`. Hot path ([`Self::exp_fast`]): every lane's `|x|` at most
    /// [`ExpConsts::fast`], where `2^k` is a normal number built from the exponent bits directly and
    /// one product scales (no special values there: `exp(+-0) = 1` falls out). Otherwise (NaN,
    /// overflow, results near or below the subnormal range) the whole vector takes a cold block with
    /// the two-factor scaling and the special-value selects ([`Self::exp_full`]).
    pub(super) fn vector_exp(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        if fl.p == 52 {
            return self.vector_exp_f64(x);
        }
        let k = &EXP_F32;
        let fast = self.exp_fast(x);
        let ax = self.b.ins().fabs(x);
        let lim = self.vfc(t, k.fast);
        // true for NaN lanes: those go to the cold block too (`vany_true` of the compare is one
        // `ptest`; `vall_true` of its negation costs two more instructions)
        let out = self.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, ax, lim);
        let any_out = self.b.ins().vany_true(out);
        self.hot_or_cold(&[fast], any_out, true, |s| vec![s.exp_full(x)])[0]
    }

    /// The hot path of [`Self::vector_exp`], right for `|x| <= fast`: the rounding constant carries
    /// the exponent bias, so `2^k` is the rounded value's bits shifted into the exponent field.
    fn exp_fast(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let magic = 1.5 * fl.two_p + fl.bias as f64;
        let (v, y) = if self.fma && t.lane_type() == types::F32 {
            self.exp_poly_f32(x, magic)
        } else {
            let (v, _, y) = self.exp_reduced(x, magic);
            (v, y)
        };
        let bits = self.b.ins().bitcast(t.as_int(), Self::vflags(), v);
        let sh = self.iconst(types::I32, fl.p);
        let e = self.b.ins().ishl(bits, sh);
        let s = self.b.ins().bitcast(t, Self::vflags(), e);
        self.b.ins().fmul(y, s)
    }

    /// [`Self::exp_reduced`] for f32 with FMA, without its division: `r = x - k ln2` in two `fma`
    /// steps and `exp(r) = 1 + r + r^2 P(r)` with Cephes' degree-5 `P` ([`EXP_F32_POLY`]). A scalar
    /// model of the hot path over every f32 of `|x| <= 87` stayed within 1 ulp of the oracle.
    fn exp_poly_f32(&mut self, x: Value, magic_f: f64) -> (Value, Value) {
        let t = self.b.func.dfg.value_type(x);
        let magic = self.vfc(t, magic_f);
        let inv = self.vfc(t, std::f64::consts::LOG2_E);
        // (The first operand of each `fma` is the one x64 overwrites: a value that dies there.)
        let v = self.b.ins().fma(inv, x, magic);
        let n = self.b.ins().fsub(v, magic);
        let mut r = x;
        for c in [EXP_F32.ln2_hi, EXP_F32.ln2_lo] {
            let c = self.vfc(t, -c);
            r = self.b.ins().fma(c, n, r);
        }
        let z = self.b.ins().fmul(r, r);
        let p = self.horner(r, &EXP_F32_POLY);
        let y = self.b.ins().fma(p, z, r);
        let one = self.vfc(t, 1.0);
        (v, self.b.ins().fadd(y, one))
    }

    /// `exp(x)` for any `x` with the special cases selected at the end (the cold block of
    /// [`Self::vector_exp`]).
    fn exp_full(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let k = if fl.p == 52 { &EXP_F64 } else { &EXP_F32 };
        let res = self.exp_scaled(x, 0.0);
        self.exp_special_values(x, res, k)
    }

    /// `res` (`exp(x)` right for finite `x` up to a little past the overflow threshold) with the
    /// lanes past `k.overflow` set to `+inf`, below `k.underflow` to `+0`, and NaN lanes to `x`.
    pub(super) fn exp_special_values(&mut self, x: Value, res: Value, k: &ExpConsts) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let ovf = self.vfc(t, k.overflow);
        let big = self.b.ins().fcmp(FloatCC::GreaterThan, x, ovf);
        let inf = self.vfc(t, f64::INFINITY);
        let res = self.sel(big, inf, res);
        let unf = self.vfc(t, k.underflow);
        let small = self.b.ins().fcmp(FloatCC::LessThan, x, unf);
        let zero = self.vfc(t, 0.0);
        let res = self.sel(small, zero, res);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(nan, x, res)
    }

    /// The reduction and the rational approximation shared by [`Self::exp_fast`] and
    /// [`Self::exp_scaled`]: `v = x log2(e) + magic` (`magic` a rounding constant, `1.5 2^p` plus
    /// at most the bias, so `k = v - magic` is `round(x log2(e))`), `k`, and `y = exp(x - k ln2)`.
    fn exp_reduced(&mut self, x: Value, magic_f: f64) -> (Value, Value, Value) {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let k = if fl.p == 52 { &EXP_F64 } else { &EXP_F32 };
        let magic = self.vfc(t, magic_f);
        let inv = self.vfc(t, std::f64::consts::LOG2_E);
        let v = self.mul_add(x, inv, magic);
        let n = self.b.ins().fsub(v, magic);
        let c_hi = self.vfc(t, k.ln2_hi);
        let c_lo = self.vfc(t, k.ln2_lo);
        // n ln2_hi is exact: fused or not, hi rounds once.
        let hi = self.neg_mul_add(n, c_hi, x);
        let lo = self.b.ins().fmul(n, c_lo);
        let r = self.b.ins().fsub(hi, lo);
        let z = self.b.ins().fmul(r, r);
        let p = self.horner(z, k.poly);
        let c = self.neg_mul_add(z, p, r);
        let rc = self.b.ins().fmul(r, c);
        let two = self.vfc(t, 2.0);
        let den = self.b.ins().fsub(two, c);
        let q = self.b.ins().fdiv(rc, den);
        let q = self.b.ins().fsub(q, lo);
        let q = self.b.ins().fadd(q, hi);
        let one = self.vfc(t, 1.0);
        (v, n, self.b.ins().fadd(one, q))
    }

    /// `exp(x) 2^off` (`off` a small integer) for finite `x` up to a little past `exp`'s overflow,
    /// without the special cases: the body of [`Self::vector_exp`].
    pub(super) fn exp_scaled(&mut self, x: Value, off: f64) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        // Round to nearest integer: adding 1.5 * 2^p leaves no fraction bits.
        let magic_f = 1.5 * fl.two_p;
        let (_, n, y) = self.exp_reduced(x, magic_f);
        let magic = self.vfc(t, magic_f);
        // 2^n = 2^n1 * 2^n2 with n1 = round(n / 2).
        let n = if off != 0.0 {
            let o = self.vfc(t, off);
            self.b.ins().fadd(n, o)
        } else {
            n
        };
        self.scale_by_two_factors(y, n, magic)
    }

    /// `y 2^n` (`n` an integral float vector, `magic` the vector of the rounding constant) as
    /// `y 2^n1 2^n2` with `n1 = round(n / 2)`: both factors normal for every finite `x` up to a
    /// little past `exp`'s overflow threshold, the first product exact. Past the thresholds (and for
    /// NaN) the factors are garbage: callers select those lanes.
    pub(super) fn scale_by_two_factors(&mut self, y: Value, n: Value, magic: Value) -> Value {
        let t = self.b.func.dfg.value_type(y);
        let half = self.vfc(t, 0.5);
        let nh = self.mul_add(n, half, magic);
        let n1 = self.b.ins().fsub(nh, magic);
        let n2 = self.b.ins().fsub(n, n1);
        let s1 = self.exp2_int(n1);
        let s2 = self.exp2_int(n2);
        let res = self.b.ins().fmul(y, s1);
        self.b.ins().fmul(res, s2)
    }

    /// The polynomial step shared by `log` and `log1p` (fdlibm): for `1 + f` in
    /// `[sqrt(2)/2, sqrt(2))`, `(hfsq, s, R)` with `hfsq = f^2/2`, `s = f / (2 + f)` and `R` the
    /// polynomial of [`LogConsts::lg`], so that `log(1 + f) = f - hfsq + s*(hfsq + R)`.
    pub(super) fn log_kernel(&mut self, k: &LogConsts, f: Value) -> (Value, Value, Value) {
        let t = self.b.func.dfg.value_type(f);
        let half = self.vfc(t, 0.5);
        let hf = self.b.ins().fmul(half, f);
        let hfsq = self.b.ins().fmul(hf, f);
        let two = self.vfc(t, 2.0);
        let den = self.b.ins().fadd(two, f);
        let s = self.b.ins().fdiv(f, den);
        let z = self.b.ins().fmul(s, s);
        let w = self.b.ins().fmul(z, z);
        let odd: Vec<f64> = k.lg.iter().skip(1).step_by(2).copied().collect();
        let even: Vec<f64> = k.lg.iter().step_by(2).copied().collect();
        let p1 = self.horner(w, &odd);
        let t1 = self.b.ins().fmul(w, p1);
        let p2 = self.horner(w, &even);
        let rr = self.mul_add(z, p2, t1);
        (hfsq, s, rr)
    }

    /// `v = 2^k m` with `m` in `[sqrt(2)/2, sqrt(2))`, for positive normal `v` (f64x2 or f32x4), by
    /// integer operations on the bits (the split of fdlibm's `log` and `log1p`): returns `m` and `k`
    /// as a float.
    pub(super) fn split_log_argument(&mut self, v: Value, k: &LogConsts) -> (Value, Value) {
        let t = self.b.func.dfg.value_type(v);
        let it = t.as_int();
        let fl = FloatLayout::of(t);
        let flags = Self::vflags();
        let bits = self.b.ins().bitcast(it, flags, v);
        // Biased so that the exponent field steps at sqrt(2)/2 rather than at 1.
        let off = self.vsplat_bits(it, fl.one_bits - k.sqrt_half_bits);
        let b2 = self.b.ins().iadd(bits, off);
        let sh = self.iconst(types::I32, fl.p);
        let kb = self.b.ins().ushr(b2, sh);
        let mask = self.vsplat_bits(it, (1u64 << fl.p) - 1);
        let m = self.b.ins().band(b2, mask);
        let base = self.vsplat_bits(it, k.sqrt_half_bits);
        let m = self.b.ins().iadd(m, base);
        let m = self.b.ins().bitcast(t, flags, m);
        // k as a float: the biased exponent (below 2^12) in the mantissa of 2^p.
        let two_p_bits = if fl.p == 52 {
            fl.two_p.to_bits()
        } else {
            (fl.two_p as f32).to_bits() as u64
        };
        let two_p = self.vsplat_bits(it, two_p_bits);
        let kf = self.b.ins().bor(kb, two_p);
        let kf = self.b.ins().bitcast(t, flags, kf);
        let bias = self.vfc(t, fl.two_p + fl.bias as f64);
        let dk = self.b.ins().fsub(kf, bias);
        (m, dk)
    }

    /// `log(x)` for f64x2 and f32x4 (the algorithm of fdlibm's `e_log.c`/`e_logf.c`, error below 1
    /// ulp): subnormals scaled up, `x = 2^k (1 + f)` with `1 + f` in `[sqrt(2)/2, sqrt(2))` by integer
    /// operations on the bits, `log(1 + f)` through `s = f / (2 + f)` and a polynomial in `s^2`.
    /// Zero, negative, infinite and NaN inputs are selected at the end.
    pub(super) fn vector_log(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let k = if fl.p == 52 { &LOG_F64 } else { &LOG_F32 };
        let tiny = self.vfc(t, fl.min_positive);
        let sub = self.b.ins().fcmp(FloatCC::LessThan, x, tiny);
        let scale = self.vfc(t, f64::from_bits(((1023 + k.sub_shift) as u64) << 52));
        let xs = self.b.ins().fmul(x, scale);
        let xs = self.sel(sub, xs, x);
        let adj = self.vfc(t, -(k.sub_shift as f64));
        let z0 = self.vfc(t, 0.0);
        let kadj = self.sel(sub, adj, z0);
        let (m, dk) = self.split_log_argument(xs, k);
        let one = self.vfc(t, 1.0);
        let f = self.b.ins().fsub(m, one);
        let dk = self.b.ins().fadd(dk, kadj);

        let (hfsq, s, rr) = self.log_kernel(k, f);
        // s*(hfsq+R) + dk*ln2_lo - hfsq + f + dk*ln2_hi, left to right.
        let a = self.b.ins().fadd(hfsq, rr);
        let a = self.b.ins().fmul(s, a);
        let c_lo = self.vfc(t, k.ln2_lo);
        let klo = self.b.ins().fmul(dk, c_lo);
        let a = self.b.ins().fadd(a, klo);
        let a = self.b.ins().fsub(a, hfsq);
        let a = self.b.ins().fadd(a, f);
        let c_hi = self.vfc(t, k.ln2_hi);
        // dk ln2_hi is exact: fused or not, the sum rounds once.
        let r = self.mul_add(dk, c_hi, a);

        let zero = self.vfc(t, 0.0);
        let neg = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
        let nan = self.vfc(t, f64::NAN);
        let r = self.sel(neg, nan, r);
        let is0 = self.b.ins().fcmp(FloatCC::Equal, x, zero);
        let ninf = self.vfc(t, f64::NEG_INFINITY);
        let r = self.sel(is0, ninf, r);
        let inf = self.vfc(t, f64::INFINITY);
        let isinf = self.b.ins().fcmp(FloatCC::Equal, x, inf);
        let r = self.sel(isinf, inf, r);
        let isnan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(isnan, x, r)
    }
}
