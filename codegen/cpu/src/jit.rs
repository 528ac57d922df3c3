//! Every Cranelift call of the crate lives here: ISA setup, the loop nest, the lowering of each op,
//! module creation and finalization.
//!
//! Value representation: in scalar code a value of dtype `d` is one Cranelift scalar (`bool` is an `i8`
//! holding 0 or 1). In vector code with `L` lanes every value is a 128-bit vector of `L` lanes; a `bool`
//! is an integer mask (0 or all ones) whose lanes are as wide as the kernel's other lanes, so that
//! comparisons, `bitselect` and logic ops need no conversion. Ops without a vector lowering run lane
//! by lane (extract, scalar op, insert) inside the vector loop.

mod hyperbolic;
mod log1p;
mod trig;

use crate::abi::KernelFn;
use crate::helpers;
use crate::plan::{self, Plan};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{self, Type};
use cranelift_codegen::ir::{
    AbiParam, ConstantData, Endianness, FuncRef, InstBuilder, MemFlagsData, Signature,
    StackSlotData, StackSlotKind, Value,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use lazulite_ir::{
    BinaryOp, DType, Error, ErrorKind, Inst, Instr, Kernel, ReduceOp, Result, Scalar, StrideClass,
    UnaryOp,
};
use std::cell::RefCell;
use std::sync::OnceLock;

/// Most copies of the body per iteration of a vectorized reduction loop (one accumulator each, so
/// that the loop-carried dependency chains are independent and enough loads are in flight).
const MAX_UNROLL: usize = 8;

const PTR: Type = types::I64;

/// The bit layout of a float lane type.
struct FloatLayout {
    /// Mantissa bits.
    p: i64,
    /// Exponent bias.
    bias: i64,
    /// `2^p`: integers below it added to it land in the low mantissa bits.
    two_p: f64,
    /// The bits of 1.0.
    one_bits: u64,
    /// The smallest normal number.
    min_positive: f64,
}

impl FloatLayout {
    fn of(t: Type) -> FloatLayout {
        if t.lane_type() == types::F32 {
            FloatLayout {
                p: 23,
                bias: 127,
                two_p: 8_388_608.0,
                one_bits: 0x3f80_0000,
                min_positive: f32::MIN_POSITIVE as f64,
            }
        } else {
            FloatLayout {
                p: 52,
                bias: 1023,
                two_p: 4_503_599_627_370_496.0,
                one_bits: 0x3ff0_0000_0000_0000,
                min_positive: f64::MIN_POSITIVE,
            }
        }
    }
}

/// Constants of the inline `exp` (fdlibm's `e_exp.c` and `e_expf.c`).
struct ExpConsts {
    /// `ln 2` in two parts; `ln2_hi` has few enough significant bits that `k * ln2_hi` is exact.
    ln2_hi: f64,
    ln2_lo: f64,
    /// The rational approximation of `exp(r)` on `[-ln2/2, ln2/2]`: `c = r - r^2 * poly(r^2)`.
    poly: &'static [f64],
    /// Above this the result overflows to `+inf`.
    overflow: f64,
    /// Below this the result underflows to `+0`.
    underflow: f64,
}

const EXP_F64: ExpConsts = ExpConsts {
    ln2_hi: f64::from_bits(0x3fe6_2e42_fee0_0000),
    ln2_lo: f64::from_bits(0x3dea_39ef_3579_3c76),
    poly: &[
        f64::from_bits(0x3fc5_5555_5555_553e),
        f64::from_bits(0xbf66_c16c_16be_bd93),
        f64::from_bits(0x3f11_566a_af25_de2c),
        f64::from_bits(0xbebb_bd41_c5d2_6bf1),
        f64::from_bits(0x3e66_3769_72be_a4d0),
    ],
    overflow: f64::from_bits(0x4086_2e42_fefa_39ef),
    underflow: f64::from_bits(0xc087_4910_d52d_3051),
};

const EXP_F32: ExpConsts = ExpConsts {
    ln2_hi: f32::from_bits(0x3f31_7200) as f64,
    ln2_lo: f32::from_bits(0x35bf_be8e) as f64,
    poly: &[
        f32::from_bits(0x3e2a_aa8f) as f64,
        f32::from_bits(0xbb35_5215) as f64,
    ],
    // fdlibm: x >= 0x42b17218 overflows, x <= -0x42cff1b5 underflows to 0 (x < its neighbour).
    overflow: f32::from_bits(0x42b1_7217) as f64,
    underflow: f32::from_bits(0xc2cf_f1b4) as f64,
};

/// Constants of the inline `log` (fdlibm's `e_log.c` and `e_logf.c`).
struct LogConsts {
    ln2_hi: f64,
    ln2_lo: f64,
    /// `log(1+f) = f - hfsq + s*(hfsq + R)`, `R = z*(lg[0] + w*(lg[2] + ...)) + w*(lg[1] + w*(lg[3]
    /// + ...))` with `z = s^2`, `w = z^2`.
    lg: &'static [f64],
    /// The bits of `sqrt(2)/2` rounded: mantissas from there up get exponent 0.
    sqrt_half_bits: u64,
    /// Subnormals are scaled by `2^sub_shift` first.
    sub_shift: i64,
}

const LOG_F64: LogConsts = LogConsts {
    ln2_hi: f64::from_bits(0x3fe6_2e42_fee0_0000),
    ln2_lo: f64::from_bits(0x3dea_39ef_3579_3c76),
    lg: &[
        f64::from_bits(0x3fe5_5555_5555_5593),
        f64::from_bits(0x3fd9_9999_9997_fa04),
        f64::from_bits(0x3fd2_4924_9422_9359),
        f64::from_bits(0x3fcc_71c5_1d8e_78af),
        f64::from_bits(0x3fc7_4664_96cb_03de),
        f64::from_bits(0x3fc3_9a09_d078_c69f),
        f64::from_bits(0x3fc2_f112_df3e_5244),
    ],
    sqrt_half_bits: 0x3fe6_a09e_0000_0000,
    sub_shift: 54,
};

const LOG_F32: LogConsts = LogConsts {
    ln2_hi: f32::from_bits(0x3f31_7180) as f64,
    ln2_lo: f32::from_bits(0x3717_f7d1) as f64,
    lg: &[
        f32::from_bits(0x3f2a_aaaa) as f64,
        f32::from_bits(0x3ecc_ce13) as f64,
        f32::from_bits(0x3e91_e9ee) as f64,
        f32::from_bits(0x3e78_9e26) as f64,
    ],
    sqrt_half_bits: 0x3f35_04f3,
    sub_shift: 25,
};

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("cranelift backend: {what} failed: {e}; this is a lazulite bug, please report it"),
    )
}

