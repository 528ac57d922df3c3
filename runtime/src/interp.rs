//! The kernel-IR interpreter: the living definition of a kernel's meaning (tests compare compiled code
//! against it) and the fast path for small, cold kernels.
//!
//! It works on *tiles*: up to [`TILE`] consecutive points of the loop nest (in row-major order) at a time.
//! Every instruction computes a whole tile into a typed scratch vector, so the per-element work is a tight
//! typed loop, not a `match` per element. Element meaning comes from `lazulite_ir::semantics` (fast paths
//! are used only where they are bit-identical to it: `+ - * /`, `sqrt`, wrapping integer arithmetic).
//!
//! Before running, the loop nest is simplified: the range `[start, end)` is folded into the base
//! pointers, axes of extent 1 are dropped, and adjacent axes that every operand walks contiguously are
//! merged, so a C-contiguous array of any rank is one long axis.

use lazulite_codegen_cpu::KernelArgs;
use lazulite_ir::scalar::wrap_signed;
use lazulite_ir::semantics as sem;
use lazulite_ir::semantics_complex as sem_c;
use lazulite_ir::{
    bail, BinaryOp, DType, Error, ErrorKind, Inst, Instr, Kernel, ReduceOp, Result, Scalar, UnaryOp,
};

/// Loop points per tile.
pub const TILE: usize = 512;

/// A tile of values of one dtype, in a canonical representation per kind: signed integers widened to
/// i64, unsigned to u64, complex as `[re, im]` in f64 (complex64 components hold f32 values).
#[derive(Clone, Debug)]
pub(crate) enum Tile {
    B(Vec<bool>),
    I(Vec<i64>),
    U(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C(Vec<[f64; 2]>),
}

impl Tile {
    pub(crate) fn new(d: DType, cap: usize) -> Tile {
        match d {
            DType::Bool => Tile::B(Vec::with_capacity(cap)),
            DType::F32 => Tile::F32(Vec::with_capacity(cap)),
            DType::F64 => Tile::F64(Vec::with_capacity(cap)),
            DType::C64 | DType::C128 => Tile::C(Vec::with_capacity(cap)),
            d if d.is_signed_int() => Tile::I(Vec::with_capacity(cap)),
            _ => Tile::U(Vec::with_capacity(cap)),
        }
    }

    fn clear(&mut self) {
        match self {
            Tile::B(v) => v.clear(),
            Tile::I(v) => v.clear(),
            Tile::U(v) => v.clear(),
            Tile::F32(v) => v.clear(),
            Tile::F64(v) => v.clear(),
            Tile::C(v) => v.clear(),
        }
    }

    /// Appends `n` copies of `s` (cast to `d`, the tile's dtype).
    fn fill(&mut self, d: DType, s: Scalar, n: usize) {
        match (self, s.cast(d)) {
            (Tile::B(v), Scalar::Bool(b)) => v.resize(v.len() + n, b),
            (Tile::I(v), Scalar::Int(i)) => v.resize(v.len() + n, i),
            (Tile::U(v), Scalar::UInt(u)) => v.resize(v.len() + n, u),
            (Tile::F32(v), Scalar::Float(f)) => v.resize(v.len() + n, f as f32),
            (Tile::F64(v), Scalar::Float(f)) => v.resize(v.len() + n, f),
            (Tile::C(v), Scalar::Complex(r, i)) => v.resize(v.len() + n, [r, i]),
            _ => unreachable!("Scalar::cast gives the representation of the tile's dtype"),
        }
    }

    fn get(&self, i: usize) -> Scalar {
        match self {
            Tile::B(v) => Scalar::Bool(v[i]),
            Tile::I(v) => Scalar::Int(v[i]),
            Tile::U(v) => Scalar::UInt(v[i]),
            Tile::F32(v) => Scalar::Float(v[i] as f64),
            Tile::F64(v) => Scalar::Float(v[i]),
            Tile::C(v) => Scalar::Complex(v[i][0], v[i][1]),
        }
    }
}

fn int_mask(d: DType) -> u64 {
    if d.bits() >= 64 {
        u64::MAX
    } else {
        (1u64 << d.bits()) - 1
    }
}

/// Rounds complex components to the precision of `d`.
#[inline]
fn cround(d: DType, z: [f64; 2]) -> [f64; 2] {
    sem_c::round_to(d, z)
}

/// Whether unary `op` on a complex value gives a value of dtype `od` (so that the semantics function
/// for that result kind is defined for `op`).
fn complex_unary_fits(op: UnaryOp, od: DType) -> bool {
    use UnaryOp::*;
    match op {
        Abs | Real | Imag => od.is_real_float(),
        IsNan | IsInf | IsFinite => od == DType::Bool,
        Floor | Ceil | Trunc | Signbit | LogicalNot | BitwiseInvert => false,
        _ => od.is_complex(),
    }
}

fn bad_kernel(what: String) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("interpreter: malformed kernel: {what}"),
    )
}

// ---------------------------------------------------------------------------------------------------
// memory

/// Appends `len` elements of dtype `d` read at `base + (off + k * stride) * size`, `k < len`.
///
/// # Safety
/// Every one of those addresses must be valid for reading one element.
unsafe fn load_seg(
    d: DType,
    base: *const u8,
    off: isize,
    stride: isize,
    len: usize,
    out: &mut Tile,
) {
    macro_rules! rd {
        ($v:expr, $t:ty, $conv:expr) => {{
            let p = base as *const $t;
            // SAFETY: the caller guarantees each address is valid; reads are unaligned-tolerant.
            $v.extend((0..len).map(|k| unsafe {
                $conv(
                    p.wrapping_offset(off + k as isize * stride)
                        .read_unaligned(),
                )
            }))
        }};
    }
    match (d, out) {
        (DType::Bool, Tile::B(v)) => rd!(v, u8, |x: u8| x != 0),
        (DType::I8, Tile::I(v)) => rd!(v, i8, |x: i8| x as i64),
        (DType::I16, Tile::I(v)) => rd!(v, i16, |x: i16| x as i64),
        (DType::I32, Tile::I(v)) => rd!(v, i32, |x: i32| x as i64),
        (DType::I64, Tile::I(v)) => rd!(v, i64, |x: i64| x),
        (DType::U8, Tile::U(v)) => rd!(v, u8, |x: u8| x as u64),
        (DType::U16, Tile::U(v)) => rd!(v, u16, |x: u16| x as u64),
        (DType::U32, Tile::U(v)) => rd!(v, u32, |x: u32| x as u64),
        (DType::U64, Tile::U(v)) => rd!(v, u64, |x: u64| x),
        (DType::F32, Tile::F32(v)) => rd!(v, f32, |x: f32| x),
        (DType::F64, Tile::F64(v)) => rd!(v, f64, |x: f64| x),
        (DType::C64, Tile::C(v)) => rd!(v, [f32; 2], |x: [f32; 2]| [x[0] as f64, x[1] as f64]),
        (DType::C128, Tile::C(v)) => rd!(v, [f64; 2], |x: [f64; 2]| x),
        _ => unreachable!("tiles are created from their value's dtype"),
    }
}

