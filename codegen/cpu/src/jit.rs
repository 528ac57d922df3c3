//! Every Cranelift call of the crate lives here: ISA setup, the `Emitter` and its small helpers, module creation and
//! finalization. The loop nest is in `nest`, reductions in `reduce`, the lowering of each op in `ops`,
//! the inline vector math in `exp_log`, `log1p`, `trig` and `hyperbolic`.
//!
//! Value representation: in scalar code a value of dtype `d` is one Cranelift scalar (`bool` is an `i8`
//! holding 0 or 1). In vector code with `L` lanes every value is a 128-bit vector of `L` lanes; a `bool`
//! is an integer mask (0 or all ones) whose lanes are as wide as the kernel's other lanes, so that
//! comparisons, `bitselect` and logic ops need no conversion. Ops without a vector lowering run lane
//! by lane (extract, scalar op, insert) inside the vector loop.

mod cascade;
mod exp64;
mod exp_log;
mod hoist;
mod hyperbolic;
mod log1p;
mod nest;
mod ops;
mod pow;
mod reduce;
mod trig;

use crate::abi::KernelFn;
use crate::helpers;
use crate::plan::{self, Plan};
use crate::CodeQuality;
use cranelift_codegen::ir::types::{self, Type};
use cranelift_codegen::ir::{
    AbiParam, Endianness, FuncRef, InstBuilder, MemFlagsData, Signature, StackSlot, StackSlotData,
    StackSlotKind, Value,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use lazulite_ir::{BinaryOp, DType, Error, ErrorKind, Kernel, ReduceOp, Result, Scalar, UnaryOp};
use std::cell::RefCell;
use std::sync::OnceLock;

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

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("cranelift backend: {what} failed: {e}; this is a lazulite bug, please report it"),
    )
}

