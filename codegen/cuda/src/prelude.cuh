// lazulite CUDA prelude: what every op of `ir::ops` means on one element, in CUDA C.
//
// Each op row of the op table names its device function here (`UnaryOp::cuda` / `BinaryOp::cuda`):
// `lz_<spec name>`, overloaded per dtype. The definitions mirror `ir/src/semantics.rs` exactly:
// real floats are computed in double and a float32 result is the double result rounded to float (for
// `+ - * /` the float instruction gives the same bits); integers wrap to their width; integer division
// and remainder by zero give 0. No fast math: the module is compiled with `--fmad=false`.
//
// The same text compiles with NVRTC (device) and with g++ under the test emulator's shim (host).

typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef float f32;
typedef double f64;
struct c64 { float re, im; };
struct c128 { double re, im; };

#define LZ_FN __device__ __forceinline__
// Functions of many instructions (libdevice's transcendental routines, the complex C99 algorithms):
// one copy per module, called, instead of one inlined copy per use. This keeps fused kernels small (a
// fraction of the NVRTC and ptxas time) and their register pressure low; the call costs little next
// to the routine itself.
#define LZ_HEAVY __device__ __noinline__

/// The run-time arguments of every kernel, passed by value. Pointers are to the first element each
/// operand reads; strides are in elements, operand-major. `contiguous` is 1 when every operand is
/// C-contiguous over the loop nest (then offsets are the flat index).
template <int NI, int NO, int ND, int NOUT>
struct LzArgs {
  const unsigned char* in[NI > 0 ? NI : 1];
  unsigned char* out[NO > 0 ? NO : 1];
  long long shape[ND > 0 ? ND : 1];
  long long in_strides[NI * ND > 0 ? NI * ND : 1];
  long long out_strides[NO * NOUT > 0 ? NO * NOUT : 1];
  long long contiguous;
};

// ---------------------------------------------------------------------------------------------------
// constants and bit views

LZ_FN f64 lz_inf() { return __longlong_as_double(0x7ff0000000000000LL); }
LZ_FN f64 lz_nan() { return __longlong_as_double(0x7ff8000000000000LL); }
LZ_FN bool lz_isnan_d(f64 x) { return x != x; }
LZ_FN bool lz_isinf_d(f64 x) { return x == lz_inf() || x == -lz_inf(); }
LZ_FN bool lz_isfinite_d(f64 x) { return x == x && !lz_isinf_d(x); }
LZ_FN bool lz_signbit_d(f64 x) { return __double_as_longlong(x) < 0; }
LZ_FN f64 lz_copysign_d(f64 a, f64 b) {
  return __longlong_as_double((__double_as_longlong(a) & 0x7fffffffffffffffLL) |
                              (__double_as_longlong(b) & (long long)0x8000000000000000ULL));
}
LZ_FN f64 lz_fabs_d(f64 x) { return __longlong_as_double(__double_as_longlong(x) & 0x7fffffffffffffffLL); }

// ---------------------------------------------------------------------------------------------------
// casts (`astype` rules, as `Scalar::cast`): floats to integers truncate toward zero and saturate to
// int64 (uint64 for non-negative values to unsigned), NaN becomes 0, then wrap to the target width.

LZ_FN i64 lz_f2i(f64 x) {
  if (x != x) return 0;
  if (x >= 9223372036854775808.0) return (i64)0x7fffffffffffffffLL;
  if (x <= -9223372036854775808.0) return (i64)0x8000000000000000ULL;
  return (i64)x;
}
LZ_FN u64 lz_f2u(f64 x) {
  if (x < 0.0) return (u64)lz_f2i(x);
  if (x != x) return 0;
  if (x >= 18446744073709551616.0) return ~0ULL;
  return (u64)x;
}

// ---------------------------------------------------------------------------------------------------
// integers: one template per op, wrapping through u64 (well defined for every width)

template <class T> LZ_FN bool lz_is_signed() { return (T)(-1) < (T)0; }
template <class T> LZ_FN int lz_bits() { return (int)sizeof(T) * 8; }
template <class T> LZ_FN bool lz_neg_val(T v) { return lz_is_signed<T>() && (i64)v < 0; }

#define LZ_INT_TYPES(X) X(i8) X(i16) X(i32) X(i64) X(u8) X(u16) X(u32) X(u64)