/// Writes `src[from..from + len]` as dtype `d` to `base + (off + k * stride) * size`.
///
/// # Safety
/// Every one of those addresses must be valid for writing one element.
unsafe fn store_seg(
    d: DType,
    base: *mut u8,
    off: isize,
    stride: isize,
    src: &Tile,
    from: usize,
    len: usize,
) {
    macro_rules! wr {
        ($v:expr, $t:ty, $conv:expr) => {{
            let p = base as *mut $t;
            for (k, &x) in $v[from..from + len].iter().enumerate() {
                // SAFETY: the caller guarantees each address is valid for writes.
                unsafe {
                    p.wrapping_offset(off + k as isize * stride)
                        .write_unaligned($conv(x))
                }
            }
        }};
    }
    match (d, src) {
        (DType::Bool, Tile::B(v)) => wr!(v, u8, |x: bool| x as u8),
        (DType::I8, Tile::I(v)) => wr!(v, i8, |x: i64| x as i8),
        (DType::I16, Tile::I(v)) => wr!(v, i16, |x: i64| x as i16),
        (DType::I32, Tile::I(v)) => wr!(v, i32, |x: i64| x as i32),
        (DType::I64, Tile::I(v)) => wr!(v, i64, |x: i64| x),
        (DType::U8, Tile::U(v)) => wr!(v, u8, |x: u64| x as u8),
        (DType::U16, Tile::U(v)) => wr!(v, u16, |x: u64| x as u16),
        (DType::U32, Tile::U(v)) => wr!(v, u32, |x: u64| x as u32),
        (DType::U64, Tile::U(v)) => wr!(v, u64, |x: u64| x),
        (DType::F32, Tile::F32(v)) => wr!(v, f32, |x: f32| x),
        (DType::F64, Tile::F64(v)) => wr!(v, f64, |x: f64| x),
        (DType::C64, Tile::C(v)) => wr!(v, [f32; 2], |x: [f64; 2]| [x[0] as f32, x[1] as f32]),
        (DType::C128, Tile::C(v)) => wr!(v, [f64; 2], |x: [f64; 2]| x),
        _ => unreachable!("tiles are created from their value's dtype"),
    }
}

// ---------------------------------------------------------------------------------------------------
// elementwise ops on tiles

macro_rules! map1 {
    ($x:expr, $o:expr, $f:expr) => {
        $o.extend($x.iter().map(|&v| $f(v)))
    };
}
macro_rules! map2 {
    ($a:expr, $b:expr, $o:expr, $f:expr) => {
        $o.extend($a.iter().zip($b.iter()).map(|(&x, &y)| $f(x, y)))
    };
}

fn unary(op: UnaryOp, d: DType, od: DType, x: &Tile, out: &mut Tile) -> Result<()> {
    use UnaryOp::*;
    if !op.accepts().allows(d) {
        return Err(bad_kernel(format!("{} on {d}", op.name())));
    }
    let bits = d.bits();
    match (x, out) {
        (Tile::F64(x), Tile::F64(o)) => match op {
            Neg => map1!(x, o, |v: f64| -v),
            Abs => map1!(x, o, f64::abs),
            Positive | Real | Conj => o.extend_from_slice(x),
            Sqrt => map1!(x, o, f64::sqrt),
            Square => map1!(x, o, |v: f64| v * v),
            _ => map1!(x, o, |v| sem::float_unary(op, v)),
        },
        (Tile::F32(x), Tile::F32(o)) => match op {
            Neg => map1!(x, o, |v: f32| -v),
            Abs => map1!(x, o, f32::abs),
            Positive | Real | Conj => o.extend_from_slice(x),
            // correctly rounded in f32 == the f64 result rounded to f32 for these
            Sqrt => map1!(x, o, f32::sqrt),
            Square => map1!(x, o, |v: f32| v * v),
            Floor => map1!(x, o, f32::floor),
            Ceil => map1!(x, o, f32::ceil),
            Trunc => map1!(x, o, f32::trunc),
            _ => map1!(x, o, |v: f32| sem::float_unary(op, v as f64) as f32),
        },
        (Tile::F64(x), Tile::B(o)) => map1!(x, o, |v| sem::float_predicate(op, v)),
        (Tile::F32(x), Tile::B(o)) => map1!(x, o, |v: f32| sem::float_predicate(op, v as f64)),
        (Tile::I(x), Tile::I(o)) => match op {
            Neg => map1!(x, o, |v: i64| wrap_signed(v.wrapping_neg(), bits)),
            Abs => map1!(x, o, |v: i64| wrap_signed(v.wrapping_abs(), bits)),
            Square => map1!(x, o, |v: i64| wrap_signed(v.wrapping_mul(v), bits)),
            Sign => map1!(x, o, i64::signum),
            BitwiseInvert => map1!(x, o, |v: i64| !v),
            Positive | Floor | Ceil | Trunc | Round | Real | Conj => o.extend_from_slice(x),
            _ => map1!(x, o, |v: i64| sem::int_unary(op, v as i128, d) as i64),
        },
        (Tile::U(x), Tile::U(o)) => {
            let m = int_mask(d);
            match op {
                Neg => map1!(x, o, |v: u64| v.wrapping_neg() & m),
                Square => map1!(x, o, |v: u64| v.wrapping_mul(v) & m),
                Sign => map1!(x, o, |v: u64| (v != 0) as u64),
                BitwiseInvert => map1!(x, o, |v: u64| !v & m),
                Abs | Positive | Floor | Ceil | Trunc | Round | Real | Conj => {
                    o.extend_from_slice(x)
                }
                _ => map1!(x, o, |v: u64| sem::int_unary(op, v as i128, d) as u64),
            }
        }
        (Tile::I(_) | Tile::U(_), Tile::B(o)) => {
            let n = match x {
                Tile::I(v) => v.len(),
                Tile::U(v) => v.len(),
                _ => 0,
            };
            let val = match op {
                IsFinite => true,
                IsNan | IsInf => false,
                _ => return Err(bad_kernel(format!("{} on {d} -> bool", op.name()))),
            };
            o.resize(n, val);
        }
        (Tile::B(x), Tile::B(o)) => map1!(x, o, |v| sem::bool_unary(op, v)),
        (Tile::C(_), _) if !complex_unary_fits(op, od) => {
            return Err(bad_kernel(format!("{} on {d} -> {od}", op.name())))
        }
        (Tile::C(x), Tile::C(o)) => match op {
            Neg => map1!(x, o, |z: [f64; 2]| [-z[0], -z[1]]),
            Positive => o.extend_from_slice(x),
            Conj => map1!(x, o, |z: [f64; 2]| [z[0], -z[1]]),
            _ => map1!(x, o, |z| sem::complex_unary_in(op, z, od)),
        },
        (Tile::C(x), Tile::F64(o)) => map1!(x, o, |z| sem::complex_to_real(op, z)),
        (Tile::C(x), Tile::F32(o)) => map1!(x, o, |z| sem::complex_to_real(op, z) as f32),
        (Tile::C(x), Tile::B(o)) => map1!(x, o, |z| sem::complex_predicate(op, z)),
        _ => return Err(bad_kernel(format!("{} on {d} -> {od}", op.name()))),
    }
    Ok(())
}

