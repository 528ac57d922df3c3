//! Inline float64 `exp` on f64x2 without a division.
//!
//! Hot path (every lane's `x` in about `[-708.4, 709.7]`, where `exp(x)` is finite and normal): a
//! table of `2^(i/128)` (`x = (128 e + i) ln2/128 + r`, `|r| <= ln2/256`): `exp(x) = 2^e 2^(i/128)
//! exp(r)`, with `2^(i/128) = hi (1 + tail)` from the table (two gathered doubles per lane) and
//! `exp(r) - 1` a degree-5 Taylor polynomial (its truncation error below `r^6/720 < 6e-19`, 0.003
//! ulp): `scale + scale * tmp` with `scale = 2^e hi` built from the table's bits and
//! `tmp = tail + r + r^2 (1/2 + r/6) + r^4 (1/24 + r/120)`. Every
//! rounding before the last is below 2^-61 of the result, so the error is the last rounding's
//! half ulp plus about 0.01 ulp. Ten multiply-adds or products per vector (the polynomial form
//! below needs eighteen), the ports' limit on this loop.
//!
//! Cold path (some lane outside that range, or NaN): `x = n ln2 + r` (`|r| <= ln2/2`, `n ln2` in two
//! parts), `exp(r) = 1 + r + r^2 q(r)` with `q` a degree-10 polynomial (by Estrin's scheme),
//! scaled by two power-of-two factors (subnormal results round once), overflow, underflow and NaN
//! selected; the lanes inside take the hot path's value, so a lane's result does not depend on its
//! neighbour.
//!
//! `q` interpolates `(exp(r) - 1 - r) / r^2` at the 10 Chebyshev nodes of `[-a, a]`, `a` = 1.001
//! `ln2/2`, with `q(0) = 1/2` exact (fitted in exact rational arithmetic, coefficients rounded to
//! float64): its relative error on `[-a, a]` is below `1e-18` (0.009 ulp), so the cold path's
//! error is that of the reduction and of the last few roundings, below 1 ulp.

use super::exp_log::EXP_F64;
use super::{Emitter, FloatLayout, PTR};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types;
use cranelift_codegen::ir::{ConstantData, InstBuilder, Value};

/// log2 of the table's size.
const TABLE_BITS: i64 = 7;
/// The hot path's range of `k = round(x 128 / ln2)`: `e = k >> 7` within `[-1022, 1023]`.
const K_LO: i64 = -1022 << TABLE_BITS;
const K_HI: i64 = (1024 << TABLE_BITS) - 1;

