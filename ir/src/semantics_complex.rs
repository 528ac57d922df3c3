//! What every elementwise op means on one complex element.
//!
//! A complex value is `[re, im]` in f64. complex128 uses the result as is; complex64 computes in f64 and
//! rounds each part to f32 ([`round_to`]). Special values (signed zeros, infinities, NaN) follow the
//! special-case tables of the array API standard 2025.12 (which are C99 Annex G's, plus `expm1`), branch
//! cuts follow C99: a value on a cut takes the side given by the sign of its zero part, and
//! `f(conj(z)) == conj(f(z))` for every function with a cut on the real axis.
//!
//! Finite values use formulas without spurious overflow or cancellation where that matters: division
//! scales by a power of two (C99's `_Cdivd`), `sqrt`, `exp`, `sinh`/`cosh` avoid intermediate overflow, and
//! the inverse functions use Kahan's formulas ("Branch cuts for complex elementary functions", 1987), which
//! are exact on signed zeros.
//!
//! Where the standard calls a result's sign unspecified this module picks C99's. Two choices the standard
//! leaves open: `sign` of an infinite value is the direction of its infinite part(s) (`±1`, `±i`, or
//! `(±1 ± i)/√2`), and `pow` is `exp(x2 * log(x1))` except that an exponent of `0` gives `1` and small
//! integer exponents (`|n| <= 64`, finite base) use repeated multiplication, which is exact where the
//! textbook formula is not (`(1+1j)**2 == 2j`).

use crate::dtype::DType;
use crate::ops::{BinaryOp, UnaryOp};
use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, LN_10, LN_2, PI};

/// A complex value `[re, im]`.
pub type C = [f64; 2];

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// Rounds each part to the precision of `d` (complex64: f32; complex128: unchanged).
#[inline]
pub fn round_to(d: DType, z: C) -> C {
    if d == DType::C64 {
        [z[0] as f32 as f64, z[1] as f32 as f64]
    } else {
        z
    }
}

/// `x - x`: `+0` for a finite `x`, NaN for an infinity or a NaN (C99's way of writing "NaN, raising
/// invalid for infinities").
#[inline]
fn zero_or_nan(x: f64) -> f64 {
    if x.is_finite() {
        0.0
    } else {
        NAN
    }
}

/// `-i * z` (a swap of parts, exact on signed zeros and infinities).
#[inline]
fn mul_neg_i(z: C) -> C {
    [z[1], -z[0]]
}

/// `i * z`.
#[inline]
fn mul_i(z: C) -> C {
    [-z[1], z[0]]
}

/// `1` for an infinity, `0` for anything else, with the sign of `x` (C99's "box" of an infinity).
#[inline]
fn boxed(x: f64) -> f64 {
    (if x.is_infinite() { 1.0f64 } else { 0.0 }).copysign(x)
}

/// A NaN becomes a zero of the same sign; other values are unchanged.
#[inline]
fn nan_to_zero(x: f64) -> f64 {
    if x.is_nan() {
        0.0f64.copysign(x)
    } else {
        x
    }
}

/// `a + b`.
pub fn add(a: C, b: C) -> C {
    [a[0] + b[0], a[1] + b[1]]
}

/// `a - b`.
pub fn sub(a: C, b: C) -> C {
    [a[0] - b[0], a[1] - b[1]]
}