fn binary(op: BinaryOp, d: DType, od: DType, a: &Tile, b: &Tile, out: &mut Tile) -> Result<()> {
    use BinaryOp::*;
    if !op.accepts().allows(d) {
        return Err(bad_kernel(format!("{} on {d}", op.name())));
    }
    let bits = d.bits();
    match (a, b, out) {
        (Tile::F64(a), Tile::F64(b), Tile::F64(o)) => match op {
            Add => map2!(a, b, o, |x, y| x + y),
            Sub => map2!(a, b, o, |x, y| x - y),
            Mul => map2!(a, b, o, |x, y| x * y),
            Div => map2!(a, b, o, |x, y| x / y),
            _ => map2!(a, b, o, |x, y| sem::float_binary(op, x, y, d)),
        },
        (Tile::F32(a), Tile::F32(b), Tile::F32(o)) => match op {
            // f32 arithmetic is correctly rounded, equal to the f64 result rounded to f32
            Add => map2!(a, b, o, |x, y| x + y),
            Sub => map2!(a, b, o, |x, y| x - y),
            Mul => map2!(a, b, o, |x, y| x * y),
            Div => map2!(a, b, o, |x, y| x / y),
            _ => map2!(
                a,
                b,
                o,
                |x: f32, y: f32| sem::float_binary(op, x as f64, y as f64, d) as f32
            ),
        },
        (Tile::F64(a), Tile::F64(b), Tile::B(o)) => map2!(a, b, o, |x, y| sem::compare(op, x, y)),
        (Tile::F32(a), Tile::F32(b), Tile::B(o)) => map2!(a, b, o, |x, y| sem::compare(op, x, y)),
        (Tile::I(a), Tile::I(b), Tile::I(o)) => match op {
            Add => map2!(a, b, o, |x: i64, y| wrap_signed(x.wrapping_add(y), bits)),
            Sub => map2!(a, b, o, |x: i64, y| wrap_signed(x.wrapping_sub(y), bits)),
            Mul => map2!(a, b, o, |x: i64, y| wrap_signed(x.wrapping_mul(y), bits)),
            BitAnd => map2!(a, b, o, |x, y| x & y),
            BitOr => map2!(a, b, o, |x, y| x | y),
            BitXor => map2!(a, b, o, |x, y| x ^ y),
            Maximum => map2!(a, b, o, |x: i64, y| x.max(y)),
            Minimum => map2!(a, b, o, |x: i64, y| x.min(y)),
            _ => map2!(
                a,
                b,
                o,
                |x: i64, y: i64| sem::int_binary(op, x as i128, y as i128, d) as i64
            ),
        },
        (Tile::U(a), Tile::U(b), Tile::U(o)) => {
            let m = int_mask(d);
            match op {
                Add => map2!(a, b, o, |x: u64, y| x.wrapping_add(y) & m),
                Sub => map2!(a, b, o, |x: u64, y| x.wrapping_sub(y) & m),
                Mul => map2!(a, b, o, |x: u64, y| x.wrapping_mul(y) & m),
                BitAnd => map2!(a, b, o, |x, y| x & y),
                BitOr => map2!(a, b, o, |x, y| x | y),
                BitXor => map2!(a, b, o, |x, y| x ^ y),
                Maximum => map2!(a, b, o, |x: u64, y| x.max(y)),
                Minimum => map2!(a, b, o, |x: u64, y| x.min(y)),
                _ => map2!(
                    a,
                    b,
                    o,
                    |x: u64, y: u64| sem::int_binary(op, x as i128, y as i128, d) as u64
                ),
            }
        }
        (Tile::I(a), Tile::I(b), Tile::B(o)) => map2!(a, b, o, |x, y| sem::compare(op, x, y)),
        (Tile::U(a), Tile::U(b), Tile::B(o)) => map2!(a, b, o, |x, y| sem::compare(op, x, y)),
        (Tile::B(a), Tile::B(b), Tile::B(o)) => map2!(a, b, o, |x, y| sem::bool_binary(op, x, y)),
        (Tile::C(_), Tile::C(_), Tile::C(_)) if op.is_comparison() => {
            return Err(bad_kernel(format!("{} on {d} -> {od}", op.name())))
        }
        (Tile::C(a), Tile::C(b), Tile::C(o)) => match op {
            Add => map2!(a, b, o, |x, y| cround(od, sem_c::add(x, y))),
            Sub => map2!(a, b, o, |x, y| cround(od, sem_c::sub(x, y))),
            _ => map2!(a, b, o, |x, y| sem::complex_binary_in(op, x, y, od)),
        },
        (Tile::C(a), Tile::C(b), Tile::B(o)) => {
            map2!(a, b, o, |x, y| sem::complex_compare(op, x, y))
        }
        _ => return Err(bad_kernel(format!("{} on {d} -> {od}", op.name()))),
    }
    Ok(())
}

