//! Long kernel bodies as `__device__` helper functions.
//!
//! A fused chain can have tens of thousands of instructions (the engine fuses deep graphs). One
//! straight-line function that long costs NVRTC and ptxas time superlinear in its length, so a body of
//! more than [`MAX_INSTRUCTIONS`](crate::MAX_INSTRUCTIONS) instructions is cut into segments of
//! [`SEGMENT`] instructions, each a `static __device__ __noinline__` helper called in order by the
//! kernel: a helper takes the argument struct, the operands' offsets, the values of earlier segments
//! it reads (by value) and returns the values later segments or the reductions read (by reference);
//! outputs are stored inside the helper that computes them. The values and their order are those of
//! the unsplit body, so results are identical.

use crate::{ctype, render_block, ArgsLayout, MAX_INSTRUCTIONS};
use lazulite_ir::{Inst, Kernel, Result};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Instructions per helper function of a split body.
pub const SEGMENT: usize = 1024;

fn operands(inst: &Inst) -> Vec<u32> {
    match *inst {
        Inst::Unary(_, x) | Inst::Cast(x) => vec![x],
        Inst::Binary(_, x, y) => vec![x, y],
        Inst::Select { cond, a, b } => vec![cond, a, b],
        Inst::Load { .. } | Inst::Const(_) | Inst::Reduced(_) => vec![],
    }
}

/// Renders `k.body` at `indent` (values `v<i>`, loads at offsets `oi<i>`, with `store` each output
/// stored at `oo<j>` as soon as it exists). A body longer than `MAX_INSTRUCTIONS` becomes calls of
/// helpers `<name>_s<n>`, whose definitions are appended to `helpers` (to be placed before the
/// kernel); `keep` lists the values read after the body (the reductions' inputs).
pub(crate) fn render_body(
    out: &mut String,
    helpers: &mut String,
    k: &Kernel,
    name: &str,
    indent: &str,
    store: bool,
    keep: &[u32],
) -> Result<()> {
    let n = k.body.len();
    let load = |i: u32| format!("oi{i}");
    if n <= MAX_INSTRUCTIONS {
        return render_block(out, k, (&k.body, 0..n), "v", indent, &load, store);
    }
    let seg = |v: usize| v / SEGMENT;
    let n_seg = n.div_ceil(SEGMENT);
    let mut crosses = vec![false; n];
    let mut live_in: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n_seg];
    for (i, ins) in k.body.iter().enumerate() {
        for v in operands(&ins.inst) {
            let v = v as usize;
            // a use of a later value is render_block's error to report
            if v < i && seg(v) != seg(i) {
                crosses[v] = true;
                live_in[seg(i)].insert(v);
            }
        }
    }
    for &v in keep {
        if let Some(c) = crosses.get_mut(v as usize) {
            *c = true;
        }
    }
    let lay = ArgsLayout::of(k);
    let args_t = lay.cuda_type();
    let t = |v: usize| ctype(k.body[v].dtype);
    for (s, ins_of) in live_in.iter().enumerate() {
        let range = s * SEGMENT..((s + 1) * SEGMENT).min(n);
        let outs: Vec<usize> = range.clone().filter(|&v| crosses[v]).collect();
        let mut params = vec![format!("const {args_t}& a")];
        let mut args = vec!["a".to_string()];
        for i in 0..lay.n_inputs {
            params.push(format!("const long long oi{i}"));
            args.push(format!("oi{i}"));
        }
        if store {
            for j in 0..lay.n_outputs {
                params.push(format!("const long long oo{j}"));
                args.push(format!("oo{j}"));
            }
        }
        for &v in ins_of {
            params.push(format!("const {} v{v}", t(v)));
            args.push(format!("v{v}"));
        }
        for &v in &outs {
            params.push(format!("{}& r{v}", t(v)));
            args.push(format!("v{v}"));
        }
        let _ = writeln!(
            helpers,
            "static __device__ __noinline__ void {name}_s{s}({}) {{",
            params.join(", ")
        );
        render_block(helpers, k, (&k.body, range), "v", "  ", &load, store)?;
        for &v in &outs {
            let _ = writeln!(helpers, "  r{v} = v{v};");
        }
        let _ = writeln!(helpers, "}}");
        for &v in &outs {
            let _ = writeln!(out, "{indent}{} v{v};", t(v));
        }
        let _ = writeln!(out, "{indent}{name}_s{s}({});", args.join(", "));
    }
    Ok(())
}