/// `a * b`: the textbook formula, then C99's recovery of infinities (a product with an infinite factor
/// and a nonzero other factor is infinite, even when the textbook formula gives `NaN + NaN j`).
pub fn mul(x: C, y: C) -> C {
    let ([mut a, mut b], [mut c, mut d]) = (x, y);
    let (ac, bd, ad, bc) = (a * c, b * d, a * d, b * c);
    let (re, im) = (ac - bd, ad + bc);
    if !(re.is_nan() && im.is_nan()) {
        return [re, im];
    }
    let mut recalc = false;
    if a.is_infinite() || b.is_infinite() {
        a = boxed(a);
        b = boxed(b);
        c = nan_to_zero(c);
        d = nan_to_zero(d);
        recalc = true;
    }
    if c.is_infinite() || d.is_infinite() {
        c = boxed(c);
        d = boxed(d);
        a = nan_to_zero(a);
        b = nan_to_zero(b);
        recalc = true;
    }
    if !recalc && (ac.is_infinite() || bd.is_infinite() || ad.is_infinite() || bc.is_infinite()) {
        a = nan_to_zero(a);
        b = nan_to_zero(b);
        c = nan_to_zero(c);
        d = nan_to_zero(d);
        recalc = true;
    }
    if recalc {
        [INF * (a * c - b * d), INF * (a * d + b * c)]
    } else {
        [re, im]
    }
}

/// `logb(x)`: the unbiased exponent as a float (`-inf` for 0, `+inf` for infinities, NaN for NaN).
fn logb(x: f64) -> f64 {
    if x == 0.0 {
        -INF
    } else if !x.is_finite() {
        x.abs()
    } else {
        libm::ilogb(x) as f64
    }
}

/// `x / y`: C99's `_Cdivd`: the divisor is scaled by a power of two (exact) so that no intermediate
/// overflows or underflows for representable quotients, then infinities and zeros are recovered.
pub fn div(x: C, y: C) -> C {
    let ([mut a, mut b], [mut c, mut d]) = (x, y);
    let logbw = logb(c.abs().max(d.abs()));
    let mut ilogbw = 0i32;
    if logbw.is_finite() {
        ilogbw = logbw as i32;
        c = libm::scalbn(c, -ilogbw);
        d = libm::scalbn(d, -ilogbw);
    }
    let denom = c * c + d * d;
    let mut re = libm::scalbn((a * c + b * d) / denom, -ilogbw);
    let mut im = libm::scalbn((b * c - a * d) / denom, -ilogbw);
    if re.is_nan() && im.is_nan() {
        if denom == 0.0 && (!a.is_nan() || !b.is_nan()) {
            re = INF.copysign(c) * a;
            im = INF.copysign(c) * b;
        } else if (a.is_infinite() || b.is_infinite()) && c.is_finite() && d.is_finite() {
            a = boxed(a);
            b = boxed(b);
            re = INF * (a * c + b * d);
            im = INF * (b * c - a * d);
        } else if logbw == INF && a.is_finite() && b.is_finite() {
            c = boxed(c);
            d = boxed(d);
            re = 0.0 * (a * c + b * d);
            im = 0.0 * (b * c - a * d);
        }
    }
    [re, im]
}

/// `|z|` (`hypot`: infinite when a part is infinite, even if the other is NaN).
pub fn abs(z: C) -> f64 {
    z[0].hypot(z[1])
}

/// Principal square root (C99 `csqrt`; the standard's table including its 2025.12 erratum:
/// `sqrt(a + inf j) == inf + inf j` for every `a`, NaN included).
pub fn sqrt(z: C) -> C {
    let [a, b] = z;
    if a == 0.0 && b == 0.0 {
        return [0.0, b];
    }
    if b.is_infinite() {
        return [INF, b];
    }
    if a.is_nan() {
        return [a, NAN];
    }
    if a.is_infinite() {
        return if a < 0.0 {
            // -inf + b j: +0 + inf j (b finite), NaN + inf j (b NaN)
            [zero_or_nan(b).abs(), INF.copysign(b)]
        } else {
            [a, zero_or_nan(b).copysign(b)]
        };
    }
    if b.is_nan() {
        return [NAN, NAN];
    }
    // Finite and not both zero. Scale huge values down and tiny values up (by even powers of two).
    const BIG: f64 = 1.0e307;
    const SMALL: f64 = 1.0e-300;
    let (mut a, mut b) = (a, b);
    let mut scale = 1.0;
    if a.abs() >= BIG || b.abs() >= BIG {
        a *= 0.25;
        b *= 0.25;
        scale = 2.0;
    } else if a.abs() < SMALL && b.abs() < SMALL {
        a *= 2f64.powi(108);
        b *= 2f64.powi(108);
        scale = 2f64.powi(-54);
    }
    let r = a.hypot(b);
    if a >= 0.0 {
        let t = ((a + r) * 0.5).sqrt();
        [t * scale, b / (2.0 * t) * scale]
    } else {
        let t = ((r - a) * 0.5).sqrt();
        [b.abs() / (2.0 * t) * scale, t.copysign(b) * scale]
    }
}