fn select(c: &Tile, a: &Tile, b: &Tile, out: &mut Tile) -> Result<()> {
    let Tile::B(c) = c else {
        return Err(bad_kernel("select condition is not bool".into()));
    };
    macro_rules! sel {
        ($a:expr, $b:expr, $o:expr) => {
            $o.extend(
                c.iter()
                    .zip($a.iter().zip($b.iter()))
                    .map(|(&c, (&x, &y))| if c { x } else { y }),
            )
        };
    }
    match (a, b, out) {
        (Tile::B(a), Tile::B(b), Tile::B(o)) => sel!(a, b, o),
        (Tile::I(a), Tile::I(b), Tile::I(o)) => sel!(a, b, o),
        (Tile::U(a), Tile::U(b), Tile::U(o)) => sel!(a, b, o),
        (Tile::F32(a), Tile::F32(b), Tile::F32(o)) => sel!(a, b, o),
        (Tile::F64(a), Tile::F64(b), Tile::F64(o)) => sel!(a, b, o),
        (Tile::C(a), Tile::C(b), Tile::C(o)) => sel!(a, b, o),
        _ => return Err(bad_kernel("select operands of different dtypes".into())),
    }
    Ok(())
}

/// `astype` on a tile, with exactly the rules of `Scalar::cast`.
fn cast(x: &Tile, to: DType, out: &mut Tile) {
    let bits = to.bits();
    let m = int_mask(to);
    let f2i = |re: f64| wrap_signed(re as i64, bits);
    let f2u = |re: f64| {
        (if re < 0.0 {
            (re as i64) as u64
        } else {
            re as u64
        }) & m
    };
    let c = |re: f64, im: f64| cround(to, [re, im]);
    match (x, out) {
        (Tile::B(x), Tile::B(o)) => o.extend_from_slice(x),
        (Tile::B(x), Tile::I(o)) => map1!(x, o, |v: bool| v as i64),
        (Tile::B(x), Tile::U(o)) => map1!(x, o, |v: bool| v as u64),
        (Tile::B(x), Tile::F32(o)) => map1!(x, o, |v: bool| v as u8 as f32),
        (Tile::B(x), Tile::F64(o)) => map1!(x, o, |v: bool| v as u8 as f64),
        (Tile::B(x), Tile::C(o)) => map1!(x, o, |v: bool| [v as u8 as f64, 0.0]),
        (Tile::I(x), Tile::B(o)) => map1!(x, o, |v: i64| v != 0),
        (Tile::I(x), Tile::I(o)) => map1!(x, o, |v: i64| wrap_signed(v, bits)),
        (Tile::I(x), Tile::U(o)) => map1!(x, o, |v: i64| v as u64 & m),
        (Tile::I(x), Tile::F32(o)) => map1!(x, o, |v: i64| v as f64 as f32),
        (Tile::I(x), Tile::F64(o)) => map1!(x, o, |v: i64| v as f64),
        (Tile::I(x), Tile::C(o)) => map1!(x, o, |v: i64| c(v as f64, 0.0)),
        (Tile::U(x), Tile::B(o)) => map1!(x, o, |v: u64| v != 0),
        (Tile::U(x), Tile::I(o)) => map1!(x, o, |v: u64| wrap_signed(v as i64, bits)),
        (Tile::U(x), Tile::U(o)) => map1!(x, o, |v: u64| v & m),
        (Tile::U(x), Tile::F32(o)) => map1!(x, o, |v: u64| v as f64 as f32),
        (Tile::U(x), Tile::F64(o)) => map1!(x, o, |v: u64| v as f64),
        (Tile::U(x), Tile::C(o)) => map1!(x, o, |v: u64| c(v as f64, 0.0)),
        (Tile::F32(x), Tile::B(o)) => map1!(x, o, |v: f32| v != 0.0),
        (Tile::F32(x), Tile::I(o)) => map1!(x, o, |v: f32| f2i(v as f64)),
        (Tile::F32(x), Tile::U(o)) => map1!(x, o, |v: f32| f2u(v as f64)),
        (Tile::F32(x), Tile::F32(o)) => o.extend_from_slice(x),
        (Tile::F32(x), Tile::F64(o)) => map1!(x, o, |v: f32| v as f64),
        (Tile::F32(x), Tile::C(o)) => map1!(x, o, |v: f32| c(v as f64, 0.0)),
        (Tile::F64(x), Tile::B(o)) => map1!(x, o, |v: f64| v != 0.0),
        (Tile::F64(x), Tile::I(o)) => map1!(x, o, f2i),
        (Tile::F64(x), Tile::U(o)) => map1!(x, o, f2u),
        (Tile::F64(x), Tile::F32(o)) => map1!(x, o, |v: f64| v as f32),
        (Tile::F64(x), Tile::F64(o)) => o.extend_from_slice(x),
        (Tile::F64(x), Tile::C(o)) => map1!(x, o, |v: f64| c(v, 0.0)),
        (Tile::C(x), Tile::B(o)) => map1!(x, o, |z: [f64; 2]| z[0] != 0.0 || z[1] != 0.0),
        (Tile::C(x), Tile::I(o)) => map1!(x, o, |z: [f64; 2]| f2i(z[0])),
        (Tile::C(x), Tile::U(o)) => map1!(x, o, |z: [f64; 2]| f2u(z[0])),
        (Tile::C(x), Tile::F32(o)) => map1!(x, o, |z: [f64; 2]| z[0] as f32),
        (Tile::C(x), Tile::F64(o)) => map1!(x, o, |z: [f64; 2]| z[0]),
        (Tile::C(x), Tile::C(o)) => map1!(x, o, |z: [f64; 2]| c(z[0], z[1])),
    }
}

