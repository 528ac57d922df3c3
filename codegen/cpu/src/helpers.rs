//! The symbol table: `extern "C"` functions the generated code calls for the ops it does not emit as
//! instructions (transcendentals, float floor_divide/remainder, pow, ...). Each one forwards to
//! `lazulite_ir::semantics`, so the compiled code and the interpreter share one definition.
//!
//! Ops and dtypes are passed as indices into `UnaryOp::ALL`, `BinaryOp::ALL` and `DType::ALL`; the
//! code generator only emits indices it took from those tables.

use lazulite_ir::semantics;
use lazulite_ir::{BinaryOp, DType, UnaryOp};

/// `(name, address)` of every helper, registered with each `JITBuilder`.
pub(crate) fn symbols() -> [(&'static str, *const u8); 6] {
    [
        (UNARY_VEC, lz_unary_vec as *const u8),
        (UNARY_F64, lz_unary_f64 as *const u8),
        (UNARY_F32, lz_unary_f32 as *const u8),
        (BINARY_F64, lz_binary_f64 as *const u8),
        (BINARY_F32, lz_binary_f32 as *const u8),
        (INT_BINARY, lz_int_binary as *const u8),
    ]
}

pub(crate) const UNARY_F64: &str = "lz_unary_f64";
pub(crate) const UNARY_F32: &str = "lz_unary_f32";
pub(crate) const BINARY_F64: &str = "lz_binary_f64";
pub(crate) const BINARY_F32: &str = "lz_binary_f32";
pub(crate) const INT_BINARY: &str = "lz_int_binary";
pub(crate) const UNARY_VEC: &str = "lz_unary_vec";

pub(crate) fn unary_index(op: UnaryOp) -> u32 {
    UnaryOp::ALL.iter().position(|&o| o == op).unwrap_or(0) as u32
}

pub(crate) fn binary_index(op: BinaryOp) -> u32 {
    BinaryOp::ALL.iter().position(|&o| o == op).unwrap_or(0) as u32
}

pub(crate) fn dtype_index(d: DType) -> u32 {
    DType::ALL.iter().position(|&x| x == d).unwrap_or(0) as u32
}

extern "C" fn lz_unary_f64(op: u32, x: f64) -> f64 {
    semantics::float_unary(UnaryOp::ALL[op as usize], x)
}

extern "C" fn lz_unary_f32(op: u32, x: f32) -> f32 {
    semantics::float_unary(UnaryOp::ALL[op as usize], x as f64) as f32
}

/// A float unary op in place on the `n` elements at `p` (f32 if `f32` is nonzero, else f64): the
/// cold path of a vector op, one call for the whole vector (lane-by-lane calls cost the code
/// generator a call site, with its clobbers, per lane).
extern "C" fn lz_unary_vec(op: u32, f32: u32, p: *mut u8, n: u64) {
    let op = UnaryOp::ALL[op as usize];
    let n = n as usize;
    if f32 != 0 {
        // SAFETY: the generated code passes a 16-byte-aligned stack slot holding `n` f32 lanes of
        // a vector, which nothing else touches during the call.
        let xs = unsafe { std::slice::from_raw_parts_mut(p as *mut f32, n) };
        for x in xs {
            *x = semantics::float_unary(op, *x as f64) as f32;
        }
    } else {
        // SAFETY: as above, `n` f64 lanes.
        let xs = unsafe { std::slice::from_raw_parts_mut(p as *mut f64, n) };
        for x in xs {
            *x = semantics::float_unary(op, *x);
        }
    }
}

extern "C" fn lz_binary_f64(op: u32, a: f64, b: f64) -> f64 {
    semantics::float_binary(BinaryOp::ALL[op as usize], a, b, DType::F64)
}

extern "C" fn lz_binary_f32(op: u32, a: f32, b: f32) -> f32 {
    semantics::float_binary(BinaryOp::ALL[op as usize], a as f64, b as f64, DType::F32) as f32
}

/// Integer ops on values extended to 64 bits (sign- or zero-extended by the dtype); the result is
/// wrapped to the dtype and returned in the low bits.
extern "C" fn lz_int_binary(op: u32, a: i64, b: i64, dtype: u32) -> i64 {
    let d = DType::ALL[dtype as usize];
    let widen = |v: i64| -> i128 {
        if d.is_unsigned_int() {
            v as u64 as i128
        } else {
            v as i128
        }
    };
    semantics::int_binary(BinaryOp::ALL[op as usize], widen(a), widen(b), d) as i64
}
