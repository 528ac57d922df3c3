//! Tiered compilation (`Config::quick_tier`): a large cold kernel's first call runs quick code, the
//! background compiler swaps in the optimized code, both agree with the interpreter, the queue is
//! bounded and drains, and `ExecPolicy::CompileAlways` still compiles optimized code synchronously.
//! One test function: the configuration is process-wide, so its steps must not interleave.

mod common;
use common::chains::{assert_close, chain, input, run};
use lazulite_ir::{Graph, NodeId, UnaryOp};
use lazulite_runtime::{
    background_compiles_pending, config, set_config, stats, wait_for_background_compiles, Config,
    ExecPolicy,
};
use std::time::Duration;

#[test]
fn quick_code_first_then_optimized_from_the_background() {
    let base = config();
    let n = 4096;
    let x = input(n);
    let tiered = Config {
        policy: ExecPolicy::Auto,
        quick_tier: true,
        compile_threshold: 1024,
        ..base.clone()
    };

    // The oracle: the same chain through the interpreter.
    let (g, y) = chain(n, 6, UnaryOp::Exp);
    set_config(Config {
        policy: ExecPolicy::InterpretOnly,
        ..base.clone()
    });
    let want = run(&g, y, &x);

    // First call: quick code, compiled on this thread; the optimized compile is queued.
    set_config(tiered.clone());
    let s0 = stats();
    let quick = run(&g, y, &x);
    let s1 = stats();
    assert_eq!(s1.quick_compiles - s0.quick_compiles, 1, "{s1:?}");
    assert_eq!(s1.compiled_runs - s0.compiled_runs, 1, "{s1:?}");
    assert_close(&quick, &want, "quick code");
    assert!(
        wait_for_background_compiles(Duration::from_secs(120)),
        "the background compile did not finish"
    );
    let s2 = stats();
    assert_eq!(s2.background_compiles - s0.background_compiles, 1, "{s2:?}");
    assert_eq!(s2.kernels_compiled - s0.kernels_compiled, 2, "{s2:?}");
    assert_eq!(s2.compile_failures, s0.compile_failures, "{s2:?}");
    assert!(s2.background_compile_time_ns > s0.background_compile_time_ns);

    // Later calls run the optimized code: no compile, and the same values bit for bit (the two tiers
    // differ only in register allocation).
    let optimized = run(&g, y, &x);
    let s3 = stats();
    assert_eq!(s3.kernels_compiled, s2.kernels_compiled, "{s3:?}");
    assert_eq!(s3.quick_compiles, s2.quick_compiles, "{s3:?}");
    assert_eq!(s3.compiled_runs - s2.compiled_runs, 1, "{s3:?}");
    assert_eq!(optimized, quick, "optimized and quick code disagree");

    // Bounded queue: more fresh kernels than it holds, offered as fast as their first calls come.
    // A kernel whose offer found the queue full keeps its quick code and offers again on a later
    // call; in the end every one runs optimized code.
    let kernels: Vec<(Graph, NodeId)> = (0..40).map(|i| chain(n, 1 + i, UnaryOp::Tanh)).collect();
    let s4 = stats();
    for (g, y) in &kernels {
        run(g, *y, &x);
        assert!(background_compiles_pending() <= 40);
    }
    assert_eq!(stats().quick_compiles - s4.quick_compiles, 40);
    let mut rounds = 0;
    while stats().background_compiles - s4.background_compiles < 40 {
        rounds += 1;
        assert!(rounds <= 5, "{:?}", stats());
        assert!(wait_for_background_compiles(Duration::from_secs(300)));
        for (g, y) in &kernels {
            run(g, *y, &x);
        }
    }
    assert!(wait_for_background_compiles(Duration::from_secs(300)));
    let s5 = stats();
    assert_eq!(
        s5.background_compiles - s4.background_compiles,
        40,
        "{s5:?}"
    );
    assert_eq!(s5.compile_failures, s4.compile_failures, "{s5:?}");

    // `LAZULITE_EXEC=compile` stays synchronous and optimized, quick tier or not.
    set_config(Config {
        policy: ExecPolicy::CompileAlways,
        ..tiered
    });
    let (g, y) = chain(n, 5, UnaryOp::Sqrt);
    let s6 = stats();
    run(&g, y, &x);
    let s7 = stats();
    assert_eq!(s7.kernels_compiled - s6.kernels_compiled, 1, "{s7:?}");
    assert_eq!(s7.quick_compiles, s6.quick_compiles, "{s7:?}");
    assert_eq!(background_compiles_pending(), 0);

    set_config(base);
}
