//! Text-level checks of the renderer (no compiler needed); compiled and executed checks live in the
//! `tests` crate (`cuda_emulator.rs`, `cuda_nvrtc.rs`).

use super::*;
use lazulite_ir::{KernelInput, KernelOutput, KernelReduce, ReduceOp, StrideClass};

fn defines(name: &str) -> bool {
    // a definition is the name followed by `(` after a return type, in a plain or macro-generated line
    PRELUDE.contains(&format!(" {name}(")) && PRELUDE.contains(&format!("{name}("))
}

#[test]
fn every_op_row_names_a_prelude_function() {
    for op in UnaryOp::ALL {
        assert!(defines(op.cuda()), "{} ({}) missing", op.name(), op.cuda());
    }
    for op in BinaryOp::ALL {
        assert!(defines(op.cuda()), "{} ({}) missing", op.name(), op.cuda());
    }
    for op in ReduceOp::ALL {
        assert_eq!(op.cuda(), op.combiner().cuda(), "{}", op.name());
    }
}

fn elementwise(d: DType) -> Kernel {
    let ins = |inst| Instr { inst, dtype: d };
    Kernel {
        ndim: 2,
        n_reduce: 0,
        inputs: vec![
            KernelInput {
                dtype: d,
                inner: StrideClass::Contiguous
            };
            2
        ],
        body: vec![
            ins(Inst::Load { input: 0 }),
            ins(Inst::Load { input: 1 }),
            ins(Inst::Binary(BinaryOp::Add, 0, 1)),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![KernelOutput {
            value: 2,
            dtype: d,
            inner: StrideClass::Contiguous,
        }],
    }
}

#[test]
fn elementwise_kernel_has_fast_and_general_paths() {
    let src = render(&elementwise(DType::F32), "k").unwrap();
    assert!(src.contains("extern \"C\" __global__ void k(const LzArgs<2, 1, 2, 2> a)"));
    assert!(src.contains("if (!a.contiguous)"));
    assert!(src.contains("r_ % a.shape[1]"));
    assert!(src.contains("lz_add(v0, v1)"));
    assert!(!src.contains("atomic"));
}

#[test]
fn reduction_uses_shuffles_and_shared_memory() {
    let mut k = elementwise(DType::F64);
    k.n_reduce = 1;
    k.reduces = vec![KernelReduce {
        op: ReduceOp::Max,
        value: 2,
    }];
    k.epilogue = vec![Instr {
        inst: Inst::Reduced(0),
        dtype: DType::F64,
    }];
    k.outputs[0].value = 0;
    let src = render(&k, "r").unwrap();
    assert!(src.contains("lz_shfl_down(acc0, o)"));
    assert!(src.contains("__shared__ f64 lz_sh0[32]"));
    assert!(src.contains("__syncthreads()"));
    // max starts from -inf (bits 0xfff0...)
    assert!(src.contains("0xfff0000000000000"));
    assert!(!src.contains("atomic"));
}

#[test]
fn complex_transcendentals_render() {
    let d = DType::C64;
    let ins = |inst| Instr { inst, dtype: d };
    let k = Kernel {
        ndim: 1,
        n_reduce: 0,
        inputs: vec![KernelInput {
            dtype: d,
            inner: StrideClass::Contiguous,
        }],
        body: vec![
            ins(Inst::Load { input: 0 }),
            ins(Inst::Unary(UnaryOp::Exp, 0)),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![KernelOutput {
            value: 1,
            dtype: d,
            inner: StrideClass::Contiguous,
        }],
    };
    let src = render(&k, "c").unwrap();
    assert!(src.contains("lz_exp(v0)"));
    assert!(PRELUDE.contains("LZ_FN C lz_exp(C a) { return TO(lz_cexp(lz_cd_of(a))); }"));
    for op in UnaryOp::ALL {
        assert_eq!(
            complex_unary_supported(*op),
            op.result_dtype(DType::C64).is_ok(),
            "{}",
            op.name()
        );
    }
    assert!(complex_binary_supported(BinaryOp::Pow));
}

#[test]
fn constants_are_exact_bits() {
    assert_eq!(
        constant(Scalar::Float(-0.0), DType::F64),
        "__longlong_as_double((long long)0x8000000000000000ULL)"
    );
    assert_eq!(
        constant(Scalar::Float(1.0), DType::F32),
        "__int_as_float(0x3f800000)"
    );
    assert_eq!(
        constant(Scalar::Int(-1), DType::I8),
        "((i8)(u64)0xffffffffffffffffULL)"
    );
    assert_eq!(constant(Scalar::Bool(true), DType::Bool), "true");
}

#[test]
fn kernels_past_the_instruction_limit_are_split_into_helpers() {
    let mut k = elementwise(DType::I32);
    // a chain with a second output in the middle and a use that crosses two segment boundaries
    for _ in 0..MAX_INSTRUCTIONS {
        let last = k.body.len() as u32 - 1;
        k.body.push(Instr {
            inst: Inst::Unary(UnaryOp::Neg, last),
            dtype: DType::I32,
        });
    }
    let last = k.body.len() as u32 - 1;
    k.body.push(Instr {
        inst: Inst::Binary(BinaryOp::Add, last, 2),
        dtype: DType::I32,
    });
    k.outputs[0].value = k.body.len() as u32 - 1;
    let src = render(&k, "long").unwrap();
    let n_seg = k.body.len().div_ceil(SEGMENT);
    for s in 0..n_seg {
        assert!(src.contains(&format!("static __device__ __noinline__ void long_s{s}(")));
        assert!(src.contains(&format!("    long_s{s}(a, oi0, oi1, oo0")));
    }
    // v2 is defined in segment 0 and read in the last one: returned by reference, passed by value
    assert!(src.contains("i32& r2"));
    assert!(src.contains("const i32 v2"));
    // helpers come before the kernel
    assert!(src.find("long_s0(").unwrap() < src.find("__global__").unwrap());
    // a long reduction body: helpers once, before the three entry points
    let mut r = k.clone();
    r.n_reduce = 1;
    r.reduces = vec![KernelReduce {
        op: ReduceOp::Sum,
        value: k.body.len() as u32 - 1,
    }];
    r.epilogue = vec![Instr {
        inst: Inst::Reduced(0),
        dtype: DType::I32,
    }];
    r.outputs[0].value = 0;
    let src = render(&r, "lr").unwrap();
    assert_eq!(src.matches("void lr_s0(").count(), 1);
    assert!(src.find("void lr_s0(").unwrap() < src.find("__global__").unwrap());
    // an epilogue past the limit is still declined
    let mut e = r.clone();
    for _ in 0..MAX_INSTRUCTIONS {
        e.epilogue.push(Instr {
            inst: Inst::Unary(UnaryOp::Neg, e.epilogue.len() as u32 - 1),
            dtype: DType::I32,
        });
    }
    let err = render(&e, "le").unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotImplemented);
    assert!(err.message.contains("limit"), "{}", err.message);
}

fn full_sum(d: DType) -> Kernel {
    let mut k = elementwise(d);
    k.ndim = 1;
    k.n_reduce = 1;
    k.inputs.truncate(1);
    k.body.truncate(1);
    k.reduces = vec![
        KernelReduce {
            op: ReduceOp::Sum,
            value: 0,
        },
        KernelReduce {
            op: ReduceOp::Max,
            value: 0,
        },
    ];
    k.epilogue = vec![
        Instr {
            inst: Inst::Reduced(0),
            dtype: d,
        },
        Instr {
            inst: Inst::Reduced(1),
            dtype: d,
        },
    ];
    k.outputs = vec![
        KernelOutput {
            value: 0,
            dtype: d,
            inner: StrideClass::Contiguous,
        },
        KernelOutput {
            value: 1,
            dtype: d,
            inner: StrideClass::Contiguous,
        },
    ];
    k
}

#[test]
fn reductions_render_the_single_pass_and_both_passes_of_the_grid_wide_form() {
    let src = render(&full_sum(DType::F32), "s").unwrap();
    assert!(src.contains("void s(const LzArgs<1, 2, 1, 0> a)"));
    assert!(src.contains(
        "void s_partial(const LzArgs<1, 2, 1, 0> a, unsigned char* partials, const long long n_chunks)"
    ));
    assert!(src.contains(
        "void s_final(const LzArgs<1, 2, 1, 0> a, const unsigned char* partials, const long long n_chunks)"
    ));
    // the second reduction's partials start after the first's, 16-byte aligned
    assert!(src.contains("lz_po1 = lz_po0 + (((long long)sizeof(f32) * n_part + 15) & ~15LL)"));
    assert!(!src.contains("atomic"));
}

#[test]
fn the_reduction_plan_depends_on_the_sizes_only() {
    let k = full_sum(DType::F64);
    // small rows: one pass, one block per outer point
    let p = reduction_plan(&k, "s", &[1000]).unwrap();
    assert_eq!(p.n_chunks, 1);
    assert_eq!(
        p.passes,
        vec![Pass {
            entry: "s".into(),
            grid: 1,
            block: REDUCE_BLOCK
        }]
    );
    assert_eq!(p.partials_bytes, 0);
    // a full reduction of 2^28 elements: MAX_CHUNKS blocks in pass 1, one in pass 2
    let p = reduction_plan(&k, "s", &[1 << 28]).unwrap();
    assert_eq!(p.n_chunks, MAX_CHUNKS);
    assert_eq!(p.passes.len(), 2);
    assert_eq!(p.passes[0].entry, "s_partial");
    assert_eq!(p.passes[0].grid as u64, MAX_CHUNKS);
    assert_eq!(p.passes[1].entry, "s_final");
    assert_eq!(p.passes[1].grid, 1);
    // two f64 arrays of 1024 partials
    assert_eq!(p.partials_bytes, 2 * 8 * 1024);
    // 2^20 + 3: 128 slices of 8193 points
    assert_eq!(chunks_for(1, (1 << 20) + 3), 128);
    assert_eq!(chunks_for(1, 2 * PARTIAL_CHUNK - 1), 1);
    // many outer points fill the GPU already; a few large rows are cut so that the grid stays bounded
    assert_eq!(chunks_for(TWO_PASS_MAX_OUTER, 1 << 30), 1);
    assert_eq!(chunks_for(100, 1 << 30), 40);
    assert_eq!(chunks_for(0, 1 << 30), 1);
    // partials of a 1-byte dtype are padded to 16 bytes per reduction
    let b = full_sum(DType::I8);
    assert_eq!(partials_bytes(&b, 3, 3), 32);
    let e = reduction_plan(&elementwise(DType::F32), "e", &[2, 2]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal);
}
