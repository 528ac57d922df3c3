//! Index resolution and the dtype-blind gathers: take, take_along_axis and concat's copies. Elements
//! move as unsigned words of their size ([`super::ELEM_SIZES`]), so one entry serves every dtype of a
//! size. User indices are resolved once by `lzx_index_<itype>`: negative ones count from the end, and
//! an index out of range is recorded as its position (the smallest such, by `atomicMin`, so the runtime
//! reports the same first bad index the CPU does) and never read through.

use super::{elem_type, entry, index, ELEM_SIZES};
use crate::ctype;
use lazulite_ir::DType;

/// `lzx_index_<itype>(idx, resolved, n, bound, flag)`: `resolved[k]` is `idx[k]` resolved against an
/// axis of `bound` elements, or -1 when out of range (then `*flag = min(*flag, k)`).
pub fn index_entry(d: DType) -> String {
    format!("lzx_index_{}", ctype(d))
}

/// `lzx_take_e<size>(x, resolved, out, outer, len, inner, n_idx)`.
pub fn take_entry(size: usize) -> String {
    format!("lzx_take_e{size}")
}

/// `lzx_take_along_e<size>(x, resolved, out, outer, len, inner, idx_len)`.
pub fn take_along_entry(size: usize) -> String {
    format!("lzx_take_along_e{size}")
}

/// `lzx_concat_e<size>(src, dst, outer, chunk, pitch, offset)`: row `o` of `src` (`chunk` elements)
/// goes to `dst[o * pitch + offset ..]`.
pub fn concat_entry(size: usize) -> String {
    format!("lzx_concat_e{size}")
}

const TEMPLATE: &str = r#"
// An index as int64 (uint64 values past int64's range stay out of range, as on the CPU).
template <class I>
LZ_FN i64 lzx_as_i64(I v) {
  if (lz_is_signed<I>()) return (i64)v;
  return (u64)v > 0x7fffffffffffffffULL ? (i64)0x7fffffffffffffffLL : (i64)(u64)v;
}

template <class I>
LZ_FN void lzx_index(const I* idx, i64* resolved, i64 n, i64 bound, u64* flag) {
  for (i64 k = lzx_tid(); k < n; k += lzx_stride()) {
    const i64 v = lzx_as_i64(idx[k]);
    const i64 j = v < 0 ? v + bound : v;
    if (j < 0 || j >= bound) {
      resolved[k] = -1;
      atomicMin((unsigned long long*)flag, (unsigned long long)k);
    } else {
      resolved[k] = j;
    }
  }
}

template <class E>
LZ_FN void lzx_take(const E* x, const i64* resolved, E* out, i64 outer, i64 len, i64 inner, i64 n_idx) {
  const i64 total = outer * n_idx * inner;
  for (i64 e = lzx_tid(); e < total; e += lzx_stride()) {
    const i64 o = e / (n_idx * inner), rem = e % (n_idx * inner);
    const i64 i = resolved[rem / inner];
    if (i >= 0) out[e] = x[(o * len + i) * inner + rem % inner];
  }
}

template <class E>
LZ_FN void lzx_take_along(const E* x, const i64* resolved, E* out, i64 outer, i64 len, i64 inner,
                          i64 idx_len) {
  const i64 total = outer * idx_len * inner;
  for (i64 e = lzx_tid(); e < total; e += lzx_stride()) {
    const i64 o = e / (idx_len * inner);
    const i64 i = resolved[e];
    if (i >= 0) out[e] = x[(o * len + i) * inner + e % inner];
  }
}

template <class E>
LZ_FN void lzx_concat(const E* src, E* dst, i64 outer, i64 chunk, i64 pitch, i64 offset) {
  const i64 total = outer * chunk;
  for (i64 e = lzx_tid(); e < total; e += lzx_stride()) dst[(e / chunk) * pitch + offset + e % chunk] = src[e];
}
"#;

pub(super) fn source() -> String {
    let mut s = String::from(TEMPLATE);
    for d in index() {
        entry(
            &mut s,
            &index_entry(d),
            &format!(
                "const {}* idx, i64* resolved, i64 n, i64 bound, u64* flag",
                ctype(d)
            ),
            &format!("lzx_index<{}>(idx, resolved, n, bound, flag);", ctype(d)),
        );
    }
    for size in ELEM_SIZES {
        let e = elem_type(size);
        entry(
            &mut s,
            &take_entry(size),
            &format!(
                "const {e}* x, const i64* resolved, {e}* out, i64 outer, i64 len, i64 inner, i64 n_idx"
            ),
            &format!("lzx_take<{e}>(x, resolved, out, outer, len, inner, n_idx);"),
        );
        entry(
            &mut s,
            &take_along_entry(size),
            &format!(
                "const {e}* x, const i64* resolved, {e}* out, i64 outer, i64 len, i64 inner, \
                 i64 idx_len"
            ),
            &format!("lzx_take_along<{e}>(x, resolved, out, outer, len, inner, idx_len);"),
        );
        entry(
            &mut s,
            &concat_entry(size),
            &format!("const {e}* src, {e}* dst, i64 outer, i64 chunk, i64 pitch, i64 offset"),
            &format!("lzx_concat<{e}>(src, dst, outer, chunk, pitch, offset);"),
        );
    }
    s
}
