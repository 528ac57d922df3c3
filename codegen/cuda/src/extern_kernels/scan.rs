//! cumulative_sum / cumulative_prod. Rows shorter than a block run one thread per row
//! (`lzx_cumsum_rows_<dtype>`: a grid-stride loop over rows, each folded in order, as on the CPU);
//! longer rows run one block per row (a grid-stride loop over rows). Thread `t` owns
//! the `t`-th contiguous piece of the row: it folds its piece, thread 0 turns the block's piece totals
//! into exclusive prefixes in order, and each thread rescans its piece from its prefix. The combine
//! order depends only on the row length and `blockDim.x` (the runtime launches
//! [`super::EXTERN_BLOCK`]), so a float scan gives the same bits on every run; integers wrap, so their
//! scans equal the CPU's exactly. Complex products use the plain formula in the operand's precision,
//! as the CPU's `num_complex` multiplication does.

use super::{entry, numeric};
use crate::ctype;
use lazulite_ir::DType;

/// `lzx_cumsum_<dtype>` / `lzx_cumprod_<dtype>(x, out, outer, len, inner, include_initial)`: `x` is
/// C-contiguous `(outer, len, inner)`, `out` `(outer, len + include_initial, inner)`.
/// `per_thread`: the one-thread-per-row form (same parameters).
pub fn scan_entry(d: DType, product: bool, per_thread: bool) -> String {
    format!(
        "lzx_{}{}_{}",
        if product { "cumprod" } else { "cumsum" },
        if per_thread { "_rows" } else { "" },
        ctype(d)
    )
}

const TEMPLATE: &str = r#"
#define LZX_SCAN_INT(T) \
  LZ_FN T lzx_plus(T a, T b) { return lz_add(a, b); } \
  LZ_FN T lzx_times(T a, T b) { return lz_multiply(a, b); } \
  LZ_FN T lzx_zero(const T*) { return (T)0; } \
  LZ_FN T lzx_one(const T*) { return (T)1; }
LZ_INT_TYPES(LZX_SCAN_INT)
#define LZX_SCAN_FLOAT(T) \
  LZ_FN T lzx_plus(T a, T b) { return a + b; } \
  LZ_FN T lzx_times(T a, T b) { return a * b; } \
  LZ_FN T lzx_zero(const T*) { return (T)0; } \
  LZ_FN T lzx_one(const T*) { return (T)1; }
LZX_SCAN_FLOAT(f32)
LZX_SCAN_FLOAT(f64)
#define LZX_SCAN_COMPLEX(C, R) \
  LZ_FN C lzx_plus(C a, C b) { C r = {(R)(a.re + b.re), (R)(a.im + b.im)}; return r; } \
  LZ_FN C lzx_times(C a, C b) { \
    R rr = a.re * b.re, ii = a.im * b.im, ri = a.re * b.im, ir = a.im * b.re; \
    C r = {(R)(rr - ii), (R)(ri + ir)}; \
    return r; \
  } \
  LZ_FN C lzx_zero(const C*) { C r = {(R)0, (R)0}; return r; } \
  LZ_FN C lzx_one(const C*) { C r = {(R)1, (R)0}; return r; }
LZX_SCAN_COMPLEX(c64, f32)
LZX_SCAN_COMPLEX(c128, f64)

template <class T, bool PROD>
LZ_FN T lzx_fold(T a, T b) { return PROD ? lzx_times(a, b) : lzx_plus(a, b); }

template <class T, bool PROD>
LZ_FN void lzx_scan(const T* x, T* out, i64 outer, i64 len, i64 inner, i64 incl) {
  __shared__ T part[1024];
  const unsigned t = threadIdx.x;
  const T* tag = 0;
  const T init = PROD ? lzx_one(tag) : lzx_zero(tag);
  const i64 rows = outer * inner, olen = len + incl;
  const i64 per = (len + (i64)blockDim.x - 1) / (i64)blockDim.x;
  const i64 lo = (i64)t * per < len ? (i64)t * per : len;
  const i64 hi = lo + per < len ? lo + per : len;
  for (i64 row = blockIdx.x; row < rows; row += gridDim.x) {
    const i64 o = row / inner, r = row % inner;
    const T* src = x + o * len * inner + r;
    T* dst = out + o * olen * inner + r;
    T acc = init;
    for (i64 i = lo; i < hi; ++i) acc = lzx_fold<T, PROD>(acc, src[i * inner]);
    part[t] = acc;
    __syncthreads();
    if (t == 0) {
      T run = init;
      for (unsigned k = 0; k < blockDim.x; ++k) {
        const T v = part[k];
        part[k] = run;
        run = lzx_fold<T, PROD>(run, v);
      }
      if (incl) dst[0] = init;
    }
    __syncthreads();
    T run = part[t];
    for (i64 i = lo; i < hi; ++i) {
      run = lzx_fold<T, PROD>(run, src[i * inner]);
      dst[(i + incl) * inner] = run;
    }
    __syncthreads();
  }
}

template <class T, bool PROD>
LZ_FN void lzx_scan_rows(const T* x, T* out, i64 outer, i64 len, i64 inner, i64 incl) {
  const T* tag = 0;
  const T init = PROD ? lzx_one(tag) : lzx_zero(tag);
  const i64 rows = outer * inner, olen = len + incl;
  for (i64 row = lzx_tid(); row < rows; row += lzx_stride()) {
    const i64 o = row / inner, r = row % inner;
    const T* src = x + o * len * inner + r;
    T* dst = out + o * olen * inner + r;
    T run = init;
    if (incl) dst[0] = init;
    for (i64 i = 0; i < len; ++i) {
      run = lzx_fold<T, PROD>(run, src[i * inner]);
      dst[(i + incl) * inner] = run;
    }
  }
}
"#;

pub(super) fn source() -> String {
    let mut s = String::from(TEMPLATE);
    for d in numeric() {
        for (product, rows) in [(false, false), (true, false), (false, true), (true, true)] {
            entry(
                &mut s,
                &scan_entry(d, product, rows),
                &format!(
                    "const {t}* x, {t}* out, i64 outer, i64 len, i64 inner, i64 incl",
                    t = ctype(d)
                ),
                &format!(
                    "lzx_scan{}<{}, {product}>(x, out, outer, len, inner, incl);",
                    if rows { "_rows" } else { "" },
                    ctype(d)
                ),
            );
        }
    }
    s
}
