//! Lowering of the kernel IR's unary, binary and cast instructions to Cranelift, scalar and vector.

use super::{helpers, scalar_ty, ty, Emitter};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types;
use cranelift_codegen::ir::{InstBuilder, Value};
use lazulite_ir::{BinaryOp, DType, Scalar, UnaryOp};

impl Emitter<'_, '_> {
    // ---- ops -----------------------------------------------------------------------------------

    pub(super) fn unary(&mut self, op: UnaryOp, d: DType, x: Value, lanes: u32) -> Value {
        use UnaryOp::*;
        if d.is_real_float() {
            match op {
                Abs => self.b.ins().fabs(x),
                Neg => self.b.ins().fneg(x),
                Positive | Real | Conj => x,
                Imag => self.fconst(d, 0.0, lanes),
                Sqrt => self.b.ins().sqrt(x),
                Square => self.b.ins().fmul(x, x),
                Reciprocal => {
                    let one = self.fconst(d, 1.0, lanes);
                    self.b.ins().fdiv(one, x)
                }
                Floor => self.b.ins().floor(x),
                Ceil => self.b.ins().ceil(x),
                Trunc => self.b.ins().trunc(x),
                Round => self.b.ins().nearest(x),
                Sign => {
                    let zero = self.fconst(d, 0.0, lanes);
                    let one = self.fconst(d, 1.0, lanes);
                    let m1 = self.fconst(d, -1.0, lanes);
                    let pos = self.b.ins().fcmp(FloatCC::GreaterThan, x, zero);
                    let neg = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
                    let r = self.sel(neg, m1, zero);
                    let r = self.sel(pos, one, r);
                    let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
                    self.sel(nan, x, r)
                }
                Signbit => {
                    let it = self.b.func.dfg.value_type(x).as_int();
                    let bits = self.bitcast(it, x);
                    let zero = if lanes == 1 {
                        self.iconst(it, 0)
                    } else {
                        let z = self.iconst(it.lane_type(), 0);
                        self.b.ins().splat(it, z)
                    };
                    self.b.ins().icmp(IntCC::SignedLessThan, bits, zero)
                }
                IsNan => self.b.ins().fcmp(FloatCC::Unordered, x, x),
                IsInf | IsFinite => {
                    let a = self.b.ins().fabs(x);
                    let inf = self.fconst(d, f64::INFINITY, lanes);
                    let cc = if op == IsInf {
                        FloatCC::Equal
                    } else {
                        FloatCC::LessThan
                    };
                    self.b.ins().fcmp(cc, a, inf)
                }
                LogicalNot | BitwiseInvert => unreachable!("rejected by the kernel verifier"),
                Exp | Log if lanes > 1 => self.vector_exp_log(op, x),
                Sin | Cos | Tan if lanes > 1 => self.vector_sin_cos(op, &[x])[0],
                Expm1 | Sinh | Cosh | Tanh if lanes > 1 => self.vector_hyperbolic(op, x),
                Atan if lanes > 1 => self.vector_atan(x),
                Log1p if lanes > 1 => self.vector_log1p(x),
                _ => {
                    debug_assert!(op.is_transcendental());
                    if lanes > 1 {
                        return self.lanewise(&[(x, d)], d, lanes, |s, a| s.unary(op, d, a[0], 1));
                    }
                    let opi = self.iconst(types::I32, helpers::unary_index(op) as i64);
                    let f = if d == DType::F32 {
                        self.fns.unary_f32
                    } else {
                        self.fns.unary_f64
                    };
                    self.call1(f, &[opi, x])
                }
            }
        } else if d == DType::Bool {
            match op {
                LogicalNot | BitwiseInvert => {
                    if lanes == 1 {
                        self.b.ins().bxor_imm_u(x, 1)
                    } else {
                        self.b.ins().bnot(x)
                    }
                }
                _ => unreachable!("rejected by the kernel verifier"),
            }
        } else {
            let signed = d.is_signed_int();
            match op {
                Abs if signed => {
                    let zero = self.iconst_d(d, 0, lanes);
                    let neg = self.b.ins().icmp(IntCC::SignedLessThan, x, zero);
                    let nx = self.b.ins().ineg(x);
                    self.sel(neg, nx, x)
                }
                Abs | Positive | Floor | Ceil | Trunc | Round | Real | Conj => x,
                Neg => self.b.ins().ineg(x),
                Square => self.binary(BinaryOp::Mul, d, x, x, lanes),
                Sign => {
                    let zero = self.iconst_d(d, 0, lanes);
                    let one = self.iconst_d(d, 1, lanes);
                    if signed {
                        let m1 = self.iconst_d(d, -1, lanes);
                        let pos = self.b.ins().icmp(IntCC::SignedGreaterThan, x, zero);
                        let neg = self.b.ins().icmp(IntCC::SignedLessThan, x, zero);
                        let r = self.sel(neg, m1, zero);
                        self.sel(pos, one, r)
                    } else {
                        let nz = self.b.ins().icmp(IntCC::NotEqual, x, zero);
                        self.sel(nz, one, zero)
                    }
                }
                BitwiseInvert => self.b.ins().bnot(x),
                IsNan | IsInf => self.bool_const(false, lanes),
                IsFinite => self.bool_const(true, lanes),
                _ => unreachable!("rejected by the kernel verifier"),
            }
        }
    }

    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        d: DType,
        a: Value,
        b: Value,
        lanes: u32,
    ) -> Value {
        use BinaryOp::*;
        if d.is_real_float() {
            let cmp = |op: BinaryOp| match op {
                Eq => FloatCC::Equal,
                Ne => FloatCC::NotEqual,
                Lt => FloatCC::LessThan,
                Le => FloatCC::LessThanOrEqual,
                Gt => FloatCC::GreaterThan,
                _ => FloatCC::GreaterThanOrEqual,
            };
            match op {
                Add => self.b.ins().fadd(a, b),
                Sub => self.b.ins().fsub(a, b),
                Mul => self.b.ins().fmul(a, b),
                Div => self.b.ins().fdiv(a, b),
                Maximum => self.b.ins().fmax(a, b),
                Minimum => self.b.ins().fmin(a, b),
                Copysign => {
                    let t = self.b.func.dfg.value_type(a);
                    let it = t.as_int();
                    let ai = self.bitcast(it, a);
                    let bi = self.bitcast(it, b);
                    let bits = it.lane_type().bits();
                    let sign = self.iconst(it.lane_type(), 1i64 << (bits - 1));
                    let mag = self.iconst(it.lane_type(), !(1i64 << (bits - 1)));
                    let (sign, mag) = if lanes > 1 {
                        (self.b.ins().splat(it, sign), self.b.ins().splat(it, mag))
                    } else {
                        (sign, mag)
                    };
                    let am = self.b.ins().band(ai, mag);
                    let bs = self.b.ins().band(bi, sign);
                    let r = self.b.ins().bor(am, bs);
                    self.bitcast(t, r)
                }
                Eq | Ne | Lt | Le | Gt | Ge => self.b.ins().fcmp(cmp(op), a, b),
                Pow if lanes > 1 && d == DType::F32 => self.vector_pow_f32(a, b),
                FloorDiv | Rem | Pow | Atan2 | Hypot | Nextafter | Logaddexp => {
                    if lanes > 1 {
                        return self.lanewise(&[(a, d), (b, d)], d, lanes, |s, v| {
                            s.binary(op, d, v[0], v[1], 1)
                        });
                    }
                    let opi = self.iconst(types::I32, helpers::binary_index(op) as i64);
                    let f = if d == DType::F32 {
                        self.fns.binary_f32
                    } else {
                        self.fns.binary_f64
                    };
                    self.call1(f, &[opi, a, b])
                }
                _ => unreachable!("rejected by the kernel verifier"),
            }
        } else if d == DType::Bool {
            match op {
                LogicalAnd | BitAnd => self.b.ins().band(a, b),
                LogicalOr | BitOr => self.b.ins().bor(a, b),
                LogicalXor | BitXor | Ne => self.b.ins().bxor(a, b),
                Eq => self.b.ins().icmp(IntCC::Equal, a, b),
                _ => unreachable!("rejected by the kernel verifier"),
            }
        } else {
            let signed = d.is_signed_int();
            let icc = |op: BinaryOp| match (op, signed) {
                (Eq, _) => IntCC::Equal,
                (Ne, _) => IntCC::NotEqual,
                (Lt, true) => IntCC::SignedLessThan,
                (Lt, false) => IntCC::UnsignedLessThan,
                (Le, true) => IntCC::SignedLessThanOrEqual,
                (Le, false) => IntCC::UnsignedLessThanOrEqual,
                (Gt, true) | (Maximum, true) => IntCC::SignedGreaterThan,
                (Gt, false) | (Maximum, false) => IntCC::UnsignedGreaterThan,
                (Minimum, true) => IntCC::SignedLessThan,
                (Minimum, false) => IntCC::UnsignedLessThan,
                (_, true) => IntCC::SignedGreaterThanOrEqual,
                (_, false) => IntCC::UnsignedGreaterThanOrEqual,
            };
            match op {
                Add => self.b.ins().iadd(a, b),
                Sub => self.b.ins().isub(a, b),
                // x86 has no 8-bit vector multiply.
                Mul if lanes == 16 => self.lanewise(&[(a, d), (b, d)], d, lanes, |s, v| {
                    s.binary(op, d, v[0], v[1], 1)
                }),
                Mul => self.b.ins().imul(a, b),
                BitAnd => self.b.ins().band(a, b),
                BitOr => self.b.ins().bor(a, b),
                BitXor => self.b.ins().bxor(a, b),
                Maximum | Minimum => {
                    let c = self.b.ins().icmp(icc(op), a, b);
                    self.sel(c, a, b)
                }
                Eq | Ne | Lt | Le | Gt | Ge => self.b.ins().icmp(icc(op), a, b),
                FloorDiv | Rem | Shl | Shr | Pow if lanes > 1 => {
                    self.lanewise(&[(a, d), (b, d)], d, lanes, |s, v| {
                        s.binary(op, d, v[0], v[1], 1)
                    })
                }
                FloorDiv | Rem => self.int_divmod(op, d, a, b),
                Shl | Shr => self.int_shift(op, d, a, b),
                Pow => {
                    let ext = |s: &mut Self, v: Value| {
                        if d.bits() == 64 {
                            v
                        } else if signed {
                            s.b.ins().sextend(types::I64, v)
                        } else {
                            s.b.ins().uextend(types::I64, v)
                        }
                    };
                    let (wa, wb) = (ext(self, a), ext(self, b));
                    let opi = self.iconst(types::I32, helpers::binary_index(op) as i64);
                    let di = self.iconst(types::I32, helpers::dtype_index(d) as i64);
                    let r = self.call1(self.fns.int_binary, &[opi, wa, wb, di]);
                    if d.bits() == 64 {
                        r
                    } else {
                        self.b.ins().ireduce(scalar_ty(d), r)
                    }
                }
                _ => unreachable!("rejected by the kernel verifier"),
            }
        }
    }

    /// Python-style integer floor division / remainder that never traps: `x // 0 == x % 0 == 0`,
    /// `MIN // -1` wraps to `MIN`.
    pub(super) fn int_divmod(&mut self, op: BinaryOp, d: DType, a: Value, b: Value) -> Value {
        let t = scalar_ty(d);
        let zero = self.iconst(t, 0);
        let one = self.iconst(t, 1);
        let bz = self.b.ins().icmp(IntCC::Equal, b, zero);
        if !d.is_signed_int() {
            let bs = self.b.ins().select(bz, one, b);
            let r = if op == BinaryOp::FloorDiv {
                self.b.ins().udiv(a, bs)
            } else {
                self.b.ins().urem(a, bs)
            };
            return self.b.ins().select(bz, zero, r);
        }
        let m1 = self.iconst(t, -1);
        let bm1 = self.b.ins().icmp(IntCC::Equal, b, m1);
        let bad = self.b.ins().bor(bz, bm1);
        let bs = self.b.ins().select(bad, one, b);
        let q0 = self.b.ins().sdiv(a, bs);
        let r0 = self.b.ins().srem(a, bs);
        let rnz = self.b.ins().icmp(IntCC::NotEqual, r0, zero);
        let x = self.b.ins().bxor(r0, bs);
        let differ = self.b.ins().icmp(IntCC::SignedLessThan, x, zero);
        let adj = self.b.ins().band(rnz, differ);
        if op == BinaryOp::FloorDiv {
            let qm = self.b.ins().isub(q0, one);
            let q = self.b.ins().select(adj, qm, q0);
            let na = self.b.ins().ineg(a);
            let q = self.b.ins().select(bm1, na, q);
            self.b.ins().select(bz, zero, q)
        } else {
            let rp = self.b.ins().iadd(r0, bs);
            let r = self.b.ins().select(adj, rp, r0);
            self.b.ins().select(bz, zero, r)
        }
    }

    /// Shifts with the semantics of shifting an unbounded integer: `<<` by `>= width` gives 0, `>>` by
    /// `>= width` gives the sign fill, negative amounts give 0.
    pub(super) fn int_shift(&mut self, op: BinaryOp, d: DType, a: Value, b: Value) -> Value {
        let t = scalar_ty(d);
        let bits = d.bits() as i64;
        let zero = self.iconst(t, 0);
        let width = self.iconst(t, bits);
        if op == BinaryOp::Shl || !d.is_signed_int() {
            // Unsigned compare: negative amounts look huge.
            let big = self
                .b
                .ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, b, width);
            let r = if op == BinaryOp::Shl {
                self.b.ins().ishl(a, b)
            } else {
                self.b.ins().ushr(a, b)
            };
            return self.b.ins().select(big, zero, r);
        }
        let maxs = self.iconst(t, bits - 1);
        let neg = self.b.ins().icmp(IntCC::SignedLessThan, b, zero);
        let big = self.b.ins().icmp(IntCC::SignedGreaterThan, b, maxs);
        let amt = self.b.ins().select(big, maxs, b);
        let r = self.b.ins().sshr(a, amt);
        self.b.ins().select(neg, zero, r)
    }

    /// `astype` from `from` to `to` (see `Scalar::cast`).
    pub(super) fn cast(&mut self, from: DType, to: DType, x: Value, lanes: u32) -> Value {
        if from == to {
            return x;
        }
        if to == DType::Bool {
            return if from.is_real_float() {
                let z = self.fconst(from, 0.0, lanes);
                self.b.ins().fcmp(FloatCC::NotEqual, x, z)
            } else {
                let z = self.iconst_d(from, 0, lanes);
                self.b.ins().icmp(IntCC::NotEqual, x, z)
            };
        }
        if from == DType::Bool {
            if lanes == 1 {
                return if to.is_real_float() {
                    let one = self.fconst(to, 1.0, 1);
                    let zero = self.fconst(to, 0.0, 1);
                    self.b.ins().select(x, one, zero)
                } else if to.bits() > 8 {
                    self.b.ins().uextend(scalar_ty(to), x)
                } else {
                    x
                };
            }
            // Masks have the lane width of every other value here: keep the bits of 1.
            let one = self.constant(Scalar::Int(1), to, lanes);
            let t = ty(to, lanes);
            let m = self.bitcast(t, x);
            return if to.is_real_float() {
                let it = t.as_int();
                let oi = self.bitcast(it, one);
                let mi = self.bitcast(it, m);
                let r = self.b.ins().band(mi, oi);
                self.bitcast(t, r)
            } else {
                self.b.ins().band(m, one)
            };
        }
        if lanes > 1 {
            if from.is_integer() && to.is_integer() && from.size() == to.size() {
                return x;
            }
            return self.lanewise(&[(x, from)], to, lanes, |s, v| s.cast(from, to, v[0], 1));
        }
        let tt = scalar_ty(to);
        match (from.is_real_float(), to.is_real_float()) {
            (true, true) => {
                if to == DType::F32 {
                    self.b.ins().fdemote(tt, x)
                } else {
                    self.b.ins().fpromote(tt, x)
                }
            }
            (false, false) => {
                let (fb, tb) = (from.bits(), to.bits());
                if tb < fb {
                    self.b.ins().ireduce(tt, x)
                } else if tb == fb {
                    x
                } else if from.is_signed_int() {
                    self.b.ins().sextend(tt, x)
                } else {
                    self.b.ins().uextend(tt, x)
                }
            }
            (false, true) => {
                let w = if from.bits() == 64 {
                    x
                } else if from.is_signed_int() {
                    self.b.ins().sextend(types::I64, x)
                } else {
                    self.b.ins().uextend(types::I64, x)
                };
                // Through f64 like `Scalar::cast` (matters for 64-bit integers to float32).
                let f = if from.is_signed_int() {
                    self.b.ins().fcvt_from_sint(types::F64, w)
                } else {
                    self.b.ins().fcvt_from_uint(types::F64, w)
                };
                if to == DType::F32 {
                    self.b.ins().fdemote(types::F32, f)
                } else {
                    f
                }
            }
            (true, false) => {
                let s = self.b.ins().fcvt_to_sint_sat(types::I64, x);
                let w = if to.is_unsigned_int() {
                    let u = self.b.ins().fcvt_to_uint_sat(types::I64, x);
                    let z = self.fconst(from, 0.0, 1);
                    let neg = self.b.ins().fcmp(FloatCC::LessThan, x, z);
                    self.b.ins().select(neg, s, u)
                } else {
                    s
                };
                if to.bits() < 64 {
                    self.b.ins().ireduce(tt, w)
                } else {
                    w
                }
            }
        }
    }
}
