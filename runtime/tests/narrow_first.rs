//! Narrow first (`Config::narrow_first`, on by default): the first call of a large cold kernel whose
//! loop interleaves several vectors compiles narrow code (one vector per iteration); its second call
//! offers the wide code to the background compiler, which swaps it in; both give the interpreter's
//! values (and the same bits). A kernel called once never gets its wide compile; a first call of
//! `WIDE_FIRST_WORK` points or more, a short body, `narrow_first` off and `LAZULITE_EXEC=compile`
//! all compile the wide code at once. One test function: the configuration is process-wide.

mod common;
use common::chains::{assert_close, chain, input, run};
use lazulite_ir::UnaryOp;
use lazulite_runtime::{
    background_compiles_pending, config, set_config, stats, wait_for_background_compiles, Config,
    ExecPolicy, Stats, WIDE_FIRST_WORK,
};
use std::time::Duration;

/// Compiles, narrow ones and background ones between two snapshots.
fn compiles(a: &Stats, b: &Stats) -> (u64, u64, u64) {
    (
        b.kernels_compiled - a.kernels_compiled,
        b.narrow_compiles - a.narrow_compiles,
        b.background_compiles - a.background_compiles,
    )
}

#[test]
fn narrow_code_first_then_wide_code_from_the_background() {
    let base = config();
    let n = 4096;
    let x = input(n);
    let interpret = Config {
        policy: ExecPolicy::InterpretOnly,
        ..base.clone()
    };
    let narrow = Config {
        policy: ExecPolicy::Auto,
        quick_tier: false,
        narrow_first: true,
        compile_threshold: 1024,
        ..base.clone()
    };

    // Six sin/cos/exp steps: ~550 instructions a vector, so `compile` interleaves two.
    let (g, y) = chain(n, 6, UnaryOp::Exp);
    set_config(interpret.clone());
    let want = run(&g, y, &x);

    set_config(narrow.clone());
    let s0 = stats();
    let first = run(&g, y, &x);
    assert!(wait_for_background_compiles(Duration::from_secs(120)));
    let s1 = stats();
    assert_eq!(compiles(&s0, &s1), (1, 1, 0), "{s1:?}");
    assert_eq!(s1.compiled_runs - s0.compiled_runs, 1, "{s1:?}");
    assert_eq!(s1.quick_compiles, s0.quick_compiles, "{s1:?}");
    assert_close(&first, &want, "narrow code");

    // The second call runs the narrow code and queues the wide compile.
    let second = run(&g, y, &x);
    assert_eq!(second, first, "the narrow code changed its values");
    assert!(
        wait_for_background_compiles(Duration::from_secs(120)),
        "the background compile did not finish"
    );
    let s2 = stats();
    assert_eq!(compiles(&s0, &s2), (2, 1, 1), "{s2:?}");
    assert_eq!(s2.compile_failures, s0.compile_failures, "{s2:?}");

    // Later calls run the wide code: no compile, the same bits (the groups only interleave lanes).
    let wide = run(&g, y, &x);
    let s3 = stats();
    assert_eq!(compiles(&s2, &s3), (0, 0, 0), "{s3:?}");
    assert_eq!(s3.compiled_runs - s2.compiled_runs, 1, "{s3:?}");
    assert_eq!(wide, first, "wide and narrow code disagree");
    assert_eq!(background_compiles_pending(), 0);

    // Wide code at once: a first call of WIDE_FIRST_WORK points, ...
    let big = WIDE_FIRST_WORK;
    let xb = input(big);
    let (gb, yb) = chain(big, 6, UnaryOp::Tanh);
    set_config(interpret);
    let want_big = run(&gb, yb, &xb);
    set_config(narrow.clone());
    let s4 = stats();
    assert_close(
        &run(&gb, yb, &xb),
        &want_big,
        "wide code of a large first call",
    );
    assert_close(&run(&gb, yb, &xb), &want_big, "wide code, second call");
    assert!(wait_for_background_compiles(Duration::from_secs(120)));
    let s5 = stats();
    assert_eq!(compiles(&s4, &s5), (1, 0, 0), "{s5:?}");
    // ... a short body (one step: one vector per iteration anyway), ...
    let (gs, ys) = chain(n, 1, UnaryOp::Exp);
    run(&gs, ys, &x);
    run(&gs, ys, &x);
    assert!(wait_for_background_compiles(Duration::from_secs(120)));
    let s6 = stats();
    assert_eq!(compiles(&s5, &s6), (1, 0, 0), "{s6:?}");
    // ... narrow_first off, ...
    set_config(Config {
        narrow_first: false,
        ..narrow.clone()
    });
    let (g7, y7) = chain(n, 7, UnaryOp::Exp);
    run(&g7, y7, &x);
    run(&g7, y7, &x);
    assert!(wait_for_background_compiles(Duration::from_secs(120)));
    let s7 = stats();
    assert_eq!(compiles(&s6, &s7), (1, 0, 0), "{s7:?}");
    // ... and `LAZULITE_EXEC=compile` (synchronous, deterministic).
    set_config(Config {
        policy: ExecPolicy::CompileAlways,
        ..narrow
    });
    let (g8, y8) = chain(n, 8, UnaryOp::Exp);
    run(&g8, y8, &x);
    run(&g8, y8, &x);
    let s8 = stats();
    assert_eq!(compiles(&s7, &s8), (1, 0, 0), "{s8:?}");
    assert_eq!(background_compiles_pending(), 0);

    set_config(base);
}