fn copy_tile(x: &Tile, out: &mut Tile) -> Result<()> {
    match (x, out) {
        (Tile::B(x), Tile::B(o)) => o.extend_from_slice(x),
        (Tile::I(x), Tile::I(o)) => o.extend_from_slice(x),
        (Tile::U(x), Tile::U(o)) => o.extend_from_slice(x),
        (Tile::F32(x), Tile::F32(o)) => o.extend_from_slice(x),
        (Tile::F64(x), Tile::F64(o)) => o.extend_from_slice(x),
        (Tile::C(x), Tile::C(o)) => o.extend_from_slice(x),
        _ => return Err(bad_kernel("Reduced(k) of the wrong dtype".into())),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// reductions

/// Folds `x[from..from + len]` into `acc[slot]`. `started` says whether `acc[slot]` holds a value yet
/// (min/max start from the first element).
#[allow(clippy::too_many_arguments)]
fn fold(
    op: ReduceOp,
    d: DType,
    acc: &mut Tile,
    slot: usize,
    x: &Tile,
    from: usize,
    len: usize,
    started: &mut bool,
) -> Result<()> {
    use ReduceOp::*;
    if len == 0 {
        return Ok(());
    }
    if !op.accepts().allows(d) {
        return Err(bad_kernel(format!("{} over {d}", op.name())));
    }
    let comb = op.combiner();
    macro_rules! go {
        ($a:expr, $x:expr, $add:expr, $mul:expr, $minmax:expr) => {{
            let s = &$x[from..from + len];
            let cur = &mut $a[slot];
            let s = if matches!(op, Min | Max) && !*started {
                *cur = s[0];
                &s[1..]
            } else {
                s
            };
            match op {
                Sum => {
                    for &v in s {
                        *cur = $add(*cur, v);
                    }
                }
                Prod => {
                    for &v in s {
                        *cur = $mul(*cur, v);
                    }
                }
                Min | Max => {
                    for &v in s {
                        *cur = $minmax(*cur, v);
                    }
                }
                Any | All => return Err(bad_kernel(format!("{} over {d}", op.name()))),
            }
        }};
    }
    let bits = d.bits();
    let m = int_mask(d);
    match (acc, x) {
        (Tile::F64(a), Tile::F64(x)) => go!(
            a,
            x,
            |c: f64, v: f64| c + v,
            |c: f64, v: f64| c * v,
            |c, v| sem::float_binary(comb, c, v, d)
        ),
        (Tile::F32(a), Tile::F32(x)) => go!(
            a,
            x,
            |c: f32, v: f32| c + v,
            |c: f32, v: f32| c * v,
            |c: f32, v: f32| sem::float_binary(comb, c as f64, v as f64, d) as f32
        ),
        (Tile::I(a), Tile::I(x)) => go!(
            a,
            x,
            |c: i64, v: i64| wrap_signed(c.wrapping_add(v), bits),
            |c: i64, v: i64| wrap_signed(c.wrapping_mul(v), bits),
            |c: i64, v: i64| if matches!(op, Min) {
                c.min(v)
            } else {
                c.max(v)
            }
        ),
        (Tile::U(a), Tile::U(x)) => go!(
            a,
            x,
            |c: u64, v: u64| c.wrapping_add(v) & m,
            |c: u64, v: u64| c.wrapping_mul(v) & m,
            |c: u64, v: u64| if matches!(op, Min) {
                c.min(v)
            } else {
                c.max(v)
            }
        ),
        (Tile::C(a), Tile::C(x)) => {
            let s = &x[from..from + len];
            let cur = &mut a[slot];
            match op {
                Sum => {
                    for &v in s {
                        *cur = cround(d, [cur[0] + v[0], cur[1] + v[1]]);
                    }
                }
                Prod => {
                    for &v in s {
                        *cur = cround(d, sem_c::mul(*cur, v));
                    }
                }
                _ => return Err(bad_kernel(format!("{} over {d}", op.name()))),
            }
        }
        (Tile::B(a), Tile::B(x)) => {
            let s = &x[from..from + len];
            match op {
                Any => a[slot] = a[slot] || s.iter().any(|&v| v),
                All => a[slot] = a[slot] && s.iter().all(|&v| v),
                _ => return Err(bad_kernel(format!("{} over bool", op.name()))),
            }
        }
        _ => {
            return Err(bad_kernel(
                "reduction accumulator of the wrong dtype".into(),
            ))
        }
    }
    *started = true;
    Ok(())
}

/// Combines two partial results of reduction `op` over dtype `d` (the executor's thread split).
pub(crate) fn combine(op: ReduceOp, d: DType, a: Scalar, b: Scalar) -> Result<Scalar> {
    let mut acc = Tile::new(d, 1);
    acc.fill(d, a, 1);
    let mut x = Tile::new(d, 1);
    x.fill(d, b, 1);
    let mut started = true;
    fold(op, d, &mut acc, 0, &x, 0, 1, &mut started)?;
    Ok(acc.get(0))
}

// ---------------------------------------------------------------------------------------------------
// loop nest

/// A simplified iteration domain and the per-operand strides over it (operand-major, `rank` each).
struct Domain {
    dims: Vec<usize>,
    strides: Vec<Vec<isize>>,
}

/// Drops extent-1 axes and merges adjacent axes that every operand walks contiguously.
fn simplify(dims: &[usize], strides: &[Vec<isize>]) -> Domain {
    let mut out = Domain {
        dims: Vec::new(),
        strides: vec![Vec::new(); strides.len()],
    };
    if dims.contains(&0) {
        out.dims.push(0);
        for s in &mut out.strides {
            s.push(0);
        }
        return out;
    }
    for (d, &n) in dims.iter().enumerate() {
        if n == 1 {
            continue;
        }
        let mergeable = !out.dims.is_empty()
            && strides.iter().zip(&out.strides).all(|(src, dst)| {
                // previous (outer) axis stride == this stride * this extent
                *dst.last().expect("same rank") == src[d] * n as isize
            });
        if mergeable {
            *out.dims.last_mut().expect("non-empty") *= n;
            for (src, dst) in strides.iter().zip(&mut out.strides) {
                *dst.last_mut().expect("non-empty") = src[d];
            }
        } else {
            out.dims.push(n);
            for (src, dst) in strides.iter().zip(&mut out.strides) {
                dst.push(src[d]);
            }
        }
    }
    out
}

/// Segments of a run of points: each walks the last axis; `offs` holds one start offset per operand.
#[derive(Default)]
struct Segs {
    lens: Vec<usize>,
    offs: Vec<isize>,
}

/// Splits the points `start..start + n` (row-major over `dims`) into last-axis segments, with the
/// element offset of each segment's first point for every operand (`strides` is operand-major).
fn walk(dims: &[usize], strides: &[isize], nops: usize, start: usize, n: usize, segs: &mut Segs) {
    segs.lens.clear();
    segs.offs.clear();
    let rank = dims.len();
    if rank == 0 {
        segs.lens.push(n);
        segs.offs.resize(nops, 0);
        return;
    }
    let mut idx = [0usize; 64];
    let idx = &mut idx[..rank];
    let mut rem = start;
    for d in (0..rank).rev() {
        idx[d] = rem % dims[d];
        rem /= dims[d];
    }
    let last = rank - 1;
    let mut done = 0;
    while done < n {
        let len = (n - done).min(dims[last] - idx[last]);
        segs.lens.push(len);
        for op in 0..nops {
            let s = &strides[op * rank..(op + 1) * rank];
            segs.offs
                .push(idx.iter().zip(s).map(|(&i, &st)| i as isize * st).sum());
        }
        done += len;
        idx[last] += len;
        let mut d = last;
        while d > 0 && idx[d] >= dims[d] {
            idx[d] = 0;
            d -= 1;
            idx[d] += 1;
        }
    }
}

/// Where a block's loads read: base pointers of the inputs, their strides along the last axis of the
/// walked domain, and the current segments (operands `0..n_inputs` of the walk are the inputs).
struct Access<'a> {
    ptrs: &'a [*const u8],
    last_strides: &'a [isize],
    nops: usize,
    segs: &'a Segs,
}

impl Access<'_> {
    /// # Safety
    /// The segments must address valid elements of input `i`.
    unsafe fn load(&self, i: usize, d: DType, out: &mut Tile) {
        for (k, &len) in self.segs.lens.iter().enumerate() {
            let off = self.segs.offs[k * self.nops + i];
            // SAFETY: forwarded from the caller.
            unsafe { load_seg(d, self.ptrs[i], off, self.last_strides[i], len, out) };
        }
    }
}

