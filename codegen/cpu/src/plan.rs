//! Code-shape decisions taken before any Cranelift call: whether the innermost loop runs as a 128-bit
//! vector loop (and with how many lanes), or whether a reduction is vectorized across its innermost
//! outer dimension instead.

use lazulite_ir::{DType, Inst, Instr, Kernel, StrideClass};

/// How a kernel is lowered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Lanes of the innermost loop; 1 means a scalar loop.
    pub lanes: u32,
    /// Lanes of a reduction vectorized across the innermost outer dimension (each lane its own output
    /// element, the reduced dims walked by loops); 1 means off. Only when `lanes == 1`.
    pub outer_lanes: u32,
}

impl Plan {
    pub(crate) const SCALAR: Plan = Plan {
        lanes: 1,
        outer_lanes: 1,
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
        },
        None => Plan::SCALAR,
    }
}
