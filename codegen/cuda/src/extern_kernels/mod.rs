//! CUDA C for the extern ops that run on the device (issue 9): argmax/argmin, cumulative sums and
//! products, index resolution with take / take_along_axis / concat, searchsorted, and the stable merge
//! sort behind sort, argsort and the functional `x[key] = value` (`ScatterFlat`).
//!
//! One translation unit per [`Family`] (the prelude, the family's templates, then one
//! `extern "C" __global__` entry per dtype or element size), loaded lazily by the runtime
//! (`runtime/src/backend/cuda/cuda_extern.rs`) through the same NVRTC / emulator path as the generated
//! kernels. Every entry takes plain 8-byte parameters (device pointers and `long long` sizes), so the
//! runtime launches them with the `Driver`'s by-value parameter list. Nothing here uses a GPU's
//! properties: grid and block come from the runtime, and each kernel's result depends on its
//! `blockDim.x` only where noted (the scans fold in a fixed order for [`EXTERN_BLOCK`] threads).
//!
//! Order semantics follow the CPU extern ops (`runtime/src/extern_ops`): values compare through
//! [`KEY`]'s `lzx_key`, an order-preserving map to `u64` where every NaN is the largest key and
//! `-0.0` equals `0.0` (NumPy's sort order); descending order is the complemented key, so a stable
//! sort keeps equal values in their original order either way.

use lazulite_ir::DType;

mod argext;
mod gather;
mod scan;
mod search;
mod sort;

pub use argext::argext_entry;
pub use gather::{concat_entry, index_entry, take_along_entry, take_entry};
pub use scan::scan_entry;
pub use search::search_entry;
pub use sort::{
    argsort_out_entry, merge_entry, scatter_keys_entry, scatter_write_entry, sort_gather_entry,
    sort_keys_entry,
};

/// Threads per block of every extern kernel (the block-per-row kernels need a power of two).
pub const EXTERN_BLOCK: u32 = 256;

/// Whether rows of `len` run one thread per row (shorter than a block) rather than one block per row
/// (argmax/argmin and the scans).
pub fn per_thread_rows(len: usize) -> bool {
    len < EXTERN_BLOCK as usize
}

/// A family of extern kernels: one module each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// argmax / argmin: one block per row, or one thread per short row.
    ArgExtremum,
    /// cumulative_sum / cumulative_prod: one block per row with a fixed combine order, or one thread
    /// per short row.
    Scan,
    /// Index resolution (bounds check), take, take_along_axis and concat's copies.
    Gather,
    /// searchsorted: a binary search per needle.
    Search,
    /// The stable merge sort (sort, argsort) and the last-write-wins scatter it orders.
    Sort,
}

impl Family {
    pub const ALL: [Family; 5] = [
        Family::ArgExtremum,
        Family::Scan,
        Family::Gather,
        Family::Search,
        Family::Sort,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::ArgExtremum => "argext",
            Family::Scan => "scan",
            Family::Gather => "gather",
            Family::Search => "search",
            Family::Sort => "sort",
        }
    }

    /// The whole translation unit (prelude included) NVRTC or the emulator compiles.
    pub fn source(self) -> String {
        let body = match self {
            Family::ArgExtremum => argext::source(),
            Family::Scan => scan::source(),
            Family::Gather => gather::source(),
            Family::Search => search::source(),
            Family::Sort => sort::source(),
        };
        crate::translation_unit([KEY, body.as_str()])
    }

    /// Every entry point of the family's module (what the NVRTC test looks for in the PTX).
    pub fn entries(self) -> Vec<String> {
        match self {
            Family::ArgExtremum => real()
                .flat_map(|d| {
                    [
                        argext_entry(d, true, false),
                        argext_entry(d, false, false),
                        argext_entry(d, true, true),
                        argext_entry(d, false, true),
                    ]
                })
                .collect(),
            Family::Scan => numeric()
                .flat_map(|d| {
                    [
                        scan_entry(d, false, false),
                        scan_entry(d, true, false),
                        scan_entry(d, false, true),
                        scan_entry(d, true, true),
                    ]
                })
                .collect(),
            Family::Gather => index()
                .map(index_entry)
                .chain(
                    ELEM_SIZES
                        .iter()
                        .flat_map(|&s| [take_entry(s), take_along_entry(s), concat_entry(s)]),
                )
                .collect(),
            Family::Search => real().map(search_entry).collect(),
            Family::Sort => real()
                .map(sort_keys_entry)
                .chain([
                    merge_entry().to_string(),
                    argsort_out_entry().to_string(),
                    scatter_keys_entry().to_string(),
                ])
                .chain(
                    ELEM_SIZES
                        .iter()
                        .flat_map(|&s| [sort_gather_entry(s), scatter_write_entry(s)]),
                )
                .collect(),
        }
    }
}

