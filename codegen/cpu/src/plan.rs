//! Code-shape decisions taken before any Cranelift call: whether the innermost loop runs as a 128-bit
//! vector loop (and with how many lanes), or whether a reduction is vectorized across its innermost
//! outer dimension instead.

use lazulite_ir::{BinaryOp, DType, Inst, Instr, Kernel, StrideClass, UnaryOp};

/// How a kernel is lowered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Lanes of the innermost loop; 1 means a scalar loop.
    pub lanes: u32,
    /// Lanes of a reduction vectorized across the innermost outer dimension (each lane its own output
    /// element, the reduced dims walked by loops); 1 means off. Only when `lanes == 1`.
    pub outer_lanes: u32,
    /// Vectors per iteration of an elementwise vector loop, their bodies interleaved (see
    /// [`groups`]); 1 in scalar code and reductions.
    pub groups: u32,
}

impl Plan {
    pub(crate) const SCALAR: Plan = Plan {
        lanes: 1,
        outer_lanes: 1,
        groups: 1,
    };
}

/// Inputs read by `Load` in the body (the ones the innermost loop walks).
pub(crate) fn body_loads(k: &Kernel) -> Vec<bool> {
    block_loads(k, &k.body)
}

/// Inputs read by `Load` in `block`.
pub(crate) fn block_loads(k: &Kernel, block: &[Instr]) -> Vec<bool> {
    let mut used = vec![false; k.inputs.len()];
    for ins in block {
        if let Inst::Load { input } = ins.inst {
            if let Some(u) = used.get_mut(input as usize) {
                *u = true;
            }
        }
    }
    used
}

/// The lane count shared by every non-bool value of `blocks` (booleans adapt to it), if they share
/// one element size.
fn uniform_lanes<'a>(blocks: impl Iterator<Item = &'a Instr>) -> Option<u32> {
    let mut size = None;
    for d in blocks.map(|i| i.dtype) {
        if d == DType::Bool {
            continue;
        }
        match size {
            None => size = Some(d.size()),
            Some(s) if s != d.size() => return None,
            Some(_) => {}
        }
    }
    Some((16 / size.unwrap_or(1)) as u32)
}

/// The vector plan: every body value shares one lane count (booleans adapt to it), every loaded input
/// is contiguous or broadcast along the innermost dim, and (elementwise) every output is contiguous.
///
/// A reduction whose body reads an input strided along the (reduced) innermost dim, like
/// `sum(x, axis=0)` of a C-order matrix, is vectorized across the innermost outer dim instead when
/// every output is contiguous there and body and epilogue share one lane count; the code checks at
/// run time that the inputs are contiguous along that dim and otherwise runs the scalar loop.
pub(crate) fn plan(k: &Kernel) -> Plan {
    plan_within(k, BUDGET)
}

/// [`plan`] with `budget` (body instructions of all groups together, see [`groups`]) instead of
/// [`BUDGET`].
pub(crate) fn plan_within(k: &Kernel, budget: u32) -> Plan {
    if k.ndim == 0 {
        return Plan::SCALAR;
    }
    let loads = body_loads(k);
    let strided = k
        .inputs
        .iter()
        .zip(&loads)
        .any(|(inp, &used)| used && inp.inner == StrideClass::Strided);
    if strided {
        if k.n_reduce > 0
            && k.n_outer() > 0
            && k.outputs.iter().all(|o| o.inner == StrideClass::Contiguous)
        {
            if let Some(l) = uniform_lanes(k.body.iter().chain(&k.epilogue)) {
                return Plan {
                    lanes: 1,
                    outer_lanes: l,
                    groups: 1,
                };
            }
        }
        return Plan::SCALAR;
    }
    if k.n_reduce == 0 && k.outputs.iter().any(|o| o.inner != StrideClass::Contiguous) {
        return Plan::SCALAR;
    }
    match uniform_lanes(k.body.iter()) {
        Some(lanes) => Plan {
            lanes,
            outer_lanes: 1,
            groups: if k.n_reduce == 0 {
                groups(k, budget)
            } else {
                1
            },
        },
        None => Plan::SCALAR,
    }
}

