//! Kernel IR -> CUDA C source (pure Rust; depends only on `ir`).
//!
//! [`render`] turns one [`Kernel`] into one `extern "C" __global__` function that takes the whole loop
//! nest (no `[start, end)` split: the grid covers it):
//! - shape-generic: sizes and strides are run-time arguments (`LzArgs`, passed by value; see
//!   [`ArgsLayout`]), offsets are 64-bit;
//! - **elementwise** kernels (`n_reduce == 0`): a grid-stride loop over the flat outer index; each
//!   operand's offset is the index itself when the launch says `contiguous` (every operand
//!   C-contiguous: the fast path), else the index unravelled over every dim (any rank, strided,
//!   broadcast, negative strides, 0-size). The body follows once, each output stored as soon as
//!   its value exists;
//! - **reductions**: three entry points (`reduce.rs`): `<name>` folds one outer point per block (a
//!   grid-stride loop over blocks; warp-shuffle tree, shared-memory stage across warps, thread 0 runs
//!   the epilogue); `<name>_partial` and `<name>_final` are the grid-wide two-pass form for few outer
//!   points of many reduced points (a full reduction of 2^28 elements): pass 1 cuts each row into
//!   slices, one block each, into a partials buffer; pass 2 folds the partials in a fixed order and
//!   runs the epilogue. [`reduction_plan`] picks the form, grid, block, slice count and partials bytes
//!   from the sizes alone, so results are deterministic on every run and GPU (no atomics).
//!   `blockDim.x` must be a multiple of 32, at most 1024 ([`REDUCE_BLOCK`] is the default).
//!
//! Extern ops that run on the device (argmax/argmin, scans, gathers, concat, searchsorted, sort,
//! the scatter of `__setitem__`) are hand-written templates instantiated per dtype in
//! [`extern_kernels`], one module per family.
//!
//! What each op means is [`PRELUDE`] (`prelude.cuh`): one overloaded device function per op-table row
//! (`UnaryOp::cuda`, `BinaryOp::cuda`, `ReduceOp::cuda`), mirroring `ir::semantics` and
//! `ir::semantics_complex` (complex transcendental functions with C99 Annex G's special cases, computed
//! in double by the same formulas; complex64 rounds each part).

use lazulite_ir::{
    bail, BinaryOp, DType, Error, ErrorKind, Inst, Instr, Kernel, Result, Scalar, UnaryOp,
};
use std::fmt::Write as _;

/// The device functions of every op, types, the argument struct, loads, stores and shuffles.
pub const PRELUDE: &str = include_str!("prelude.cuh");

/// The most body instructions rendered as one straight-line function: a longer body (the engine
/// fuses deep graphs into kernels of 100,000 ops) is split into `__device__` helpers of
/// [`SEGMENT`] instructions (`split.rs`). A reduction's epilogue is not split: one longer than this is
/// declined (`NotImplemented`) and runs on the CPU.
pub const MAX_INSTRUCTIONS: usize = 4096;

/// Threads per block of reduction kernels (a multiple of 32, at most 1024).
pub const REDUCE_BLOCK: u32 = 256;

/// NVRTC options every lazulite module is compiled with: no fast math, no contraction of `a * b + c`
/// into an FMA (the interpreter rounds each operation), IEEE division and square root, denormals kept.
pub const NVRTC_OPTIONS: &[&str] = &[
    "--std=c++17",
    "--fmad=false",
    "--prec-div=true",
    "--prec-sqrt=true",
    "--ftz=false",
];

/// The shape of a kernel's `LzArgs<NI, NO, ND, NOUT>` argument: its template parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgsLayout {
    pub n_inputs: usize,
    pub n_outputs: usize,
    pub ndim: usize,
    pub n_outer: usize,
}