#define LZ_INT_OPS(T)                                                                              \
  LZ_FN T lz_add(T a, T b) { return (T)((u64)a + (u64)b); }                                        \
  LZ_FN T lz_subtract(T a, T b) { return (T)((u64)a - (u64)b); }                                   \
  LZ_FN T lz_multiply(T a, T b) { return (T)((u64)a * (u64)b); }                                   \
  LZ_FN T lz_negative(T a) { return (T)(0ULL - (u64)a); }                                          \
  LZ_FN T lz_positive(T a) { return a; }                                                           \
  LZ_FN T lz_abs(T a) { return lz_neg_val<T>(a) ? lz_negative(a) : a; }                            \
  LZ_FN T lz_square(T a) { return lz_multiply(a, a); }                                             \
  LZ_FN T lz_sign(T a) { return lz_neg_val<T>(a) ? (T)(0ULL - 1ULL) : (T)(a != 0); }               \
  LZ_FN T lz_floor(T a) { return a; }                                                              \
  LZ_FN T lz_ceil(T a) { return a; }                                                               \
  LZ_FN T lz_trunc(T a) { return a; }                                                              \
  LZ_FN T lz_round(T a) { return a; }                                                              \
  LZ_FN T lz_real(T a) { return a; }                                                               \
  LZ_FN T lz_conj(T a) { return a; }                                                               \
  LZ_FN T lz_bitwise_invert(T a) { return (T)~(u64)a; }                                            \
  LZ_FN bool lz_isnan(T) { return false; }                                                         \
  LZ_FN bool lz_isinf(T) { return false; }                                                         \
  LZ_FN bool lz_isfinite(T) { return true; }                                                       \
  LZ_FN T lz_floor_divide(T a, T b) {                                                              \
    if (b == 0) return 0;                                                                          \
    if (lz_neg_val<T>(b) && b == (T)(0ULL - 1ULL)) return lz_negative(a);                          \
    T q = (T)(a / b);                                                                              \
    if ((T)(a % b) != 0 && (lz_neg_val<T>(a) != lz_neg_val<T>(b))) q = (T)(q - 1);                 \
    return q;                                                                                      \
  }                                                                                                \
  LZ_FN T lz_remainder(T a, T b) {                                                                 \
    if (b == 0) return 0;                                                                          \
    if (lz_neg_val<T>(b) && b == (T)(0ULL - 1ULL)) return 0;                                       \
    T r = (T)(a % b);                                                                              \
    if (r != 0 && (lz_neg_val<T>(r) != lz_neg_val<T>(b))) r = lz_add(r, b);                        \
    return r;                                                                                      \
  }                                                                                                \
  LZ_FN T lz_pow(T a, T b) {                                                                       \
    if (lz_neg_val<T>(b)) {                                                                        \
      if (a == 1) return 1;                                                                        \
      if (lz_neg_val<T>(a) && a == (T)(0ULL - 1ULL)) return ((u64)b & 1) ? a : (T)1;               \
      return 0;                                                                                    \
    }                                                                                              \
    T acc = 1, base = a;                                                                           \
    u64 e = (u64)b;                                                                                \
    while (e > 0) {                                                                                \
      if (e & 1) acc = lz_multiply(acc, base);                                                     \
      base = lz_multiply(base, base);                                                              \
      e >>= 1;                                                                                     \
    }                                                                                              \
    return acc;                                                                                    \
  }                                                                                                \
  LZ_FN T lz_maximum(T a, T b) { return a < b ? b : a; }                                           \
  LZ_FN T lz_minimum(T a, T b) { return b < a ? b : a; }                                           \
  LZ_FN bool lz_equal(T a, T b) { return a == b; }                                                 \
  LZ_FN bool lz_not_equal(T a, T b) { return a != b; }                                             \
  LZ_FN bool lz_less(T a, T b) { return a < b; }                                                   \
  LZ_FN bool lz_less_equal(T a, T b) { return a <= b; }                                            \
  LZ_FN bool lz_greater(T a, T b) { return a > b; }                                                \
  LZ_FN bool lz_greater_equal(T a, T b) { return a >= b; }                                         \
  LZ_FN T lz_bitwise_and(T a, T b) { return (T)((u64)a & (u64)b); }                                \
  LZ_FN T lz_bitwise_or(T a, T b) { return (T)((u64)a | (u64)b); }                                 \
  LZ_FN T lz_bitwise_xor(T a, T b) { return (T)((u64)a ^ (u64)b); }                                \
  LZ_FN T lz_bitwise_left_shift(T a, T b) {                                                        \
    if (lz_neg_val<T>(b) || (u64)b >= (u64)lz_bits<T>()) return 0;                                 \
    return (T)((u64)a << (int)b);                                                                  \
  }                                                                                                \
  LZ_FN T lz_bitwise_right_shift(T a, T b) {                                                       \
    if (lz_neg_val<T>(b)) return 0;                                                                \
    int s = (u64)b >= (u64)lz_bits<T>() ? lz_bits<T>() - 1 : (int)b;                              \
    if (lz_is_signed<T>()) return (T)((i64)a >> s);                                                \
    return (u64)b >= (u64)lz_bits<T>() ? (T)0 : (T)((u64)a >> s);                                  \
  }

LZ_INT_TYPES(LZ_INT_OPS)

// ---------------------------------------------------------------------------------------------------
// bool

LZ_FN bool lz_logical_not(bool a) { return !a; }
LZ_FN bool lz_bitwise_invert(bool a) { return !a; }
LZ_FN bool lz_logical_and(bool a, bool b) { return a && b; }
LZ_FN bool lz_logical_or(bool a, bool b) { return a || b; }
LZ_FN bool lz_logical_xor(bool a, bool b) { return a != b; }
LZ_FN bool lz_bitwise_and(bool a, bool b) { return a && b; }
LZ_FN bool lz_bitwise_or(bool a, bool b) { return a || b; }
LZ_FN bool lz_bitwise_xor(bool a, bool b) { return a != b; }
LZ_FN bool lz_equal(bool a, bool b) { return a == b; }
LZ_FN bool lz_not_equal(bool a, bool b) { return a != b; }

// ---------------------------------------------------------------------------------------------------
// real floats: the double definitions (`semantics::float_unary` / `float_binary`)

LZ_FN f64 lz_abs(f64 x) { return lz_fabs_d(x); }
LZ_FN f64 lz_negative(f64 x) { return -x; }
LZ_FN f64 lz_positive(f64 x) { return x; }
LZ_FN f64 lz_real(f64 x) { return x; }
LZ_FN f64 lz_conj(f64 x) { return x; }
LZ_FN f64 lz_sqrt(f64 x) { return sqrt(x); }
LZ_FN f64 lz_square(f64 x) { return x * x; }
LZ_FN f64 lz_reciprocal(f64 x) { return 1.0 / x; }
LZ_HEAVY f64 lz_exp(f64 x) { return exp(x); }
LZ_HEAVY f64 lz_expm1(f64 x) { return expm1(x); }
LZ_HEAVY f64 lz_log(f64 x) { return log(x); }
LZ_HEAVY f64 lz_log1p(f64 x) { return log1p(x); }
LZ_HEAVY f64 lz_log2(f64 x) { return log2(x); }
LZ_HEAVY f64 lz_log10(f64 x) { return log10(x); }
LZ_HEAVY f64 lz_sin(f64 x) { return sin(x); }
LZ_HEAVY f64 lz_cos(f64 x) { return cos(x); }
LZ_HEAVY f64 lz_tan(f64 x) { return tan(x); }
LZ_HEAVY f64 lz_asin(f64 x) { return asin(x); }
LZ_HEAVY f64 lz_acos(f64 x) { return acos(x); }
LZ_HEAVY f64 lz_atan(f64 x) { return atan(x); }
LZ_HEAVY f64 lz_sinh(f64 x) { return sinh(x); }
LZ_HEAVY f64 lz_cosh(f64 x) { return cosh(x); }
LZ_HEAVY f64 lz_tanh(f64 x) { return tanh(x); }
LZ_HEAVY f64 lz_asinh(f64 x) { return asinh(x); }
LZ_HEAVY f64 lz_acosh(f64 x) { return x < 1.0 ? lz_nan() : acosh(x); }
LZ_HEAVY f64 lz_atanh(f64 x) { return atanh(x); }
LZ_FN f64 lz_floor(f64 x) { return floor(x); }
LZ_FN f64 lz_ceil(f64 x) { return ceil(x); }
LZ_FN f64 lz_trunc(f64 x) { return trunc(x); }
LZ_FN f64 lz_round(f64 x) { return rint(x); }  // half to even in the default rounding mode
LZ_FN f64 lz_sign(f64 x) { return x != x ? x : x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0; }
LZ_FN bool lz_signbit(f64 x) { return lz_signbit_d(x); }
LZ_FN bool lz_isnan(f64 x) { return lz_isnan_d(x); }
LZ_FN bool lz_isinf(f64 x) { return lz_isinf_d(x); }
LZ_FN bool lz_isfinite(f64 x) { return lz_isfinite_d(x); }