/// Which tile each value of a block lives in. A tile is reused once the last reader of its value has
/// run (values that outputs or reductions read stay to the end of the block), so a block needs about
/// as many tiles as values live at once, not one per instruction: a chain of any length runs in a
/// handful of tiles.
struct Slots {
    /// `of[i]`: the tile of value `%i`.
    of: Vec<u32>,
    /// One fresh tile per slot, of the dtype of the first value placed in it.
    tiles: Vec<Tile>,
}

/// The tile variant a dtype's values use ([`Tile::new`]); only tiles of one kind are shared.
fn tile_kind(d: DType) -> usize {
    match d {
        DType::Bool => 0,
        DType::F32 => 1,
        DType::F64 => 2,
        DType::C64 | DType::C128 => 3,
        d if d.is_signed_int() => 4,
        _ => 5,
    }
}

/// Assigns tiles of capacity `cap` to the values of `block`; `kept` lists the values read after the
/// block (outputs, reductions).
fn assign_slots(block: &[Instr], kept: impl Iterator<Item = u32>, cap: usize) -> Slots {
    const KEEP: usize = usize::MAX;
    // last_use[v]: the last instruction reading %v (v itself when none does).
    let mut last_use: Vec<usize> = (0..block.len()).collect();
    let mut note = |v: u32, at: usize| {
        if let Some(u) = last_use.get_mut(v as usize) {
            *u = (*u).max(at);
        }
    };
    for (i, ins) in block.iter().enumerate() {
        match ins.inst {
            Inst::Unary(_, a) | Inst::Cast(a) => note(a, i),
            Inst::Binary(_, a, b) => {
                note(a, i);
                note(b, i);
            }
            Inst::Select { cond, a, b } => {
                note(cond, i);
                note(a, i);
                note(b, i);
            }
            Inst::Load { .. } | Inst::Const(_) | Inst::Reduced(_) => {}
        }
    }
    for v in kept {
        note(v, KEEP);
    }
    // Values whose last reader is instruction i, freed after i has its own tile.
    let mut dying: Vec<Vec<u32>> = vec![Vec::new(); block.len()];
    for (v, &u) in last_use.iter().enumerate() {
        if u != KEEP {
            dying[u].push(v as u32);
        }
    }
    let mut free: [Vec<u32>; 6] = Default::default();
    let mut of = Vec::with_capacity(block.len());
    let mut tiles: Vec<Tile> = Vec::new();
    for (i, ins) in block.iter().enumerate() {
        let kind = tile_kind(ins.dtype);
        let slot = free[kind].pop().unwrap_or_else(|| {
            tiles.push(Tile::new(ins.dtype, cap));
            (tiles.len() - 1) as u32
        });
        of.push(slot);
        for &v in &dying[i] {
            free[tile_kind(block[v as usize].dtype)].push(of[v as usize]);
        }
    }
    Slots { of, tiles }
}

impl Slots {
    fn get(&self, v: u32) -> Option<&Tile> {
        self.of.get(v as usize).map(|&s| &self.tiles[s as usize])
    }
}

