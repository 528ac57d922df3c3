//! Compiled kernels against the interpreter, the oracle of the Rust tests: random kernels (op chains of
//! one dtype family, comparisons and selects, casts, reductions, epilogues) on random layouts
//! (contiguous, broadcast, strided, negative strides, odd sizes, ranks 0..=3), run both ways, compared.
//! Integers and bools must agree exactly, floats bit for bit up to NaN payloads, except sums and products
//! whose association order differs (vector accumulators): those within a tolerance.

use lazulite_codegen_cpu::KernelArgs;
use lazulite_ir::ReduceOp;
use lazulite_tests::kernel_cases::{case_strategy, close, run_case, Case};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Runs one case; `Ok(false)` when the backend declined the kernel (the interpreter then runs it).
fn check(case: &Case) -> Result<bool, TestCaseError> {
    let compiled = match lazulite_codegen_cpu::compile(&case.kernel) {
        Ok(c) => c,
        Err(e) if e.kind == lazulite_ir::ErrorKind::NotImplemented => return Ok(false),
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "compile failed: {e}\n{}",
                case.kernel.pretty()
            )))
        }
    };
    let interp = run_case(case, &|args, s, e| {
        lazulite_runtime::interpret(&case.kernel, args, s, e).expect("interpreter")
    });
    let entry = compiled.entry();
    // SAFETY: `run_case` builds `args` whose pointers cover every element the kernel reads or writes for
    // these shapes and strides, and they live until after the call returns.
    let jit = run_case(case, &|args, s, e| unsafe {
        entry(args as *const KernelArgs, s, e)
    });
    let loose = case
        .kernel
        .reduces
        .iter()
        .any(|r| matches!(r.op, ReduceOp::Sum | ReduceOp::Prod));
    for (i, o) in case.kernel.outputs.iter().enumerate() {
        prop_assert!(
            close(o.dtype, &interp[i], &jit[i], loose),
            "output {i} differs\nshape {:?} strides {:?}\n{}\ninterpreter {:?}\ncompiled    {:?}",
            case.shape,
            case.in_strides,
            case.kernel.pretty(),
            interp[i],
            jit[i]
        );
    }
    Ok(true)
}

#[test]
fn compiled_kernels_match_the_interpreter() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;
    let cases = if std::env::var("CI").is_ok() {
        300
    } else {
        600
    };
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let (compiled, declined) = (Cell::new(0u32), Cell::new(0u32));
    let result = runner.run(&case_strategy(), |case| {
        if check(&case)? {
            compiled.set(compiled.get() + 1);
        } else {
            declined.set(declined.get() + 1);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Every kernel here uses only real dtypes, which the backend must compile: a decline is a gap.
    assert_eq!(
        declined.get(),
        0,
        "the backend declined {} of {} real-dtype kernels",
        declined.get(),
        compiled.get() + declined.get()
    );
    assert!(
        compiled.get() >= cases / 2,
        "only {} cases compiled",
        compiled.get()
    );
}
