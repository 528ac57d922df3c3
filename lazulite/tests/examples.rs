//! Runs the facade's examples (default sizes: well under a second each) inside `cargo test`, so that
//! `make test` checks each against its plain Rust oracle without a second build of the engine.

#[allow(dead_code)]
#[path = "../examples/signal.rs"]
mod signal;

#[allow(dead_code)]
#[path = "../examples/mmap_stats.rs"]
mod mmap_stats;

#[allow(dead_code)]
#[path = "../examples/pipeline.rs"]
mod pipeline;

#[test]
fn signal_pipeline_matches_plain_rust() {
    signal::main().expect("the signal example agrees with its oracle");
}

#[test]
fn mmap_batched_statistics_match_plain_rust() {
    mmap_stats::main().expect("the mmap statistics example agrees with its oracle");
}

#[test]
fn normalise_clip_sum_pipeline_matches_plain_rust() {
    pipeline::main().expect("the pipeline example agrees with its oracle");
}

#[allow(dead_code)]
#[path = "../examples/devices.rs"]
mod devices;

#[test]
fn softmax_on_the_chosen_device_matches_plain_rust() {
    devices::main().expect("the devices example agrees with its oracle");
}