/// Evaluates `block` on one tile of `n` points, into the tiles of `slots`.
///
/// # Safety
/// `acc` must address valid input elements.
unsafe fn eval_block(
    block: &[Instr],
    slots: &mut Slots,
    n: usize,
    acc: &Access,
    reduced: &[Tile],
) -> Result<()> {
    for (i, ins) in block.iter().enumerate() {
        let o = slots.of[i] as usize;
        // The output tile is never one an operand lives in (operands free their tile only after
        // their last reader has one), so take it out while the operands are read.
        let mut out = std::mem::replace(&mut slots.tiles[o], Tile::B(Vec::new()));
        out.clear();
        let vals = &*slots;
        let arg = |v: u32| -> Result<(&Tile, DType)> {
            if v as usize >= i {
                return Err(bad_kernel(format!("%{i} uses %{v} before it is defined")));
            }
            Ok((
                &vals.tiles[vals.of[v as usize] as usize],
                block[v as usize].dtype,
            ))
        };
        let out_ref = &mut out;
        match &ins.inst {
            Inst::Load { input } => {
                if *input as usize >= acc.ptrs.len() {
                    return Err(bad_kernel(format!("%{i} loads missing input {input}")));
                }
                // SAFETY: forwarded from the caller.
                unsafe { acc.load(*input as usize, ins.dtype, out_ref) }
            }
            Inst::Const(c) => out_ref.fill(ins.dtype, *c, n),
            Inst::Unary(op, a) => {
                let (x, d) = arg(*a)?;
                unary(*op, d, ins.dtype, x, out_ref)?;
            }
            Inst::Binary(op, a, b) => {
                let (x, d) = arg(*a)?;
                let (y, _) = arg(*b)?;
                binary(*op, d, ins.dtype, x, y, out_ref)?;
            }
            Inst::Select { cond, a, b } => {
                select(arg(*cond)?.0, arg(*a)?.0, arg(*b)?.0, out_ref)?;
            }
            Inst::Cast(a) => cast(arg(*a)?.0, ins.dtype, out_ref),
            Inst::Reduced(k) => {
                let r = reduced
                    .get(*k as usize)
                    .ok_or_else(|| bad_kernel(format!("%{i} reads missing reduction {k}")))?;
                copy_tile(r, out_ref)?;
            }
        }
        slots.tiles[o] = out;
    }
    Ok(())
}

