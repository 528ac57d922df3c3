//! Reduction kernels: the single-pass form and the two-pass, grid-wide form, and the launch plan that
//! picks between them from the sizes alone.
//!
//! Every reduction kernel `k` renders three entry points (same [`LzArgs`](crate::ArgsLayout) struct):
//! - `<name>(a)`: **single pass**. One block per outer point (a grid-stride loop over blocks); thread
//!   `t` folds the reduced points `t, t + blockDim.x, ...` in order, then a warp-shuffle tree and a
//!   shared-memory stage across warps; thread 0 runs the epilogue and stores.
//! - `<name>_partial(a, partials, n_chunks)`: **pass 1** of the grid-wide form. The reduced range of
//!   each outer point is cut into `n_chunks` slices of `ceil(n_red / n_chunks)` points; block `g`
//!   (grid-stride) folds slice `g % n_chunks` of outer point `g / n_chunks` exactly as the single pass
//!   folds a whole row, and thread 0 stores the block's value at `partials[r][g]` (no atomics).
//! - `<name>_final(a, partials, n_chunks)`: **pass 2**. One block per outer point folds its
//!   `n_chunks` partials (thread `t` takes `t, t + blockDim.x, ...`, then the same trees), runs the
//!   epilogue and stores.
//!
//! `partials` holds, per reduction `r` in order, `n_outer * n_chunks` accumulators of its dtype,
//! each array starting at a multiple of 16 bytes ([`partials_bytes`]).
//!
//! **Determinism.** The combine order depends only on `blockDim.x` and `n_chunks`; [`plan`] derives
//! both from the sizes `(n_outer, n_red)` alone (never from the GPU), so the same input gives the same
//! bits on every run and every GPU. Integer, boolean, `min` and `max` results equal the interpreter's
//! exactly. Float `sum` and `prod` associate differently from the interpreter (sequential) and from the
//! CPU backend (pairwise): each thread adds `n_red / (n_chunks * blockDim.x)` values in order, then
//! trees of depth `log2(blockDim.x)` and `log2(n_chunks)` follow, so the rounding error is bounded like
//! the CPU's pairwise order, about `(n_red / (n_chunks * blockDim.x) + log2(n_red)) * eps * sum |x_i|`
//! (the emulator tests allow a relative `1e-6 * sqrt(n)` for float32 and `1e-6` for float64).

use crate::{render_block, shape_product, unravel, ArgsLayout, Offset, REDUCE_BLOCK};
use lazulite_ir::{bail, DType, Error, ErrorKind, Kernel, ReduceOp, Result, Scalar};
use std::fmt::Write as _;

/// Reduced points one block of pass 1 folds at least: below `2 * PARTIAL_CHUNK` points a row is one
/// block's work and the single pass runs.
pub const PARTIAL_CHUNK: u64 = 8192;

/// The most slices (blocks of pass 1) one outer point is cut into; pass 2 folds at most this many
/// partials per outer point (4 per thread of a [`REDUCE_BLOCK`] block).
pub const MAX_CHUNKS: u64 = 1024;

/// With this many outer points or more, the single pass already has a block per outer point to fill
/// the GPU with, and runs instead of the two passes.
pub const TWO_PASS_MAX_OUTER: u64 = 512;

/// The most blocks of one launch (the grid-stride loops cover the rest).
pub const MAX_GRID: u64 = 65_535;

/// One kernel launch of a plan: the entry point, blocks and threads per block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    /// The `extern "C"` function to launch (`<name>`, `<name>_partial` or `<name>_final`).
    pub entry: String,
    pub grid: u32,
    pub block: u32,
}

/// How to launch a reduction kernel over given sizes: one pass (`passes.len() == 1`: launch
/// `<name>(args)`) or two (`<name>_partial(args, partials, n_chunks)` then
/// `<name>_final(args, partials, n_chunks)`, in order on one stream, with a device buffer of
/// `partials_bytes` bytes, aligned to 16, that needs no initialisation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReductionPlan {
    /// Slices per outer point (1 for the single pass).
    pub n_chunks: u64,
    pub passes: Vec<Pass>,
    /// Size of the partials buffer (0 for the single pass).
    pub partials_bytes: usize,
}