LZ_FN f64 lz_add(f64 a, f64 b) { return a + b; }
LZ_FN f64 lz_subtract(f64 a, f64 b) { return a - b; }
LZ_FN f64 lz_multiply(f64 a, f64 b) { return a * b; }
LZ_FN f64 lz_divide(f64 a, f64 b) { return a / b; }
/// Python's remainder: the sign of the divisor (`semantics::float_rem`).
LZ_HEAVY f64 lz_remainder(f64 a, f64 b) {
  if (b == 0.0) return lz_nan();
  if (lz_isinf_d(b) && lz_isfinite_d(a)) {
    if (a == 0.0) return lz_copysign_d(0.0, b);
    return ((a > 0.0) == (b > 0.0)) ? a : b;
  }
  f64 r = fmod(a, b);
  if (r != 0.0) {
    if ((r < 0.0) != (b < 0.0)) r += b;
  } else {
    r = lz_copysign_d(0.0, b);
  }
  return r;
}
/// Python's floor division, consistent with `lz_remainder` (`semantics::float_floor_div`).
LZ_HEAVY f64 lz_floor_divide(f64 a, f64 b) {
  if (b == 0.0) return (a == 0.0 || a != a) ? lz_nan() : a / b;
  if (lz_isinf_d(a) || a != a || b != b) return floor(a / b);
  if (lz_isinf_d(b)) {
    if (a == 0.0 || (a > 0.0) == (b > 0.0)) return lz_copysign_d(0.0, a) * (b > 0.0 ? 1.0 : -1.0);
    return -0.0;
  }
  f64 m = fmod(a, b);
  f64 div = (a - m) / b;
  if (m != 0.0 && ((b < 0.0) != (m < 0.0))) div -= 1.0;
  if (div != 0.0) {
    f64 f = floor(div);
    return (div - f > 0.5) ? f + 1.0 : f;
  }
  return lz_copysign_d(0.0, a / b);
}
LZ_HEAVY f64 lz_pow(f64 a, f64 b) { return pow(a, b); }
LZ_HEAVY f64 lz_atan2(f64 a, f64 b) { return atan2(a, b); }
LZ_HEAVY f64 lz_hypot(f64 a, f64 b) { return hypot(a, b); }
LZ_FN f64 lz_copysign(f64 a, f64 b) { return lz_copysign_d(a, b); }
LZ_HEAVY f64 lz_nextafter(f64 a, f64 b) { return nextafter(a, b); }
LZ_HEAVY f64 lz_logaddexp(f64 a, f64 b) {
  if (a != a || b != b) return lz_nan();
  if (a == b) return a + 0.69314718055994530942;
  f64 m = a > b ? a : b;
  if (lz_isinf_d(m)) return m;
  return m + log1p(exp(-lz_fabs_d(a - b)));
}
LZ_FN f64 lz_maximum(f64 a, f64 b) {
  if (a != a || b != b) return lz_nan();
  if (a == b) return lz_signbit_d(a) ? b : a;
  return a > b ? a : b;
}
LZ_FN f64 lz_minimum(f64 a, f64 b) {
  if (a != a || b != b) return lz_nan();
  if (a == b) return lz_signbit_d(a) ? a : b;
  return a < b ? a : b;
}
LZ_FN bool lz_equal(f64 a, f64 b) { return a == b; }
LZ_FN bool lz_not_equal(f64 a, f64 b) { return a != b; }
LZ_FN bool lz_less(f64 a, f64 b) { return a < b; }
LZ_FN bool lz_less_equal(f64 a, f64 b) { return a <= b; }
LZ_FN bool lz_greater(f64 a, f64 b) { return a > b; }
LZ_FN bool lz_greater_equal(f64 a, f64 b) { return a >= b; }

// float32: the double result rounded to float. `+ - * /`, `sqrt`, `abs`, `negative` in float give the
// same bits; `nextafter` steps in float precision and `pow` is float `powf` (as the interpreter).
#define LZ_F32_UN(name) LZ_FN f32 name(f32 x) { return (f32)name((f64)x); }
#define LZ_F32_BIN(name) LZ_FN f32 name(f32 a, f32 b) { return (f32)name((f64)a, (f64)b); }
#define LZ_F32_PRED(name) LZ_FN bool name(f32 x) { return name((f64)x); }
#define LZ_F32_CMP(name) LZ_FN bool name(f32 a, f32 b) { return name((f64)a, (f64)b); }
LZ_FN f32 lz_abs(f32 x) { return __int_as_float(__float_as_int(x) & 0x7fffffff); }
LZ_FN f32 lz_negative(f32 x) { return -x; }
LZ_FN f32 lz_sqrt(f32 x) { return sqrtf(x); }
LZ_FN f32 lz_square(f32 x) { return x * x; }
LZ_FN f32 lz_add(f32 a, f32 b) { return a + b; }
LZ_FN f32 lz_subtract(f32 a, f32 b) { return a - b; }
LZ_FN f32 lz_multiply(f32 a, f32 b) { return a * b; }
LZ_FN f32 lz_divide(f32 a, f32 b) { return a / b; }
LZ_FN f32 lz_nextafter(f32 a, f32 b) { return nextafterf(a, b); }
LZ_HEAVY f32 lz_pow(f32 a, f32 b) { return powf(a, b); }
LZ_F32_UN(lz_positive) LZ_F32_UN(lz_real) LZ_F32_UN(lz_conj) LZ_F32_UN(lz_reciprocal)
LZ_F32_UN(lz_exp) LZ_F32_UN(lz_expm1) LZ_F32_UN(lz_log) LZ_F32_UN(lz_log1p) LZ_F32_UN(lz_log2)
LZ_F32_UN(lz_log10) LZ_F32_UN(lz_sin) LZ_F32_UN(lz_cos) LZ_F32_UN(lz_tan) LZ_F32_UN(lz_asin)
LZ_F32_UN(lz_acos) LZ_F32_UN(lz_atan) LZ_F32_UN(lz_sinh) LZ_F32_UN(lz_cosh) LZ_F32_UN(lz_tanh)
LZ_F32_UN(lz_asinh) LZ_F32_UN(lz_acosh) LZ_F32_UN(lz_atanh) LZ_F32_UN(lz_floor) LZ_F32_UN(lz_ceil)
LZ_F32_UN(lz_trunc) LZ_F32_UN(lz_round) LZ_F32_UN(lz_sign)
LZ_F32_PRED(lz_signbit) LZ_F32_PRED(lz_isnan) LZ_F32_PRED(lz_isinf) LZ_F32_PRED(lz_isfinite)
LZ_F32_BIN(lz_remainder) LZ_F32_BIN(lz_floor_divide) LZ_F32_BIN(lz_atan2) LZ_F32_BIN(lz_hypot)
LZ_F32_BIN(lz_copysign) LZ_F32_BIN(lz_logaddexp) LZ_F32_BIN(lz_maximum) LZ_F32_BIN(lz_minimum)
LZ_F32_CMP(lz_equal) LZ_F32_CMP(lz_not_equal) LZ_F32_CMP(lz_less) LZ_F32_CMP(lz_less_equal)
LZ_F32_CMP(lz_greater) LZ_F32_CMP(lz_greater_equal)