/// `exp(a) * cis(b)` for finite `b != 0`, without overflowing where the product is finite.
fn exp_cis(a: f64, b: f64) -> C {
    let (s, c) = b.sin_cos();
    if a > 709.0 {
        let h = (a * 0.5).exp();
        [h * c * h, h * s * h]
    } else {
        let e = a.exp();
        [e * c, e * s]
    }
}

/// `exp(z)` (C99 `cexp`).
pub fn exp(z: C) -> C {
    let [a, b] = z;
    if b == 0.0 {
        return [a.exp(), b];
    }
    if a == 0.0 {
        let (s, c) = b.sin_cos();
        return [c, s];
    }
    if !b.is_finite() {
        return if a.is_nan() || a.is_finite() {
            [NAN, NAN]
        } else if a > 0.0 {
            [a, zero_or_nan(b)]
        } else {
            [0.0, 0.0f64.copysign(b)]
        };
    }
    exp_cis(a, b)
}

/// `exp(z) - 1`, accurate near 0, with the standard's table (not `exp(z) - 1` on special values:
/// `expm1(-inf + b j) == -1 + 0 * sin(b) j`).
pub fn expm1(z: C) -> C {
    let [a, b] = z;
    if b == 0.0 {
        // the standard's table: ±0 + 0j -> 0 + 0j (unlike real expm1, which keeps -0)
        let re = if a == 0.0 { 0.0 } else { a.exp_m1() };
        return [re, b];
    }
    if !b.is_finite() {
        return if a.is_nan() || a.is_finite() {
            [NAN, NAN]
        } else if a > 0.0 {
            [a, zero_or_nan(b)]
        } else {
            [-1.0, 0.0f64.copysign(b)]
        };
    }
    if a.is_nan() {
        return [NAN, NAN];
    }
    if a == -INF {
        let (s, c) = b.sin_cos();
        return [0.0 * c - 1.0, 0.0 * s];
    }
    if a == INF || a > 709.0 {
        let e = exp_cis(a, b);
        return [e[0] - 1.0, e[1]];
    }
    // exp(a) cos(b) - 1 == expm1(a) cos(b) - 2 sin^2(b / 2)
    let (s, c) = b.sin_cos();
    let h = (b * 0.5).sin();
    [a.exp_m1() * c - 2.0 * h * h, a.exp() * s]
}

/// `ln |z|` without overflow or cancellation near `|z| == 1`.
fn ln_abs(a: f64, b: f64) -> f64 {
    let (x, y) = (a.abs(), b.abs());
    if x.is_infinite() || y.is_infinite() {
        return INF;
    }
    if x.is_nan() || y.is_nan() {
        return NAN;
    }
    let (hi, lo) = if x >= y { (x, y) } else { (y, x) };
    if hi == 0.0 {
        return -INF;
    }
    if (0.5..=2.0).contains(&hi) {
        return 0.5 * libm::log1p((hi - 1.0) * (hi + 1.0) + lo * lo);
    }
    if hi > 1.0e300 {
        let q = lo / hi;
        return hi.ln() + 0.5 * libm::log1p(q * q);
    }
    hi.hypot(lo).ln()
}

/// Principal logarithm (C99 `clog`): `ln|z| + i atan2(b, a)`.
pub fn log(z: C) -> C {
    [ln_abs(z[0], z[1]), z[1].atan2(z[0])]
}