/// The dtypes of `DType::ALL` that `keep` accepts, in that order (the order of the entry points).
fn dtypes(keep: fn(DType) -> bool) -> impl Iterator<Item = DType> {
    DType::ALL.into_iter().filter(move |&d| keep(d))
}

/// The real numeric dtypes (sort, argmax, searchsorted).
pub fn real() -> impl Iterator<Item = DType> {
    dtypes(DType::is_real_numeric)
}

/// The numeric dtypes (the scans).
pub fn numeric() -> impl Iterator<Item = DType> {
    dtypes(DType::is_numeric)
}

/// The integer dtypes of index operands.
pub fn index() -> impl Iterator<Item = DType> {
    dtypes(DType::is_integer)
}

/// Element sizes of the dtype-blind copies (every dtype is one of them).
pub const ELEM_SIZES: [usize; 5] = [1, 2, 4, 8, 16];

/// The C type that moves an element of `size` bytes.
fn elem_type(size: usize) -> &'static str {
    match size {
        1 => "u8",
        2 => "u16",
        4 => "u32",
        8 => "u64",
        _ => "lzx_b16",
    }
}

/// Whether a dtype-blind kernel exists for elements of `size` bytes.
pub fn elem_size_supported(size: usize) -> bool {
    ELEM_SIZES.contains(&size)
}

/// What every family shares: the sixteen-byte element, the order-preserving key, grid-stride loops.
const KEY: &str = r#"
// ---------------------------------------------------------------------------------------------------
// extern kernels (codegen/cuda/src/extern_kernels)

struct lzx_b16 { u64 lo, hi; };

// The sort order as an order-preserving unsigned key: signed integers flip the sign bit; floats map
// -0.0 to 0.0, every NaN to the largest key, and the IEEE bits to their total order.
#define LZX_KEY_INT(T) \
  LZ_FN u64 lzx_key(T v) { return lz_is_signed<T>() ? ((u64)(i64)v ^ 0x8000000000000000ULL) : (u64)v; }
LZ_INT_TYPES(LZX_KEY_INT)
LZ_FN u64 lzx_key(f64 v) {
  if (v != v) return ~0ULL;
  if (v == 0.0) v = 0.0;
  u64 b = (u64)__double_as_longlong(v);
  return (b >> 63) ? ~b : (b | 0x8000000000000000ULL);
}
LZ_FN u64 lzx_key(f32 v) { return lzx_key((f64)v); }

// The flat index of this thread and the stride of a grid-stride loop (64-bit).
LZ_FN i64 lzx_tid() { return (i64)blockIdx.x * (i64)blockDim.x + (i64)threadIdx.x; }
LZ_FN i64 lzx_stride() { return (i64)gridDim.x * (i64)blockDim.x; }
"#;

/// `extern "C" __global__ void <name>(<params>) { <body> }`.
fn entry(out: &mut String, name: &str, params: &str, body: &str) {
    out.push_str(&format!(
        "extern \"C\" __global__ void {name}({params}) {{ {body} }}\n"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_names_each_entry_once_in_its_source() {
        for f in Family::ALL {
            let src = f.source();
            for e in f.entries() {
                let decl = format!("__global__ void {e}(");
                assert_eq!(src.matches(&decl).count(), 1, "{}: {e}", f.name());
            }
        }
    }
}