fn isa() -> Result<OwnedTargetIsa> {
    static ISA: OnceLock<std::result::Result<OwnedTargetIsa, String>> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut fb = settings::builder();
        for (k, v) in [
            ("opt_level", "none"),
            ("enable_verifier", "false"),
            ("is_pic", "false"),
            ("use_colocated_libcalls", "false"),
            // Frames past a page (a strided-axis reduction with many reductions) probe the stack
            // page by page instead of skipping the guard page.
            ("enable_probestack", "true"),
            ("probestack_strategy", "inline"),
        ] {
            fb.set(k, v).map_err(|e| format!("setting {k}={v}: {e}"))?;
        }
        let flags = settings::Flags::new(fb);
        cranelift_native::builder()
            .map_err(|e| format!("host ISA detection: {e}"))?
            .finish(flags)
            .map_err(|e| format!("building the host ISA: {e}"))
    })
    .clone()
    .map_err(|e| internal("ISA setup", e))
}

/// A finished module and its entry point.
pub(crate) struct Built {
    pub module: JITModule,
    pub entry: KernelFn,
}

thread_local! {
    static CONTEXTS: RefCell<(Context, FunctionBuilderContext)> =
        RefCell::new((Context::new(), FunctionBuilderContext::new()));
}

/// Compiles `k` with `plan` into a fresh module.
pub(crate) fn build(k: &Kernel, plan: Plan) -> Result<Built> {
    let isa = isa()?;
    let mut jb = JITBuilder::with_isa(isa, default_libcall_names());
    for (name, addr) in helpers::symbols() {
        jb.symbol(name, addr);
    }
    let mut module = JITModule::new(jb);
    let res = CONTEXTS.with(|c| {
        let mut guard = c.borrow_mut();
        let (ctx, fctx) = &mut *guard;
        let r = define(&mut module, ctx, fctx, k, plan);
        module.clear_context(ctx);
        r
    });
    let id = match res.and_then(|id| {
        module
            .finalize_definitions()
            .map_err(|e| internal("finalizing the module", e))?;
        Ok(id)
    }) {
        Ok(id) => id,
        Err(e) => {
            // SAFETY: nothing from this module was handed out; its memory is unused.
            unsafe { module.free_memory() };
            return Err(e);
        }
    };
    let ptr = module.get_finalized_function(id);
    // SAFETY: the function was defined with the `KernelFn` signature (three i64-sized arguments, no
    // result, the platform's C calling convention) and stays mapped as long as `module` lives.
    let entry: KernelFn = unsafe { std::mem::transmute::<*const u8, KernelFn>(ptr) };
    Ok(Built { module, entry })
}

struct Helpers {
    unary_f64: FuncRef,
    unary_f32: FuncRef,
    binary_f64: FuncRef,
    binary_f32: FuncRef,
    int_binary: FuncRef,
}