/// `log(1 + z)`, accurate for small `|z|`.
pub fn log1p(z: C) -> C {
    let [a, b] = z;
    if a.is_finite() && b.is_finite() && a.abs() < 0.5 && b.abs() < 0.5 {
        let re = 0.5 * libm::log1p(a * (2.0 + a) + b * b);
        return [re, b.atan2(1.0 + a)];
    }
    log([1.0 + a, b])
}

/// `log(z) / ln(2)` (change of base, each part divided by the real `ln 2`).
pub fn log2(z: C) -> C {
    let l = log(z);
    [l[0] / LN_2, l[1] / LN_2]
}

/// `log(z) / ln(10)`.
pub fn log10(z: C) -> C {
    let l = log(z);
    [l[0] / LN_10, l[1] / LN_10]
}

/// `sinh(z)` (C99 `csinh`).
pub fn sinh(z: C) -> C {
    let [x, y] = z;
    if x.is_finite() && y.is_finite() {
        if y == 0.0 {
            return [x.sinh(), y];
        }
        let (s, c) = y.sin_cos();
        if x.abs() < 22.0 {
            return [x.sinh() * c, x.cosh() * s];
        }
        // cosh(x) == |sinh(x)| == exp(|x|) / 2 in double precision here
        let e = exp_cis(x.abs() - LN_2, y);
        return [if x < 0.0 { -e[0] } else { e[0] }, e[1]];
    }
    if x == 0.0 {
        // +-0 + (inf or NaN) j: 0 + NaN j
        return [x, zero_or_nan(y)];
    }
    if y == 0.0 {
        // (inf or NaN) + 0j
        return [x, y];
    }
    if x.is_finite() {
        // finite nonzero x, y inf or NaN
        return [NAN, NAN];
    }
    if x.is_infinite() {
        if !y.is_finite() {
            // +-inf + NaN j (the sign of x keeps sinh odd and conjugate-symmetric)
            return [x, zero_or_nan(y)];
        }
        let (s, c) = y.sin_cos();
        return [x * c, INF * s];
    }
    [NAN, NAN]
}

/// `cosh(z)` (C99 `ccosh`).
pub fn cosh(z: C) -> C {
    let [x, y] = z;
    if x.is_finite() && y.is_finite() {
        if y == 0.0 {
            return [x.cosh(), x * y];
        }
        let (s, c) = y.sin_cos();
        if x.abs() < 22.0 {
            return [x.cosh() * c, x.sinh() * s];
        }
        let e = exp_cis(x.abs() - LN_2, y);
        return [e[0], if x < 0.0 { -e[1] } else { e[1] }];
    }
    if x == 0.0 {
        // +-0 + (inf or NaN) j: NaN + 0j (the zero's sign keeps cosh even and conjugate-symmetric)
        return [zero_or_nan(y), x * 0.0f64.copysign(y)];
    }
    if y == 0.0 {
        // (inf or NaN) + 0j
        return [x * x, 0.0f64.copysign(x) * y];
    }
    if x.is_finite() {
        return [NAN, NAN];
    }
    if x.is_infinite() {
        if !y.is_finite() {
            return [x * x, x * zero_or_nan(y)];
        }
        let (s, c) = y.sin_cos();
        return [INF * c, x * s];
    }
    [NAN, NAN]
}

/// `tanh(z)` (C99 `ctanh`, Kahan's formula for finite values).
pub fn tanh(z: C) -> C {
    let [x, y] = z;
    if x.is_nan() {
        return [x, if y == 0.0 { y } else { NAN }];
    }
    if x.is_infinite() {
        return [
            1.0f64.copysign(x),
            0.0f64.copysign(if y.is_nan() { 1.0 } else { y }),
        ];
    }
    if !y.is_finite() {
        return if x == 0.0 { [x, NAN] } else { [NAN, NAN] };
    }
    if x.abs() >= 22.0 {
        let e = (-x.abs()).exp();
        let (s, c) = y.sin_cos();
        return [1.0f64.copysign(x), 4.0 * s * c * e * e];
    }
    let t = y.tan();
    let beta = 1.0 + t * t;
    let s = x.sinh();
    let rho = (1.0 + s * s).sqrt();
    let den = 1.0 + beta * s * s;
    [beta * rho * s / den, t / den]
}