// ---------------------------------------------------------------------------------------------------
// complex (`semantics_complex`): computed in double, complex64 rounds each part to float

struct lz_cd { f64 re, im; };
LZ_FN lz_cd lz_cd_of(c64 z) { lz_cd r = {(f64)z.re, (f64)z.im}; return r; }
LZ_FN lz_cd lz_cd_of(c128 z) { lz_cd r = {z.re, z.im}; return r; }
LZ_FN c64 lz_to_c64(lz_cd z) { c64 r = {(f32)z.re, (f32)z.im}; return r; }
LZ_FN c128 lz_to_c128(lz_cd z) { c128 r = {z.re, z.im}; return r; }
LZ_FN lz_cd lz_cd_mk(f64 re, f64 im) { lz_cd r = {re, im}; return r; }

LZ_FN f64 lz_boxed(f64 x) { return lz_copysign_d(lz_isinf_d(x) ? 1.0 : 0.0, x); }
LZ_FN f64 lz_nan_to_zero(f64 x) { return x != x ? lz_copysign_d(0.0, x) : x; }

/// `semantics_complex::mul`: the textbook product, then C99's recovery of infinities.
LZ_HEAVY lz_cd lz_cmul(lz_cd x, lz_cd y) {
  f64 a = x.re, b = x.im, c = y.re, d = y.im;
  f64 ac = a * c, bd = b * d, ad = a * d, bc = b * c;
  f64 re = ac - bd, im = ad + bc;
  if (!(re != re && im != im)) return lz_cd_mk(re, im);
  bool recalc = false;
  if (lz_isinf_d(a) || lz_isinf_d(b)) {
    a = lz_boxed(a); b = lz_boxed(b); c = lz_nan_to_zero(c); d = lz_nan_to_zero(d); recalc = true;
  }
  if (lz_isinf_d(c) || lz_isinf_d(d)) {
    c = lz_boxed(c); d = lz_boxed(d); a = lz_nan_to_zero(a); b = lz_nan_to_zero(b); recalc = true;
  }
  if (!recalc && (lz_isinf_d(ac) || lz_isinf_d(bd) || lz_isinf_d(ad) || lz_isinf_d(bc))) {
    a = lz_nan_to_zero(a); b = lz_nan_to_zero(b); c = lz_nan_to_zero(c); d = lz_nan_to_zero(d);
    recalc = true;
  }
  if (recalc) return lz_cd_mk(lz_inf() * (a * c - b * d), lz_inf() * (a * d + b * c));
  return lz_cd_mk(re, im);
}
LZ_FN f64 lz_logb(f64 x) {
  if (x == 0.0) return -lz_inf();
  if (!lz_isfinite_d(x)) return lz_fabs_d(x);
  return (f64)ilogb(x);
}
/// `semantics_complex::div`: C99's `_Cdivd`.
LZ_HEAVY lz_cd lz_cdiv(lz_cd x, lz_cd y) {
  f64 a = x.re, b = x.im, c = y.re, d = y.im;
  // max(|c|, |d|) as Rust's f64::max (a NaN operand yields the other one)
  f64 ac_ = lz_fabs_d(c), ad_ = lz_fabs_d(d);
  f64 logbw = lz_logb(ac_ != ac_ ? ad_ : ad_ != ad_ ? ac_ : (ac_ > ad_ ? ac_ : ad_));
  int ilogbw = 0;
  if (lz_isfinite_d(logbw)) {
    ilogbw = (int)logbw;
    c = scalbn(c, -ilogbw);
    d = scalbn(d, -ilogbw);
  }
  f64 denom = c * c + d * d;
  f64 re = scalbn((a * c + b * d) / denom, -ilogbw);
  f64 im = scalbn((b * c - a * d) / denom, -ilogbw);
  if (re != re && im != im) {
    if (denom == 0.0 && (a == a || b == b)) {
      re = lz_copysign_d(lz_inf(), c) * a;
      im = lz_copysign_d(lz_inf(), c) * b;
    } else if ((lz_isinf_d(a) || lz_isinf_d(b)) && lz_isfinite_d(c) && lz_isfinite_d(d)) {
      a = lz_boxed(a); b = lz_boxed(b);
      re = lz_inf() * (a * c + b * d);
      im = lz_inf() * (b * c - a * d);
    } else if (logbw == lz_inf() && lz_isfinite_d(a) && lz_isfinite_d(b)) {
      c = lz_boxed(c); d = lz_boxed(d);
      re = 0.0 * (a * c + b * d);
      im = 0.0 * (b * c - a * d);
    }
  }
  return lz_cd_mk(re, im);
}
LZ_HEAVY lz_cd lz_csign(lz_cd z) {
  f64 a = z.re, b = z.im;
  if (a != a || b != b) return lz_cd_mk(lz_nan(), lz_nan());
  if (a == 0.0 && b == 0.0) return lz_cd_mk(0.0, 0.0);
  bool ia = lz_isinf_d(a), ib = lz_isinf_d(b);
  if (ia && ib) {
    const f64 h = 0.70710678118654752440;
    return lz_cd_mk(lz_copysign_d(h, a), lz_copysign_d(h, b));
  }
  if (ia) return lz_cd_mk(lz_copysign_d(1.0, a), lz_copysign_d(0.0, b));
  if (ib) return lz_cd_mk(lz_copysign_d(0.0, a), lz_copysign_d(1.0, b));
  f64 m = lz_fabs_d(a) > lz_fabs_d(b) ? lz_fabs_d(a) : lz_fabs_d(b);
  f64 sa = a / m, sb = b / m;
  f64 r = hypot(sa, sb);
  return lz_cd_mk(sa / r, sb / r);
}

