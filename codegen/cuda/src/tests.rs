//! Text-level checks of the renderer (no compiler needed); compiled and executed checks live in the
//! `tests` crate (`cuda_emulator.rs`, `cuda_nvrtc.rs`).

use super::*;
use lazulite_ir::{KernelInput, KernelOutput, KernelReduce, StrideClass};

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
fn complex_transcendentals_are_declined() {
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
    let e = render(&k, "c").unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotImplemented);
    assert!(e.message.contains("exp") && e.message.contains("complex64"));
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
fn kernels_past_the_instruction_limit_are_declined() {
    let mut k = elementwise(DType::I32);
    for _ in 0..MAX_INSTRUCTIONS {
        let last = k.body.len() as u32 - 1;
        k.body.push(Instr {
            inst: Inst::Unary(UnaryOp::Neg, last),
            dtype: DType::I32,
        });
    }
    k.outputs[0].value = k.body.len() as u32 - 1;
    let e = render(&k, "long").unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotImplemented);
    assert!(e.message.contains("limit"), "{}", e.message);
}