/// Slices per outer point for `n_outer` outer points of `n_red` reduced points each: a function of
/// the sizes only. 1 means the single pass.
pub fn chunks_for(n_outer: u64, n_red: u64) -> u64 {
    if n_outer == 0 || n_outer >= TWO_PASS_MAX_OUTER || n_red < 2 * PARTIAL_CHUNK {
        return 1;
    }
    // about PARTIAL_CHUNK points per slice, at most MAX_CHUNKS slices, and at most MAX_CHUNKS * 4
    // blocks over all outer points
    let by_size = n_red / PARTIAL_CHUNK;
    let by_grid = (MAX_CHUNKS * 4 / n_outer).max(2);
    by_size.min(MAX_CHUNKS).min(by_grid)
}

/// Bytes of the partials buffer of `k` for `n_outer` outer points cut into `n_chunks` slices.
pub fn partials_bytes(k: &Kernel, n_outer: u64, n_chunks: u64) -> usize {
    let count = (n_outer * n_chunks) as usize;
    k.reduces
        .iter()
        .map(|r| (k.body[r.value as usize].dtype.size() * count).next_multiple_of(16))
        .sum()
}

/// The launch plan of reduction kernel `k` (rendered as `name`) over a loop nest of `shape`
/// (`k.ndim` sizes, the outer dims first). `Internal` for an elementwise kernel or a wrong rank.
pub fn plan(k: &Kernel, name: &str, shape: &[usize]) -> Result<ReductionPlan> {
    if k.n_reduce == 0 || shape.len() != k.ndim as usize {
        bail!(
            Internal,
            "cuda reduction_plan: kernel of ndim {} with n_reduce {} over shape {shape:?}",
            k.ndim,
            k.n_reduce
        );
    }
    let n_outer: u64 = shape[..k.n_outer()].iter().map(|&n| n as u64).product();
    let n_red: u64 = shape[k.n_outer()..].iter().map(|&n| n as u64).product();
    let grid = |blocks: u64| blocks.clamp(1, MAX_GRID) as u32;
    let n_chunks = chunks_for(n_outer, n_red);
    if n_chunks == 1 {
        return Ok(ReductionPlan {
            n_chunks,
            passes: vec![Pass {
                entry: name.to_string(),
                grid: grid(n_outer),
                block: REDUCE_BLOCK,
            }],
            partials_bytes: 0,
        });
    }
    Ok(ReductionPlan {
        n_chunks,
        passes: vec![
            Pass {
                entry: format!("{name}_partial"),
                grid: grid(n_outer * n_chunks),
                block: REDUCE_BLOCK,
            },
            Pass {
                entry: format!("{name}_final"),
                grid: grid(n_outer),
                block: REDUCE_BLOCK,
            },
        ],
        partials_bytes: partials_bytes(k, n_outer, n_chunks),
    })
}

/// The reduction's starting value: its identity, or the neutral element of `minimum`/`maximum` (an
/// infinity or the dtype's extreme; NaN still propagates), so no "first element" state is needed.
pub(crate) fn reduce_start(op: ReduceOp, d: DType) -> String {
    let s = match (op, d.int_range()) {
        (ReduceOp::Min, Some((_, hi))) => Scalar::UInt(hi as u64),
        (ReduceOp::Max, Some((lo, _))) => Scalar::Int(lo as i64),
        (ReduceOp::Min, None) => Scalar::Float(f64::INFINITY),
        (ReduceOp::Max, None) => Scalar::Float(f64::NEG_INFINITY),
        _ => op
            .identity(d)
            .expect("sum, prod, any and all have an identity"),
    };
    crate::constant(s, d)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Single,
    Partial,
    Final,
}

/// Appends the three entry points of reduction kernel `k` to `s`.
pub(crate) fn render_reductions(s: &mut String, k: &Kernel, name: &str) -> Result<()> {
    for r in &k.reduces {
        let d = k
            .body
            .get(r.value as usize)
            .map(|i| i.dtype)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Internal,
                    format!(
                        "cuda codegen: reduction of %{}, body has {}",
                        r.value,
                        k.body.len()
                    ),
                )
            })?;
        if !r.op.accepts().allows(d) {
            bail!(Internal, "cuda codegen: {} over {d}", r.op.name());
        }
    }
    for o in &k.outputs {
        if o.value as usize >= k.epilogue.len() {
            bail!(
                Internal,
                "cuda codegen: output of %{}, epilogue has {}",
                o.value,
                k.epilogue.len()
            );
        }
    }
    // a split body's helpers (named after `name`) are defined once, before the three entry points
    let (mut helpers, mut kernels) = (String::new(), String::new());
    render_one(&mut kernels, &mut helpers, k, name, Mode::Single)?;
    render_one(&mut kernels, &mut String::new(), k, name, Mode::Partial)?;
    render_one(&mut kernels, &mut String::new(), k, name, Mode::Final)?;
    s.push_str(&helpers);
    s.push_str(&kernels);
    Ok(())
}