impl ArgsLayout {
    pub fn of(k: &Kernel) -> ArgsLayout {
        ArgsLayout {
            n_inputs: k.inputs.len(),
            n_outputs: k.outputs.len(),
            ndim: k.ndim as usize,
            n_outer: k.n_outer(),
        }
    }

    /// The C++ type of the argument struct.
    pub fn cuda_type(&self) -> String {
        format!(
            "LzArgs<{}, {}, {}, {}>",
            self.n_inputs, self.n_outputs, self.ndim, self.n_outer
        )
    }

    /// `(pointer slots, i64 slots)` of the struct in order: `in`, `out`, `shape`, `in_strides`,
    /// `out_strides`, `contiguous` (each array has at least one slot). Every field is 8 bytes.
    pub fn field_lens(&self) -> [usize; 6] {
        let at_least_one = |n: usize| n.max(1);
        [
            at_least_one(self.n_inputs),
            at_least_one(self.n_outputs),
            at_least_one(self.ndim),
            at_least_one(self.n_inputs * self.ndim),
            at_least_one(self.n_outputs * self.n_outer),
            1,
        ]
    }

    /// Size in bytes of the struct.
    pub fn size_bytes(&self) -> usize {
        self.field_lens().iter().sum::<usize>() * 8
    }
}

/// The C type of a dtype in the prelude.
pub fn ctype(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::I8 => "i8",
        DType::I16 => "i16",
        DType::I32 => "i32",
        DType::I64 => "i64",
        DType::U8 => "u8",
        DType::U16 => "u16",
        DType::U32 => "u32",
        DType::U64 => "u64",
        DType::F32 => "f32",
        DType::F64 => "f64",
        DType::C64 => "c64",
        DType::C128 => "c128",
    }
}

/// A C expression of exactly the value `s` (cast to `d`), bit for bit (NaN payloads, signed zeros).
pub fn constant(s: Scalar, d: DType) -> String {
    let f32lit = |x: f64| format!("__int_as_float(0x{:08x})", (x as f32).to_bits());
    let f64lit = |x: f64| format!("__longlong_as_double((long long)0x{:016x}ULL)", x.to_bits());
    match (d, s.cast(d)) {
        (DType::Bool, Scalar::Bool(b)) => (if b { "true" } else { "false" }).into(),
        (_, Scalar::Int(i)) => format!("(({})(u64)0x{:x}ULL)", ctype(d), i as u64),
        (_, Scalar::UInt(u)) => format!("(({})0x{:x}ULL)", ctype(d), u),
        (DType::F32, Scalar::Float(f)) => f32lit(f),
        (_, Scalar::Float(f)) => f64lit(f),
        (DType::C64, Scalar::Complex(r, i)) => format!("c64{{{}, {}}}", f32lit(r), f32lit(i)),
        (_, Scalar::Complex(r, i)) => format!("c128{{{}, {}}}", f64lit(r), f64lit(i)),
        _ => unreachable!("Scalar::cast gives the representation of its dtype"),
    }
}

