//! The on-disk kernel cache: a second compile of the same kernel is a hit (a counter), a different
//! NVRTC version or target is a miss, concurrent writers and readers never see a torn file, and with
//! NVRTC present a real CUBIN goes through it.
//! All in one test function: the cache folder is process-wide (`LAZULITE_CACHE_DIR`).

use lazulite_runtime::disk_cache::{counts, dir, get_or_compile, kernel_key};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn the_disk_kernel_cache_compiles_once_and_never_tears() {
    let tmp = std::env::temp_dir().join(format!("lazulite-disk-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    // SAFETY (edition 2021: set_var is safe): this test binary has this one test, so no other thread
    // reads the environment concurrently.
    std::env::set_var("LAZULITE_CACHE_DIR", &tmp);
    assert_eq!(dir(), Some(tmp.join("kernels")));

    // a second run compiles nothing
    let compiles = AtomicUsize::new(0);
    let key = kernel_key("__global__ void k() {}", "sm_90", "cubin", (13, 0));
    let image: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let compile = || {
        compiles.fetch_add(1, Ordering::SeqCst);
        Ok(image.clone())
    };
    assert_eq!(get_or_compile(&key, compile).unwrap(), image);
    assert_eq!(get_or_compile(&key, compile).unwrap(), image);
    assert_eq!(
        compiles.load(Ordering::SeqCst),
        1,
        "the second call is a hit"
    );
    let files: Vec<_> = std::fs::read_dir(tmp.join("kernels")).unwrap().collect();
    assert_eq!(
        files.len(),
        1,
        "one file, no temporary left behind: {files:?}"
    );

    // another NVRTC version or target is another entry
    let other = kernel_key("__global__ void k() {}", "sm_90", "cubin", (13, 1));
    assert_ne!(other, key);
    assert_eq!(get_or_compile(&other, compile).unwrap(), image);
    let sm80 = kernel_key("__global__ void k() {}", "sm_80", "cubin", (13, 0));
    assert_eq!(get_or_compile(&sm80, compile).unwrap(), image);
    assert_eq!(compiles.load(Ordering::SeqCst), 3);

    // a truncated or foreign file is a miss, not a wrong kernel
    for e in std::fs::read_dir(tmp.join("kernels")).unwrap().flatten() {
        let p = e.path();
        let b = std::fs::read(&p).unwrap();
        std::fs::write(&p, &b[..b.len() / 2]).unwrap();
    }
    assert_eq!(get_or_compile(&key, compile).unwrap(), image);
    assert_eq!(
        compiles.load(Ordering::SeqCst),
        4,
        "a torn file is recompiled"
    );

    // concurrent writers and readers of fresh keys: every read is whole
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                for round in 0..20 {
                    let key = kernel_key(&format!("k{}", round % 5), "sm_90", "cubin", (13, 0));
                    let want: Vec<u8> = (0..200_000usize)
                        .map(|i| ((i + round % 5) % 256) as u8)
                        .collect();
                    let w = Arc::new(want.clone());
                    let got = get_or_compile(&key, move || Ok((*w).clone())).unwrap();
                    assert_eq!(got, want, "thread {t} round {round}: a torn or wrong image");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no thread failed");
    }
    let (hits, _) = counts();
    assert!(hits > 0);

    // with NVRTC, a real kernel: CUBIN compiled once, then read back identical
    if lazulite_runtime::cuda::nvrtc_ready().is_ok() {
        let src = "extern \"C\" __global__ void lz_twice(double* x) { x[threadIdx.x] *= 2.0; }\n";
        let v = lazulite_runtime::cuda::nvrtc_version().unwrap();
        let key = kernel_key(src, "sm_90", "cubin", v);
        let n = AtomicUsize::new(0);
        let build = || {
            n.fetch_add(1, Ordering::SeqCst);
            lazulite_runtime::cuda::compile(src, "sm_90", lazulite_runtime::cuda::Output::Cubin)
        };
        let a = get_or_compile(&key, build).expect("NVRTC compiles");
        let b = get_or_compile(&key, build).expect("cached");
        assert_eq!(
            (!a.is_empty(), a == b, n.load(Ordering::SeqCst)),
            (true, true, 1)
        );
        assert_eq!(&a[..4], b"\x7fELF", "a CUBIN is an ELF image");
    } else {
        eprintln!("NVRTC part SKIPPED: no NVRTC");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