/// `sin(z) == -i sinh(i z)`.
pub fn sin(z: C) -> C {
    mul_neg_i(sinh(mul_i(z)))
}

/// `cos(z) == cosh(i z)`.
pub fn cos(z: C) -> C {
    cosh(mul_i(z))
}

/// `tan(z) == -i tanh(i z)`.
pub fn tan(z: C) -> C {
    mul_neg_i(tanh(mul_i(z)))
}

/// `asin` of a finite value (Kahan): `atan(x / Re(sqrt(1-z) sqrt(1+z))) + i asinh(Im(conj(sqrt(1-z)) sqrt(1+z)))`.
fn asin_finite(z: C) -> C {
    let [x, y] = z;
    let s1 = sqrt([1.0 - x, -y]);
    let s2 = sqrt([1.0 + x, y]);
    let mut den = s1[0] * s2[0] - s1[1] * s2[1];
    if den == 0.0 {
        den = 0.0;
    }
    [(x / den).atan(), libm::asinh(s1[0] * s2[1] - s1[1] * s2[0])]
}

/// `asinh(z)` (C99 `casinh`).
pub fn asinh(z: C) -> C {
    let [x, y] = z;
    if x.is_nan() {
        return if y.is_infinite() {
            [INF, x]
        } else if y == 0.0 {
            [x, y]
        } else {
            [NAN, NAN]
        };
    }
    if y.is_nan() {
        return if x.is_infinite() { [x, y] } else { [NAN, NAN] };
    }
    if x.is_infinite() {
        return [x, if y.is_infinite() { FRAC_PI_4 } else { 0.0 }.copysign(y)];
    }
    if y.is_infinite() {
        return [INF.copysign(x), FRAC_PI_2.copysign(y)];
    }
    // asinh(z) == -i asin(i z)
    mul_neg_i(asin_finite(mul_i(z)))
}

/// `asin(z) == -i asinh(i z)`.
pub fn asin(z: C) -> C {
    mul_neg_i(asinh(mul_i(z)))
}

/// `acos(z)` (C99 `cacos`; Kahan's formula for finite values).
pub fn acos(z: C) -> C {
    let [x, y] = z;
    if x.is_nan() {
        return if y.is_infinite() {
            [NAN, -y]
        } else {
            [NAN, NAN]
        };
    }
    if y.is_nan() {
        return if x.is_infinite() {
            [NAN, INF]
        } else if x == 0.0 {
            [FRAC_PI_2, NAN]
        } else {
            [NAN, NAN]
        };
    }
    if y.is_infinite() {
        let re = if x == INF {
            FRAC_PI_4
        } else if x == -INF {
            3.0 * FRAC_PI_4
        } else {
            FRAC_PI_2
        };
        return [re, -y];
    }
    if x.is_infinite() {
        return [if x < 0.0 { PI } else { 0.0 }, -INF.copysign(y)];
    }
    let s1 = sqrt([1.0 - x, -y]);
    let s2 = sqrt([1.0 + x, y]);
    [
        2.0 * (s1[0] / s2[0]).atan(),
        libm::asinh(s2[0] * s1[1] - s2[1] * s1[0]),
    ]
}

/// `acosh(z)` (C99 `cacosh`; Kahan's formula for finite values).
pub fn acosh(z: C) -> C {
    let [x, y] = z;
    if x.is_nan() {
        return if y.is_infinite() {
            [INF, NAN]
        } else {
            [NAN, NAN]
        };
    }
    if y.is_nan() {
        return if x.is_infinite() {
            [INF, NAN]
        } else if x == 0.0 {
            [NAN, FRAC_PI_2]
        } else {
            [NAN, NAN]
        };
    }
    if y.is_infinite() {
        let im = if x == INF {
            FRAC_PI_4
        } else if x == -INF {
            3.0 * FRAC_PI_4
        } else {
            FRAC_PI_2
        };
        return [INF, im.copysign(y)];
    }
    if x.is_infinite() {
        return [INF, if x < 0.0 { PI } else { 0.0 }.copysign(y)];
    }
    let s1 = sqrt([x - 1.0, y]);
    let s2 = sqrt([x + 1.0, y]);
    [
        libm::asinh(s1[0] * s2[0] + s1[1] * s2[1]),
        2.0 * (s1[1] / s2[0]).atan(),
    ]
}

