//! argmax / argmin. Rows shorter than a block run one thread per row (`lzx_argmax_rows_<dtype>`, a
//! grid-stride loop over rows, scanning in order); longer rows run one block per row (a grid-stride
//! loop over rows). Each thread keeps the first best
//! `(value, index)` of its strided share of the row, then a shared-memory tree combines pairs; on
//! equal values the smaller index wins and a NaN beats every number (the first NaN), so the result is
//! NumPy's first occurrence whatever the block size.

use super::{entry, real};
use crate::ctype;
use lazulite_ir::DType;

/// `lzx_argmax_<dtype>` / `lzx_argmin_<dtype>(x, out, outer, len, inner)`: `out[o * inner + r]` is the
/// index along the row `x[o, :, r]` (C-contiguous `(outer, len, inner)`, `len > 0`).
/// `per_thread`: the one-thread-per-row form (same parameters).
pub fn argext_entry(d: DType, max: bool, per_thread: bool) -> String {
    format!(
        "lzx_{}{}_{}",
        if max { "argmax" } else { "argmin" },
        if per_thread { "_rows" } else { "" },
        ctype(d)
    )
}

const TEMPLATE: &str = r#"
// Whether (v, i) goes before (bv, bi) in an arg-extremum: the first NaN, else the strictly better
// value, else the smaller index of equal values. `bi < 0` is "nothing yet".
template <class T, bool MAX>
LZ_FN bool lzx_better(T v, i64 i, T bv, i64 bi) {
  if (i < 0) return false;
  if (bi < 0) return true;
  const bool vn = lz_isnan(v), bn = lz_isnan(bv);
  if (vn || bn) return vn && (!bn || i < bi);
  if (MAX ? (v > bv) : (v < bv)) return true;
  return v == bv && i < bi;
}

template <class T, bool MAX>
LZ_FN void lzx_argext(const T* x, i64* out, i64 outer, i64 len, i64 inner) {
  __shared__ T sv[1024];
  __shared__ i64 si[1024];
  const unsigned t = threadIdx.x;
  const i64 rows = outer * inner;
  for (i64 row = blockIdx.x; row < rows; row += gridDim.x) {
    const i64 o = row / inner, r = row % inner;
    const T* src = x + o * len * inner + r;
    T bv = src[0];
    i64 bi = -1;
    for (i64 i = t; i < len; i += blockDim.x) {
      const T v = src[i * inner];
      if (lzx_better<T, MAX>(v, i, bv, bi)) { bv = v; bi = i; }
    }
    sv[t] = bv;
    si[t] = bi;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
      if (t < s && lzx_better<T, MAX>(sv[t + s], si[t + s], sv[t], si[t])) {
        sv[t] = sv[t + s];
        si[t] = si[t + s];
      }
      __syncthreads();
    }
    if (t == 0) out[row] = si[0];
    __syncthreads();
  }
}

template <class T, bool MAX>
LZ_FN void lzx_argext_rows(const T* x, i64* out, i64 outer, i64 len, i64 inner) {
  const i64 rows = outer * inner;
  for (i64 row = lzx_tid(); row < rows; row += lzx_stride()) {
    const T* src = x + (row / inner) * len * inner + row % inner;
    T bv = src[0];
    i64 bi = 0;
    for (i64 i = 1; i < len; ++i) {
      const T v = src[i * inner];
      if (lzx_better<T, MAX>(v, i, bv, bi)) { bv = v; bi = i; }
    }
    out[row] = bi;
  }
}
"#;

pub(super) fn source() -> String {
    let mut s = String::from(TEMPLATE);
    for d in real() {
        for (max, rows) in [(true, false), (false, false), (true, true), (false, true)] {
            entry(
                &mut s,
                &argext_entry(d, max, rows),
                &format!(
                    "const {t}* x, i64* out, i64 outer, i64 len, i64 inner",
                    t = ctype(d)
                ),
                &format!(
                    "lzx_argext{}<{}, {max}>(x, out, outer, len, inner);",
                    if rows { "_rows" } else { "" },
                    ctype(d)
                ),
            );
        }
    }
    s
}