fn define(
    module: &mut JITModule,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    k: &Kernel,
    plan: Plan,
) -> Result<cranelift_module::FuncId> {
    let mut sig = module.make_signature();
    sig.params.extend([AbiParam::new(PTR); 3]);
    let id = module
        .declare_function("lz_kernel", Linkage::Local, &sig)
        .map_err(|e| internal("declaring the kernel", e))?;
    ctx.func.signature = sig;

    let cc = module.isa().default_call_conv();
    let mut import = |name: &str, params: &[Type], ret: Type| -> Result<FuncRef> {
        let mut s = Signature::new(cc);
        s.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        s.returns.push(AbiParam::new(ret));
        let fid = module
            .declare_function(name, Linkage::Import, &s)
            .map_err(|e| internal("declaring a helper", e))?;
        Ok(module.declare_func_in_func(fid, &mut ctx.func))
    };
    use types::{F32, F64, I32, I64};
    let fns = Helpers {
        unary_f64: import(helpers::UNARY_F64, &[I32, F64], F64)?,
        unary_f32: import(helpers::UNARY_F32, &[I32, F32], F32)?,
        binary_f64: import(helpers::BINARY_F64, &[I32, F64, F64], F64)?,
        binary_f32: import(helpers::BINARY_F32, &[I32, F32, F32], F32)?,
        int_binary: import(helpers::INT_BINARY, &[I32, I64, I64, I32], I64)?,
    };

    let target = module.target_config();
    let b = FunctionBuilder::new(&mut ctx.func, fctx);
    let mut em = Emitter::new(b, k, fns, plan);
    em.emit();
    em.b.seal_all_blocks();
    em.b.finalize(target);

    module
        .define_function(id, ctx)
        .map_err(|e| internal("code generation", format!("{e:?}")))?;
    Ok(id)
}

fn scalar_ty(d: DType) -> Type {
    match d {
        DType::Bool | DType::I8 | DType::U8 => types::I8,
        DType::I16 | DType::U16 => types::I16,
        DType::I32 | DType::U32 => types::I32,
        DType::I64 | DType::U64 => types::I64,
        DType::F32 => types::F32,
        // Complex kernels are rejected before code generation.
        DType::F64 | DType::C64 | DType::C128 => types::F64,
    }
}

/// The Cranelift type of a value of dtype `d` in code with `lanes` lanes.
fn ty(d: DType, lanes: u32) -> Type {
    if lanes == 1 {
        scalar_ty(d)
    } else if d == DType::Bool {
        mask_lane(lanes).by(lanes).expect("128-bit vector type")
    } else {
        scalar_ty(d).by(lanes).expect("128-bit vector type")
    }
}

/// The integer lane type of a boolean mask in code with `lanes` lanes.
fn mask_lane(lanes: u32) -> Type {
    Type::int((128 / lanes) as u16).expect("lane width is 8..64 bits")
}

/// An integer constant's bits for `iconst` of type `t` (zero-extended, the canonical form).
fn canon(t: Type, v: i64) -> i64 {
    let bits = t.bits();
    if bits >= 64 {
        v
    } else {
        v & ((1i64 << bits) - 1)
    }
}

struct Acc {
    op: ReduceOp,
    dtype: DType,
    vars: Vec<Variable>,
}

struct Emitter<'k, 'f> {
    b: FunctionBuilder<'f>,
    k: &'k Kernel,
    fns: Helpers,
    lanes: u32,
    mem: MemFlagsData,
    start: Value,
    end: Value,
    shape: Vec<Value>,
    in_ptr: Vec<Value>,
    /// Byte strides `[input][dim]`.
    in_sb: Vec<Vec<Value>>,
    out_ptr: Vec<Value>,
    /// Byte strides `[output][outer dim]`.
    out_sb: Vec<Vec<Value>>,
    loads: Vec<bool>,
    /// Lanes of a reduction vectorized across the innermost outer dim (1: off).
    outer_lanes: u32,
    /// While emitting that vectorized reduction: every load is a vector along the outer dim.
    outer_mode: bool,
}

/// Vector accumulators (16 bytes each) per block of outer points in a reduction vectorized across the
/// innermost outer dim, shared by all reductions: 3.5 KiB of stack, under a page with the spills.
const OUTER_BLOCK_VECTORS: usize = 224;

impl<'k, 'f> Emitter<'k, 'f> {
    fn new(b: FunctionBuilder<'f>, k: &'k Kernel, fns: Helpers, plan: Plan) -> Self {
        Emitter {
            b,
            k,
            fns,
            lanes: plan.lanes,
            mem: MemFlagsData::new().with_notrap(),
            start: Value::from_u32(0),
            end: Value::from_u32(0),
            shape: vec![],
            in_ptr: vec![],
            in_sb: vec![],
            out_ptr: vec![],
            out_sb: vec![],
            loads: plan::body_loads(k),
            outer_lanes: plan.outer_lanes,
            outer_mode: false,
        }
    }

    // ---- small helpers -------------------------------------------------------------------------

    fn iconst(&mut self, t: Type, v: i64) -> Value {
        self.b.ins().iconst(t, canon(t, v))
    }