/// `atanh(z)` (C99 `catanh`).
pub fn atanh(z: C) -> C {
    let [x, y] = z;
    if x.is_nan() {
        return if y.is_infinite() {
            [0.0, FRAC_PI_2.copysign(y)]
        } else {
            [NAN, NAN]
        };
    }
    if y.is_nan() {
        return if x.is_infinite() {
            [0.0f64.copysign(x), y]
        } else if x == 0.0 {
            [x, y]
        } else {
            [NAN, NAN]
        };
    }
    if x.is_infinite() || y.is_infinite() {
        return [0.0f64.copysign(x), FRAC_PI_2.copysign(y)];
    }
    if y == 0.0 && x.abs() == 1.0 {
        return [INF.copysign(x), y];
    }
    const HUGE: f64 = 1.0e150;
    if x.abs() > HUGE || y.abs() > HUGE {
        // atanh(z) == 1/z + i pi/2 (sign of y) up to O(1/|z|^3)
        let m = x.abs().max(y.abs());
        let (sx, sy) = (x / m, y / m);
        return [sx / (m * (sx * sx + sy * sy)), FRAC_PI_2.copysign(y)];
    }
    // atanh is odd: compute the real part for |x| and give it the sign of x
    let ax = x.abs();
    let one_minus = 1.0 - ax;
    let h = one_minus.hypot(y);
    let re = if h < 1.0e-100 {
        // near z == 1: 4x / ((1-x)^2 + y^2) overflows; take logarithms separately
        0.25 * ((4.0 * ax).ln() - 2.0 * h.ln())
    } else {
        0.25 * libm::log1p(4.0 * ax / (one_minus * one_minus + y * y))
    };
    let im = 0.5 * (2.0 * y).atan2(one_minus * (1.0 + ax) - y * y);
    [re.copysign(x), im]
}

/// `atan(z) == -i atanh(i z)`.
pub fn atan(z: C) -> C {
    mul_neg_i(atanh(mul_i(z)))
}

/// `sign(z)`: `z / |z|`, `0 + 0j` for a zero, `NaN + NaN j` when a part is NaN; an infinite value gives
/// the direction of its infinite part(s).
pub fn sign(z: C) -> C {
    let [a, b] = z;
    if a.is_nan() || b.is_nan() {
        return [NAN, NAN];
    }
    if a == 0.0 && b == 0.0 {
        return [0.0, 0.0];
    }
    match (a.is_infinite(), b.is_infinite()) {
        (true, true) => {
            let h = std::f64::consts::FRAC_1_SQRT_2;
            [h.copysign(a), h.copysign(b)]
        }
        (true, false) => [1.0f64.copysign(a), 0.0f64.copysign(b)],
        (false, true) => [0.0f64.copysign(a), 1.0f64.copysign(b)],
        (false, false) => {
            let m = a.abs().max(b.abs());
            let (sa, sb) = (a / m, b / m);
            let r = sa.hypot(sb);
            [sa / r, sb / r]
        }
    }
}