/// Per `i` in `0..128`: the bits of `tail = RN((2^(i/128) - hi) / hi)` and `hi_bits - (i << 45)`,
/// `hi = RN(2^(i/128))`, so that adding `k << 45` (`k = 128 e + i`) gives the bits of `2^e hi`.
/// Computed with Python's `decimal` at 80 digits (`2 ** (Decimal(i) / 128)`, `hi` checked against
/// its neighbours); `table_matches_powers_of_two` checks it.
#[rustfmt::skip]
static TABLE: [u64; 256] = [
    0x0000000000000000, 0x3ff0000000000000,
    0x3c9b3b4f1a88bf6e, 0x3feff63da9fb3335,
    0xbc7160139cd8dc5d, 0x3fefec9a3e778061,
    0xbc905e7a108766d1, 0x3fefe315e86e7f85,
    0x3c8cd2523567f613, 0x3fefd9b0d3158574,
    0xbc8bce8023f98efa, 0x3fefd06b29ddf6de,
    0x3c60f74e61e6c861, 0x3fefc74518759bc8,
    0x3c90a3e45b33d399, 0x3fefbe3ecac6f383,
    0x3c979aa65d837b6d, 0x3fefb5586cf9890f,
    0x3c8eb51a92fdeffc, 0x3fefac922b7247f7,
    0x3c3ebe3d702f9cd1, 0x3fefa3ec32d3d1a2,
    0xbc6a033489906e0b, 0x3fef9b66affed31b,
    0xbc9556522a2fbd0e, 0x3fef9301d0125b51,
    0xbc5080ef8c4eea55, 0x3fef8abdc06c31cc,
    0xbc91c923b9d5f416, 0x3fef829aaea92de0,
    0x3c80d3e3e95c55af, 0x3fef7a98c8a58e51,
    0xbc801b15eaa59348, 0x3fef72b83c7d517b,
    0xbc8f1ff055de323d, 0x3fef6af9388c8dea,
    0x3c8b898c3f1353bf, 0x3fef635beb6fcb75,
    0xbc96d99c7611eb26, 0x3fef5be084045cd4,
    0x3c9aecf73e3a2f60, 0x3fef54873168b9aa,
    0xbc8fe782cb86389d, 0x3fef4d5022fcd91d,
    0x3c8a6f4144a6c38d, 0x3fef463b88628cd6,
    0x3c807a05b0e4047d, 0x3fef3f49917ddc96,
    0x3c968efde3a8a894, 0x3fef387a6e756238,
    0x3c875e18f274487d, 0x3fef31ce4fb2a63f,
    0x3c80472b981fe7f2, 0x3fef2b4565e27cdd,
    0xbc96b87b3f71085e, 0x3fef24dfe1f56381,
    0x3c82f7e16d09ab31, 0x3fef1e9df51fdee1,
    0xbc3d219b1a6fbffa, 0x3fef187fd0dad990,
    0x3c8b3782720c0ab4, 0x3fef1285a6e4030b,
    0x3c6e149289cecb8f, 0x3fef0cafa93e2f56,
    0x3c834d754db0abb6, 0x3fef06fe0a31b715,
    0x3c864201e2ac744c, 0x3fef0170fc4cd831,
    0x3c8fdd395dd3f84a, 0x3feefc08b26416ff,
    0xbc86a3803b8e5b04, 0x3feef6c55f929ff1,
    0xbc924aedcc4b5068, 0x3feef1a7373aa9cb,
    0xbc9907f81b512d8e, 0x3feeecae6d05d866,
    0xbc71d1e83e9436d2, 0x3feee7db34e59ff7,
    0xbc991919b3ce1b15, 0x3feee32dc313a8e5,
    0x3c859f48a72a4c6d, 0x3feedea64c123422,
    0xbc9312607a28698a, 0x3feeda4504ac801c,
    0xbc58a78f4817895b, 0x3feed60a21f72e2a,
    0xbc7c2c9b67499a1b, 0x3feed1f5d950a897,
    0x3c4363ed60c2ac11, 0x3feece086061892d,
    0x3c9666093b0664ef, 0x3feeca41ed1d0057,
    0x3c6ecce1daa10379, 0x3feec6a2b5c13cd0,
    0x3c93ff8e3f0f1230, 0x3feec32af0d7d3de,
    0x3c7690cebb7aafb0, 0x3feebfdad5362a27,
    0x3c931dbdeb54e077, 0x3feebcb299fddd0d,
    0xbc8f94340071a38e, 0x3feeb9b2769d2ca7,
    0xbc87deccdc93a349, 0x3feeb6daa2cf6642,
    0xbc78dec6bd0f385f, 0x3feeb42b569d4f82,
    0xbc861246ec7b5cf6, 0x3feeb1a4ca5d920f,
    0x3c93350518fdd78e, 0x3feeaf4736b527da,
    0x3c7b98b72f8a9b05, 0x3feead12d497c7fd,
    0x3c9063e1e21c5409, 0x3feeab07dd485429,
    0x3c34c7855019c6ea, 0x3feea9268a5946b7,
    0x3c9432e62b64c035, 0x3feea76f15ad2148,
    0xbc8ce44a6199769f, 0x3feea5e1b976dc09,
    0xbc8c33c53bef4da8, 0x3feea47eb03a5585,
    0xbc845378892be9ae, 0x3feea34634ccc320,
    0xbc93cedd78565858, 0x3feea23882552225,
    0x3c5710aa807e1964, 0x3feea155d44ca973,
    0xbc93b3efbf5e2228, 0x3feea09e667f3bcd,
    0xbc6a12ad8734b982, 0x3feea012750bdabf,
    0xbc6367efb86da9ee, 0x3fee9fb23c651a2f,
    0xbc80dc3d54e08851, 0x3fee9f7df9519484,
    0xbc781f647e5a3ecf, 0x3fee9f75e8ec5f74,
    0xbc86ee4ac08b7db0, 0x3fee9f9a48a58174,
    0xbc8619321e55e68a, 0x3fee9feb564267c9,
    0x3c909ccb5e09d4d3, 0x3feea0694fde5d3f,
    0xbc7b32dcb94da51d, 0x3feea11473eb0187,
    0x3c94ecfd5467c06b, 0x3feea1ed0130c132,
    0x3c65ebe1abd66c55, 0x3feea2f336cf4e62,
    0xbc88a1c52fb3cf42, 0x3feea427543e1a12,
    0xbc9369b6f13b3734, 0x3feea589994cce13,
    0xbc805e843a19ff1e, 0x3feea71a4623c7ad,
    0xbc94d450d872576e, 0x3feea8d99b4492ed,
    0x3c90ad675b0e8a00, 0x3feeaac7d98a6699,
    0x3c8db72fc1f0eab4, 0x3feeace5422aa0db,
    0xbc65b6609cc5e7ff, 0x3feeaf3216b5448c,
    0x3c7bf68359f35f44, 0x3feeb1ae99157736,
    0xbc93091fa71e3d83, 0x3feeb45b0b91ffc6,
    0xbc5da9b88b6c1e29, 0x3feeb737b0cdc5e5,
    0xbc6c23f97c90b959, 0x3feeba44cbc8520f,
    0xbc92434322f4f9aa, 0x3feebd829fde4e50,
    0xbc85ca6cd7668e4b, 0x3feec0f170ca07ba,
    0x3c71affc2b91ce27, 0x3feec49182a3f090,
    0x3c6dd235e10a73bb, 0x3feec86319e32323,
    0xbc87c50422622263, 0x3feecc667b5de565,
    0x3c8b1c86e3e231d5, 0x3feed09bec4a2d33,
    0xbc91bbd1d3bcbb15, 0x3feed503b23e255d,
    0x3c90cc319cee31d2, 0x3feed99e1330b358,
    0x3c8469846e735ab3, 0x3feede6b5579fdbf,
    0xbc82dfcd978e9db4, 0x3feee36bbfd3f37a,
    0x3c8c1a7792cb3387, 0x3feee89f995ad3ad,
    0xbc907b8f4ad1d9fa, 0x3feeee07298db666,
    0xbc55c3d956dcaeba, 0x3feef3a2b84f15fb,
    0xbc90a40e3da6f640, 0x3feef9728de5593a,
    0xbc68d6f438ad9334, 0x3feeff76f2fb5e47,
    0xbc91eee26b588a35, 0x3fef05b030a1064a,
    0x3c74ffd70a5fddcd, 0x3fef0c1e904bc1d2,
    0xbc91bdfbfa9298ac, 0x3fef12c25bd71e09,
    0x3c736eae30af0cb3, 0x3fef199bdd85529c,
    0x3c8ee3325c9ffd94, 0x3fef20ab5fffd07a,
    0x3c84e08fd10959ac, 0x3fef27f12e57d14b,
    0x3c63cdaf384e1a67, 0x3fef2f6d9406e7b5,
    0x3c676b2c6c921968, 0x3fef3720dcef9069,
    0xbc808a1883ccb5d2, 0x3fef3f0b555dc3fa,
    0xbc8fad5d3ffffa6f, 0x3fef472d4a07897c,
    0xbc900dae3875a949, 0x3fef4f87080d89f2,
    0x3c74a385a63d07a7, 0x3fef5818dcfba487,
    0xbc82919e2040220f, 0x3fef60e316c98398,
    0x3c8e5a50d5c192ac, 0x3fef69e603db3285,
    0x3c843a59ac016b4b, 0x3fef7321f301b460,
    0xbc82d52107b43e1f, 0x3fef7c97337b9b5f,
    0xbc892ab93b470dc9, 0x3fef864614f5a129,
    0x3c74b604603a88d3, 0x3fef902ee78b3ff6,
    0x3c83c5ec519d7271, 0x3fef9a51fbc74c83,
    0xbc8ff7128fd391f0, 0x3fefa4afa2a490da,
    0xbc8dae98e223747d, 0x3fefaf482d8e67f1,
    0x3c8ec3bc41aa2008, 0x3fefba1bee615a27,
    0x3c842b94c3a9eb32, 0x3fefc52b376bba97,
    0x3c8a64a931d185ee, 0x3fefd0765b6e4540,
    0xbc8e37bae43be3ed, 0x3fefdbfdad9cbe14,
    0x3c77893b4d91cd9d, 0x3fefe7c1819e90d8,
    0x3c5305c14160cc89, 0x3feff3c22b8f71f1,
];

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
        let n = 1i64 << TABLE_BITS;
        // k = round(x 128 / ln2): adding 1.5 * 2^52 leaves no fraction bits, and `k` in the low bits.
        let shift = self.vfc(t, 1.5 * fl.two_p);
        let inv = self.vfc(t, std::f64::consts::LOG2_E * n as f64);
        // (Each multiply-add's first operand is the one x64's `vfmadd213` overwrites: a value that
        // dies there, so that no copy is made.)
        let z = self.mul_add(inv, x, shift);
        let kd = self.b.ins().fsub(z, shift);
        // r = (x - k ln2_hi/128) - k ln2_lo/128; the first step is exact (`k ln2_hi` is).
        let c_hi = self.vfc(t, EXP_F64.ln2_hi / n as f64);
        let c_lo = self.vfc(t, EXP_F64.ln2_lo / n as f64);
        let hi = self.neg_mul_add(c_hi, kd, x);
        let r = self.neg_mul_add(c_lo, kd, hi);
        // The table entries of `i = k mod 128` (16 bytes each: `tail`, then the bits), one load per
        // lane, then the low halves (`tail`) and the high halves (bits) paired.
        let flags = Self::vflags();
        let kb = self.b.ins().bitcast(types::I64X2, flags, z);
        let base = self.iconst(PTR, TABLE.as_ptr() as i64);
        let mut entry = Vec::new();
        for lane in 0..2u8 {
            let k = self.b.ins().extractlane(kb, lane);
            let off = self.b.ins().ishl_imm_u(k, 4);
            let off = self.b.ins().band_imm_s(off, (n - 1) << 4);
            let a = self.b.ins().iadd(base, off);
            entry.push(self.b.ins().load(types::I8X16, self.mem, a, 0));
        }
        // `punpcklqdq` / `punpckhqdq`: bytes 0-7 (8-15) of each entry.
        let lo_mask: Vec<u8> = (0..8).chain(16..24).collect();
        let hi_mask: Vec<u8> = (8..16).chain(24..32).collect();
        let lo_mask = self.b.func.dfg.immediates.push(ConstantData::from(lo_mask));
        let hi_mask = self.b.func.dfg.immediates.push(ConstantData::from(hi_mask));
        let tail = self.b.ins().shuffle(entry[0], entry[1], lo_mask);
        let tail = self.b.ins().bitcast(t, flags, tail);
        let bits = self.b.ins().shuffle(entry[0], entry[1], hi_mask);
        let bits = self.b.ins().bitcast(types::I64X2, flags, bits);
        let top = self.b.ins().ishl_imm_u(kb, fl.p - TABLE_BITS);
        let sbits = self.b.ins().iadd(bits, top);
        let scale = self.b.ins().bitcast(t, flags, sbits);
        // exp(r) (1 + tail) - 1, to well below an ulp.
        let r2 = self.b.ins().fmul(r, r);
        let c = [1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0].map(|c| self.vfc(t, c));
        let p1 = self.mul_add(c[1], r, c[0]);
        let p2 = self.mul_add(c[3], r, c[2]);
        let r4 = self.b.ins().fmul(r2, r2);
        let tmp = self.b.ins().fadd(tail, r);
        let tmp = self.mul_add(p1, r2, tmp);
        let tmp = self.mul_add(p2, r4, tmp);
        let hot = self.mul_add(tmp, scale, scale);

        // Hot when both lanes' `k` lie in `[K_LO, K_HI]`: `e` within `[-1022, 1023]`, so that
        // `2^e hi` is one normal float and `2^e hi (1 + tmp)` rounds once (to a subnormal at the
        // bottom, to `+inf` past the largest float at the top: both right). That is `|x|` up to
        // 708.4 at least; NaN, infinities and larger `|x|` put `kd` (`k` exactly wherever it is in
        // range) outside or make it NaN. (The same test on `z`'s bits in general registers, the
        // lanes already extracted for the table, ran the loop at the same speed from L2 but twice as
        // long over 2^24 elements from memory: measured, not understood.)
        let k_lo = self.vfc(t, K_LO as f64);
        let k_hi = self.vfc(t, K_HI as f64);
        let below = self.b.ins().fcmp(FloatCC::UnorderedOrLessThan, kd, k_lo);
        let above = self.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, kd, k_hi);
        let outside = self.b.ins().bor(below, above);
        let out = self.b.ins().vany_true(outside);
        self.hot_or_cold(&[hot], out, true, |s| {
            let res = s.exp_f64_wide(x);
            vec![s.sel(outside, res, hot)]
        })[0]
    }

    /// `exp(x)` of an f64x2 for any `x` (the cold path): the polynomial form, two-factor scaling
    /// and the special values.
    fn exp_f64_wide(&mut self, x: Value) -> Value {
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
        // Two factors of 2^n; the lanes past the thresholds (and NaN) are selected below.
        let res = self.scale_by_two_factors(y, n, magic);
        self.exp_special_values(x, res, &EXP_F64)
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

#[cfg(test)]
mod tests {
    use super::TABLE;

    /// `(a, b) * (c, d)` in double-double arithmetic.
    fn dd_mul((a, b): (f64, f64), (c, d): (f64, f64)) -> (f64, f64) {
        let p = a * c;
        let e = a.mul_add(c, -p) + (a * d + b * c);
        let s = p + e;
        (s, e - (s - p))
    }

    /// Each entry's `hi (1 + tail)`, raised to the 128th power in double-double arithmetic, is
    /// `2^i` to within 2^-95 (a tail off by an ulp of its own would miss by about 2^-106 x 128;
    /// a wrong `hi` or a tail of the wrong sign by 2^-53), and the bits are laid out as the code
    /// reads them.
    #[test]
    fn table_matches_powers_of_two() {
        for i in 0..128u64 {
            let tail = f64::from_bits(TABLE[2 * i as usize]);
            let hi = f64::from_bits(TABLE[2 * i as usize + 1].wrapping_add(i << 45));
            assert!((1.0..2.0).contains(&hi), "entry {i}: hi {hi}");
            assert!(tail.abs() < f64::EPSILON, "entry {i}: tail {tail}");
            let lo = hi * tail;
            let mut v = (hi + lo, lo - ((hi + lo) - hi));
            for _ in 0..7 {
                v = dd_mul(v, v);
            }
            let want = (2.0f64).powi(i as i32);
            let rel = ((v.0 - want) + v.1) / want;
            assert!(
                rel.abs() < 2f64.powi(-95),
                "entry {i}: relative error {rel:e}"
            );
            assert!(
                (hi - (2.0f64).powf(i as f64 / 128.0)).abs() <= f64::EPSILON,
                "entry {i}: hi {hi}"
            );
        }
    }
}