/// `astype(v, to)` for a value `v` of dtype `from`, with exactly `Scalar::cast`'s rules.
pub fn cast_expr(from: DType, to: DType, v: &str) -> String {
    let t = ctype(to);
    if from == to {
        return v.to_string();
    }
    match (from, to) {
        (_, DType::Bool) if from.is_complex() => format!("({v}.re != 0 || {v}.im != 0)"),
        (_, DType::Bool) => format!("({v} != 0)"),
        (DType::Bool, _) if to.is_complex() => format!("{t}{{({v}) ? 1 : 0, 0}}"),
        (DType::Bool, _) => format!("(({t})(({v}) ? 1 : 0))"),
        (_, _) if from.is_integer() && to.is_integer() => format!("(({t})({v}))"),
        (_, DType::F32) if from.is_integer() => format!("((f32)(f64)({v}))"),
        (_, DType::F64) if from.is_integer() => format!("((f64)({v}))"),
        (_, DType::C64) if from.is_integer() => format!("c64{{(f32)(f64)({v}), 0.0f}}"),
        (_, DType::C128) if from.is_integer() => format!("c128{{(f64)({v}), 0.0}}"),
        _ => {
            // a float or complex source: its real part decides every non-complex target
            let re = if from.is_complex() {
                format!("{v}.re")
            } else {
                v.to_string()
            };
            match to {
                d if d.is_signed_int() => format!("(({t})lz_f2i((f64)({re})))"),
                d if d.is_unsigned_int() => format!("(({t})lz_f2u((f64)({re})))"),
                DType::F32 => format!("((f32)({re}))"),
                DType::F64 => format!("((f64)({re}))"),
                DType::C64 if from.is_complex() => format!("c64{{(f32){v}.re, (f32){v}.im}}"),
                DType::C128 if from.is_complex() => format!("c128{{(f64){v}.re, (f64){v}.im}}"),
                DType::C64 => format!("c64{{(f32)({v}), 0.0f}}"),
                _ => format!("c128{{(f64)({v}), 0.0}}"),
            }
        }
    }
}

/// Whether the prelude defines unary `op` on complex values: every op the op table accepts on them
/// (the transcendental functions as `semantics_complex` computes them, C99 Annex G special cases).
pub fn complex_unary_supported(op: UnaryOp) -> bool {
    op.result_dtype(DType::C128).is_ok()
}

/// Whether the prelude defines binary `op` on complex values: every op the op table accepts on them.
pub fn complex_binary_supported(op: BinaryOp) -> bool {
    op.result_dtype_promoted(DType::C128).is_ok()
}

/// Renders the instructions of one block as `const T <prefix>N = ...;` lines. `load(k)` gives the C
/// expression of the offset of input `k`. With `store`, each output of the kernel is stored (at offset
/// `oo<j>`) right after its value is computed, so no value stays live longer than it must (a kernel
/// with many outputs would otherwise spill registers to local memory).
pub(crate) fn render_block(
    out: &mut String,
    k: &Kernel,
    (block, range): (&[Instr], std::ops::Range<usize>),
    prefix: &str,
    indent: &str,
    load_offset: &dyn Fn(u32) -> String,
    store: bool,
) -> Result<()> {
    for (i, ins) in block.iter().enumerate().take(range.end).skip(range.start) {
        let d = ins.dtype;
        let t = ctype(d);
        let val = |v: u32| -> Result<(String, DType)> {
            let src = block
                .get(v as usize)
                .filter(|_| (v as usize) < i)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Internal,
                        format!("cuda codegen: instruction {i} uses %{v}, which is not before it"),
                    )
                })?;
            Ok((format!("{prefix}{v}"), src.dtype))
        };
        let expr = match &ins.inst {
            Inst::Load { input } => {
                let inp = k.inputs.get(*input as usize).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Internal,
                        format!(
                            "cuda codegen: load of input {input}, kernel has {}",
                            k.inputs.len()
                        ),
                    )
                })?;
                format!(
                    "lz_ld<{}>(a.in[{input}], {})",
                    ctype(inp.dtype),
                    load_offset(*input)
                )
            }
            Inst::Const(s) => constant(*s, d),
            Inst::Unary(op, x) => {
                let (x, xd) = val(*x)?;
                if xd.is_complex() && !complex_unary_supported(*op) {
                    bail!(
                        NotImplemented,
                        "cuda codegen: {} of {xd} has no CUDA definition yet; the CPU backend runs it",
                        op.name()
                    );
                }
                format!("{}({x})", op.cuda())
            }
            Inst::Binary(op, x, y) => {
                let (x, xd) = val(*x)?;
                let (y, _) = val(*y)?;
                if xd.is_complex() && !complex_binary_supported(*op) {
                    bail!(
                        NotImplemented,
                        "cuda codegen: {} of {xd} has no CUDA definition yet; the CPU backend runs it",
                        op.name()
                    );
                }
                format!("{}({x}, {y})", op.cuda())
            }
            Inst::Select { cond, a, b } => {
                let (c, _) = val(*cond)?;
                let (x, _) = val(*a)?;
                let (y, _) = val(*b)?;
                format!("({c} ? {x} : {y})")
            }
            Inst::Cast(x) => {
                let (x, xd) = val(*x)?;
                cast_expr(xd, d, &x)
            }
            Inst::Reduced(r) => {
                if prefix != "e" || *r as usize >= k.reduces.len() {
                    bail!(
                        Internal,
                        "cuda codegen: reduced {r} outside an epilogue or out of range"
                    );
                }
                format!("acc{r}")
            }
        };
        let _ = writeln!(out, "{indent}const {t} {prefix}{i} = {expr};");
        if store {
            for (j, o) in k.outputs.iter().enumerate() {
                if o.value as usize == i {
                    if o.dtype != d {
                        bail!(
                            Internal,
                            "cuda codegen: output {j} is {} but its value %{i} is {d}",
                            o.dtype
                        );
                    }
                    let _ = writeln!(out, "{indent}lz_st<{t}>(a.out[{j}], oo{j}, {prefix}{i});");
                }
            }
        }
    }
    Ok(())
}

