//! The loop nest: loads and stores, the per-dim loops of elementwise kernels and the vector loop with
//! its stack-slot remainder.

use super::hoist::Hoisted;
use super::{mask_lane, scalar_ty, ty, Acc, Emitter, PTR};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types;
use cranelift_codegen::ir::{ConstantData, InstBuilder, StackSlotData, StackSlotKind, Value};
use cranelift_frontend::Variable;
use lazulite_ir::{DType, Inst, Instr, ReduceOp, StrideClass, UnaryOp};

impl Emitter<'_, '_> {
    // ---- memory --------------------------------------------------------------------------------

    /// Loads input `k`'s element(s) at `addr`.
    pub(super) fn load(&mut self, input: usize, addr: Value, lanes: u32) -> Value {
        let d = self.k.inputs[input].dtype;
        let flags = self.mem;
        if lanes == 1 {
            return self.b.ins().load(scalar_ty(d), flags, addr, 0);
        }
        let vt = ty(d, lanes);
        if !self.outer_mode && self.k.inputs[input].inner == StrideClass::Broadcast {
            let s = self.b.ins().load(scalar_ty(d), flags, addr, 0);
            let s = self.lane_value(s, d, lanes);
            return self.b.ins().splat(vt, s);
        }
        if d != DType::Bool {
            return self.b.ins().load(vt, flags, addr, 0);
        }
        if lanes == 16 {
            let v = self.b.ins().load(types::I8X16, flags, addr, 0);
            return self.b.ins().ineg(v);
        }
        let mut acc: Option<Value> = None;
        for j in 0..lanes {
            let s = self.b.ins().load(types::I8, flags, addr, j as i32);
            let s = self.lane_value(s, d, lanes);
            acc = Some(match acc {
                None => self.b.ins().splat(vt, s),
                Some(v) => self.b.ins().insertlane(v, s, j as u8),
            });
        }
        acc.expect("at least one lane")
    }

    pub(super) fn store(&mut self, d: DType, v: Value, addr: Value, lanes: u32) {
        let flags = self.mem;
        if lanes == 1 || d != DType::Bool {
            self.b.ins().store(flags, v, addr, 0);
            return;
        }
        if lanes == 16 {
            let one = self.iconst(types::I8, 1);
            let ones = self.b.ins().splat(types::I8X16, one);
            let r = self.b.ins().band(v, ones);
            self.b.ins().store(flags, r, addr, 0);
            return;
        }
        for j in 0..lanes {
            let s = self.extract(v, d, j);
            self.b.ins().store(flags, s, addr, j as i32);
        }
    }

    /// Runs `block` with inputs at `addrs` (only body-loaded inputs need an address in the body).
    pub(super) fn block(
        &mut self,
        block: &[Instr],
        addrs: &[Option<Value>],
        reduced: &[Value],
        lanes: u32,
    ) -> Vec<Value> {
        // Values of an earlier emission need not dominate this one.
        self.sincos.clear();
        let mut vals: Vec<Value> = Vec::with_capacity(block.len());
        for n in 0..block.len() {
            let v = self.instr(block, n, &vals, addrs, reduced, lanes);
            vals.push(v);
        }
        vals
    }

