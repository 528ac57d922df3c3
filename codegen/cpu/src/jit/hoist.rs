//! What a vectorized reduction's body makes once before its loops instead of in every unrolled copy
//! (the code is not optimized, so nothing else hoists it): its constants, its loads of inputs
//! broadcast along the reduced dim, the sign mask of a float `abs`, and the `±1` of a float add or
//! subtract emitted as a fused multiply-add to balance the two kinds of float pipes.

use super::{Emitter, PTR};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{ConstantData, InstBuilder, StackSlotData, StackSlotKind, Value};
use lazulite_ir::{BinaryOp, DType, Inst, ReduceOp, StrideClass, UnaryOp};

/// A value made before the loops of a vectorized reduction for one body instruction (see
/// [`Emitter::hoist_body`]).
#[derive(Clone, Copy, Debug)]
pub(super) enum Hoisted {
    /// The instruction's value itself: a constant, or the splat of a broadcast input's element.
    Value(Value),
    /// A float `abs` is `x & mask` (Cranelift's `fabs` makes the mask again, two instructions, at
    /// every use).
    AbsMask(Value),
    /// A float `a + b` (`a - b`) is `fma(b, c, a)` with `c` = `1` (`-1`): the same value, rounded
    /// once from the same exact sum (`b * ±1` is exact), computed on the multiply pipes.
    FmaBy(Value),
}

impl Emitter<'_, '_> {
    /// The [`Hoisted`] values of the body (indexed like it) for a vectorized reduction loop over
    /// `count` points at `ins`. A broadcast input is read at `ins` only when `count > 0` (an empty
    /// loop may have nothing there), else at a scratch slot whose value goes unused.
    ///
    /// Fused adds: AMD's Zen cores (and Intel's since Golden Cove) add on pipes of their own, apart
    /// from the multiply (FMA) pipes (Zen: two of each); a loop like `sum(abs(u - v))` (two adds
    /// and no multiply per vector, counting the accumulating add) waits on the add pipes while the
    /// FMA pipes idle.
    /// Body adds and subtracts move to the FMA pipes while the adds outnumber the multiplies by
    /// two or more, in bodies of only loads, constants, adds, multiplies, `abs`, `neg`, `max` and
    /// `min` (inline vector math keeps the FMA pipes busy itself); where add and FMA share pipes
    /// (older Intel cores), it costs nothing.
    pub(super) fn hoist_body(&mut self, ins: &[Value], count: Value) -> Vec<Option<Hoisted>> {
        let k = self.k;
        let lanes = self.lanes;
        let body = &k.body;
        let mut out: Vec<Option<Hoisted>> = vec![None; body.len()];
        let broadcast = |n: usize| k.inputs[n].inner == StrideClass::Broadcast;
        let any_broadcast = body
            .iter()
            .any(|i| matches!(i.inst, Inst::Load { input } if broadcast(input as usize)));
        let guarded: Vec<Value> = if any_broadcast && !self.outer_mode {
            let ss = self.b.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                16,
                4,
            ));
            let scratch = self.b.ins().stack_addr(PTR, ss, 0);
            let zero = self.iconst(PTR, 0);
            let live = self.b.ins().icmp(IntCC::SignedGreaterThan, count, zero);
            ins.iter()
                .map(|&p| self.b.ins().select(live, p, scratch))
                .collect()
        } else {
            Vec::new()
        };
        let float = |d: DType| matches!(d, DType::F32 | DType::F64);
        for (i, instr) in body.iter().enumerate() {
            out[i] = match instr.inst {
                Inst::Const(c) => Some(Hoisted::Value(self.constant(c, instr.dtype, lanes))),
                Inst::Load { input } if !guarded.is_empty() && broadcast(input as usize) => {
                    let n = input as usize;
                    Some(Hoisted::Value(self.load(n, guarded[n], lanes)))
                }
                Inst::Unary(UnaryOp::Abs, a) if float(body[a as usize].dtype) => {
                    Some(Hoisted::AbsMask(self.abs_mask(body[a as usize].dtype)))
                }
                _ => None,
            };
        }
        // Only where the count below is the whole story: inline vector math (`exp`, `sin`, ...)
        // keeps the FMA pipes busy itself, and other ops go to other units.
        let simple = body.iter().all(|i| {
            matches!(
                i.inst,
                Inst::Load { .. }
                    | Inst::Const(_)
                    | Inst::Unary(UnaryOp::Abs | UnaryOp::Neg | UnaryOp::Square, _)
                    | Inst::Binary(
                        BinaryOp::Add
                            | BinaryOp::Sub
                            | BinaryOp::Mul
                            | BinaryOp::Maximum
                            | BinaryOp::Minimum,
                        ..
                    )
            )
        });
        if self.fma && simple {
            let sums = k
                .reduces
                .iter()
                .filter(|r| r.op == ReduceOp::Sum && float(body[r.value as usize].dtype))
                .count();
            let is_add = |inst: &Inst| {
                matches!(inst, Inst::Binary(BinaryOp::Add | BinaryOp::Sub, a, _)
                    if float(body[*a as usize].dtype))
            };
            let mut adds = sums + body.iter().filter(|i| is_add(&i.inst)).count();
            let mut muls = body
                .iter()
                .filter(|i| match i.inst {
                    Inst::Binary(BinaryOp::Mul, a, _) | Inst::Unary(UnaryOp::Square, a) => {
                        float(body[a as usize].dtype)
                    }
                    _ => false,
                })
                .count();
            for (i, instr) in body.iter().enumerate() {
                if adds < muls + 2 {
                    break;
                }
                if let Inst::Binary(op, a, _) = instr.inst {
                    if is_add(&instr.inst) {
                        let one = if op == BinaryOp::Sub { -1.0 } else { 1.0 };
                        let c = self.fconst(body[a as usize].dtype, one, lanes);
                        out[i] = Some(Hoisted::FmaBy(c));
                        adds -= 1;
                        muls += 1;
                    }
                }
            }
        }
        out
    }

    /// Every bit but the sign of each lane of a `d` vector, as a `d` vector.
    fn abs_mask(&mut self, d: DType) -> Value {
        let vt = super::ty(d, self.lanes);
        let bytes: Vec<u8> = match d {
            DType::F32 => (0..4).flat_map(|_| 0x7fff_ffffu32.to_le_bytes()).collect(),
            _ => (0..2)
                .flat_map(|_| 0x7fff_ffff_ffff_ffffu64.to_le_bytes())
                .collect(),
        };
        debug_assert_eq!(vt.bytes() as usize, bytes.len());
        let c = self.b.func.dfg.constants.insert(ConstantData::from(bytes));
        self.b.ins().vconst(vt, c)
    }
}
