//! Reductions: one outer point at a time (several vector accumulators in the innermost loop), or
//! vectorized across the innermost outer dim in blocks of outer points.

use super::cascade::cascaded;
use super::{lanewise_binary, plan, ty, Acc, AccMode, Emitter, PTR};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types;
use cranelift_codegen::ir::{InstBuilder, StackSlotData, StackSlotKind, Value};
use cranelift_frontend::Variable;
use lazulite_ir::{DType, Inst, ReduceOp, Scalar, StrideClass, UnaryOp};

/// Most copies of the body per iteration of a vectorized reduction loop (one accumulator each, so
/// that the loop-carried dependency chains are independent and enough loads are in flight).
const MAX_UNROLL: usize = 8;

/// Vector accumulators (16 bytes each) per block of outer points in a reduction vectorized across the
/// innermost outer dim, shared by all reductions: 16 KiB of stack (probed page by page), so that each
/// reduced step reads a long contiguous stretch of its row (whole pages: hardware prefetch stops at a
/// page boundary and every new page costs a TLB walk) while the accumulators stay in L1.
const OUTER_BLOCK_VECTORS: usize = 1024;

impl Emitter<'_, '_> {
    pub(super) fn reduce_outer(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
        if self.outer_lanes > 1 && d + 1 == self.k.n_outer() {
            self.outer_vector_reduce(d, ins, outs);
            return;
        }
        if d < self.k.n_outer() {
            let (lo, hi) = self.range(d);
            let (isb, osb) = (self.in_sb.clone(), self.out_sb.clone());
            self.for_range(lo, hi, 1, |s, i| {
                let ins2 = s.advance(&ins, &isb, d, i);
                let outs2 = s.advance(&outs, &osb, d, i);
                s.reduce_outer(d + 1, ins2, outs2);
            });
            return;
        }
        self.reduce_point(d, ins, outs);
    }

    /// One outer point (the reduced dims start at `d`): accumulate, combine, epilogue, store.
    pub(super) fn reduce_point(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
        let lanes = self.lanes;
        let n_acc = if lanes > 1 { self.unroll() } else { 1 };
        let mut accs = Vec::new();
        for r in &self.k.reduces {
            let dt = self.k.body[r.value as usize].dtype;
            let init = self.identity(r.op, dt, lanes);
            let vars = (0..n_acc)
                .map(|_| {
                    let v = self.b.declare_var(ty(dt, lanes));
                    self.b.def_var(v, init);
                    v
                })
                .collect();
            let fast = lanes > 1
                && matches!(dt, DType::F32 | DType::F64)
                && matches!(r.op, ReduceOp::Max | ReduceOp::Min);
            let (mode, flags) = if fast {
                let mt = ty(dt, lanes).as_int();
                let z = self.iconst(mt.lane_type(), 0);
                let z = self.b.ins().splat(mt, z);
                let nan = self.b.declare_var(mt);
                self.b.def_var(nan, z);
                (AccMode::FastMinMax, vec![nan])
            } else {
                (AccMode::Fold, Vec::new())
            };
            accs.push(Acc {
                op: r.op,
                dtype: dt,
                vars,
                mode,
                flags,
            });
        }
        self.reduce_dim(d, ins.clone(), &accs);
        let mut results = Vec::new();
        for a in &accs {
            let vs: Vec<Value> = a.vars.iter().map(|&v| self.b.use_var(v)).collect();
            let comb = a.op.combiner();
            let mut level = vs;
            while level.len() > 1 {
                let mut next = Vec::new();
                for pair in level.chunks(2) {
                    next.push(if pair.len() == 2 {
                        self.binary(comb, a.dtype, pair[0], pair[1], lanes)
                    } else {
                        pair[0]
                    });
                }
                level = next;
            }
            let v = level[0];
            let r = if lanes == 1 {
                v
            } else {
                let mut s = self.extract(v, a.dtype, 0);
                for j in 1..lanes {
                    let x = self.extract(v, a.dtype, j);
                    s = self.binary(comb, a.dtype, s, x, 1);
                }
                s
            };
            results.push(r);
        }
        if accs.iter().any(|a| a.mode == AccMode::FastMinMax) {
            results = self.fix_fast_minmax(d, &ins, &accs, results);
        }
        let addrs: Vec<Option<Value>> = ins.into_iter().map(Some).collect();
        let vals = self.block(&self.k.epilogue, &addrs, &results, 1);
        self.store_outputs(&vals, &outs, 1);
    }