/// The host ISA for code of `quality` (each detected and built once per process; `Narrow` and
/// `Wide` code share the optimized one). Both are
/// `opt_level=none`; the quick one allocates registers in one pass (`regalloc_algorithm=single_pass`):
/// about half the compile time of the backtracking allocator, for code that spills more.
pub(crate) fn isa(quality: CodeQuality) -> Result<OwnedTargetIsa> {
    static OPTIMIZED: OnceLock<std::result::Result<OwnedTargetIsa, String>> = OnceLock::new();
    static QUICK: OnceLock<std::result::Result<OwnedTargetIsa, String>> = OnceLock::new();
    let (cell, regalloc) = match quality {
        CodeQuality::Optimized | CodeQuality::Narrow | CodeQuality::Wide => {
            (&OPTIMIZED, "backtracking")
        }
        CodeQuality::Quick => (&QUICK, "single_pass"),
    };
    cell.get_or_init(|| {
        let mut fb = settings::builder();
        for (k, v) in [
            ("opt_level", "none"),
            ("regalloc_algorithm", regalloc),
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

/// Compiles `k` with `plan` into a fresh module, as code of `quality`.
pub(crate) fn build(k: &Kernel, plan: Plan, quality: CodeQuality) -> Result<Built> {
    let isa = isa(quality)?;
    let mut jb = JITBuilder::with_isa(isa, default_libcall_names());
    for (name, addr) in helpers::symbols() {
        jb.symbol(name, addr);
    }
    let mut module = JITModule::new(jb);
    let res = CONTEXTS.with(|c| {
        let mut guard = c.borrow_mut();
        let (ctx, fctx) = &mut *guard;
        let r = define(&mut module, ctx, fctx, k, plan);
        let size = ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
        module.clear_context(ctx);
        r.map(|id| (id, size))
    });
    let (id, size) = match res.and_then(|(id, size)| {
        module
            .finalize_definitions()
            .map_err(|e| internal("finalizing the module", e))?;
        Ok((id, size))
    }) {
        Ok(r) => r,
        Err(e) => {
            // SAFETY: nothing from this module was handed out; its memory is unused.
            unsafe { module.free_memory() };
            return Err(e);
        }
    };
    let ptr = module.get_finalized_function(id);
    dump_kernel(ptr, size);
    // SAFETY: the function was defined with the `KernelFn` signature (three i64-sized arguments, no
    // result, the platform's C calling convention) and stays mapped as long as `module` lives.
    let entry: KernelFn = unsafe { std::mem::transmute::<*const u8, KernelFn>(ptr) };
    Ok(Built { module, entry })
}

/// An opt-in profiling aid, read once from the environment: `LAZULITE_JIT_DUMP=<dir>` writes each
/// compiled kernel's machine code to `<dir>/lz_kernel_<sequence number>_<address>.bin`
/// (disassemble with `objdump -D -b binary -m i386:x86-64 --adjust-vma=<address>`). A failure to
/// write is ignored: a debugging aid must never fail a computation. (`perf record` needs nothing:
/// it sets `PERF_BUILDID_DIR`, and cranelift-jit then writes `/tmp/perf-<pid>.map` itself.)
fn dump_kernel(ptr: *const u8, size: usize) {
    static DUMP: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    let dump =
        DUMP.get_or_init(|| std::env::var_os("LAZULITE_JIT_DUMP").map(std::path::PathBuf::from));
    if size == 0 {
        return;
    }
    let addr = ptr as usize;
    if let Some(dir) = dump {
        // SAFETY: `ptr` is the start of the finalized function's `size` bytes of code, mapped
        // readable (and executable) for as long as its module lives, which outlasts this call.
        let code = unsafe { std::slice::from_raw_parts(ptr, size) };
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _ = std::fs::write(dir.join(format!("lz_kernel_{n:04}_{addr:x}.bin")), code);
    }
}

struct Helpers {
    unary_f64: FuncRef,
    unary_f32: FuncRef,
    binary_f64: FuncRef,
    binary_f32: FuncRef,
    int_binary: FuncRef,
    unary_vec: FuncRef,
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
        unary_vec: {
            let mut s = Signature::new(cc);
            s.params.extend([I32, I32, I64, I64].map(AbiParam::new));
            let fid = module
                .declare_function(helpers::UNARY_VEC, Linkage::Import, &s)
                .map_err(|e| internal("declaring a helper", e))?;
            module.declare_func_in_func(fid, &mut ctx.func)
        },
    };

    let target = module.target_config();
    let fma = use_fma(module.isa().has_native_fma());
    let b = FunctionBuilder::new(&mut ctx.func, fctx);
    let mut em = Emitter::new(b, k, fns, plan, fma);
    em.emit();
    em.b.seal_all_blocks();
    em.b.finalize(target);

    module
        .define_function(id, ctx)
        .map_err(|e| internal("code generation", format!("{e:?}")))?;
    Ok(id)
}

/// Whether the inline vector math fuses multiply-adds: when the host ISA has FMA (`native`), unless
/// `LAZULITE_JIT_FMA=0` is set (read once; the tests use it to check the unfused form too).
fn use_fma(native: bool) -> bool {
    static OFF: OnceLock<bool> = OnceLock::new();
    native && !*OFF.get_or_init(|| std::env::var("LAZULITE_JIT_FMA").is_ok_and(|v| v == "0"))
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
    mode: AccMode,
    /// [`AccMode::FastMinMax`]: one mask of the lanes that saw a NaN, shared by all the accumulators.
    /// [`AccMode::ZeroScan`]: the winning zero's bits in every lane. Empty otherwise.
    flags: Vec<Variable>,
}

/// How an accumulator folds values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AccMode {
    /// With the op's combiner.
    Fold,
    /// A float `max`/`min` in vector code: `maxp*`/`minp*` (one instruction; a NaN operand and a
    /// tie of signed zeros keep the accumulator), a NaN mask on the side (one compare per two
    /// values in the unrolled main loop), and the sign of a zero result decided afterwards by a
    /// [`AccMode::ZeroScan`] pass over the same elements, only when the result is a zero.
    FastMinMax,
    /// Each accumulator is a mask of the lanes that saw the zero that wins a tie (`+0` for max,
    /// `-0` for min).
    ZeroScan,
    /// Not folded (another reduction's scan).
    Skip,
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
    /// Vectors per iteration of the elementwise vector loop ([`plan::groups`]).
    groups: u32,
    /// Lanes of a reduction vectorized across the innermost outer dim (1: off).
    outer_lanes: u32,
    /// While emitting that vectorized reduction: every load is a vector along the outer dim.
    outer_mode: bool,
    /// The shared part of inline vector `sin`/`cos`/`tan` per operand, within one emitted block
    /// (see [`trig::SinCos`]): `sin(x)` and `cos(x)` of the same `x` reduce it once.
    sincos: Vec<(Value, trig::SinCos)>,
    /// While emitting a vectorized reduction's loops: what the body makes once before them
    /// (indexed like the body; the code is not optimized, so a constant made in the loop would be
    /// made again, a load or two, on every copy of the body; see [`hoist::Hoisted`]).
    body_hoisted: Option<Vec<Option<hoist::Hoisted>>>,
    /// A stack slot of 16 bytes per group for [`Emitter::unary_in_memory`], made on first use.
    lane_buf: Option<StackSlot>,
    /// The ISA has a native fused multiply-add ([`Emitter::mul_add`] emits `fma`; without it
    /// Cranelift's `fma` is a libcall per lane, so the vector math keeps `fmul` + `fadd`).
    fma: bool,
}

impl<'k, 'f> Emitter<'k, 'f> {
    fn new(b: FunctionBuilder<'f>, k: &'k Kernel, fns: Helpers, plan: Plan, fma: bool) -> Self {
        Emitter {
            b,
            k,
            fns,
            lanes: plan.lanes,
            groups: plan.groups,
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
            sincos: Vec::new(),
            body_hoisted: None,
            lane_buf: None,
            fma,
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

    /// The end of an inline vector routine with a fast path: the values `hot`, or those `cold` emits
    /// in a block of its own when the `i8` truth value `go` (a `vany_true`/`vall_true` of a lane
    /// mask) is `cold_when`. The cold block is placed out of line (`set_cold_block`), so a vector
    /// on the fast path takes one not-taken branch.
    fn hot_or_cold(
        &mut self,
        hot: &[Value],
        go: Value,
        cold_when: bool,
        cold: impl FnOnce(&mut Self) -> Vec<Value>,
    ) -> Vec<Value> {
        let vars: Vec<Variable> = hot
            .iter()
            .map(|&h| {
                let var = self.b.declare_var(self.b.func.dfg.value_type(h));
                self.b.def_var(var, h);
                var
            })
            .collect();
        let cold_block = self.b.create_block();
        let merge = self.b.create_block();
        self.b.set_cold_block(cold_block);
        if cold_when {
            self.b.ins().brif(go, cold_block, &[], merge, &[]);
        } else {
            self.b.ins().brif(go, merge, &[], cold_block, &[]);
        }
        self.b.switch_to_block(cold_block);
        let rs = cold(self);
        for (&var, r) in vars.iter().zip(rs) {
            self.b.def_var(var, r);
        }
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(merge);
        vars.iter().map(|&v| self.b.use_var(v)).collect()
    }

    /// `cond ? a : b`: `cond` is an `i8` bool in scalar code, a mask in vector code.
    fn sel(&mut self, cond: Value, a: Value, b: Value) -> Value {
        let t = self.b.func.dfg.value_type(a);
        let ct = self.b.func.dfg.value_type(cond);
        if t.is_vector()
            && t.lane_type().is_float()
            && ct.lane_type().is_int()
            && ct.bits() == t.bits()
        {
            // An integer mask (an `icmp`) selects in its own type: x64 lowers `bitselect` of an
            // `icmp` to one `pblendvb`, but of a bitcast `icmp` to `and`/`andn`/`or`; the bitcasts
            // of the operands are free.
            let (ai, bi) = (self.bitcast(ct, a), self.bitcast(ct, b));
            let r = self.b.ins().bitselect(cond, ai, bi);
            self.bitcast(t, r)
        } else if t.is_vector() {
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

    /// A float unary op of vectors `xs` through memory: they are stored to a stack slot, one
    /// helper call runs the scalar routine over their lanes in place, the results are loaded back.
    /// For cold paths: a fraction of the code (and of the compile time) of a call per lane.
    fn unary_in_memory(&mut self, op: UnaryOp, xs: &[Value]) -> Vec<Value> {
        let t = self.b.func.dfg.value_type(xs[0]);
        let size = 16 * self.groups.max(xs.len() as u32);
        let slot = *self.lane_buf.get_or_insert_with(|| {
            self.b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, size, 4))
        });
        let p = self.b.ins().stack_addr(PTR, slot, 0);
        let flags = MemFlagsData::trusted();
        for (g, &x) in xs.iter().enumerate() {
            self.b.ins().store(flags, x, p, 16 * g as i32);
        }
        let opi = self.iconst(types::I32, helpers::unary_index(op) as i64);
        let f32 = self.iconst(types::I32, (t.lane_type() == types::F32) as i64);
        let n = self.iconst(types::I64, (t.lane_count() as usize * xs.len()) as i64);
        let f = self.fns.unary_vec;
        self.b.ins().call(f, &[opi, f32, p, n]);
        (0..xs.len())
            .map(|g| self.b.ins().load(t, flags, p, 16 * g as i32))
            .collect()
    }

    fn call1(&mut self, f: FuncRef, args: &[Value]) -> Value {
        let call = self.b.ins().call(f, args);
        self.b.inst_results(call)[0]
    }
}

/// Binary ops that run lane by lane (or through a helper call) in vector code for some dtype.
pub(crate) fn lanewise_binary(op: BinaryOp) -> bool {
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
