//! Code-shape decisions taken before any Cranelift call: whether the innermost loop runs as a 128-bit
//! vector loop, and with how many lanes.

use lazulite_ir::{DType, Inst, Kernel, StrideClass};

/// How a kernel is lowered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Lanes of the innermost loop; 1 means a scalar loop.
    pub lanes: u32,
}

/// Inputs read by `Load` in the body (the ones the innermost loop walks).
pub(crate) fn body_loads(k: &Kernel) -> Vec<bool> {
    let mut used = vec![false; k.inputs.len()];
    for ins in &k.body {
        if let Inst::Load { input } = ins.inst {
            if let Some(u) = used.get_mut(input as usize) {
                *u = true;
            }
        }
    }
    used
}

/// The vector plan: every body value shares one lane count (booleans adapt to it), every loaded input
/// is contiguous or broadcast along the innermost dim, and (elementwise) every output is contiguous.
pub(crate) fn plan(k: &Kernel) -> Plan {
    let scalar = Plan { lanes: 1 };
    if k.ndim == 0 {
        return scalar;
    }
    let loads = body_loads(k);
    for (inp, &used) in k.inputs.iter().zip(&loads) {
        if used && inp.inner == StrideClass::Strided {
            return scalar;
        }
    }
    if k.n_reduce == 0 && k.outputs.iter().any(|o| o.inner != StrideClass::Contiguous) {
        return scalar;
    }
    let mut size = None;
    for d in k.body.iter().map(|i| i.dtype) {
        if d == DType::Bool {
            continue;
        }
        match size {
            None => size = Some(d.size()),
            Some(s) if s != d.size() => return scalar,
            Some(_) => {}
        }
    }
    Plan {
        lanes: (16 / size.unwrap_or(1)) as u32,
    }
}
