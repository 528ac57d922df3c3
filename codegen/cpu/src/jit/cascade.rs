//! Cascaded float sums: the innermost reduction loop (vector or scalar) in blocks of
//! [`CASCADE_BLOCK`] iterations whose accumulators are folded pairwise, summed up
//! [`CASCADE_LEVELS`] levels of at most `CASCADE_BLOCK` blocks, so that the rounding error of a long
//! float sum grows like NumPy's pairwise sum rather than with its length.

use super::{ty, Acc, AccMode, Emitter, PTR};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, Value};
use cranelift_frontend::Variable;
use lazulite_ir::{DType, ReduceOp};

/// Main-loop iterations per innermost block of a cascaded float sum, and blocks per block at each
/// level above (see [`Emitter::cascade_level`]).
pub(super) const CASCADE_BLOCK: i64 = 16;
/// Levels of blocks below the top of a cascaded float sum: a float `sum` folds each input element
/// into a vector accumulator with at most `CASCADE_BLOCK` others, then those sums pairwise, then up
/// the levels (at most `CASCADE_BLOCK` per level), so the rounding error grows like
/// `(3 * CASCADE_BLOCK + n / (step * CASCADE_BLOCK^3)) * eps` rather than `n / step * eps`
/// (`step`: elements per main iteration, 32 for float32), like NumPy's pairwise sum, while the
/// innermost loop and its loads stay as they were.
pub(super) const CASCADE_LEVELS: usize = 3;

/// Whether an accumulator sums floats through the cascade of [`Emitter::cascade_level`].
pub(super) fn cascaded(a: &Acc) -> bool {
    a.op == ReduceOp::Sum && a.mode == AccMode::Fold && matches!(a.dtype, DType::F32 | DType::F64)
}

impl Emitter<'_, '_> {
    /// A cascaded reduction loop from the current `iv` to `end` (see [`Self::cascade_level`]), then
    /// a jump to `exit`: the cascade's totals are added to the first accumulator (to what it held on
    /// entry: earlier rows of the reduced dims), and the other accumulators get back what they held.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn cascaded_loop(
        &mut self,
        iv: Variable,
        end: Value,
        step: i64,
        accs: &[Acc],
        cascade: &[bool],
        lanes: u32,
        exit: Block,
        iteration: &mut dyn FnMut(&mut Self, Variable),
    ) {
        let held: Vec<Vec<Value>> = accs
            .iter()
            .map(|a| a.vars.iter().map(|&v| self.b.use_var(v)).collect())
            .collect();
        let top = self.b.create_block();
        let i = self.b.use_var(iv);
        let any = self.b.ins().icmp(IntCC::SignedLessThan, i, end);
        self.b.ins().brif(any, top, &[], exit, &[]);
        self.b.switch_to_block(top);
        let totals = self.cascade_level(
            CASCADE_LEVELS,
            iv,
            end,
            step,
            accs,
            cascade,
            lanes,
            iteration,
        );
        for (((a, &c), total), held) in accs.iter().zip(cascade).zip(totals).zip(&held) {
            if c {
                let first = self.binary(a.op.combiner(), a.dtype, held[0], total, lanes);
                self.b.def_var(a.vars[0], first);
                for (&v, &h) in a.vars[1..].iter().zip(&held[1..]) {
                    self.b.def_var(v, h);
                }
            }
        }
        self.b.ins().jump(exit, &[]);
    }
    /// Level `level` of a cascaded reduction loop (entered with `iv < end`; `iteration` emits one
    /// iteration at `iv` and advances it by `step`): level 0 resets the cascaded accumulators, runs
    /// up to [`CASCADE_BLOCK`] iterations and folds its accumulators pairwise into one value; a
    /// higher level sums up to `CASCADE_BLOCK` blocks of the level below ([`CASCADE_LEVELS`]: as
    /// many as there are until `end`). Returns one value per reduction (its sum when cascaded;
    /// unused otherwise).
    #[allow(clippy::too_many_arguments)]
    fn cascade_level(
        &mut self,
        level: usize,
        iv: Variable,
        end: Value,
        step: i64,
        accs: &[Acc],
        cascade: &[bool],
        lanes: u32,
        iteration: &mut dyn FnMut(&mut Self, Variable),
    ) -> Vec<Value> {
        let nmain = end;
        let head = self.b.create_block();
        let exit = self.b.create_block();
        if level == 0 {
            for (a, &c) in accs.iter().zip(cascade) {
                if c {
                    let idn = self.identity(a.op, a.dtype, lanes);
                    for &v in &a.vars {
                        self.b.def_var(v, idn);
                    }
                }
            }
            let i = self.b.use_var(iv);
            let end = self.b.ins().iadd_imm_s(i, step * CASCADE_BLOCK);
            let past = self.b.ins().icmp(IntCC::SignedGreaterThan, end, nmain);
            let end = self.b.ins().select(past, nmain, end);
            self.b.ins().jump(head, &[]);
            self.b.switch_to_block(head);
            iteration(self, iv);
            let i2 = self.b.use_var(iv);
            let more = self.b.ins().icmp(IntCC::SignedLessThan, i2, end);
            self.b.ins().brif(more, head, &[], exit, &[]);
            self.b.switch_to_block(exit);
            return accs
                .iter()
                .map(|a| {
                    let mut level: Vec<Value> = a.vars.iter().map(|&v| self.b.use_var(v)).collect();
                    while level.len() > 1 {
                        level = level
                            .chunks(2)
                            .map(|p| {
                                if p.len() == 2 {
                                    self.binary(a.op.combiner(), a.dtype, p[0], p[1], lanes)
                                } else {
                                    p[0]
                                }
                            })
                            .collect();
                    }
                    level[0]
                })
                .collect();
        }
        let sums: Vec<Variable> = accs
            .iter()
            .map(|a| {
                let v = self.b.declare_var(ty(a.dtype, lanes));
                let idn = self.identity(a.op, a.dtype, lanes);
                self.b.def_var(v, idn);
                v
            })
            .collect();
        let count = self.b.declare_var(PTR);
        let zero = self.iconst(PTR, 0);
        self.b.def_var(count, zero);
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        let below = self.cascade_level(level - 1, iv, end, step, accs, cascade, lanes, iteration);
        for ((a, &c), (&v, x)) in accs.iter().zip(cascade).zip(sums.iter().zip(below)) {
            if c {
                let cur = self.b.use_var(v);
                let new = self.binary(a.op.combiner(), a.dtype, cur, x, lanes);
                self.b.def_var(v, new);
            }
        }
        let i = self.b.use_var(iv);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i, nmain);
        let more = if level < CASCADE_LEVELS {
            let n = self.b.use_var(count);
            let n = self.b.ins().iadd_imm_s(n, 1);
            self.b.def_var(count, n);
            let room = self
                .b
                .ins()
                .icmp_imm_s(IntCC::SignedLessThan, n, CASCADE_BLOCK);
            self.b.ins().band(more, room)
        } else {
            more
        };
        self.b.ins().brif(more, head, &[], exit, &[]);
        self.b.switch_to_block(exit);
        sums.iter().map(|&v| self.b.use_var(v)).collect()
    }
}