    /// Runs `block` for several independent groups of lanes at once (group `g`'s inputs at
    /// `addrs[g]`), interleaved instruction by instruction: every group's instance of instruction
    /// `n` is emitted before instruction `n + 1`, so the groups' dependency chains sit side by side
    /// in the code and the CPU overlaps them (a long body, longer than the reorder window, otherwise
    /// runs at the latency of its one chain). An instruction whose operands are the same values in
    /// every group (a constant, a broadcast input's load, an op of those) is emitted once and shared.
    /// Returns each group's values.
    pub(super) fn block_groups(
        &mut self,
        block: &[Instr],
        addrs: &[Vec<Option<Value>>],
        lanes: u32,
    ) -> Vec<Vec<Value>> {
        self.sincos.clear();
        let groups = addrs.len();
        let mut vals: Vec<Vec<Value>> = vec![Vec::with_capacity(block.len()); groups];
        for n in 0..block.len() {
            let same =
                |v: &[Vec<Value>], a: u32| v.iter().all(|g| g[a as usize] == v[0][a as usize]);
            let uniform = match &block[n].inst {
                Inst::Load { input } => addrs
                    .iter()
                    .all(|g| g[*input as usize] == addrs[0][*input as usize]),
                // (The verifier keeps `Reduced` out of the body.)
                Inst::Const(_) | Inst::Reduced(_) => true,
                Inst::Unary(_, a) | Inst::Cast(a) => same(&vals, *a),
                Inst::Binary(_, a, b) => same(&vals, *a) && same(&vals, *b),
                Inst::Select { cond, a, b } => {
                    same(&vals, *cond) && same(&vals, *a) && same(&vals, *b)
                }
            };
            if uniform {
                let v = self.instr(block, n, &vals[0], &addrs[0], &[], lanes);
                vals.iter_mut().for_each(|g| g.push(v));
            } else if let (
                Inst::Unary(op @ (UnaryOp::Sin | UnaryOp::Cos | UnaryOp::Tan), a),
                true,
            ) = (&block[n].inst, block[n].dtype.is_real_float() && lanes > 1)
            {
                // One cold fallback for all the groups.
                let xs: Vec<Value> = vals.iter().map(|g| g[*a as usize]).collect();
                let rs = self.vector_sin_cos(*op, &xs);
                vals.iter_mut().zip(rs).for_each(|(g, v)| g.push(v));
            } else {
                for g in 0..groups {
                    let v = self.instr(block, n, &vals[g], &addrs[g], &[], lanes);
                    vals[g].push(v);
                }
            }
        }
        vals
    }

    /// Emits instruction `n` of `block`, whose earlier values are `vals`.
    fn instr(
        &mut self,
        block: &[Instr],
        n: usize,
        vals: &[Value],
        addrs: &[Option<Value>],
        reduced: &[Value],
        lanes: u32,
    ) -> Value {
        let ins = &block[n];
        let d = ins.dtype;
        // What a vectorized reduction's body made once before its loops (`hoist`).
        let h = match &self.body_hoisted {
            Some(h) if std::ptr::eq(block, self.k.body.as_slice()) => h.get(n).copied().flatten(),
            _ => None,
        };
        match (&ins.inst, h) {
            (Inst::Load { .. } | Inst::Const(_), Some(Hoisted::Value(v))) => v,
            (Inst::Unary(_, a), Some(Hoisted::AbsMask(m))) => {
                self.b.ins().band(vals[*a as usize], m)
            }
            (Inst::Binary(_, a, b), Some(Hoisted::FmaBy(c))) => {
                self.b.ins().fma(vals[*b as usize], c, vals[*a as usize])
            }
            (Inst::Load { input }, _) => {
                let i = *input as usize;
                let addr = addrs[i].expect("address of a loaded input");
                self.load(i, addr, lanes)
            }
            (Inst::Const(c), _) => self.constant(*c, d, lanes),
            (Inst::Unary(op, a), _) => {
                let da = block[*a as usize].dtype;
                self.unary(*op, da, vals[*a as usize], lanes)
            }
            (Inst::Binary(op, a, b), _) => {
                let da = block[*a as usize].dtype;
                self.binary(*op, da, vals[*a as usize], vals[*b as usize], lanes)
            }
            (Inst::Select { cond, a, b }, _) => {
                self.sel(vals[*cond as usize], vals[*a as usize], vals[*b as usize])
            }
            (Inst::Cast(a), _) => {
                let da = block[*a as usize].dtype;
                self.cast(da, d, vals[*a as usize], lanes)
            }
            (Inst::Reduced(r), _) => reduced[*r as usize],
        }
    }

    // ---- loop nest -----------------------------------------------------------------------------

    pub(super) fn range(&mut self, d: usize) -> (Value, Value) {
        if d == 0 {
            (self.start, self.end)
        } else {
            let z = self.iconst(PTR, 0);
            (z, self.shape[d])
        }
    }