// complex transcendental functions (`semantics_complex`, C99 Annex G special cases, Kahan's formulas)

LZ_FN f64 lz_zero_or_nan(f64 x) { return lz_isfinite_d(x) ? 0.0 : lz_nan(); }
LZ_FN lz_cd lz_mul_neg_i(lz_cd z) { return lz_cd_mk(z.im, -z.re); }
LZ_FN lz_cd lz_mul_i(lz_cd z) { return lz_cd_mk(-z.im, z.re); }

LZ_HEAVY lz_cd lz_csqrt(lz_cd z) {
  f64 a = z.re, b = z.im;
  if (a == 0.0 && b == 0.0) return lz_cd_mk(0.0, b);
  if (lz_isinf_d(b)) return lz_cd_mk(lz_inf(), b);
  if (a != a) return lz_cd_mk(a, lz_nan());
  if (lz_isinf_d(a)) {
    if (a < 0.0) return lz_cd_mk(lz_fabs_d(lz_zero_or_nan(b)), lz_copysign_d(lz_inf(), b));
    return lz_cd_mk(a, lz_copysign_d(lz_zero_or_nan(b), b));
  }
  if (b != b) return lz_cd_mk(lz_nan(), lz_nan());
  const f64 BIG = 1.0e307, SMALL = 1.0e-300;
  f64 scale = 1.0;
  if (lz_fabs_d(a) >= BIG || lz_fabs_d(b) >= BIG) {
    a *= 0.25; b *= 0.25; scale = 2.0;
  } else if (lz_fabs_d(a) < SMALL && lz_fabs_d(b) < SMALL) {
    a *= 324518553658426726783156020576256.0;  // 2^108
    b *= 324518553658426726783156020576256.0;
    scale = 5.5511151231257827e-17;  // 2^-54
  }
  f64 r = hypot(a, b);
  if (a >= 0.0) {
    f64 t = sqrt((a + r) * 0.5);
    return lz_cd_mk(t * scale, b / (2.0 * t) * scale);
  }
  f64 t = sqrt((r - a) * 0.5);
  return lz_cd_mk(lz_fabs_d(b) / (2.0 * t) * scale, lz_copysign_d(t, b) * scale);
}

LZ_FN lz_cd lz_exp_cis(f64 a, f64 b) {
  f64 s = sin(b), c = cos(b);
  if (a > 709.0) {
    f64 h = exp(a * 0.5);
    return lz_cd_mk(h * c * h, h * s * h);
  }
  f64 e = exp(a);
  return lz_cd_mk(e * c, e * s);
}

LZ_HEAVY lz_cd lz_cexp(lz_cd z) {
  f64 a = z.re, b = z.im;
  if (b == 0.0) return lz_cd_mk(exp(a), b);
  if (a == 0.0) return lz_cd_mk(cos(b), sin(b));
  if (!lz_isfinite_d(b)) {
    if (a != a || lz_isfinite_d(a)) return lz_cd_mk(lz_nan(), lz_nan());
    if (a > 0.0) return lz_cd_mk(a, lz_zero_or_nan(b));
    return lz_cd_mk(0.0, lz_copysign_d(0.0, b));
  }
  return lz_exp_cis(a, b);
}

LZ_HEAVY lz_cd lz_cexpm1(lz_cd z) {
  f64 a = z.re, b = z.im;
  if (b == 0.0) return lz_cd_mk(a == 0.0 ? 0.0 : expm1(a), b);
  if (!lz_isfinite_d(b)) {
    if (a != a || lz_isfinite_d(a)) return lz_cd_mk(lz_nan(), lz_nan());
    if (a > 0.0) return lz_cd_mk(a, lz_zero_or_nan(b));
    return lz_cd_mk(-1.0, lz_copysign_d(0.0, b));
  }
  if (a != a) return lz_cd_mk(lz_nan(), lz_nan());
  if (a == -lz_inf()) return lz_cd_mk(0.0 * cos(b) - 1.0, 0.0 * sin(b));
  if (a == lz_inf() || a > 709.0) {
    lz_cd e = lz_exp_cis(a, b);
    return lz_cd_mk(e.re - 1.0, e.im);
  }
  f64 s = sin(b), c = cos(b), h = sin(b * 0.5);
  return lz_cd_mk(expm1(a) * c - 2.0 * h * h, exp(a) * s);
}

LZ_FN f64 lz_ln_abs(f64 a, f64 b) {
  f64 x = lz_fabs_d(a), y = lz_fabs_d(b);
  if (lz_isinf_d(x) || lz_isinf_d(y)) return lz_inf();
  if (x != x || y != y) return lz_nan();
  f64 hi = x >= y ? x : y, lo = x >= y ? y : x;
  if (hi == 0.0) return -lz_inf();
  if (hi >= 0.5 && hi <= 2.0) return 0.5 * log1p((hi - 1.0) * (hi + 1.0) + lo * lo);
  if (hi > 1.0e300) {
    f64 q = lo / hi;
    return log(hi) + 0.5 * log1p(q * q);
  }
  return log(hypot(hi, lo));
}

LZ_HEAVY lz_cd lz_clog(lz_cd z) { return lz_cd_mk(lz_ln_abs(z.re, z.im), atan2(z.im, z.re)); }

LZ_HEAVY lz_cd lz_clog1p(lz_cd z) {
  f64 a = z.re, b = z.im;
  if (lz_isfinite_d(a) && lz_isfinite_d(b) && lz_fabs_d(a) < 0.5 && lz_fabs_d(b) < 0.5)
    return lz_cd_mk(0.5 * log1p(a * (2.0 + a) + b * b), atan2(b, 1.0 + a));
  return lz_clog(lz_cd_mk(1.0 + a, b));
}

LZ_FN lz_cd lz_clog2(lz_cd z) {
  lz_cd l = lz_clog(z);
  const f64 LN2 = 0.693147180559945309417232121458176568;
  return lz_cd_mk(l.re / LN2, l.im / LN2);
}

LZ_FN lz_cd lz_clog10(lz_cd z) {
  lz_cd l = lz_clog(z);
  const f64 LN10 = 2.30258509299404568401799145468436421;
  return lz_cd_mk(l.re / LN10, l.im / LN10);
}

