//! searchsorted: one thread per needle (grid-stride), a binary search over the sorted haystack in the
//! sort order of `lzx_key` (NaNs last, `-0.0 == 0.0`), the CPU's order: on a sorted haystack the
//! insertion point is unique, so it equals the CPU's `partition_point`.

use super::{entry, real};
use crate::ctype;
use lazulite_ir::DType;

/// `lzx_searchsorted_<dtype>(hay, n, needles, m, out, right)`: `out[k]` is the number of `hay`
/// elements before (`right == 0`) or not after (`right == 1`) `needles[k]`.
pub fn search_entry(d: DType) -> String {
    format!("lzx_searchsorted_{}", ctype(d))
}

const TEMPLATE: &str = r#"
template <class T>
LZ_FN void lzx_search(const T* hay, i64 n, const T* needles, i64 m, i64* out, i64 right) {
  for (i64 k = lzx_tid(); k < m; k += lzx_stride()) {
    const u64 key = lzx_key(needles[k]);
    i64 lo = 0, hi = n;
    while (lo < hi) {
      const i64 mid = lo + (hi - lo) / 2;
      const u64 h = lzx_key(hay[mid]);
      if (right ? h <= key : h < key) lo = mid + 1; else hi = mid;
    }
    out[k] = lo;
  }
}
"#;

pub(super) fn source() -> String {
    let mut s = String::from(TEMPLATE);
    for d in real() {
        entry(
            &mut s,
            &search_entry(d),
            &format!(
                "const {t}* hay, i64 n, const {t}* needles, i64 m, i64* out, i64 right",
                t = ctype(d)
            ),
            &format!("lzx_search<{}>(hay, n, needles, m, out, right);", ctype(d)),
        );
    }
    s
}