/// Runs `kernel` on loop-dimension-0 indices `start..end`, exactly as its compiled code would.
///
/// # Contract
/// This function is safe to call but trusts `args` (it is the interpreter twin of a [`lazulite_codegen_cpu::KernelFn`]):
/// `args.shape` must point at `kernel.ndim` extents, `args.inputs` / `args.outputs` at one pointer per
/// input / output, `args.in_strides` at `inputs × ndim` and `args.out_strides` at `outputs × n_outer`
/// strides, and every element address the loop nest forms over `[start, end)` must be valid for reads
/// (inputs) and writes (outputs). The executor guarantees this by checking every operand's extent
/// against its buffer before any call. Outputs must not overlap inputs other than element for element.
pub fn interpret(kernel: &Kernel, args: &KernelArgs, start: i64, end: i64) -> Result<()> {
    let ndim = kernel.ndim as usize;
    let n_outer = kernel.n_outer();
    let (nin, nout) = (kernel.inputs.len(), kernel.outputs.len());
    if kernel.n_reduce > kernel.ndim {
        return Err(bad_kernel("n_reduce > ndim".into()));
    }
    // SAFETY (all reads of `args` below): by this function's contract the arrays have these lengths.
    let shape_raw: &[i64] = if ndim == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(args.shape, ndim) }
    };
    let in_ptrs: &[*const u8] = if nin == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(args.inputs, nin) }
    };
    let in_str: &[i64] = if nin * ndim == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(args.in_strides, nin * ndim) }
    };
    let out_ptrs: &[*mut u8] = if nout == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(args.outputs, nout) }
    };
    let out_str: &[i64] = if nout * n_outer == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(args.out_strides, nout * n_outer) }
    };

    let mut shape = Vec::with_capacity(ndim);
    for &n in shape_raw {
        if n < 0 {
            bail!(
                Internal,
                "interpreter: negative loop extent {n} in {shape_raw:?}"
            );
        }
        shape.push(n as usize);
    }
    if ndim == 0 {
        if (start, end) != (0, 1) {
            bail!(
                Internal,
                "interpreter: a rank-0 kernel runs on [0, 1), not [{start}, {end})"
            );
        }
    } else if start < 0 || start > end || end as usize > shape[0] {
        bail!(
            Internal,
            "interpreter: range [{start}, {end}) outside loop dimension 0 of extent {}",
            shape[0]
        );
    }

    // Fold the range into the base pointers.
    let mut ins: Vec<*const u8> = in_ptrs.to_vec();
    let mut outs: Vec<*mut u8> = out_ptrs.to_vec();
    if ndim > 0 {
        for (i, p) in ins.iter_mut().enumerate() {
            let s0 = in_str[i * ndim] as isize;
            *p = p.wrapping_offset(start as isize * s0 * kernel.inputs[i].dtype.size() as isize);
        }
        if n_outer > 0 {
            for (k, p) in outs.iter_mut().enumerate() {
                let s0 = out_str[k * n_outer] as isize;
                *p = p
                    .wrapping_offset(start as isize * s0 * kernel.outputs[k].dtype.size() as isize);
            }
        }
        shape[0] = (end - start) as usize;
    }

    // Outer domain: inputs' outer strides, then outputs.
    let mut outer_ops: Vec<Vec<isize>> = (0..nin)
        .map(|i| {
            (0..n_outer)
                .map(|d| in_str[i * ndim + d] as isize)
                .collect()
        })
        .collect();
    outer_ops.extend((0..nout).map(|k| {
        (0..n_outer)
            .map(|d| out_str[k * n_outer + d] as isize)
            .collect()
    }));
    let outer = simplify(&shape[..n_outer], &outer_ops);
    let n_pts: usize = outer.dims.iter().product();
    if n_pts == 0 {
        return Ok(());
    }
    let outer_flat: Vec<isize> = outer.strides.concat();
    let last_of = |st: &Vec<isize>| st.last().copied().unwrap_or(0);
    let outer_last: Vec<isize> = outer.strides.iter().map(last_of).collect();

    let mut segs = Segs::default();
    let out_dtypes: Vec<DType> = kernel.outputs.iter().map(|o| o.dtype).collect();
    let store = |segs: &Segs, vals: &Slots| -> Result<()> {
        for (k, o) in kernel.outputs.iter().enumerate() {
            let v = vals
                .get(o.value)
                .ok_or_else(|| bad_kernel(format!("output {k} reads missing %{}", o.value)))?;
            let mut pos = 0;
            for (j, &len) in segs.lens.iter().enumerate() {
                let off = segs.offs[j * (nin + nout) + nin + k];
                // SAFETY: the contract makes every output address of the domain writable.
                unsafe {
                    store_seg(
                        out_dtypes[k],
                        outs[k],
                        off,
                        outer_last[nin + k],
                        v,
                        pos,
                        len,
                    )
                };
                pos += len;
            }
        }
        Ok(())
    };

    if kernel.n_reduce == 0 {
        let outputs = kernel.outputs.iter().map(|o| o.value);
        let mut vals = assign_slots(&kernel.body, outputs, TILE.min(n_pts));
        let mut p = 0;
        while p < n_pts {
            let n = TILE.min(n_pts - p);
            walk(&outer.dims, &outer_flat, nin + nout, p, n, &mut segs);
            let acc = Access {
                ptrs: &ins,
                last_strides: &outer_last,
                nops: nin + nout,
                segs: &segs,
            };
            // SAFETY: the contract makes every input address of the domain readable.
            unsafe { eval_block(&kernel.body, &mut vals, n, &acc, &[])? };
            store(&segs, &vals)?;
            p += n;
        }
        return Ok(());
    }

    // Reduction: full domain = outer ++ reduced (inputs only).
    let red_ops: Vec<Vec<isize>> = (0..nin)
        .map(|i| {
            (n_outer..ndim)
                .map(|d| in_str[i * ndim + d] as isize)
                .collect()
        })
        .collect();
    let red = simplify(&shape[n_outer..], &red_ops);
    let r_len: usize = red.dims.iter().product();
    let mut full_dims = outer.dims.clone();
    full_dims.extend_from_slice(&red.dims);
    let full_flat: Vec<isize> = (0..nin)
        .flat_map(|i| outer.strides[i].iter().chain(&red.strides[i]).copied())
        .collect();
    let full_last: Vec<isize> = (0..nin)
        .map(|i| {
            red.strides[i]
                .last()
                .or(outer.strides[i].last())
                .copied()
                .unwrap_or(0)
        })
        .collect();
    // outer points per batch: enough to fill a tile when the reduced run is short
    let batch = TILE.checked_div(r_len).unwrap_or(TILE).max(1).min(n_pts);
    let reduced = kernel.reduces.iter().map(|r| r.value);
    let mut vals = assign_slots(&kernel.body, reduced, TILE.min(n_pts * r_len.max(1)));
    let outputs = kernel.outputs.iter().map(|o| o.value);
    let mut evals = assign_slots(&kernel.epilogue, outputs, batch);
    let mut accs: Vec<Tile> = Vec::with_capacity(kernel.reduces.len());
    let mut acc_dt: Vec<DType> = Vec::with_capacity(kernel.reduces.len());
    for r in &kernel.reduces {
        let d = kernel
            .body
            .get(r.value as usize)
            .ok_or_else(|| bad_kernel(format!("reduction reads missing %{}", r.value)))?
            .dtype;
        accs.push(Tile::new(d, batch));
        acc_dt.push(d);
    }
    let mut started: Vec<Vec<bool>> = vec![Vec::new(); kernel.reduces.len()];
    let mut esegs = Segs::default();

    let mut o0 = 0;
    while o0 < n_pts {
        let nb = batch.min(n_pts - o0);
        for (k, r) in kernel.reduces.iter().enumerate() {
            accs[k].clear();
            let init = r.op.identity(acc_dt[k]).unwrap_or(Scalar::Int(0));
            accs[k].fill(acc_dt[k], init, nb);
            started[k].clear();
            started[k].resize(nb, false);
        }
        let total = nb * r_len;
        let base = o0 * r_len;
        let mut q = 0;
        while q < total {
            let n = TILE.min(total - q);
            walk(&full_dims, &full_flat, nin, base + q, n, &mut segs);
            let acc = Access {
                ptrs: &ins,
                last_strides: &full_last,
                nops: nin,
                segs: &segs,
            };
            // SAFETY: the contract makes every input address of the domain readable.
            unsafe { eval_block(&kernel.body, &mut vals, n, &acc, &[])? };
            for (k, r) in kernel.reduces.iter().enumerate() {
                let x = vals
                    .get(r.value)
                    .ok_or_else(|| bad_kernel(format!("reduction reads missing %{}", r.value)))?;
                let mut j = 0;
                while j < n {
                    let slot = (q + j) / r_len;
                    let run_end = n.min((slot + 1) * r_len - q);
                    fold(
                        r.op,
                        acc_dt[k],
                        &mut accs[k],
                        slot,
                        x,
                        j,
                        run_end - j,
                        &mut started[k][slot],
                    )?;
                    j = run_end;
                }
            }
            q += n;
        }
        for (k, r) in kernel.reduces.iter().enumerate() {
            if matches!(r.op, ReduceOp::Min | ReduceOp::Max) && started[k].contains(&false) {
                bail!(
                    Value,
                    "{}: reduction over an empty axis of {} has no identity; reduce over a non-empty axis",
                    r.op.name(),
                    acc_dt[k]
                );
            }
        }
        walk(&outer.dims, &outer_flat, nin + nout, o0, nb, &mut esegs);
        let acc = Access {
            ptrs: &ins,
            last_strides: &outer_last,
            nops: nin + nout,
            segs: &esegs,
        };
        // SAFETY: epilogue loads read inputs at outer points (reduced index 0), inside the domain.
        unsafe { eval_block(&kernel.epilogue, &mut evals, nb, &acc, &accs)? };
        store(&esegs, &evals)?;
        o0 += nb;
    }
    Ok(())
}