    /// `base + (i << sh)`, which loads and stores fold into a scaled-index address.
    pub(super) fn scaled(&mut self, base: Value, i: Value, sh: i64) -> Value {
        let c = self.iconst(PTR, sh);
        let o = self.b.ins().ishl(i, c);
        self.b.ins().iadd(base, o)
    }

    /// A reduction vectorized across outer dim `d` (the innermost outer dim): lane `j` of a vector is
    /// the output element at outer index `i + j`. Outer points go in blocks whose accumulators live
    /// in a stack buffer; per block, the reduced dims are walked by loops (in the order the kernel
    /// defines, so every output folds its elements in the same order as the scalar loop) and each
    /// step streams along the block's contiguous stretch of the input. When an input read by the
    /// body or the epilogue is not contiguous along `d` at run time, and for the last `< lanes`
    /// points, the scalar loop runs instead.
    pub(super) fn outer_vector_reduce(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
        let k = self.k;
        let l = self.outer_lanes;
        let lane_sh = (16 / l).trailing_zeros() as i64;
        let (lo, hi) = self.range(d);
        let zero = self.iconst(PTR, 0);
        let diff = self.b.ins().isub(hi, lo);
        let neg = self.b.ins().icmp(IntCC::SignedLessThan, diff, zero);
        let count = self.b.ins().select(neg, zero, diff);
        // Run-time layout check: contiguous along `d` for every input the kernel loads.
        let body_loads = plan::body_loads(k);
        let epi_loads = plan::block_loads(k, &k.epilogue);
        let mut ok = self.iconst(types::I8, 1);
        for (n, inp) in k.inputs.iter().enumerate() {
            if body_loads[n] || epi_loads[n] {
                let c = self.b.ins().icmp_imm_s(
                    IntCC::Equal,
                    self.in_sb[n][d],
                    inp.dtype.size() as i64,
                );
                ok = self.b.ins().band(ok, c);
            }
        }
        let nv = self.b.ins().band_imm_s(count, -(l as i64));
        let nv = self.b.ins().select(ok, nv, zero);
        let split = self.b.ins().iadd(lo, nv);

        let n_red = k.reduces.len().max(1);
        let block_vecs = (OUTER_BLOCK_VECTORS / n_red).max(8);
        let block_pts = (block_vecs * l as usize) as i64;
        let acc_types: Vec<(DType, ReduceOp)> = k
            .reduces
            .iter()
            .map(|r| (k.body[r.value as usize].dtype, r.op))
            .collect();
        let ss = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (n_red * block_vecs * 16) as u32,
            4,
        ));
        let (isb, osb) = (self.in_sb.clone(), self.out_sb.clone());
        let isz: Vec<i64> = k
            .inputs
            .iter()
            .map(|i| i.dtype.size().trailing_zeros() as i64)
            .collect();
        let osz: Vec<i64> = k
            .outputs
            .iter()
            .map(|o| o.dtype.size().trailing_zeros() as i64)
            .collect();
        self.outer_mode = true;
        self.for_range(lo, split, block_pts, |s, b0| {
            let left = s.b.ins().isub(split, b0);
            let full = s.iconst(PTR, block_pts);
            let short = s.b.ins().icmp(IntCC::SignedLessThan, left, full);
            let blen = s.b.ins().select(short, left, full);
            let ins_b = s.advance(&ins, &isb, d, b0);
            let outs_b = s.advance(&outs, &osb, d, b0);
            let acc_base = s.b.ins().stack_addr(PTR, ss, 0);
            let acc_addr = |s: &mut Self, r: usize, j: Value| {
                let a = s.scaled(acc_base, j, lane_sh);
                s.b.ins().iadd_imm_s(a, (r * block_vecs * 16) as i64)
            };
            // Identities.
            let z = s.iconst(PTR, 0);
            s.for_range(z, blen, l as i64, |s, j| {
                for (r, &(dt, op)) in acc_types.iter().enumerate() {
                    let idn = s.identity(op, dt, l);
                    let a = acc_addr(s, r, j);
                    s.b.ins().store(s.mem, idn, a, 0);
                }
            });
            // The reduced dims.
            s.outer_vector_dims(d + 1, ins_b.clone(), blen, &isz, &|s, r, j| {
                acc_addr(s, r, j)
            });
            // Epilogue and stores.
            let z = s.iconst(PTR, 0);
            s.for_range(z, blen, l as i64, |s, j| {
                let reduced: Vec<Value> = acc_types
                    .iter()
                    .enumerate()
                    .map(|(r, &(dt, _))| {
                        let a = acc_addr(s, r, j);
                        s.b.ins().load(ty(dt, l), s.mem, a, 0)
                    })
                    .collect();
                let addrs: Vec<Option<Value>> = (0..k.inputs.len())
                    .map(|n| epi_loads[n].then(|| s.scaled(ins_b[n], j, isz[n])))
                    .collect();
                let vals = s.block(&k.epilogue, &addrs, &reduced, l);
                let oaddrs: Vec<Value> = (0..k.outputs.len())
                    .map(|o| s.scaled(outs_b[o], j, osz[o]))
                    .collect();
                s.store_outputs(&vals, &oaddrs, l);
            });
        });
        self.outer_mode = false;
        // The rest (and everything when the layout check failed), one point at a time.
        let (isb, osb) = (self.in_sb.clone(), self.out_sb.clone());
        self.for_range(split, hi, 1, |s, i| {
            let ins2 = s.advance(&ins, &isb, d, i);
            let outs2 = s.advance(&outs, &osb, d, i);
            s.reduce_point(d + 1, ins2, outs2);
        });
    }

    /// The reduced dims `d..` of [`Self::outer_vector_reduce`]: loops down to the innermost, whose
    /// steps go in groups of up to 8 (each pass over the block's `blen` outer points folds that many
    /// steps into each accumulator, in order, with one load and one store of it; `isz`: log2 of each
    /// input's element size).
    pub(super) fn outer_vector_dims(
        &mut self,
        d: usize,
        ins: Vec<Value>,
        blen: Value,
        isz: &[i64],
        acc_addr: &dyn Fn(&mut Self, usize, Value) -> Value,
    ) {
        let k = self.k;
        let ndim = k.ndim as usize;
        let (lo, hi) = self.range(d);
        let isb = self.in_sb.clone();
        if d + 1 < ndim {
            self.for_range(lo, hi, 1, |s, i| {
                let ins2 = s.advance(&ins, &isb, d, i);
                s.outer_vector_dims(d + 1, ins2, blen, isz, acc_addr);
            });
            return;
        }
        let group = self.unroll() as i64;
        let n = self.b.ins().isub(hi, lo);
        let n = self.b.ins().band_imm_s(n, -group);
        let ngroup = self.b.ins().iadd(lo, n);
        if group > 1 {
            self.for_range(lo, ngroup, group, |s, i| {
                let first = s.advance(&ins, &isb, d, i);
                let steps: Vec<Vec<Value>> = (0..group as usize)
                    .map(|u| {
                        first
                            .iter()
                            .zip(&isb)
                            .map(|(&p, sb)| {
                                if u == 0 {
                                    p
                                } else {
                                    let c = s.iconst(PTR, u as i64);
                                    let o = s.b.ins().imul(sb[d], c);
                                    s.b.ins().iadd(p, o)
                                }
                            })
                            .collect()
                    })
                    .collect();
                s.outer_vector_pass(&steps, blen, isz, acc_addr);
            });
        }
        let rest_lo = if group > 1 { ngroup } else { lo };
        self.for_range(rest_lo, hi, 1, |s, i| {
            let at = s.advance(&ins, &isb, d, i);
            s.outer_vector_pass(&[at], blen, isz, acc_addr);
        });
    }

    /// One pass over the block's outer points: folds the body at each of `steps` (input addresses of
    /// consecutive reduced points) into the accumulators, in order.
    pub(super) fn outer_vector_pass(
        &mut self,
        steps: &[Vec<Value>],
        blen: Value,
        isz: &[i64],
        acc_addr: &dyn Fn(&mut Self, usize, Value) -> Value,
    ) {
        let k = self.k;
        let l = self.outer_lanes;
        let z = self.iconst(PTR, 0);
        self.for_range(z, blen, l as i64, |s, j| {
            let addrs: Vec<Value> = (0..k.reduces.len()).map(|r| acc_addr(s, r, j)).collect();
            let mut cur: Vec<Value> = k
                .reduces
                .iter()
                .zip(&addrs)
                .map(|(red, &a)| {
                    let dt = k.body[red.value as usize].dtype;
                    s.b.ins().load(ty(dt, l), s.mem, a, 0)
                })
                .collect();
            for at in steps {
                let in_addrs: Vec<Option<Value>> = (0..k.inputs.len())
                    .map(|n| s.loads[n].then(|| s.scaled(at[n], j, isz[n])))
                    .collect();
                let vals = s.block(&k.body, &in_addrs, &[], l);
                for (r, red) in k.reduces.iter().enumerate() {
                    let dt = k.body[red.value as usize].dtype;
                    cur[r] = s.binary(red.op.combiner(), dt, cur[r], vals[red.value as usize], l);
                }
            }
            for (&v, &a) in cur.iter().zip(&addrs) {
                s.b.ins().store(s.mem, v, a, 0);
            }
        });
    }

    /// The start value of an accumulator (for min/max: the extreme, which `minimum`/`maximum` leave
    /// unchanged; empty min/max reductions never reach compiled code).
    pub(super) fn identity(&mut self, op: ReduceOp, d: DType, lanes: u32) -> Value {
        let s = match op {
            ReduceOp::Min | ReduceOp::Max => {
                let max = op == ReduceOp::Min;
                match d.int_range() {
                    Some((lo, hi)) => {
                        let v = if max { hi } else { lo };
                        if d.is_signed_int() {
                            Scalar::Int(v as i64)
                        } else {
                            Scalar::UInt(v as u64)
                        }
                    }
                    None => Scalar::Float(if max {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }),
                }
            }
            _ => op.identity(d).unwrap_or(Scalar::Int(0)),
        };
        self.constant(s, d, lanes)
    }

    /// Folds one value per reduction (`per_reduce[k]` for reduction `k`) into accumulator `slot` of
    /// each reduction.
    pub(super) fn accumulate(
        &mut self,
        accs: &[Acc],
        slot: usize,
        per_reduce: &[Value],
        lanes: u32,
    ) {
        for (a, &v) in accs.iter().zip(per_reduce) {
            self.accumulate_one(a, slot, v, lanes, true);
        }
    }

    /// Folds `v` into accumulator `slot` of `a`; `nan`: whether a [`AccMode::FastMinMax`] also
    /// marks the lanes where `v` is a NaN (the main loop marks them for two values at a time).
    fn accumulate_one(&mut self, a: &Acc, slot: usize, v: Value, lanes: u32, nan: bool) {
        let cur = self.b.use_var(a.vars[slot]);
        match a.mode {
            AccMode::Fold => {
                let new = self.binary(a.op.combiner(), a.dtype, cur, v, lanes);
                self.b.def_var(a.vars[slot], new);
            }
            AccMode::FastMinMax => {
                // `bitselect(fcmp lt cur v, v, cur)` lowers to one `maxp*` (and the mirror to
                // `minp*`): `v` where it is larger (smaller), else `cur`, so a NaN `v` or a tie of
                // zeros keeps `cur`.
                let c = if a.op == ReduceOp::Max {
                    self.b.ins().fcmp(FloatCC::LessThan, cur, v)
                } else {
                    self.b.ins().fcmp(FloatCC::LessThan, v, cur)
                };
                let new = self.sel(c, v, cur);
                self.b.def_var(a.vars[slot], new);
                if nan {
                    let m = self.b.ins().fcmp(FloatCC::Unordered, v, v);
                    self.mark_nan(a, m);
                }
            }
            AccMode::ZeroScan => {
                let it = self.b.func.dfg.value_type(v).as_int();
                let bits = self.bitcast(it, v);
                let win = self.b.use_var(a.flags[0]);
                let z = self.b.ins().icmp(IntCC::Equal, bits, win);
                let new = self.b.ins().bor(cur, z);
                self.b.def_var(a.vars[slot], new);
            }
            AccMode::Skip => {}
        }
    }

    /// Adds the lanes of mask `m` to the NaN mask of a [`AccMode::FastMinMax`] accumulator.
    fn mark_nan(&mut self, a: &Acc, m: Value) {
        let f = self.b.use_var(a.flags[0]);
        let f = self.b.ins().bor(f, m);
        self.b.def_var(a.flags[0], f);
    }

    /// The exact results of the fast float max/min among `accs`, whose accumulators folded to
    /// `results` (the others pass through): NaN where a lane saw one; a zero result (rare) takes the
    /// sign of the zero that wins a tie when a second pass over the reduced dims (from `d`, at
    /// `ins`) finds that zero among the elements (else every zero had the other sign, which the
    /// result already has).
    fn fix_fast_minmax(
        &mut self,
        d: usize,
        ins: &[Value],
        accs: &[Acc],
        mut results: Vec<Value>,
    ) -> Vec<Value> {
        let lanes = self.lanes;
        let fast: Vec<usize> = (0..accs.len())
            .filter(|&i| accs[i].mode == AccMode::FastMinMax)
            .collect();
        let mut any_zero = self.iconst(types::I8, 0);
        let rvars: Vec<Variable> = fast
            .iter()
            .map(|&i| {
                let dt = accs[i].dtype;
                let var = self.b.declare_var(ty(dt, 1));
                self.b.def_var(var, results[i]);
                let zero = self.fconst(dt, 0.0, 1);
                let z = self.b.ins().fcmp(FloatCC::Equal, results[i], zero);
                any_zero = self.b.ins().bor(any_zero, z);
                var
            })
            .collect();
        let scan = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(any_zero, scan, &[], join, &[]);
        self.b.switch_to_block(scan);
        let scan_accs: Vec<Acc> = accs
            .iter()
            .map(|a| {
                if a.mode != AccMode::FastMinMax {
                    return Acc {
                        op: a.op,
                        dtype: a.dtype,
                        vars: a.vars.clone(),
                        mode: AccMode::Skip,
                        flags: Vec::new(),
                    };
                }
                let mt = ty(a.dtype, lanes).as_int();
                let z = self.iconst(mt.lane_type(), 0);
                let z = self.b.ins().splat(mt, z);
                let vars = a
                    .vars
                    .iter()
                    .map(|_| {
                        let v = self.b.declare_var(mt);
                        self.b.def_var(v, z);
                        v
                    })
                    .collect();
                let win = if a.op == ReduceOp::Max {
                    0
                } else {
                    1i64 << (mt.lane_bits() - 1)
                };
                let win = self.iconst(mt.lane_type(), win);
                let win = self.b.ins().splat(mt, win);
                let wv = self.b.declare_var(mt);
                self.b.def_var(wv, win);
                Acc {
                    op: a.op,
                    dtype: a.dtype,
                    vars,
                    mode: AccMode::ZeroScan,
                    flags: vec![wv],
                }
            })
            .collect();
        self.reduce_dim(d, ins.to_vec(), &scan_accs);
        for (&i, &var) in fast.iter().zip(&rvars) {
            let a = &scan_accs[i];
            let mut seen = self.b.use_var(a.vars[0]);
            for &v in &a.vars[1..] {
                let m = self.b.use_var(v);
                seen = self.b.ins().bor(seen, m);
            }
            let seen = self.b.ins().vany_true(seen);
            let r = results[i];
            let zero = self.fconst(a.dtype, 0.0, 1);
            let is_zero = self.b.ins().fcmp(FloatCC::Equal, r, zero);
            let use_win = self.b.ins().band(is_zero, seen);
            let win = if a.op == ReduceOp::Max { 0.0 } else { -0.0 };
            let win = self.fconst(a.dtype, win, 1);
            let r = self.b.ins().select(use_win, win, r);
            self.b.def_var(var, r);
        }
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        for (&i, &var) in fast.iter().zip(&rvars) {
            let r = self.b.use_var(var);
            let nan_seen = self.b.use_var(accs[i].flags[0]);
            let nan_seen = self.b.ins().vany_true(nan_seen);
            let nan = self.fconst(accs[i].dtype, f64::NAN, 1);
            results[i] = self.b.ins().select(nan_seen, nan, r);
        }
        results
    }

    /// Copies of the body per iteration of the main vectorized reduction loop: 8 for tiny bodies like
    /// a plain sum (the loop is bound by the latency of the accumulating op and by loads in flight),
    /// fewer for bodies whose own work hides that latency (and whose copies would only cost compile
    /// time). Also the reduced steps per pass of a reduction vectorized across the outer dim.
    pub(super) fn unroll(&self) -> usize {
        let lanes = self.lanes.max(self.outer_lanes) as usize;
        let cost: usize =
            self.k
                .body
                .iter()
                .map(|i| match &i.inst {
                    Inst::Unary(UnaryOp::Exp | UnaryOp::Log | UnaryOp::Log1p, _) if lanes > 1 => 40,
                    Inst::Unary(UnaryOp::Sin | UnaryOp::Cos | UnaryOp::Tan | UnaryOp::Atan, _)
                        if lanes > 1 =>
                    {
                        48
                    }
                    Inst::Unary(
                        UnaryOp::Expm1 | UnaryOp::Sinh | UnaryOp::Cosh | UnaryOp::Tanh,
                        _,
                    ) if lanes > 1 => 64,
                    Inst::Unary(op, _) if op.is_transcendental() => 16 * lanes,
                    Inst::Binary(op, ..) if lanewise_binary(*op) => 16 * lanes,
                    Inst::Cast(_) => 2 * lanes,
                    _ => 1,
                })
                .sum();
        if cost <= 8 {
            MAX_UNROLL
        } else if cost <= 32 {
            4
        } else if cost <= 96 {
            2
        } else {
            1
        }
    }

    pub(super) fn reduce_dim(&mut self, d: usize, ins: Vec<Value>, accs: &[Acc]) {
        let ndim = self.k.ndim as usize;
        let (lo, hi) = self.range(d);
        let isb = self.in_sb.clone();
        if d + 1 < ndim {
            self.for_range(lo, hi, 1, |s, i| {
                let ins2 = s.advance(&ins, &isb, d, i);
                s.reduce_dim(d + 1, ins2, accs);
            });
        } else if self.lanes == 1 {
            let point = |s: &mut Self, i: Value| {
                let ins2 = s.advance(&ins, &isb, d, i);
                let addrs: Vec<Option<Value>> = ins2.into_iter().map(Some).collect();
                let vals = s.block(&s.k.body, &addrs, &[], 1);
                let per_reduce: Vec<Value> =
                    s.k.reduces.iter().map(|r| vals[r.value as usize]).collect();
                s.accumulate(accs, 0, &per_reduce, 1);
            };
            let cascade: Vec<bool> = accs.iter().map(cascaded).collect();
            if cascade.contains(&true) {
                // One element per iteration, cascaded like the vector loop's float sums.
                let iv = self.b.declare_var(PTR);
                self.b.def_var(iv, lo);
                let exit = self.b.create_block();
                let mut iteration = |s: &mut Self, iv: Variable| {
                    let i = s.b.use_var(iv);
                    point(s, i);
                    let i2 = s.b.ins().iadd_imm_s(i, 1);
                    s.b.def_var(iv, i2);
                };
                self.cascaded_loop(iv, hi, 1, accs, &cascade, 1, exit, &mut iteration);
                self.b.switch_to_block(exit);
            } else {
                self.for_range(lo, hi, 1, point);
            }
        } else {
            self.vector_reduce_loop(lo, hi, ins, accs);
        }
    }

    /// The innermost loop of a vectorized reduction over `lo..hi`: a main loop that runs
    /// `accs[_].vars.len()` copies of the body per iteration, each folding into its own accumulator,
    /// with addresses `base + i * size + copy * 16` (one induction variable, scaled-index addressing,
    /// no multiplies); then the rest (whole vectors and the padded tail) through [`Self::vector_loop`]
    /// into the first accumulator.
    pub(super) fn vector_reduce_loop(
        &mut self,
        lo: Value,
        hi: Value,
        ins: Vec<Value>,
        accs: &[Acc],
    ) {
        let k = self.k;
        let lanes = self.lanes;
        let unroll = accs.first().map_or(1, |a| a.vars.len());
        let rest_accs: Vec<Acc> = accs
            .iter()
            .map(|a| Acc {
                op: a.op,
                dtype: a.dtype,
                vars: vec![a.vars[0]],
                mode: a.mode,
                flags: a.flags.clone(),
            })
            .collect();
        let diff = self.b.ins().isub(hi, lo);
        let zero = self.iconst(PTR, 0);
        let neg = self.b.ins().icmp(IntCC::SignedLessThan, diff, zero);
        let count = self.b.ins().select(neg, zero, diff);
        let hoisted = self.hoist_body(&ins, count);
        let outer = self.body_hoisted.replace(hoisted);
        if unroll <= 1 {
            self.vector_loop(lo, hi, ins, vec![], Some(&rest_accs), 1);
            self.body_hoisted = outer;
            return;
        }
        let step = lanes as i64 * unroll as i64;
        let nmain = self.b.ins().band_imm_s(count, -step);
        // Inputs walked along the loop: base at `lo` and log2 of the element size.
        let walk: Vec<Option<(Value, i64)>> = k
            .inputs
            .iter()
            .zip(&self.loads)
            .zip(&ins)
            .map(|((inp, &used), &p)| {
                (used && inp.inner == StrideClass::Contiguous).then(|| {
                    let sh = inp.dtype.size().trailing_zeros() as i64;
                    let off = self.b.ins().ishl_imm_u(lo, sh);
                    (self.b.ins().iadd(p, off), sh)
                })
            })
            .collect();

        let iv = self.b.declare_var(PTR);
        self.b.def_var(iv, zero);
        let exit = self.b.create_block();
        let cascade: Vec<bool> = accs.iter().map(cascaded).collect();
        if cascade.contains(&true) {
            let mut iteration =
                |s: &mut Self, iv: Variable| s.main_iteration(iv, step, &walk, &ins, accs);
            self.cascaded_loop(iv, nmain, step, accs, &cascade, lanes, exit, &mut iteration);
        } else {
            let body = self.b.create_block();
            self.b.ins().brif(nmain, body, &[], exit, &[]);
            self.b.switch_to_block(body);
            self.main_iteration(iv, step, &walk, &ins, accs);
            let i2 = self.b.use_var(iv);
            let more = self.b.ins().icmp(IntCC::SignedLessThan, i2, nmain);
            self.b.ins().brif(more, body, &[], exit, &[]);
        }

        self.b.switch_to_block(exit);
        let lo2 = self.b.ins().iadd(lo, nmain);
        self.vector_loop(lo2, hi, ins, vec![], Some(&rest_accs), 1);
        self.body_hoisted = outer;
    }

    /// One iteration of the main loop of [`Self::vector_reduce_loop`] at `iv` (then advanced by
    /// `step`): `accs[_].vars.len()` copies of the body, each folding into its own accumulator.
    fn main_iteration(
        &mut self,
        iv: Variable,
        step: i64,
        walk: &[Option<(Value, i64)>],
        ins: &[Value],
        accs: &[Acc],
    ) {
        let k = self.k;
        let lanes = self.lanes;
        let unroll = accs.first().map_or(1, |a| a.vars.len());
        let i = self.b.use_var(iv);
        // `iadd(base, ishl(i, iconst))` folds into the load's addressing mode.
        let shifted: Vec<Option<(Value, i64)>> = walk
            .iter()
            .map(|w| {
                w.map(|(base, sh)| {
                    let c = self.iconst(PTR, sh);
                    let o = self.b.ins().ishl(i, c);
                    (self.b.ins().iadd(base, o), sh)
                })
            })
            .collect();
        // A fast max/min marks NaN lanes for two values per compare: (value, mask so far) per acc.
        let mut pending: Vec<(Option<Value>, Option<Value>)> = vec![(None, None); accs.len()];
        for u in 0..unroll {
            let addrs: Vec<Option<Value>> = (0..k.inputs.len())
                .map(|n| {
                    if !self.loads[n] {
                        None
                    } else if let Some((a, sh)) = shifted[n] {
                        if u == 0 {
                            Some(a)
                        } else {
                            let c = self.iconst(PTR, (u as i64 * lanes as i64) << sh);
                            Some(self.b.ins().iadd(a, c))
                        }
                    } else {
                        Some(ins[n])
                    }
                })
                .collect();
            let vals = self.block(&k.body, &addrs, &[], lanes);
            for ((a, r), p) in accs.iter().zip(&k.reduces).zip(pending.iter_mut()) {
                let v = vals[r.value as usize];
                self.accumulate_one(a, u, v, lanes, false);
                if a.mode == AccMode::FastMinMax {
                    match p.0.take() {
                        None => p.0 = Some(v),
                        Some(prev) => {
                            let m = self.b.ins().fcmp(FloatCC::Unordered, prev, v);
                            p.1 = Some(match p.1 {
                                None => m,
                                Some(acc) => self.b.ins().bor(acc, m),
                            });
                        }
                    }
                }
            }
        }
        for (a, p) in accs.iter().zip(pending) {
            let odd = p.0.map(|v| self.b.ins().fcmp(FloatCC::Unordered, v, v));
            let m = match (p.1, odd) {
                (Some(x), Some(y)) => Some(self.b.ins().bor(x, y)),
                (x, y) => x.or(y),
            };
            if let Some(m) = m {
                self.mark_nan(a, m);
            }
        }
        let i2 = self.b.ins().iadd_imm_s(i, step);
        self.b.def_var(iv, i2);
    }
}