/// `x1 ** x2`: `exp(x2 * log(x1))`; `x2 == 0` gives `1`, integer `x2` with `|x2| <= 64` and a finite
/// `x1` use repeated multiplication.
pub fn pow(x1: C, x2: C) -> C {
    let [c, d] = x2;
    if c == 0.0 && d == 0.0 {
        return [1.0, 0.0];
    }
    if d == 0.0 && c == c.trunc() && c.abs() <= 64.0 && x1[0].is_finite() && x1[1].is_finite() {
        let n = c.abs() as u32;
        let (mut acc, mut base, mut e) = ([1.0, 0.0], x1, n);
        while e > 0 {
            if e & 1 == 1 {
                acc = mul(acc, base);
            }
            e >>= 1;
            if e > 0 {
                base = mul(base, base);
            }
        }
        return if c < 0.0 { div([1.0, 0.0], acc) } else { acc };
    }
    exp(mul(x2, log(x1)))
}

/// Unary ops on a complex value that return a complex value.
pub fn complex_unary(op: UnaryOp, z: C) -> C {
    use UnaryOp::*;
    match op {
        Neg => [-z[0], -z[1]],
        Positive => z,
        Conj => [z[0], -z[1]],
        Sqrt => sqrt(z),
        Square => mul(z, z),
        Reciprocal => div([1.0, 0.0], z),
        Exp => exp(z),
        Expm1 => expm1(z),
        Log => log(z),
        Log1p => log1p(z),
        Log2 => log2(z),
        Log10 => log10(z),
        Sin => sin(z),
        Cos => cos(z),
        Tan => tan(z),
        Asin => asin(z),
        Acos => acos(z),
        Atan => atan(z),
        Sinh => sinh(z),
        Cosh => cosh(z),
        Tanh => tanh(z),
        Asinh => asinh(z),
        Acosh => acosh(z),
        Atanh => atanh(z),
        Round => [z[0].round_ties_even(), z[1].round_ties_even()],
        Sign => sign(z),
        Abs | Real | Imag | Floor | Ceil | Trunc | Signbit | IsNan | IsInf | IsFinite
        | LogicalNot | BitwiseInvert => {
            unreachable!("{} is not a complex-valued op on complex values", op.name())
        }
    }
}

/// Unary ops on a complex value that return a real value (`abs`, `real`, `imag`).
pub fn complex_to_real(op: UnaryOp, z: C) -> f64 {
    match op {
        UnaryOp::Abs => abs(z),
        UnaryOp::Real => z[0],
        UnaryOp::Imag => z[1],
        _ => unreachable!("{} is not a real-valued op on complex values", op.name()),
    }
}

/// Predicates on a complex value (`isnan`, `isinf`, `isfinite`).
pub fn complex_predicate(op: UnaryOp, z: C) -> bool {
    match op {
        UnaryOp::IsNan => z[0].is_nan() || z[1].is_nan(),
        UnaryOp::IsInf => z[0].is_infinite() || z[1].is_infinite(),
        UnaryOp::IsFinite => z[0].is_finite() && z[1].is_finite(),
        _ => unreachable!("{} is not a predicate on complex values", op.name()),
    }
}

/// Binary ops on complex values that return a complex value.
pub fn complex_binary(op: BinaryOp, a: C, b: C) -> C {
    use BinaryOp::*;
    match op {
        Add => add(a, b),
        Sub => sub(a, b),
        Mul => mul(a, b),
        Div => div(a, b),
        Pow => pow(a, b),
        _ => unreachable!("{} is not a complex-valued op on complex values", op.name()),
    }
}

/// `equal` / `not_equal` on complex values (NaN parts compare unequal).
pub fn complex_compare(op: BinaryOp, a: C, b: C) -> bool {
    match op {
        BinaryOp::Eq => a[0] == b[0] && a[1] == b[1],
        BinaryOp::Ne => a[0] != b[0] || a[1] != b[1],
        _ => unreachable!("{} is not a comparison on complex values", op.name()),
    }
}

/// [`complex_unary`] in the precision of `d` (complex64 rounds each part to f32).
pub fn complex_unary_in(op: UnaryOp, z: C, d: DType) -> C {
    round_to(d, complex_unary(op, z))
}

/// [`complex_binary`] in the precision of `d`.
pub fn complex_binary_in(op: BinaryOp, a: C, b: C, d: DType) -> C {
    round_to(d, complex_binary(op, a, b))
}