LZ_HEAVY lz_cd lz_csinh(lz_cd z) {
  f64 x = z.re, y = z.im;
  const f64 LN2 = 0.693147180559945309417232121458176568;
  if (lz_isfinite_d(x) && lz_isfinite_d(y)) {
    if (y == 0.0) return lz_cd_mk(sinh(x), y);
    f64 s = sin(y), c = cos(y);
    if (lz_fabs_d(x) < 22.0) return lz_cd_mk(sinh(x) * c, cosh(x) * s);
    lz_cd e = lz_exp_cis(lz_fabs_d(x) - LN2, y);
    return lz_cd_mk(x < 0.0 ? -e.re : e.re, e.im);
  }
  if (x == 0.0) return lz_cd_mk(x, lz_zero_or_nan(y));
  if (y == 0.0) return lz_cd_mk(x, y);
  if (lz_isfinite_d(x)) return lz_cd_mk(lz_nan(), lz_nan());
  if (lz_isinf_d(x)) {
    if (!lz_isfinite_d(y)) return lz_cd_mk(x, lz_zero_or_nan(y));
    return lz_cd_mk(x * cos(y), lz_inf() * sin(y));
  }
  return lz_cd_mk(lz_nan(), lz_nan());
}

LZ_HEAVY lz_cd lz_ccosh(lz_cd z) {
  f64 x = z.re, y = z.im;
  const f64 LN2 = 0.693147180559945309417232121458176568;
  if (lz_isfinite_d(x) && lz_isfinite_d(y)) {
    if (y == 0.0) return lz_cd_mk(cosh(x), x * y);
    f64 s = sin(y), c = cos(y);
    if (lz_fabs_d(x) < 22.0) return lz_cd_mk(cosh(x) * c, sinh(x) * s);
    lz_cd e = lz_exp_cis(lz_fabs_d(x) - LN2, y);
    return lz_cd_mk(e.re, x < 0.0 ? -e.im : e.im);
  }
  if (x == 0.0) return lz_cd_mk(lz_zero_or_nan(y), x * lz_copysign_d(0.0, y));
  if (y == 0.0) return lz_cd_mk(x * x, lz_copysign_d(0.0, x) * y);
  if (lz_isfinite_d(x)) return lz_cd_mk(lz_nan(), lz_nan());
  if (lz_isinf_d(x)) {
    if (!lz_isfinite_d(y)) return lz_cd_mk(x * x, x * lz_zero_or_nan(y));
    return lz_cd_mk(lz_inf() * cos(y), x * sin(y));
  }
  return lz_cd_mk(lz_nan(), lz_nan());
}

LZ_HEAVY lz_cd lz_ctanh(lz_cd z) {
  f64 x = z.re, y = z.im;
  if (x != x) return lz_cd_mk(x, y == 0.0 ? y : lz_nan());
  if (lz_isinf_d(x)) return lz_cd_mk(lz_copysign_d(1.0, x), lz_copysign_d(0.0, y != y ? 1.0 : y));
  if (!lz_isfinite_d(y)) return x == 0.0 ? lz_cd_mk(x, lz_nan()) : lz_cd_mk(lz_nan(), lz_nan());
  if (lz_fabs_d(x) >= 22.0) {
    f64 e = exp(-lz_fabs_d(x));
    f64 s = sin(y), c = cos(y);
    return lz_cd_mk(lz_copysign_d(1.0, x), 4.0 * s * c * e * e);
  }
  f64 t = tan(y);
  f64 beta = 1.0 + t * t;
  f64 s = sinh(x);
  f64 rho = sqrt(1.0 + s * s);
  f64 den = 1.0 + beta * s * s;
  return lz_cd_mk(beta * rho * s / den, t / den);
}

LZ_FN lz_cd lz_csin(lz_cd z) { return lz_mul_neg_i(lz_csinh(lz_mul_i(z))); }
LZ_FN lz_cd lz_ccos(lz_cd z) { return lz_ccosh(lz_mul_i(z)); }
LZ_FN lz_cd lz_ctan(lz_cd z) { return lz_mul_neg_i(lz_ctanh(lz_mul_i(z))); }

LZ_FN lz_cd lz_casin_finite(lz_cd z) {
  f64 x = z.re, y = z.im;
  lz_cd s1 = lz_csqrt(lz_cd_mk(1.0 - x, -y));
  lz_cd s2 = lz_csqrt(lz_cd_mk(1.0 + x, y));
  f64 den = s1.re * s2.re - s1.im * s2.im;
  if (den == 0.0) den = 0.0;
  return lz_cd_mk(atan(x / den), asinh(s1.re * s2.im - s1.im * s2.re));
}

LZ_HEAVY lz_cd lz_casinh(lz_cd z) {
  f64 x = z.re, y = z.im;
  const f64 PI_2 = 1.57079632679489661923132169163975144;
  const f64 PI_4 = 0.785398163397448309615660845819875721;
  if (x != x) {
    if (lz_isinf_d(y)) return lz_cd_mk(lz_inf(), x);
    if (y == 0.0) return lz_cd_mk(x, y);
    return lz_cd_mk(lz_nan(), lz_nan());
  }
  if (y != y) return lz_isinf_d(x) ? lz_cd_mk(x, y) : lz_cd_mk(lz_nan(), lz_nan());
  if (lz_isinf_d(x)) return lz_cd_mk(x, lz_copysign_d(lz_isinf_d(y) ? PI_4 : 0.0, y));
  if (lz_isinf_d(y)) return lz_cd_mk(lz_copysign_d(lz_inf(), x), lz_copysign_d(PI_2, y));
  return lz_mul_neg_i(lz_casin_finite(lz_mul_i(z)));
}

LZ_FN lz_cd lz_casin(lz_cd z) { return lz_mul_neg_i(lz_casinh(lz_mul_i(z))); }