fn render_one(
    s: &mut String,
    helpers: &mut String,
    k: &Kernel,
    base: &str,
    mode: Mode,
) -> Result<()> {
    let name = &match mode {
        Mode::Single => base.to_string(),
        Mode::Partial => format!("{base}_partial"),
        Mode::Final => format!("{base}_final"),
    };
    let lay = ArgsLayout::of(k);
    let (nd, n_outer) = (lay.ndim, lay.n_outer);
    let args_t = lay.cuda_type();
    let in_names: Vec<String> = (0..lay.n_inputs).map(|i| format!("oi{i}")).collect();
    let out_names: Vec<String> = (0..lay.n_outputs).map(|j| format!("oo{j}")).collect();
    let acc_d = |r: usize| k.body[k.reduces[r].value as usize].dtype;
    let acc_t = |r: usize| crate::ctype(acc_d(r));
    let params = match mode {
        Mode::Single => String::new(),
        Mode::Partial => ", unsigned char* partials, const long long n_chunks".into(),
        Mode::Final => ", const unsigned char* partials, const long long n_chunks".into(),
    };
    let _ = writeln!(
        s,
        "extern \"C\" __global__ void {name}(const {args_t} a{params}) {{"
    );
    for r in 0..k.reduces.len() {
        let _ = writeln!(s, "  __shared__ {} lz_sh{r}[32];", acc_t(r));
    }
    let _ = writeln!(
        s,
        "  const long long n_outer = {};",
        shape_product(0..n_outer)
    );
    let _ = writeln!(
        s,
        "  const long long n_red = {};",
        shape_product(n_outer..nd)
    );
    let _ = writeln!(
        s,
        "  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = (blockDim.x + 31) >> 5;"
    );
    let _ = writeln!(s, "  (void)lane; (void)warp; (void)nwarps; (void)n_red;");
    if mode != Mode::Single {
        // where each reduction's partials start (16-byte aligned arrays, as `partials_bytes`)
        let _ = writeln!(s, "  const long long n_part = n_outer * n_chunks;");
        let _ = writeln!(s, "  long long lz_po0 = 0;");
        for r in 1..k.reduces.len() {
            let _ = writeln!(
                s,
                "  const long long lz_po{r} = lz_po{} + (((long long)sizeof({}) * n_part + 15) & ~15LL);",
                r - 1,
                acc_t(r - 1)
            );
        }
        let _ = writeln!(s, "  (void)lz_po0;");
    }
    // the block loop: outer point `m` (and slice `c` in pass 1)
    match mode {
        Mode::Partial => {
            let _ = writeln!(
                s,
                "  const long long slice = n_chunks > 0 ? (n_red + n_chunks - 1) / n_chunks : 0;"
            );
            let _ = writeln!(
                s,
                "  for (long long g = blockIdx.x; g < n_part; g += gridDim.x) {{"
            );
            let _ = writeln!(s, "    const long long m = g / n_chunks, c = g % n_chunks;");
            let _ = writeln!(
                s,
                "    const long long r0 = c * slice, r1 = r0 + slice < n_red ? r0 + slice : n_red;"
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "  for (long long m = blockIdx.x; m < n_outer; m += gridDim.x) {{"
            );
        }
    }
    let mut decl = String::new();
    for n in &in_names {
        let _ = write!(decl, "long long b{n} = 0; ");
    }
    if mode != Mode::Partial {
        for n in &out_names {
            let _ = write!(decl, "long long {n} = 0; ");
        }
    }
    let _ = writeln!(s, "    {}", decl.trim_end());
    let mut offs: Vec<Offset> = Vec::new();
    for (i, n) in in_names.iter().enumerate() {
        offs.push(Offset {
            name: format!("b{n}"),
            array: "in_strides",
            base: i * nd,
        });
    }
    if mode != Mode::Partial {
        for (j, n) in out_names.iter().enumerate() {
            offs.push(Offset {
                name: n.clone(),
                array: "out_strides",
                base: j * n_outer,
            });
        }
    }
    unravel(s, "    ", "m", 0..n_outer, &offs);
    for (r, red) in k.reduces.iter().enumerate() {
        let _ = writeln!(
            s,
            "    {} acc{r} = {};",
            acc_t(r),
            reduce_start(red.op, acc_d(r))
        );
    }
    if mode == Mode::Final {
        let _ = writeln!(
            s,
            "    for (long long c = threadIdx.x; c < n_chunks; c += blockDim.x) {{"
        );
        for (r, red) in k.reduces.iter().enumerate() {
            let _ = writeln!(
                s,
                "      acc{r} = {}(acc{r}, ((const {}*)(partials + lz_po{r}))[m * n_chunks + c]);",
                red.op.cuda(),
                acc_t(r)
            );
        }
        let _ = writeln!(s, "    }}");
    } else {
        let (from, to) = if mode == Mode::Partial {
            ("r0", "r1")
        } else {
            ("0", "n_red")
        };
        let _ = writeln!(
            s,
            "    for (long long r = {from} + threadIdx.x; r < {to}; r += blockDim.x) {{"
        );
        let mut decl = String::new();
        for n in &in_names {
            let _ = write!(decl, "long long {n} = b{n}; ");
        }
        if !decl.is_empty() {
            let _ = writeln!(s, "      {}", decl.trim_end());
        }
        let offs: Vec<Offset> = in_names
            .iter()
            .enumerate()
            .map(|(i, n)| Offset {
                name: n.clone(),
                array: "in_strides",
                base: i * nd,
            })
            .collect();
        unravel(s, "      ", "r", n_outer..nd, &offs);
        let keep: Vec<u32> = k.reduces.iter().map(|r| r.value).collect();
        crate::split::render_body(s, helpers, k, base, "      ", false, &keep)?;
        for (r, red) in k.reduces.iter().enumerate() {
            let _ = writeln!(
                s,
                "      acc{r} = {}(acc{r}, v{});",
                red.op.cuda(),
                red.value
            );
        }
        let _ = writeln!(s, "    }}");
    }
    // warp tree, then across warps through shared memory, then a second warp tree (every warp runs it,
    // so every shuffle has its whole warp)
    let combine_warp = |s: &mut String, indent: &str| {
        let _ = writeln!(s, "{indent}for (int o = 16; o > 0; o >>= 1) {{");
        for (r, red) in k.reduces.iter().enumerate() {
            let _ = writeln!(
                s,
                "{indent}  acc{r} = {}(acc{r}, lz_shfl_down(acc{r}, o));",
                red.op.cuda()
            );
        }
        let _ = writeln!(s, "{indent}}}");
    };
    combine_warp(s, "    ");
    let _ = writeln!(s, "    if (lane == 0) {{");
    for r in 0..k.reduces.len() {
        let _ = writeln!(s, "      lz_sh{r}[warp] = acc{r};");
    }
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    __syncthreads();");
    for (r, red) in k.reduces.iter().enumerate() {
        let _ = writeln!(
            s,
            "    acc{r} = (int)threadIdx.x < nwarps ? lz_sh{r}[threadIdx.x] : {};",
            reduce_start(red.op, acc_d(r))
        );
    }
    combine_warp(s, "    ");
    let _ = writeln!(s, "    if (threadIdx.x == 0) {{");
    if mode == Mode::Partial {
        for r in 0..k.reduces.len() {
            let _ = writeln!(
                s,
                "      (({}*)(partials + lz_po{r}))[g] = acc{r};",
                acc_t(r)
            );
        }
    } else {
        render_block(
            s,
            k,
            (&k.epilogue, 0..k.epilogue.len()),
            "e",
            "      ",
            &|i| format!("b{}", in_names[i as usize]),
            true,
        )?;
    }
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    __syncthreads();");
    let _ = writeln!(s, "  }}");
    let _ = writeln!(s, "}}");
    Ok(())
}
