//! Dropping compiled kernels frees their code. Alone in its binary: VmSize is process-wide, and
//! concurrently running tests (thread stacks, malloc arenas) would blur it.

mod common;
use common::*;
use lazulite_codegen_cpu::compile;
use lazulite_ir::*;
use StrideClass::*;

fn kernel() -> Kernel {
    let f = DType::F64;
    Kernel {
        ndim: 2,
        n_reduce: 0,
        inputs: vec![input(f, Contiguous), input(f, Broadcast)],
        body: vec![
            instr(Inst::Load { input: 0 }, f),
            instr(Inst::Load { input: 1 }, f),
            instr(Inst::Binary(BinaryOp::Mul, 0, 1), f),
            instr(Inst::Unary(UnaryOp::Exp, 2), f),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(3, f, Contiguous)],
    }
}

fn vm_size_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmSize:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn dropping_kernels_frees_code() {
    let k = kernel();
    for _ in 0..50 {
        drop(compile(&k).unwrap());
    }
    let Some(before) = vm_size_kib() else { return };
    for j in 0..500 {
        let ck = compile(&k).unwrap();
        if j % 100 == 0 {
            let mut case = Case::contiguous(&k, &[2, 9]);
            case.in_strides = vec![vec![9, 1], vec![1, 0]];
            check_compiled(&k, ck.entry(), &case);
        }
    }
    let after = vm_size_kib().unwrap();
    eprintln!("VmSize before {before} KiB, after 500 compile+drop {after} KiB");
    // A leak costs at least one 4 KiB page per kernel (2000 KiB here).
    assert!(
        after < before + 512,
        "VmSize grew from {before} KiB to {after} KiB over 500 kernels"
    );
}