LZ_HEAVY lz_cd lz_cacos(lz_cd z) {
  f64 x = z.re, y = z.im;
  const f64 PI = 3.14159265358979323846264338327950288;
  const f64 PI_2 = 1.57079632679489661923132169163975144;
  const f64 PI_4 = 0.785398163397448309615660845819875721;
  if (x != x) return lz_isinf_d(y) ? lz_cd_mk(lz_nan(), -y) : lz_cd_mk(lz_nan(), lz_nan());
  if (y != y) {
    if (lz_isinf_d(x)) return lz_cd_mk(lz_nan(), lz_inf());
    if (x == 0.0) return lz_cd_mk(PI_2, lz_nan());
    return lz_cd_mk(lz_nan(), lz_nan());
  }
  if (lz_isinf_d(y)) {
    f64 re = x == lz_inf() ? PI_4 : x == -lz_inf() ? 3.0 * PI_4 : PI_2;
    return lz_cd_mk(re, -y);
  }
  if (lz_isinf_d(x)) return lz_cd_mk(x < 0.0 ? PI : 0.0, -lz_copysign_d(lz_inf(), y));
  lz_cd s1 = lz_csqrt(lz_cd_mk(1.0 - x, -y));
  lz_cd s2 = lz_csqrt(lz_cd_mk(1.0 + x, y));
  return lz_cd_mk(2.0 * atan(s1.re / s2.re), asinh(s2.re * s1.im - s2.im * s1.re));
}

LZ_HEAVY lz_cd lz_cacosh(lz_cd z) {
  f64 x = z.re, y = z.im;
  const f64 PI = 3.14159265358979323846264338327950288;
  const f64 PI_2 = 1.57079632679489661923132169163975144;
  const f64 PI_4 = 0.785398163397448309615660845819875721;
  if (x != x) return lz_isinf_d(y) ? lz_cd_mk(lz_inf(), lz_nan()) : lz_cd_mk(lz_nan(), lz_nan());
  if (y != y) {
    if (lz_isinf_d(x)) return lz_cd_mk(lz_inf(), lz_nan());
    if (x == 0.0) return lz_cd_mk(lz_nan(), PI_2);
    return lz_cd_mk(lz_nan(), lz_nan());
  }
  if (lz_isinf_d(y)) {
    f64 im = x == lz_inf() ? PI_4 : x == -lz_inf() ? 3.0 * PI_4 : PI_2;
    return lz_cd_mk(lz_inf(), lz_copysign_d(im, y));
  }
  if (lz_isinf_d(x)) return lz_cd_mk(lz_inf(), lz_copysign_d(x < 0.0 ? PI : 0.0, y));
  lz_cd s1 = lz_csqrt(lz_cd_mk(x - 1.0, y));
  lz_cd s2 = lz_csqrt(lz_cd_mk(x + 1.0, y));
  return lz_cd_mk(asinh(s1.re * s2.re + s1.im * s2.im), 2.0 * atan(s1.im / s2.re));
}

LZ_HEAVY lz_cd lz_catanh(lz_cd z) {
  f64 x = z.re, y = z.im;
  const f64 PI_2 = 1.57079632679489661923132169163975144;
  if (x != x) return lz_isinf_d(y) ? lz_cd_mk(0.0, lz_copysign_d(PI_2, y)) : lz_cd_mk(lz_nan(), lz_nan());
  if (y != y) {
    if (lz_isinf_d(x)) return lz_cd_mk(lz_copysign_d(0.0, x), y);
    if (x == 0.0) return lz_cd_mk(x, y);
    return lz_cd_mk(lz_nan(), lz_nan());
  }
  if (lz_isinf_d(x) || lz_isinf_d(y)) return lz_cd_mk(lz_copysign_d(0.0, x), lz_copysign_d(PI_2, y));
  if (y == 0.0 && lz_fabs_d(x) == 1.0) return lz_cd_mk(lz_copysign_d(lz_inf(), x), y);
  const f64 HUGE_ = 1.0e150;
  if (lz_fabs_d(x) > HUGE_ || lz_fabs_d(y) > HUGE_) {
    f64 m = lz_fabs_d(x) > lz_fabs_d(y) ? lz_fabs_d(x) : lz_fabs_d(y);
    f64 sx = x / m, sy = y / m;
    return lz_cd_mk(sx / (m * (sx * sx + sy * sy)), lz_copysign_d(PI_2, y));
  }
  f64 ax = lz_fabs_d(x);
  f64 one_minus = 1.0 - ax;
  f64 h = hypot(one_minus, y);
  f64 re = h < 1.0e-100 ? 0.25 * (log(4.0 * ax) - 2.0 * log(h))
                        : 0.25 * log1p(4.0 * ax / (one_minus * one_minus + y * y));
  f64 im = 0.5 * atan2(2.0 * y, one_minus * (1.0 + ax) - y * y);
  return lz_cd_mk(lz_copysign_d(re, x), im);
}

LZ_FN lz_cd lz_catan(lz_cd z) { return lz_mul_neg_i(lz_catanh(lz_mul_i(z))); }

LZ_HEAVY lz_cd lz_cpow(lz_cd x1, lz_cd x2) {
  f64 c = x2.re, d = x2.im;
  if (c == 0.0 && d == 0.0) return lz_cd_mk(1.0, 0.0);
  if (d == 0.0 && c == trunc(c) && lz_fabs_d(c) <= 64.0 && lz_isfinite_d(x1.re) && lz_isfinite_d(x1.im)) {
    unsigned n = (unsigned)lz_fabs_d(c);
    lz_cd acc = lz_cd_mk(1.0, 0.0), base = x1;
    while (n > 0) {
      if (n & 1) acc = lz_cmul(acc, base);
      n >>= 1;
      if (n > 0) base = lz_cmul(base, base);
    }
    return c < 0.0 ? lz_cdiv(lz_cd_mk(1.0, 0.0), acc) : acc;
  }
  return lz_cexp(lz_cmul(x2, lz_clog(x1)));
}