    /// `for i in lo..hi { f(i) }`.
    pub(super) fn for_range(
        &mut self,
        lo: Value,
        hi: Value,
        step: i64,
        f: impl FnOnce(&mut Self, Value),
    ) {
        let iv = self.b.declare_var(PTR);
        self.b.def_var(iv, lo);
        let head = self.b.create_block();
        let body = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        let i = self.b.use_var(iv);
        let c = self.b.ins().icmp(IntCC::SignedLessThan, i, hi);
        self.b.ins().brif(c, body, &[], exit, &[]);
        self.b.switch_to_block(body);
        f(self, i);
        let next = self.b.ins().iadd_imm_s(i, step);
        self.b.def_var(iv, next);
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(exit);
    }

    pub(super) fn advance(
        &mut self,
        bases: &[Value],
        strides: &[Vec<Value>],
        d: usize,
        i: Value,
    ) -> Vec<Value> {
        bases
            .iter()
            .zip(strides)
            .map(|(&p, s)| {
                let off = self.b.ins().imul(i, s[d]);
                self.b.ins().iadd(p, off)
            })
            .collect()
    }

    pub(super) fn emit(&mut self) {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        let params = self.b.block_params(entry).to_vec();
        let (args, start, end) = (params[0], params[1], params[2]);
        self.start = start;
        self.end = end;
        let k = self.k;
        let ndim = k.ndim as usize;
        let n_outer = k.n_outer();
        let shape_p = self.load_i64(args, 0);
        let inputs_p = self.load_i64(args, 8);
        let in_strides_p = self.load_i64(args, 16);
        let outputs_p = self.load_i64(args, 24);
        let out_strides_p = self.load_i64(args, 32);
        self.shape = (0..ndim)
            .map(|d| self.load_i64(shape_p, 8 * d as i32))
            .collect();
        for (i, inp) in k.inputs.iter().enumerate() {
            let p = self.load_i64(inputs_p, 8 * i as i32);
            self.in_ptr.push(p);
            let shift = inp.dtype.size().trailing_zeros() as i64;
            let sb = (0..ndim)
                .map(|d| {
                    let s = self.load_i64(in_strides_p, 8 * (i * ndim + d) as i32);
                    self.b.ins().ishl_imm_u(s, shift)
                })
                .collect();
            self.in_sb.push(sb);
        }
        for (o, out) in k.outputs.iter().enumerate() {
            let p = self.load_i64(outputs_p, 8 * o as i32);
            self.out_ptr.push(p);
            let shift = out.dtype.size().trailing_zeros() as i64;
            let sb = (0..n_outer)
                .map(|d| {
                    let s = self.load_i64(out_strides_p, 8 * (o * n_outer + d) as i32);
                    self.b.ins().ishl_imm_u(s, shift)
                })
                .collect();
            self.out_sb.push(sb);
        }
        let ins = self.in_ptr.clone();
        let outs = self.out_ptr.clone();
        if ndim == 0 {
            let run = self.b.create_block();
            let done = self.b.create_block();
            let c = self.b.ins().icmp(IntCC::SignedLessThan, start, end);
            self.b.ins().brif(c, run, &[], done, &[]);
            self.b.switch_to_block(run);
            let addrs: Vec<Option<Value>> = ins.iter().map(|&p| Some(p)).collect();
            let vals = self.block(&k.body, &addrs, &[], 1);
            self.store_outputs(&vals, &outs, 1);
            self.b.ins().jump(done, &[]);
            self.b.switch_to_block(done);
        } else if k.n_reduce == 0 {
            self.elementwise_dim(0, ins, outs);
        } else {
            self.reduce_outer(0, ins, outs);
        }
        self.b.ins().return_(&[]);
    }

    pub(super) fn store_outputs(&mut self, vals: &[Value], addrs: &[Value], lanes: u32) {
        for (o, &addr) in self.k.outputs.iter().zip(addrs) {
            self.store(o.dtype, vals[o.value as usize], addr, lanes);
        }
    }