/// Vectors per iteration of an elementwise vector loop. A body of hundreds of instructions on one
/// dependency chain (the 20-op chain: 8 inline `sin`/`cos` of ~100 instructions each, one
/// after the other) is longer than the CPU's reorder window, so consecutive iterations do not
/// overlap and the loop runs at the latency of the chain; interleaving `g` independent vectors
/// (`jit`'s `block_groups`) gives the CPU `g` chains side by side. The price is compile
/// time, about `g` times the body's, so:
///
/// - bodies under [`MIN_COST`] instructions (`a*b + c`, a lone `exp` or `sin`) stay at one vector:
///   they are bound by memory, or their iterations already overlap in the window (a lone `sin` on
///   2^22 elements took the same CPU time with 1 and 4 groups, float32 and float64);
/// - otherwise the most groups (4, else 2) whose emitted body stays within `budget`
///   instructions: with [`BUDGET`] (code a call waits for) the short chain
///   `sin(x)**2 + cos(x)**2 - exp(-x*x)` gets 4, the 20-op chain 2 (4 would add ~2 ms of
///   compiling to its cold first call for ~0.25 ms per warm call at 65536 float32 elements); with
///   [`WIDE_BUDGET`] (`CodeQuality::Wide`: the runtime's background compiles, which no call waits
///   for) the 20-op chain gets 4; past the budget, one;
/// - bodies with an op that runs as a call per lane stay at one: the call dominates, and every
///   other group's live vectors would be spilled around it.
///
/// Four groups of a body with a few live values each still fit x64's 16 vector registers.
/// `LAZULITE_JIT_GROUPS=<n>` (read once; 1, 2, 4 or 8) forces `n`, for measurements. Always a
/// power of two: the loop rounds its trip count down to a multiple of `groups * lanes` by a mask.
pub(crate) fn groups(k: &Kernel, budget: u32) -> u32 {
    if let Some(n) = forced_groups() {
        return n;
    }
    let Some(cost) = body_cost(k) else {
        return 1;
    };
    if cost < MIN_COST {
        1
    } else if 4 * cost <= budget {
        4
    } else if 2 * cost <= budget {
        2
    } else {
        1
    }
}

/// Bodies shorter than this (in [`body_cost`] units, about machine instructions) run one vector
/// per iteration.
const MIN_COST: u32 = 150;
/// The most body instructions (all groups together) worth their compile time in a call.
pub(crate) const BUDGET: u32 = 2048;
/// The same for a compile no call waits for (`CodeQuality::Wide`): the 20-op float32 chain's 4
/// groups compile in ~3.3 ms (2 groups: ~1.5 ms) and run a warm call of 65536 elements in
/// 0.27-0.28 ms instead of 0.42-0.44 ms.
pub(crate) const WIDE_BUDGET: u32 = 4096;

fn forced_groups() -> Option<u32> {
    static FORCED: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *FORCED.get_or_init(|| {
        std::env::var("LAZULITE_JIT_GROUPS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n: &u32| n.is_power_of_two() && *n <= 8)
    })
}

/// About how many machine instructions one vector of the body takes: inline vector math counts
/// what it emits (the `sin`, `cos` or `tan` of an operand already reduced for another one counts
/// only its kernel selection). `None` when an op runs as a scalar call per lane.
fn body_cost(k: &Kernel) -> Option<u32> {
    use UnaryOp::*;
    let mut reduced: Vec<u32> = Vec::new();
    let mut cost = 0;
    for i in &k.body {
        cost += match &i.inst {
            Inst::Unary(Sin | Cos | Tan, a) if reduced.contains(a) => 20,
            Inst::Unary(Sin | Cos | Tan, a) => {
                reduced.push(*a);
                100
            }
            Inst::Unary(Exp | Log | Log1p, _) => 40,
            Inst::Unary(Atan, _) => 60,
            Inst::Unary(Expm1 | Sinh | Cosh | Tanh, _) => 64,
            Inst::Unary(op, _) if op.is_transcendental() => return None,
            // inline (`jit/pow.rs`): two f64x2 log2/exp2 per f32x4
            Inst::Binary(BinaryOp::Pow, ..) if i.dtype == DType::F32 => 90,
            Inst::Binary(op, ..) if crate::jit::lanewise_binary(*op) => return None,
            _ => 1,
        };
    }
    Some(cost)
}