    fn load_i64(&mut self, base: Value, offset: i32) -> Value {
        self.b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), base, offset)
    }

    fn vflags() -> MemFlagsData {
        MemFlagsData::new().with_endianness(Endianness::Little)
    }

    fn bitcast(&mut self, t: Type, v: Value) -> Value {
        if self.b.func.dfg.value_type(v) == t {
            v
        } else {
            self.b.ins().bitcast(t, Self::vflags(), v)
        }
    }

    /// `cond ? a : b`: `cond` is an `i8` bool in scalar code, a mask in vector code.
    fn sel(&mut self, cond: Value, a: Value, b: Value) -> Value {
        let t = self.b.func.dfg.value_type(a);
        if t.is_vector() {
            let c = self.bitcast(t, cond);
            self.b.ins().bitselect(c, a, b)
        } else {
            self.b.ins().select(cond, a, b)
        }
    }

    /// A constant of dtype `d` in code with `lanes` lanes.
    fn constant(&mut self, s: Scalar, d: DType, lanes: u32) -> Value {
        let s = s.cast(d);
        let scalar = match d {
            DType::Bool => {
                let on = !s.is_zero();
                if lanes == 1 {
                    self.iconst(types::I8, on as i64)
                } else {
                    let lt = mask_lane(lanes);
                    self.iconst(lt, if on { -1 } else { 0 })
                }
            }
            DType::F32 => self.b.ins().f32const(s.as_f64() as f32),
            DType::F64 => self.b.ins().f64const(s.as_f64()),
            _ => {
                let bits = match s {
                    Scalar::Int(i) => i,
                    Scalar::UInt(u) => u as i64,
                    _ => 0,
                };
                self.iconst(scalar_ty(d), bits)
            }
        };
        if lanes == 1 {
            scalar
        } else {
            self.b.ins().splat(ty(d, lanes), scalar)
        }
    }

    fn fconst(&mut self, d: DType, v: f64, lanes: u32) -> Value {
        self.constant(Scalar::Float(v), d, lanes)
    }

    fn iconst_d(&mut self, d: DType, v: i64, lanes: u32) -> Value {
        self.constant(Scalar::Int(v), d, lanes)
    }

    fn bool_const(&mut self, v: bool, lanes: u32) -> Value {
        self.constant(Scalar::Bool(v), DType::Bool, lanes)
    }

    /// Lane `j` of vector `x` (dtype `d`) as a scalar value.
    fn extract(&mut self, x: Value, d: DType, j: u32) -> Value {
        let s = self.b.ins().extractlane(x, j as u8);
        if d == DType::Bool {
            let t = self.b.func.dfg.value_type(s);
            let s = if t == types::I8 {
                s
            } else {
                self.b.ins().ireduce(types::I8, s)
            };
            self.b.ins().band_imm_u(s, 1)
        } else {
            s
        }
    }

    /// A scalar of dtype `d` as one lane of a vector with `lanes` lanes (booleans become masks).
    fn lane_value(&mut self, s: Value, d: DType, lanes: u32) -> Value {
        if d == DType::Bool {
            let lt = mask_lane(lanes);
            let w = if lt == types::I8 {
                s
            } else {
                self.b.ins().uextend(lt, s)
            };
            self.b.ins().ineg(w)
        } else {
            s
        }
    }

    /// Applies a scalar lowering lane by lane.
    fn lanewise(
        &mut self,
        args: &[(Value, DType)],
        dout: DType,
        lanes: u32,
        f: impl Fn(&mut Self, &[Value]) -> Value,
    ) -> Value {
        let mut acc: Option<Value> = None;
        for j in 0..lanes {
            let xs: Vec<Value> = args.iter().map(|&(v, d)| self.extract(v, d, j)).collect();
            let r = f(self, &xs);
            let r = self.lane_value(r, dout, lanes);
            acc = Some(match acc {
                None => self.b.ins().splat(ty(dout, lanes), r),
                Some(v) => self.b.ins().insertlane(v, r, j as u8),
            });
        }
        acc.expect("at least one lane")
    }

    fn call1(&mut self, f: FuncRef, args: &[Value]) -> Value {
        let call = self.b.ins().call(f, args);
        self.b.inst_results(call)[0]
    }

    // ---- ops -----------------------------------------------------------------------------------

    fn unary(&mut self, op: UnaryOp, d: DType, x: Value, lanes: u32) -> Value {
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
                Sin | Cos | Tan if lanes > 1 => self.vector_sin_cos(op, d, x, lanes),
                Expm1 | Sinh | Cosh if lanes > 1 => self.vector_hyperbolic(op, x),
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

    fn binary(&mut self, op: BinaryOp, d: DType, a: Value, b: Value, lanes: u32) -> Value {
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
    fn int_divmod(&mut self, op: BinaryOp, d: DType, a: Value, b: Value) -> Value {
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
    fn int_shift(&mut self, op: BinaryOp, d: DType, a: Value, b: Value) -> Value {
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
    fn cast(&mut self, from: DType, to: DType, x: Value, lanes: u32) -> Value {
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

    // ---- inline exp and log ----------------------------------------------------------------------

    /// A 128-bit constant of vector type `t` with every lane holding `bits`.
    fn vsplat_bits(&mut self, t: Type, bits: u64) -> Value {
        let lb = t.lane_bits() as usize / 8;
        let mut bytes = Vec::with_capacity(16);
        for _ in 0..16 / lb {
            bytes.extend_from_slice(&bits.to_le_bytes()[..lb]);
        }
        let c = self.b.func.dfg.constants.insert(ConstantData::from(bytes));
        self.b.ins().vconst(t, c)
    }

    /// A splat float constant of vector type `t` (f64x2, or f32x4 with `v` rounded to f32).
    fn vfc(&mut self, t: Type, v: f64) -> Value {
        if t.lane_type() == types::F32 {
            self.vsplat_bits(t, (v as f32).to_bits() as u64)
        } else {
            self.vsplat_bits(t, v.to_bits())
        }
    }

    /// `exp` or `log` of a float vector (f64x2 or f32x4), inline.
    fn vector_exp_log(&mut self, op: UnaryOp, x: Value) -> Value {
        if op == UnaryOp::Exp {
            self.vector_exp(x)
        } else {
            self.vector_log(x)
        }
    }

    /// `2^n` for integer-valued float lanes `n` in the normal exponent range: `n + 2^p + bias` (`p`
    /// mantissa bits) holds the biased exponent in its low mantissa bits, which a shift moves into the
    /// exponent field.
    fn exp2_int(&mut self, n: Value) -> Value {
        let t = self.b.func.dfg.value_type(n);
        let f = FloatLayout::of(t);
        let c = self.vfc(t, f.two_p + f.bias as f64);
        let v = self.b.ins().fadd(n, c);
        let flags = Self::vflags();
        let bits = self.b.ins().bitcast(t.as_int(), flags, v);
        let sh = self.iconst(types::I32, f.p);
        let e = self.b.ins().ishl(bits, sh);
        self.b.ins().bitcast(t, flags, e)
    }

    /// Horner's scheme: `cs[0] + v * (cs[1] + v * (...))`.
    fn horner(&mut self, v: Value, cs: &[f64]) -> Value {
        let t = self.b.func.dfg.value_type(v);
        let mut p = self.vfc(t, cs[cs.len() - 1]);
        for &c in cs[..cs.len() - 1].iter().rev() {
            let cv = self.vfc(t, c);
            let m = self.b.ins().fmul(v, p);
            p = self.b.ins().fadd(cv, m);
        }
        p
    }

    /// `exp(x)` for f64x2 and f32x4 (the algorithm of fdlibm's `e_exp.c`/`e_expf.c`, error below 1
    /// ulp): `x = k ln2 + r` with `|r| <= ln2/2` (`k ln2` in two parts), a rational approximation of
    /// `exp(r)`, and the scaling by `2^k` as two power-of-two factors, the first product exact, so
    /// that subnormal results round once. Overflow, underflow and NaN are selected at the end.
    fn vector_exp(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let k = if fl.p == 52 { &EXP_F64 } else { &EXP_F32 };
        let res = self.exp_scaled(x, 0.0);
        let ovf = self.vfc(t, k.overflow);
        let big = self.b.ins().fcmp(FloatCC::GreaterThan, x, ovf);
        let inf = self.vfc(t, f64::INFINITY);
        let res = self.sel(big, inf, res);
        let unf = self.vfc(t, k.underflow);
        let small = self.b.ins().fcmp(FloatCC::LessThan, x, unf);
        let zero = self.vfc(t, 0.0);
        let res = self.sel(small, zero, res);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(nan, x, res)
    }

    /// `exp(x) 2^off` (`off` a small integer) for finite `x` up to a little past `exp`'s overflow,
    /// without the special cases: the body of [`Self::vector_exp`].
    fn exp_scaled(&mut self, x: Value, off: f64) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let fl = FloatLayout::of(t);
        let k = if fl.p == 52 { &EXP_F64 } else { &EXP_F32 };
        // Round to nearest integer: adding 1.5 * 2^p leaves no fraction bits.
        let magic = self.vfc(t, 1.5 * fl.two_p);
        let inv = self.vfc(t, std::f64::consts::LOG2_E);
        let v = self.b.ins().fmul(x, inv);
        let v = self.b.ins().fadd(v, magic);
        let n = self.b.ins().fsub(v, magic);
        let c_hi = self.vfc(t, k.ln2_hi);
        let c_lo = self.vfc(t, k.ln2_lo);
        let nhi = self.b.ins().fmul(n, c_hi);
        let hi = self.b.ins().fsub(x, nhi);
        let lo = self.b.ins().fmul(n, c_lo);
        let r = self.b.ins().fsub(hi, lo);
        let z = self.b.ins().fmul(r, r);
        let p = self.horner(z, k.poly);
        let zp = self.b.ins().fmul(z, p);
        let c = self.b.ins().fsub(r, zp);
        let rc = self.b.ins().fmul(r, c);
        let two = self.vfc(t, 2.0);
        let den = self.b.ins().fsub(two, c);
        let q = self.b.ins().fdiv(rc, den);
        let q = self.b.ins().fsub(q, lo);
        let q = self.b.ins().fadd(q, hi);
        let one = self.vfc(t, 1.0);
        let y = self.b.ins().fadd(one, q);
        // 2^n = 2^n1 * 2^n2 with n1 = round(n / 2).
        let n = if off != 0.0 {
            let o = self.vfc(t, off);
            self.b.ins().fadd(n, o)
        } else {
            n
        };
        let half = self.vfc(t, 0.5);
        let nh = self.b.ins().fmul(n, half);
        let nh = self.b.ins().fadd(nh, magic);
        let n1 = self.b.ins().fsub(nh, magic);
        let n2 = self.b.ins().fsub(n, n1);
        let s1 = self.exp2_int(n1);
        let s2 = self.exp2_int(n2);
        let res = self.b.ins().fmul(y, s1);
        self.b.ins().fmul(res, s2)
    }

    /// The polynomial step shared by `log` and `log1p` (fdlibm): for `1 + f` in
    /// `[sqrt(2)/2, sqrt(2))`, `(hfsq, s, R)` with `hfsq = f^2/2`, `s = f / (2 + f)` and `R` the
    /// polynomial of [`LogConsts::lg`], so that `log(1 + f) = f - hfsq + s*(hfsq + R)`.
    fn log_kernel(&mut self, k: &LogConsts, f: Value) -> (Value, Value, Value) {
        let t = self.b.func.dfg.value_type(f);
        let half = self.vfc(t, 0.5);
        let hf = self.b.ins().fmul(half, f);
        let hfsq = self.b.ins().fmul(hf, f);
        let two = self.vfc(t, 2.0);
        let den = self.b.ins().fadd(two, f);
        let s = self.b.ins().fdiv(f, den);
        let z = self.b.ins().fmul(s, s);
        let w = self.b.ins().fmul(z, z);
        let odd: Vec<f64> = k.lg.iter().skip(1).step_by(2).copied().collect();
        let even: Vec<f64> = k.lg.iter().step_by(2).copied().collect();
        let p1 = self.horner(w, &odd);
        let t1 = self.b.ins().fmul(w, p1);
        let p2 = self.horner(w, &even);
        let t2 = self.b.ins().fmul(z, p2);
        let rr = self.b.ins().fadd(t2, t1);
        (hfsq, s, rr)
    }

    /// `log(x)` for f64x2 and f32x4 (the algorithm of fdlibm's `e_log.c`/`e_logf.c`, error below 1
    /// ulp): subnormals scaled up, `x = 2^k (1 + f)` with `1 + f` in `[sqrt(2)/2, sqrt(2))` by integer
    /// operations on the bits, `log(1 + f)` through `s = f / (2 + f)` and a polynomial in `s^2`.
    /// Zero, negative, infinite and NaN inputs are selected at the end.
    fn vector_log(&mut self, x: Value) -> Value {
        let t = self.b.func.dfg.value_type(x);
        let it = t.as_int();
        let fl = FloatLayout::of(t);
        let k = if fl.p == 52 { &LOG_F64 } else { &LOG_F32 };
        let flags = Self::vflags();
        let tiny = self.vfc(t, fl.min_positive);
        let sub = self.b.ins().fcmp(FloatCC::LessThan, x, tiny);
        let scale = self.vfc(t, f64::from_bits(((1023 + k.sub_shift) as u64) << 52));
        let xs = self.b.ins().fmul(x, scale);
        let xs = self.sel(sub, xs, x);
        let adj = self.vfc(t, -(k.sub_shift as f64));
        let z0 = self.vfc(t, 0.0);
        let kadj = self.sel(sub, adj, z0);
        let bits = self.b.ins().bitcast(it, flags, xs);
        // Biased so that the exponent field steps at sqrt(2)/2 rather than at 1.
        let off = self.vsplat_bits(it, fl.one_bits - k.sqrt_half_bits);
        let b2 = self.b.ins().iadd(bits, off);
        let sh = self.iconst(types::I32, fl.p);
        let kb = self.b.ins().ushr(b2, sh);
        let mask = self.vsplat_bits(it, (1u64 << fl.p) - 1);
        let m = self.b.ins().band(b2, mask);
        let base = self.vsplat_bits(it, k.sqrt_half_bits);
        let m = self.b.ins().iadd(m, base);
        let m = self.b.ins().bitcast(t, flags, m);
        let one = self.vfc(t, 1.0);
        let f = self.b.ins().fsub(m, one);
        // k as a float: the biased exponent (below 2^12) in the mantissa of 2^p.
        let two_p_bits = if fl.p == 52 {
            fl.two_p.to_bits()
        } else {
            (fl.two_p as f32).to_bits() as u64
        };
        let two_p = self.vsplat_bits(it, two_p_bits);
        let kf = self.b.ins().bor(kb, two_p);
        let kf = self.b.ins().bitcast(t, flags, kf);
        let bias = self.vfc(t, fl.two_p + fl.bias as f64);
        let dk = self.b.ins().fsub(kf, bias);
        let dk = self.b.ins().fadd(dk, kadj);

        let (hfsq, s, rr) = self.log_kernel(k, f);
        // s*(hfsq+R) + dk*ln2_lo - hfsq + f + dk*ln2_hi, left to right.
        let a = self.b.ins().fadd(hfsq, rr);
        let a = self.b.ins().fmul(s, a);
        let c_lo = self.vfc(t, k.ln2_lo);
        let klo = self.b.ins().fmul(dk, c_lo);
        let a = self.b.ins().fadd(a, klo);
        let a = self.b.ins().fsub(a, hfsq);
        let a = self.b.ins().fadd(a, f);
        let c_hi = self.vfc(t, k.ln2_hi);
        let khi = self.b.ins().fmul(dk, c_hi);
        let r = self.b.ins().fadd(a, khi);

        let zero = self.vfc(t, 0.0);
        let neg = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
        let nan = self.vfc(t, f64::NAN);
        let r = self.sel(neg, nan, r);
        let is0 = self.b.ins().fcmp(FloatCC::Equal, x, zero);
        let ninf = self.vfc(t, f64::NEG_INFINITY);
        let r = self.sel(is0, ninf, r);
        let inf = self.vfc(t, f64::INFINITY);
        let isinf = self.b.ins().fcmp(FloatCC::Equal, x, inf);
        let r = self.sel(isinf, inf, r);
        let isnan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.sel(isnan, x, r)
    }

    // ---- memory --------------------------------------------------------------------------------

    /// Loads input `k`'s element(s) at `addr`.
    fn load(&mut self, input: usize, addr: Value, lanes: u32) -> Value {
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

    fn store(&mut self, d: DType, v: Value, addr: Value, lanes: u32) {
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
    fn block(
        &mut self,
        block: &[Instr],
        addrs: &[Option<Value>],
        reduced: &[Value],
        lanes: u32,
    ) -> Vec<Value> {
        let mut vals: Vec<Value> = Vec::with_capacity(block.len());
        for ins in block {
            let d = ins.dtype;
            let v = match &ins.inst {
                Inst::Load { input } => {
                    let i = *input as usize;
                    let addr = addrs[i].expect("address of a loaded input");
                    self.load(i, addr, lanes)
                }
                Inst::Const(c) => self.constant(*c, d, lanes),
                Inst::Unary(op, a) => {
                    let da = block[*a as usize].dtype;
                    self.unary(*op, da, vals[*a as usize], lanes)
                }
                Inst::Binary(op, a, b) => {
                    let da = block[*a as usize].dtype;
                    self.binary(*op, da, vals[*a as usize], vals[*b as usize], lanes)
                }
                Inst::Select { cond, a, b } => {
                    self.sel(vals[*cond as usize], vals[*a as usize], vals[*b as usize])
                }
                Inst::Cast(a) => {
                    let da = block[*a as usize].dtype;
                    self.cast(da, d, vals[*a as usize], lanes)
                }
                Inst::Reduced(r) => reduced[*r as usize],
            };
            vals.push(v);
        }
        vals
    }

    // ---- loop nest -----------------------------------------------------------------------------

    fn range(&mut self, d: usize) -> (Value, Value) {
        if d == 0 {
            (self.start, self.end)
        } else {
            let z = self.iconst(PTR, 0);
            (z, self.shape[d])
        }
    }

    /// `for i in lo..hi { f(i) }`.
    fn for_range(&mut self, lo: Value, hi: Value, step: i64, f: impl FnOnce(&mut Self, Value)) {
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

    fn advance(
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

    fn emit(&mut self) {
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

    fn store_outputs(&mut self, vals: &[Value], addrs: &[Value], lanes: u32) {
        for (o, &addr) in self.k.outputs.iter().zip(addrs) {
            self.store(o.dtype, vals[o.value as usize], addr, lanes);
        }
    }

    fn elementwise_dim(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
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
            self.vector_loop(lo, hi, ins, outs, None);
        }
    }

    fn reduce_outer(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
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
    fn reduce_point(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
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
            accs.push(Acc {
                op: r.op,
                dtype: dt,
                vars,
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
        let addrs: Vec<Option<Value>> = ins.into_iter().map(Some).collect();
        let vals = self.block(&self.k.epilogue, &addrs, &results, 1);
        self.store_outputs(&vals, &outs, 1);
    }

    /// `base + (i << sh)`, which loads and stores fold into a scaled-index address.
    fn scaled(&mut self, base: Value, i: Value, sh: i64) -> Value {
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
    fn outer_vector_reduce(&mut self, d: usize, ins: Vec<Value>, outs: Vec<Value>) {
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
    fn outer_vector_dims(
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
    fn outer_vector_pass(
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
    fn identity(&mut self, op: ReduceOp, d: DType, lanes: u32) -> Value {
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
    fn accumulate(&mut self, accs: &[Acc], slot: usize, per_reduce: &[Value], lanes: u32) {
        for (a, &v) in accs.iter().zip(per_reduce) {
            let cur = self.b.use_var(a.vars[slot]);
            let new = self.binary(a.op.combiner(), a.dtype, cur, v, lanes);
            self.b.def_var(a.vars[slot], new);
        }
    }

    /// Copies of the body per iteration of the main vectorized reduction loop: 8 for tiny bodies like
    /// a plain sum (the loop is bound by the latency of the accumulating op and by loads in flight),
    /// fewer for bodies whose own work hides that latency (and whose copies would only cost compile
    /// time). Also the reduced steps per pass of a reduction vectorized across the outer dim.
    fn unroll(&self) -> usize {
        let lanes = self.lanes.max(self.outer_lanes) as usize;
        let cost: usize = self
            .k
            .body
            .iter()
            .map(|i| match &i.inst {
                Inst::Unary(UnaryOp::Exp | UnaryOp::Log | UnaryOp::Log1p, _) if lanes > 1 => 40,
                Inst::Unary(UnaryOp::Sin | UnaryOp::Cos | UnaryOp::Tan | UnaryOp::Atan, _)
                    if lanes > 1 =>
                {
                    48
                }
                Inst::Unary(UnaryOp::Expm1 | UnaryOp::Sinh | UnaryOp::Cosh, _) if lanes > 1 => 64,
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

    fn reduce_dim(&mut self, d: usize, ins: Vec<Value>, accs: &[Acc]) {
        let ndim = self.k.ndim as usize;
        let (lo, hi) = self.range(d);
        let isb = self.in_sb.clone();
        if d + 1 < ndim {
            self.for_range(lo, hi, 1, |s, i| {
                let ins2 = s.advance(&ins, &isb, d, i);
                s.reduce_dim(d + 1, ins2, accs);
            });
        } else if self.lanes == 1 {
            self.for_range(lo, hi, 1, |s, i| {
                let ins2 = s.advance(&ins, &isb, d, i);
                let addrs: Vec<Option<Value>> = ins2.into_iter().map(Some).collect();
                let vals = s.block(&s.k.body, &addrs, &[], 1);
                let per_reduce: Vec<Value> =
                    s.k.reduces.iter().map(|r| vals[r.value as usize]).collect();
                s.accumulate(accs, 0, &per_reduce, 1);
            });
        } else {
            self.vector_reduce_loop(lo, hi, ins, accs);
        }
    }

    /// The innermost loop of a vectorized reduction over `lo..hi`: a main loop that runs
    /// `accs[_].vars.len()` copies of the body per iteration, each folding into its own accumulator,
    /// with addresses `base + i * size + copy * 16` (one induction variable, scaled-index addressing,
    /// no multiplies); then the rest (whole vectors and the padded tail) through [`Self::vector_loop`]
    /// into the first accumulator.
    fn vector_reduce_loop(&mut self, lo: Value, hi: Value, ins: Vec<Value>, accs: &[Acc]) {
        let k = self.k;
        let lanes = self.lanes;
        let unroll = accs.first().map_or(1, |a| a.vars.len());
        let rest_accs: Vec<Acc> = accs
            .iter()
            .map(|a| Acc {
                op: a.op,
                dtype: a.dtype,
                vars: vec![a.vars[0]],
            })
            .collect();
        if unroll <= 1 {
            self.vector_loop(lo, hi, ins, vec![], Some(&rest_accs));
            return;
        }
        let step = lanes as i64 * unroll as i64;
        let diff = self.b.ins().isub(hi, lo);
        let zero = self.iconst(PTR, 0);
        let neg = self.b.ins().icmp(IntCC::SignedLessThan, diff, zero);
        let count = self.b.ins().select(neg, zero, diff);
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

        let body = self.b.create_block();
        let exit = self.b.create_block();
        let iv = self.b.declare_var(PTR);
        self.b.def_var(iv, zero);
        self.b.ins().brif(nmain, body, &[], exit, &[]);

        self.b.switch_to_block(body);
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
            let per_reduce: Vec<Value> = k.reduces.iter().map(|r| vals[r.value as usize]).collect();
            self.accumulate(accs, u, &per_reduce, lanes);
        }
        let i2 = self.b.ins().iadd_imm_s(i, step);
        self.b.def_var(iv, i2);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, i2, nmain);
        self.b.ins().brif(more, body, &[], exit, &[]);

        self.b.switch_to_block(exit);
        let lo2 = self.b.ins().iadd(lo, nmain);
        self.vector_loop(lo2, hi, ins, vec![], Some(&rest_accs));
    }

    /// The innermost loop over `lo..hi` of dim `d` as a vector loop. The body is emitted once: full
    /// vectors read and write the arrays directly; the remainder (< lanes elements) is copied into
    /// stack slots, run through the same body, and (elementwise) copied back. In reductions the
    /// remainder's padding lanes are replaced by the op's identity before accumulating.
    fn vector_loop(
        &mut self,
        lo: Value,
        hi: Value,
        ins: Vec<Value>,
        outs: Vec<Value>,
        accs: Option<&[Acc]>,
    ) {
        let k = self.k;
        let lanes = self.lanes;
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
        let nvec = self.b.ins().band_imm_s(count, -(lanes as i64));

        let slot = |s: &mut Self| {
            let ss =
                s.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 4));
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
        let addrs: Vec<Option<Value>> = (0..k.inputs.len())
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
        let vals = self.block(&k.body, &addrs, &[], lanes);
        let is_tail = self.b.use_var(tail);
        match accs {
            None => {
                let oaddrs: Vec<Value> = out_vars.iter().map(|&v| self.b.use_var(v)).collect();
                self.store_outputs(&vals, &oaddrs, lanes);
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
        let i2 = self.b.ins().iadd_imm_s(i, lanes as i64);
        self.b.def_var(iv, i2);
        self.b.ins().jump(head, &[]);

        self.b.switch_to_block(done);
    }
}

/// Binary ops that run lane by lane (or through a helper call) in vector code for some dtype.
fn lanewise_binary(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        FloorDiv | Rem | Pow | Atan2 | Hypot | Nextafter | Logaddexp | Shl | Shr
    )
}

/// Whether the kernel uses only dtypes this backend lowers.
pub(crate) fn supported(k: &Kernel) -> std::result::Result<(), String> {
    let dtypes = k
        .inputs
        .iter()
        .map(|i| i.dtype)
        .chain(k.body.iter().map(|i| i.dtype))
        .chain(k.epilogue.iter().map(|i| i.dtype))
        .chain(k.outputs.iter().map(|o| o.dtype));
    for d in dtypes {
        if d.is_complex() {
            return Err(format!("dtype {d}"));
        }
    }
    Ok(())
}