    pub(super) fn elementwise_dim(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
        let ndim = self.k.ndim as usize;
        let (lo, hi) = self.range(d);
        if d + 1 < ndim {
            let (isb, osb) = (self.in_sb.clone(), self.out_sb.clone());
            self.for_range(lo, hi, 1, |s, i| {
                let ins2 = s.advance(&ins, &isb, d, i);
                let outs2 = s.advance(&outs, &osb, d, i);
                s.elementwise_dim(d + 1, ins2, outs2);
            });
        } else if self.lanes == 1 {
            let (isb, osb) = (self.in_sb.clone(), self.out_sb.clone());
            self.for_range(lo, hi, 1, |s, i| {
                let ins2 = s.advance(&ins, &isb, d, i);
                let outs2 = s.advance(&outs, &osb, d, i);
                let addrs: Vec<Option<Value>> = ins2.into_iter().map(Some).collect();
                let vals = s.block(&s.k.body, &addrs, &[], 1);
                s.store_outputs(&vals, &outs2, 1);
            });
        } else {
            let groups = self.groups;
            self.vector_loop(lo, hi, ins, outs, None, groups);
        }
    }

    /// The innermost loop over `lo..hi` of dim `d` as a vector loop of `groups` vectors per
    /// iteration (elementwise; always 1 in reductions), their bodies interleaved by
    /// [`Self::block_groups`]. The body is emitted once: full iterations read and write the arrays
    /// directly; the remainder (< `groups * lanes` elements) is copied into stack slots, run through
    /// the same body, and (elementwise) copied back. In reductions the remainder's padding lanes are
    /// replaced by the op's identity before accumulating.
    pub(super) fn vector_loop(
        &mut self,
        lo: Value,
        hi: Value,
        ins: Vec<Value>,
        outs: Vec<Value>,
        accs: Option<&[Acc]>,
        groups: u32,
    ) {
        let k = self.k;
        let lanes = self.lanes;
        // (`nvec` below rounds down by a mask: `groups` is a power of two.)
        debug_assert!(groups.is_power_of_two() && (accs.is_none() || groups == 1));
        let step = (lanes * groups) as i64;
        // Element sizes: inputs walked contiguously, outputs (always contiguous here).
        let in_walk: Vec<Option<usize>> = k
            .inputs
            .iter()
            .zip(&self.loads)
            .map(|(inp, &used)| {
                (used && inp.inner == StrideClass::Contiguous).then_some(inp.dtype.size())
            })
            .collect();
        let out_size: Vec<usize> = k.outputs.iter().map(|o| o.dtype.size()).collect();

        // Bases at `lo` (broadcast inputs stay put).
        let mut in_base = Vec::new();
        for (i, &p) in ins.iter().enumerate() {
            in_base.push(match in_walk[i] {
                Some(sz) => {
                    let off = self.b.ins().imul_imm_s(lo, sz as i64);
                    self.b.ins().iadd(p, off)
                }
                None => p,
            });
        }
        let mut out_base = Vec::new();
        for (o, &p) in outs.iter().enumerate() {
            let off = self.b.ins().imul_imm_s(lo, out_size[o] as i64);
            out_base.push(self.b.ins().iadd(p, off));
        }
        let diff = self.b.ins().isub(hi, lo);
        let zero = self.iconst(PTR, 0);
        let neg = self.b.ins().icmp(IntCC::SignedLessThan, diff, zero);
        let count = self.b.ins().select(neg, zero, diff);
        let nvec = self.b.ins().band_imm_s(count, -step);

        let slot = |s: &mut Self| {
            let ss = s.b.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                16 * groups,
                4,
            ));
            s.b.ins().stack_addr(PTR, ss, 0)
        };
        let in_slots: Vec<Option<Value>> = in_walk.iter().map(|w| w.map(|_| slot(self))).collect();
        let out_slots: Vec<Value> = (0..outs.len()).map(|_| slot(self)).collect();

        let in_vars: Vec<Option<Variable>> = in_walk
            .iter()
            .map(|w| w.map(|_| self.b.declare_var(PTR)))
            .collect();
        let out_vars: Vec<Variable> = outs.iter().map(|_| self.b.declare_var(PTR)).collect();
        let tail = self.b.declare_var(types::I8);
        let iv = self.b.declare_var(PTR);
        self.b.def_var(iv, zero);

        let head = self.b.create_block();
        let pre = self.b.create_block();
        let tail_check = self.b.create_block();
        let stage_in = self.b.create_block();
        let body = self.b.create_block();
        let next = self.b.create_block();
        let done = self.b.create_block();

        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        let i = self.b.use_var(iv);
        let c = self.b.ins().icmp(IntCC::SignedLessThan, i, nvec);
        self.b.ins().brif(c, pre, &[], tail_check, &[]);

        self.b.switch_to_block(pre);
        for (w, (var, &base)) in in_walk.iter().zip(in_vars.iter().zip(&in_base)) {
            if let (Some(sz), Some(var)) = (w, var) {
                let off = self.b.ins().imul_imm_s(i, *sz as i64);
                let a = self.b.ins().iadd(base, off);
                self.b.def_var(*var, a);
            }
        }
        for (o, (&var, &base)) in out_vars.iter().zip(&out_base).enumerate() {
            let off = self.b.ins().imul_imm_s(i, out_size[o] as i64);
            let a = self.b.ins().iadd(base, off);
            self.b.def_var(var, a);
        }
        let f = self.iconst(types::I8, 0);
        self.b.def_var(tail, f);
        self.b.ins().jump(body, &[]);

        self.b.switch_to_block(tail_check);
        let rem = self.b.ins().isub(count, nvec);
        self.b.ins().brif(rem, stage_in, &[], done, &[]);

        self.b.switch_to_block(stage_in);
        let rem = self.b.ins().isub(count, nvec);
        // The padding lanes hold zeros, not what the stack held: a lane's result must not depend on
        // its neighbours (inline math sends a whole vector down its cold path when any lane needs
        // it, and that path may round differently), so a tail element gets the same bits however
        // the loop was split.
        let zero64 = self.iconst(types::I64, 0);
        for slot in in_slots.iter().flatten() {
            for off in (0..16 * groups as i32).step_by(8) {
                self.b.ins().store(self.mem, zero64, *slot, off);
            }
        }
        {
            let in_walk = in_walk.clone();
            let in_base = in_base.clone();
            let in_slots = in_slots.clone();
            self.for_range(zero, rem, 1, |s, j| {
                let src_i = s.b.ins().iadd(nvec, j);
                for (inp, (w, (&base, slot))) in k
                    .inputs
                    .iter()
                    .zip(in_walk.iter().zip(in_base.iter().zip(&in_slots)))
                {
                    if let (Some(sz), Some(slot)) = (w, slot) {
                        let so = s.b.ins().imul_imm_s(src_i, *sz as i64);
                        let sa = s.b.ins().iadd(base, so);
                        let v = s.b.ins().load(scalar_ty(inp.dtype), s.mem, sa, 0);
                        let dofs = s.b.ins().imul_imm_s(j, *sz as i64);
                        let da = s.b.ins().iadd(*slot, dofs);
                        s.b.ins().store(s.mem, v, da, 0);
                    }
                }
            });
        }
        for (var, slot) in in_vars.iter().zip(&in_slots) {
            if let (Some(var), Some(slot)) = (var, slot) {
                self.b.def_var(*var, *slot);
            }
        }
        for (&var, &slot) in out_vars.iter().zip(&out_slots) {
            self.b.def_var(var, slot);
        }
        let t = self.iconst(types::I8, 1);
        self.b.def_var(tail, t);
        self.b.ins().jump(body, &[]);

        // The body, once.
        self.b.switch_to_block(body);
        let base_addrs: Vec<Option<Value>> = (0..k.inputs.len())
            .map(|n| {
                if !self.loads[n] {
                    None
                } else if let Some(var) = in_vars[n] {
                    Some(self.b.use_var(var))
                } else {
                    Some(in_base[n])
                }
            })
            .collect();
        let vals: Vec<Vec<Value>> = if groups == 1 {
            vec![self.block(&k.body, &base_addrs, &[], lanes)]
        } else {
            // Group `g` starts `g * lanes` elements further along the walked inputs.
            let addrs: Vec<Vec<Option<Value>>> = (0..groups as i64)
                .map(|g| {
                    base_addrs
                        .iter()
                        .zip(&in_walk)
                        .map(|(&a, w)| match (a, w) {
                            (Some(a), Some(sz)) if g > 0 => {
                                Some(self.b.ins().iadd_imm_s(a, g * lanes as i64 * *sz as i64))
                            }
                            _ => a,
                        })
                        .collect()
                })
                .collect();
            self.block_groups(&k.body, &addrs, lanes)
        };
        let is_tail = self.b.use_var(tail);
        match accs {
            None => {
                let oaddrs: Vec<Value> = out_vars.iter().map(|&v| self.b.use_var(v)).collect();
                for (g, vals) in vals.iter().enumerate() {
                    let addrs: Vec<Value> = oaddrs
                        .iter()
                        .zip(&out_size)
                        .map(|(&a, &sz)| {
                            if g == 0 {
                                a
                            } else {
                                self.b.ins().iadd_imm_s(a, (g * sz) as i64 * lanes as i64)
                            }
                        })
                        .collect();
                    self.store_outputs(vals, &addrs, lanes);
                }
                let stage_out = self.b.create_block();
                self.b.ins().brif(is_tail, stage_out, &[], next, &[]);

                self.b.switch_to_block(stage_out);
                let rem = self.b.ins().isub(count, nvec);
                self.for_range(zero, rem, 1, |s, j| {
                    let dst_i = s.b.ins().iadd(nvec, j);
                    for (o, out) in k.outputs.iter().enumerate() {
                        let sz = out_size[o] as i64;
                        let so = s.b.ins().imul_imm_s(j, sz);
                        let sa = s.b.ins().iadd(out_slots[o], so);
                        let v = s.b.ins().load(scalar_ty(out.dtype), s.mem, sa, 0);
                        let dofs = s.b.ins().imul_imm_s(dst_i, sz);
                        let da = s.b.ins().iadd(out_base[o], dofs);
                        s.b.ins().store(s.mem, v, da, 0);
                    }
                });
                self.b.ins().jump(done, &[]);
            }
            Some(accs) => {
                let vals = &vals[0];
                // Reduction values pass through variables so the tail can mask them.
                let rvars: Vec<(Variable, DType, ReduceOp)> = k
                    .reduces
                    .iter()
                    .map(|r| {
                        let dt = k.body[r.value as usize].dtype;
                        let var = self.b.declare_var(ty(dt, lanes));
                        self.b.def_var(var, vals[r.value as usize]);
                        (var, dt, r.op)
                    })
                    .collect();
                let mask_blk = self.b.create_block();
                let acc_blk = self.b.create_block();
                self.b.ins().brif(is_tail, mask_blk, &[], acc_blk, &[]);

                self.b.switch_to_block(mask_blk);
                let rem = self.b.ins().isub(count, nvec);
                let lt = mask_lane(lanes);
                let vt = lt.by(lanes).expect("128-bit vector type");
                let mut bytes = Vec::with_capacity(16);
                for j in 0..lanes as u64 {
                    bytes.extend_from_slice(&j.to_le_bytes()[..(lt.bytes() as usize)]);
                }
                let cst = self.b.func.dfg.constants.insert(ConstantData::from(bytes));
                let iota = self.b.ins().vconst(vt, cst);
                let r_l = if lt == types::I64 {
                    rem
                } else {
                    self.b.ins().ireduce(lt, rem)
                };
                let r_v = self.b.ins().splat(vt, r_l);
                let live = self.b.ins().icmp(IntCC::UnsignedLessThan, iota, r_v);
                for &(var, dt, op) in &rvars {
                    let v = self.b.use_var(var);
                    let idn = self.identity(op, dt, lanes);
                    let m = self.sel(live, v, idn);
                    self.b.def_var(var, m);
                }
                self.b.ins().jump(acc_blk, &[]);

                self.b.switch_to_block(acc_blk);
                // One masked value per reduction: two reductions of one body value (a sum and a
                // max of x) pad their tails with different identities.
                let per_reduce: Vec<Value> = rvars
                    .iter()
                    .map(|&(var, _, _)| self.b.use_var(var))
                    .collect();
                self.accumulate(accs, 0, &per_reduce, lanes);
                let is_tail = self.b.use_var(tail);
                self.b.ins().brif(is_tail, done, &[], next, &[]);
            }
        }

        self.b.switch_to_block(next);
        let i = self.b.use_var(iv);
        let i2 = self.b.ins().iadd_imm_s(i, step);
        self.b.def_var(iv, i2);
        self.b.ins().jump(head, &[]);

        self.b.switch_to_block(done);
    }
}
