//! Without an NVIDIA driver (CI, most machines) asking for a CUDA device is a clear error, never a
//! panic, and the CPU path is untouched: it computes before and after the failed request.

use lazulite_frontend as lz;
use lazulite_ir::ErrorKind;

fn cpu_sum() -> f64 {
    let x = lz::from_vec((0..10_000).map(|i| i as f64).collect(), &[10_000]).expect("array");
    let s = lz::sum(&lz::multiply(&x, &x).expect("multiply"), None, false, None).expect("sum");
    s.compute().expect("compute").get(&[]).as_f64()
}

#[test]
fn asking_for_cuda_without_a_driver_is_a_clear_error() {
    let expect: f64 = (0..10_000).map(|i| (i as f64) * (i as f64)).sum();
    assert_eq!(cpu_sum(), expect);
    match lazulite_runtime::cuda::open_device(0) {
        Ok(_) => eprintln!("a CUDA device is present: nothing to check here"),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Value, "{}", e.message);
            assert!(
                e.message.contains("cuda:0") && e.message.contains("not available"),
                "{}",
                e.message
            );
            assert!(
                e.message.contains("CPU"),
                "the message names the fix: {}",
                e.message
            );
            // asking again is the same error (the probe is cached), still no panic
            let again = lazulite_runtime::cuda::open_device(3).unwrap_err();
            assert!(again.message.contains("cuda:3"), "{}", again.message);
        }
    }
    assert_eq!(
        cpu_sum(),
        expect,
        "the CPU path works after the failed request"
    );
}