/// The C expression for the number of points of the kernel's dims `dims` (`a.shape[i] * ...`; `1LL`
/// for none).
pub(crate) fn shape_product(dims: std::ops::Range<usize>) -> String {
    if dims.is_empty() {
        "1LL".into()
    } else {
        dims.map(|d| format!("a.shape[{d}]"))
            .collect::<Vec<_>>()
            .join(" * ")
    }
}

/// An offset variable and where its strides live: `a.<array>[<base> + d]` for dim `d`.
pub(crate) struct Offset {
    pub(crate) name: String,
    pub(crate) array: &'static str,
    pub(crate) base: usize,
}

/// Emits the unravelling of flat index `idx` over dims `dims` (innermost first in the loop), adding
/// `coord * stride` to each named offset. `strides(op, d)` names the stride of operand `op` on dim `d`.
pub(crate) fn unravel(
    out: &mut String,
    indent: &str,
    idx: &str,
    dims: std::ops::Range<usize>,
    offsets: &[Offset],
) {
    if dims.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{{");
    let _ = writeln!(out, "{indent}  long long r_ = {idx}, c_;");
    let first = dims.start;
    for d in dims.rev() {
        if d == first {
            let _ = writeln!(out, "{indent}  c_ = r_;");
        } else {
            let _ = writeln!(out, "{indent}  c_ = r_ % a.shape[{d}]; r_ /= a.shape[{d}];");
        }
        for o in offsets {
            let _ = writeln!(
                out,
                "{indent}  {} += c_ * a.{}[{}];",
                o.name,
                o.array,
                o.base + d
            );
        }
    }
    let _ = writeln!(out, "{indent}}}");
}

/// Renders `kernel` as CUDA C: an `extern "C" __global__ void <name>(const LzArgs<...> a)` plus its
/// helper, to be compiled after [`PRELUDE`] (see [`translation_unit`]). Errors: `NotImplemented` for
/// ops without a CUDA definition, `Internal` for a malformed kernel.
pub fn render(kernel: &Kernel, name: &str) -> Result<String> {
    let k = kernel;
    let lay = ArgsLayout::of(k);
    if k.n_reduce > k.ndim || k.outputs.is_empty() {
        bail!(
            Internal,
            "cuda codegen: malformed kernel (ndim {}, n_reduce {}, {} outputs)",
            k.ndim,
            k.n_reduce,
            k.outputs.len()
        );
    }
    if k.epilogue.len() > MAX_INSTRUCTIONS {
        bail!(
            NotImplemented,
            "cuda codegen: a reduction epilogue of {} instructions exceeds the CUDA backend's limit \
             of {MAX_INSTRUCTIONS}; the CPU backend runs it",
            k.epilogue.len()
        );
    }
    let nd = lay.ndim;
    let n_outer = lay.n_outer;
    let args_t = lay.cuda_type();
    let mut s = String::new();
    let _ = writeln!(s, "// lazulite kernel {name}");
    for line in k.pretty().lines() {
        let _ = writeln!(s, "//   {line}");
    }
    let in_names: Vec<String> = (0..lay.n_inputs).map(|i| format!("oi{i}")).collect();
    let out_names: Vec<String> = (0..lay.n_outputs).map(|j| format!("oo{j}")).collect();
    let in_off = |i: usize, name: String| Offset {
        name,
        array: "in_strides",
        base: i * nd,
    };
    let out_off = |j: usize, name: String| Offset {
        name,
        array: "out_strides",
        base: j * n_outer,
    };

    if k.n_reduce == 0 {
        for o in &k.outputs {
            if o.value as usize >= k.body.len() {
                bail!(
                    Internal,
                    "cuda codegen: output of %{}, body has {}",
                    o.value,
                    k.body.len()
                );
            }
        }
        let kernel_at = s.len();
        let _ = writeln!(
            s,
            "extern \"C\" __global__ void {name}(const {args_t} a) {{"
        );
        let _ = writeln!(s, "  const long long n = {};", shape_product(0..nd));
        let _ = writeln!(
            s,
            "  const long long step = (long long)gridDim.x * blockDim.x;"
        );
        let _ = writeln!(
            s,
            "  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {{"
        );
        let mut decl = String::new();
        for n in in_names.iter().chain(&out_names) {
            let _ = write!(decl, "long long {n} = i; ");
        }
        let _ = writeln!(s, "    {}", decl.trim_end());
        if nd > 0 {
            // the general path: unravel the flat index (a uniform branch: `contiguous` is per launch)
            let _ = writeln!(s, "    if (!a.contiguous) {{");
            let mut zero = String::new();
            for n in in_names.iter().chain(&out_names) {
                let _ = write!(zero, "{n} = 0; ");
            }
            let _ = writeln!(s, "      {}", zero.trim_end());
            let mut offs: Vec<Offset> = Vec::new();
            for (i, n) in in_names.iter().enumerate() {
                offs.push(in_off(i, n.clone()));
            }
            for (j, n) in out_names.iter().enumerate() {
                offs.push(out_off(j, n.clone()));
            }
            unravel(&mut s, "      ", "i", 0..nd, &offs);
            let _ = writeln!(s, "    }}");
        }
        let mut helpers = String::new();
        split::render_body(&mut s, &mut helpers, k, name, "    ", true, &[])?;
        s.insert_str(kernel_at, &helpers);
        let _ = writeln!(s, "  }}");
        let _ = writeln!(s, "}}");
        return Ok(s);
    }

    // reductions: the single-pass kernel and the two passes of the grid-wide form (`reduce.rs`)
    reduce::render_reductions(&mut s, k, name)?;
    Ok(s)
}

/// One compilable module: the prelude, then each rendered kernel.
pub fn translation_unit<'a>(kernels: impl IntoIterator<Item = &'a str>) -> String {
    let mut s = String::from(PRELUDE);
    for k in kernels {
        s.push('\n');
        s.push_str(k);
    }
    s
}

/// A kernel name from its structure (stable within a build).
pub fn kernel_name(k: &Kernel) -> String {
    format!("lz_k{:016x}", k.fingerprint())
}

pub mod extern_kernels;
mod reduce;
mod split;
pub use reduce::{
    chunks_for, partials_bytes, plan as reduction_plan, Pass, ReductionPlan, MAX_CHUNKS, MAX_GRID,
    PARTIAL_CHUNK, TWO_PASS_MAX_OUTER,
};
pub use split::SEGMENT;

#[cfg(test)]
mod tests;
