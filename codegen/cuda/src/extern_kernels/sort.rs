//! The stable merge sort behind sort, argsort and the scatter's last-write-wins order. Every row is
//! a run of `(key, index)` pairs: `lzx_sortkeys_<dtype>` builds them (the `lzx_key` of each value,
//! complemented when descending, and its position along the axis; any axis, read with its stride),
//! then `lzx_merge` passes of doubling width merge neighbouring runs. A pass is one thread per element
//! (grid-stride): an element's place in the merged run is its place in its own run plus the number of
//! elements of the other run before it (strictly smaller keys for the left run, keys not larger for the
//! right run), so equal keys keep their order: the sort is stable, and deterministic, for every
//! `stable` flag. The last pass's indices give argsort's result, or the gather of sort's values (their
//! original bits, `-0.0` and NaN payloads kept).

use super::{elem_type, entry, real, ELEM_SIZES};
use crate::ctype;
use lazulite_ir::DType;

/// `lzx_sortkeys_<dtype>(x, keys, idx, outer, len, inner, descending)`.
pub fn sort_keys_entry(d: DType) -> String {
    format!("lzx_sortkeys_{}", ctype(d))
}

/// `lzx_merge(keys_in, idx_in, keys_out, idx_out, rows, len, width)`: one merge pass over runs of
/// `width`.
pub fn merge_entry() -> &'static str {
    "lzx_merge"
}

/// `lzx_sort_gather_e<size>(x, idx, out, outer, len, inner)`: sort's output from the sorted indices.
pub fn sort_gather_entry(size: usize) -> String {
    format!("lzx_sort_gather_e{size}")
}

/// `lzx_argsort_out(idx, out, outer, len, inner)`: argsort's output from the sorted indices.
pub fn argsort_out_entry() -> &'static str {
    "lzx_argsort_out"
}

/// `lzx_scatter_keys(resolved, keys, idx, m)`: the scatter's positions as sort keys (an unresolved
/// position, -1, becomes the largest key and is never written).
pub fn scatter_keys_entry() -> &'static str {
    "lzx_scatter_keys"
}

/// `lzx_scatter_write_e<size>(keys, idx, values, out, m)`: after the sort of the positions, the last
/// write of each run of equal positions (the largest `k`) stores `values[k]`.
pub fn scatter_write_entry(size: usize) -> String {
    format!("lzx_scatter_write_e{size}")
}

const TEMPLATE: &str = r#"
template <class T>
LZ_FN void lzx_sortkeys(const T* x, u64* keys, i64* idx, i64 outer, i64 len, i64 inner, i64 desc) {
  const i64 total = outer * inner * len;
  for (i64 e = lzx_tid(); e < total; e += lzx_stride()) {
    const i64 row = e / len, i = e % len, o = row / inner, r = row % inner;
    const u64 k = lzx_key(x[(o * len + i) * inner + r]);
    keys[e] = desc ? ~k : k;
    idx[e] = i;
  }
}

// The number of keys in the sorted k[lo, hi) that are < key (<= key when `inclusive`).
LZ_FN i64 lzx_rank(const u64* k, i64 lo, i64 hi, u64 key, bool inclusive) {
  const i64 start = lo;
  while (lo < hi) {
    const i64 mid = lo + (hi - lo) / 2;
    if (inclusive ? k[mid] <= key : k[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo - start;
}

extern "C" __global__ void lzx_merge(const u64* kin, const i64* iin, u64* kout, i64* iout, i64 rows, i64 len,
                                     i64 width) {
  const i64 total = rows * len;
  for (i64 e = lzx_tid(); e < total; e += lzx_stride()) {
    const i64 base = (e / len) * len, i = e % len;
    const i64 s = (i / (2 * width)) * (2 * width);
    const i64 mid = s + width < len ? s + width : len;
    const i64 end = s + 2 * width < len ? s + 2 * width : len;
    const u64 key = kin[base + i];
    const i64 pos = i < mid ? i + lzx_rank(kin + base, mid, end, key, false)
                            : s + (i - mid) + lzx_rank(kin + base, s, mid, key, true);
    kout[base + pos] = key;
    iout[base + pos] = iin[base + i];
  }
}

template <class E>
LZ_FN void lzx_sort_gather(const E* x, const i64* idx, E* out, i64 outer, i64 len, i64 inner) {
  const i64 total = outer * inner * len;
  for (i64 e = lzx_tid(); e < total; e += lzx_stride()) {
    const i64 row = e / len, i = e % len, o = row / inner, r = row % inner;
    out[(o * len + i) * inner + r] = x[(o * len + idx[e]) * inner + r];
  }
}

extern "C" __global__ void lzx_argsort_out(const i64* idx, i64* out, i64 outer, i64 len, i64 inner) {
  const i64 total = outer * inner * len;
  for (i64 e = lzx_tid(); e < total; e += lzx_stride()) {
    const i64 row = e / len, i = e % len, o = row / inner, r = row % inner;
    out[(o * len + i) * inner + r] = idx[e];
  }
}

extern "C" __global__ void lzx_scatter_keys(const i64* resolved, u64* keys, i64* idx, i64 m) {
  for (i64 k = lzx_tid(); k < m; k += lzx_stride()) {
    keys[k] = resolved[k] < 0 ? ~0ULL : (u64)resolved[k];
    idx[k] = k;
  }
}

template <class E>
LZ_FN void lzx_scatter_write(const u64* keys, const i64* idx, const E* values, E* out, i64 m) {
  for (i64 e = lzx_tid(); e < m; e += lzx_stride()) {
    const u64 key = keys[e];
    if (key != ~0ULL && (e == m - 1 || keys[e + 1] != key)) out[key] = values[idx[e]];
  }
}
"#;

pub(super) fn source() -> String {
    let mut s = String::from(TEMPLATE);
    for d in real() {
        entry(
            &mut s,
            &sort_keys_entry(d),
            &format!(
                "const {}* x, u64* keys, i64* idx, i64 outer, i64 len, i64 inner, i64 desc",
                ctype(d)
            ),
            &format!(
                "lzx_sortkeys<{}>(x, keys, idx, outer, len, inner, desc);",
                ctype(d)
            ),
        );
    }
    for size in ELEM_SIZES {
        let e = elem_type(size);
        entry(
            &mut s,
            &sort_gather_entry(size),
            &format!("const {e}* x, const i64* idx, {e}* out, i64 outer, i64 len, i64 inner"),
            &format!("lzx_sort_gather<{e}>(x, idx, out, outer, len, inner);"),
        );
        entry(
            &mut s,
            &scatter_write_entry(size),
            &format!("const u64* keys, const i64* idx, const {e}* values, {e}* out, i64 m"),
            &format!("lzx_scatter_write<{e}>(keys, idx, values, out, m);"),
        );
    }
    s
}