#define LZ_COMPLEX_OPS(C, R, TO)                                                                   \
  LZ_FN C lz_add(C a, C b) { return TO(lz_cd_mk((f64)a.re + (f64)b.re, (f64)a.im + (f64)b.im)); }  \
  LZ_FN C lz_subtract(C a, C b) { return TO(lz_cd_mk((f64)a.re - (f64)b.re, (f64)a.im - (f64)b.im)); } \
  LZ_FN C lz_multiply(C a, C b) { return TO(lz_cmul(lz_cd_of(a), lz_cd_of(b))); }                  \
  LZ_FN C lz_divide(C a, C b) { return TO(lz_cdiv(lz_cd_of(a), lz_cd_of(b))); }                    \
  LZ_FN C lz_negative(C a) { C r = {-a.re, -a.im}; return r; }                                     \
  LZ_FN C lz_positive(C a) { return a; }                                                           \
  LZ_FN C lz_conj(C a) { C r = {a.re, -a.im}; return r; }                                          \
  LZ_FN C lz_square(C a) { return TO(lz_cmul(lz_cd_of(a), lz_cd_of(a))); }                         \
  LZ_FN C lz_reciprocal(C a) { return TO(lz_cdiv(lz_cd_mk(1.0, 0.0), lz_cd_of(a))); }              \
  LZ_FN C lz_round(C a) { return TO(lz_cd_mk(rint((f64)a.re), rint((f64)a.im))); }                 \
  LZ_FN C lz_sign(C a) { return TO(lz_csign(lz_cd_of(a))); }                                       \
  LZ_FN R lz_abs(C a) { return (R)hypot((f64)a.re, (f64)a.im); }                                   \
  LZ_FN R lz_real(C a) { return a.re; }                                                            \
  LZ_FN R lz_imag(C a) { return a.im; }                                                            \
  LZ_FN bool lz_isnan(C a) { return lz_isnan_d(a.re) || lz_isnan_d(a.im); }                        \
  LZ_FN bool lz_isinf(C a) { return lz_isinf_d(a.re) || lz_isinf_d(a.im); }                        \
  LZ_FN bool lz_isfinite(C a) { return lz_isfinite_d(a.re) && lz_isfinite_d(a.im); }               \
  LZ_FN bool lz_equal(C a, C b) { return a.re == b.re && a.im == b.im; }                           \
  LZ_FN bool lz_not_equal(C a, C b) { return a.re != b.re || a.im != b.im; }                      \
  LZ_FN C lz_pow(C a, C b) { return TO(lz_cpow(lz_cd_of(a), lz_cd_of(b))); }                        \
  LZ_FN C lz_sqrt(C a) { return TO(lz_csqrt(lz_cd_of(a))); }                                       \
  LZ_FN C lz_exp(C a) { return TO(lz_cexp(lz_cd_of(a))); }                                         \
  LZ_FN C lz_expm1(C a) { return TO(lz_cexpm1(lz_cd_of(a))); }                                     \
  LZ_FN C lz_log(C a) { return TO(lz_clog(lz_cd_of(a))); }                                         \
  LZ_FN C lz_log1p(C a) { return TO(lz_clog1p(lz_cd_of(a))); }                                     \
  LZ_FN C lz_log2(C a) { return TO(lz_clog2(lz_cd_of(a))); }                                       \
  LZ_FN C lz_log10(C a) { return TO(lz_clog10(lz_cd_of(a))); }                                     \
  LZ_FN C lz_sin(C a) { return TO(lz_csin(lz_cd_of(a))); }                                         \
  LZ_FN C lz_cos(C a) { return TO(lz_ccos(lz_cd_of(a))); }                                         \
  LZ_FN C lz_tan(C a) { return TO(lz_ctan(lz_cd_of(a))); }                                         \
  LZ_FN C lz_asin(C a) { return TO(lz_casin(lz_cd_of(a))); }                                       \
  LZ_FN C lz_acos(C a) { return TO(lz_cacos(lz_cd_of(a))); }                                       \
  LZ_FN C lz_atan(C a) { return TO(lz_catan(lz_cd_of(a))); }                                       \
  LZ_FN C lz_sinh(C a) { return TO(lz_csinh(lz_cd_of(a))); }                                       \
  LZ_FN C lz_cosh(C a) { return TO(lz_ccosh(lz_cd_of(a))); }                                       \
  LZ_FN C lz_tanh(C a) { return TO(lz_ctanh(lz_cd_of(a))); }                                       \
  LZ_FN C lz_asinh(C a) { return TO(lz_casinh(lz_cd_of(a))); }                                     \
  LZ_FN C lz_acosh(C a) { return TO(lz_cacosh(lz_cd_of(a))); }                                     \
  LZ_FN C lz_atanh(C a) { return TO(lz_catanh(lz_cd_of(a))); }

LZ_COMPLEX_OPS(c64, f32, lz_to_c64)
LZ_COMPLEX_OPS(c128, f64, lz_to_c128)

// ---------------------------------------------------------------------------------------------------
// loads and stores (booleans are bytes holding 0 or 1)

template <class T> LZ_FN T lz_ld(const unsigned char* p, long long i) { return ((const T*)p)[i]; }
template <> LZ_FN bool lz_ld<bool>(const unsigned char* p, long long i) { return p[i] != 0; }
template <class T> LZ_FN void lz_st(unsigned char* p, long long i, T v) { ((T*)p)[i] = v; }
template <> LZ_FN void lz_st<bool>(unsigned char* p, long long i, bool v) { p[i] = v ? 1 : 0; }

// ---------------------------------------------------------------------------------------------------
// reductions: warp shuffles of every accumulator type (complex: each part)

LZ_FN f64 lz_shfl_down(f64 v, int o) { return __shfl_down_sync(0xffffffffu, v, o); }
LZ_FN f32 lz_shfl_down(f32 v, int o) { return __shfl_down_sync(0xffffffffu, v, o); }
LZ_FN i64 lz_shfl_down(i64 v, int o) { return __shfl_down_sync(0xffffffffu, v, o); }
LZ_FN u64 lz_shfl_down(u64 v, int o) { return __shfl_down_sync(0xffffffffu, v, o); }
LZ_FN i32 lz_shfl_down(i32 v, int o) { return __shfl_down_sync(0xffffffffu, v, o); }
LZ_FN u32 lz_shfl_down(u32 v, int o) { return __shfl_down_sync(0xffffffffu, v, o); }
LZ_FN i16 lz_shfl_down(i16 v, int o) { return (i16)__shfl_down_sync(0xffffffffu, (i32)v, o); }
LZ_FN u16 lz_shfl_down(u16 v, int o) { return (u16)__shfl_down_sync(0xffffffffu, (u32)v, o); }
LZ_FN i8 lz_shfl_down(i8 v, int o) { return (i8)__shfl_down_sync(0xffffffffu, (i32)v, o); }
LZ_FN u8 lz_shfl_down(u8 v, int o) { return (u8)__shfl_down_sync(0xffffffffu, (u32)v, o); }
LZ_FN bool lz_shfl_down(bool v, int o) { return __shfl_down_sync(0xffffffffu, (i32)v, o) != 0; }
LZ_FN c64 lz_shfl_down(c64 v, int o) {
  c64 r = {__shfl_down_sync(0xffffffffu, v.re, o), __shfl_down_sync(0xffffffffu, v.im, o)};
  return r;
}
LZ_FN c128 lz_shfl_down(c128 v, int o) {
  c128 r = {__shfl_down_sync(0xffffffffu, v.re, o), __shfl_down_sync(0xffffffffu, v.im, o)};
  return r;
}
