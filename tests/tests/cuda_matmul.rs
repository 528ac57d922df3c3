//! Matmul on the emulated CUDA device (`lazulite_tests::cuda_device`) through the driver's gemm (the
//! emulator's stand-in for cuBLAS): float32, float64, complex64 and complex128; 1-D operands, batches
//! with broadcasting, transposed and strided views; each result equal to the CPU matmul within
//! `2 k eps (|x1| @ |x2|)` elementwise, with no host round trip counted. Integer matmul stays an
//! explicit, counted host round trip. Skipped (with a message) where g++ is missing.

use lazulite_frontend::{self as lz, Complex128, IndexItem, LazyArray};
use lazulite_ir::{DType, Device};
use lazulite_runtime::backend::cuda::{transfer_stats, CudaDevice};
use lazulite_runtime::backend::cuda_matmul::gemm_calls;
use lazulite_tests::cuda_device::{inputs_on, on_device, vals, values};

/// Serialises the tests of this file: they read process-wide counters.
static DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn enabled() -> Option<std::sync::MutexGuard<'static, ()>> {
    let g = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    lazulite_tests::cuda_device::enable().then_some(g)
}

/// An array of `dtype` with values in [-10, 10] (complex ones with an imaginary part too).
fn arr(shape: &[usize], seed: u64, dtype: DType) -> LazyArray {
    let n = shape.iter().product();
    let x = if dtype.is_complex() {
        let (re, im) = (vals(n, seed), vals(n, seed ^ 0x55));
        let z: Vec<Complex128> = re
            .into_iter()
            .zip(im)
            .map(|(re, im)| Complex128::new(re, im))
            .collect();
        lz::from_vec(z, shape).expect("array")
    } else {
        lz::from_vec(vals(n, seed), shape).expect("array")
    };
    lz::astype(&x, dtype).expect("astype")
}

fn eps(dt: DType) -> f64 {
    match dt {
        DType::F32 | DType::C64 => f32::EPSILON as f64,
        _ => f64::EPSILON,
    }
}

/// `x1 @ x2` on the CPU and on `cuda:0` (where it must run as gemms, no host round trip): equal within
/// `2 k eps (|x1| @ |x2|) + tiny` elementwise, the bound of a k-term dot product in either order (times
/// two for the complex products' own rounding). `k` is the contracted length.
fn check(what: &str, x1: &LazyArray, x2: &LazyArray, k: usize) {
    let p = lz::matmul(x1, x2).unwrap_or_else(|e| panic!("{what}: {e}"));
    // the scale of each element: |x1| @ |x2| in float64 on the CPU
    let abs64 = |x: &LazyArray| lz::astype(&lz::abs(x).unwrap(), DType::F64).unwrap();
    let scale = lz::matmul(&abs64(x1), &abs64(x2)).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&p, &scale]).expect("graph");
    let cpu = lazulite_runtime::compute(&graph, &roots, &inputs).expect("cpu");
    let (graph, roots, inputs) = lz::build_graph(&[&p]).expect("graph");
    let dg = on_device(&graph, Device::Cuda(0));
    let before = (transfer_stats(), gemm_calls());
    let gpu = lazulite_runtime::compute(&dg, &roots, &inputs_on(&inputs, Device::Cuda(0)))
        .unwrap_or_else(|e| panic!("{what} on cuda:0: {e}"));
    let after = (transfer_stats(), gemm_calls());
    assert_eq!(
        after.0.host_round_trips, before.0.host_round_trips,
        "{what}: a host round trip"
    );
    let (c, g) = (&cpu[0], &gpu[0]);
    assert_eq!((c.dtype, &c.shape), (g.dtype, &g.shape), "{what}");
    if c.shape.iter().product::<usize>() > 0 && k > 0 {
        assert!(after.1 > before.1, "{what}: no gemm was issued");
    }
    let bound = 2.0 * k.max(1) as f64 * eps(c.dtype);
    for (i, ((a, b), s)) in values(c)
        .iter()
        .zip(values(g))
        .zip(values(&cpu[1]))
        .enumerate()
    {
        let tol = bound * s.0 + f64::MIN_POSITIVE;
        assert!(
            (a.0 - b.0).abs() <= tol && (a.1 - b.1).abs() <= tol,
            "{what}: element {i}: cpu {a:?}, cuda {b:?} (bound {tol})"
        );
    }
}

const FLOATS: [DType; 4] = [DType::F32, DType::F64, DType::C64, DType::C128];

fn slice(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> IndexItem {
    IndexItem::Slice { start, stop, step }
}

#[test]
fn matrices_and_vectors_of_every_float_dtype_agree_with_the_cpu() {
    let Some(_device) = enabled() else {
        return;
    };
    for dt in FLOATS {
        let a = arr(&[7, 33], 1, dt);
        let b = arr(&[33, 9], 2, dt);
        check(&format!("{dt}: (7, 33) @ (33, 9)"), &a, &b, 33);
        let v = arr(&[33], 3, dt);
        check(&format!("{dt}: (33,) @ (33, 9)"), &v, &b, 33);
        check(&format!("{dt}: (7, 33) @ (33,)"), &a, &v, 33);
        check(&format!("{dt}: (33,) @ (33,)"), &v, &v, 33);
        // operands that are device temps (kernels before the matmul)
        let e = lz::multiply(&a, &a).unwrap();
        check(&format!("{dt}: a*a @ b"), &e, &b, 33);
    }
}

#[test]
fn batches_broadcast_without_copies() {
    let Some(_device) = enabled() else {
        return;
    };
    for dt in [DType::F32, DType::C128] {
        // (3, 1) against (2,): batch (3, 2), x1 broadcast along the second batch axis, x2 along the first
        let a = arr(&[3, 1, 4, 5], 4, dt);
        let b = arr(&[2, 5, 6], 5, dt);
        check(&format!("{dt}: (3, 1, 4, 5) @ (2, 5, 6)"), &a, &b, 5);
        // a weight matrix shared by every batch
        let x = arr(&[2, 3, 4, 5], 6, dt);
        let w = arr(&[5, 6], 7, dt);
        check(&format!("{dt}: (2, 3, 4, 5) @ (5, 6)"), &x, &w, 5);
        check(
            &format!("{dt}: (5,) @ (2, 3, 5, 6)"),
            &arr(&[5], 8, dt),
            &arr(&[2, 3, 5, 6], 9, dt),
            5,
        );
    }
}

#[test]
fn transposed_and_strided_views_agree() {
    let Some(_device) = enabled() else {
        return;
    };
    for dt in [DType::F64, DType::C64] {
        let a = arr(&[6, 8], 10, dt);
        let b = arr(&[9, 6], 11, dt);
        let at = lz::matrix_transpose(&a).unwrap();
        let bt = lz::matrix_transpose(&b).unwrap();
        // transposed views go to the gemm as they are (op T)
        check(&format!("{dt}: a.mT @ b.mT"), &at, &bt, 6);
        check(&format!("{dt}: a.mT @ a"), &at, &a, 6);
        // a batch of transposed matrices (axes permuted)
        let t = lz::permute_dims(&arr(&[5, 2, 4], 12, dt), &[1, 2, 0]).unwrap();
        check(
            &format!("{dt}: permuted (2, 4, 5) @ (5, 3)"),
            &t,
            &arr(&[5, 3], 13, dt),
            5,
        );
        // step slices, a reversed axis and a broadcast row need a contiguous copy first
        let s = lz::getitem(&a, &[slice(None, None, None), slice(None, None, Some(2))]).unwrap();
        check(
            &format!("{dt}: a[:, ::2] @ (4, 3)"),
            &s,
            &arr(&[4, 3], 14, dt),
            4,
        );
        let r = lz::getitem(&a, &[slice(None, None, Some(-1))]).unwrap();
        check(
            &format!("{dt}: a[::-1] @ (8, 2)"),
            &r,
            &arr(&[8, 2], 15, dt),
            8,
        );
        let back = lz::getitem(&arr(&[3, 4, 8], 18, dt), &[slice(None, None, Some(-1))]).unwrap();
        check(
            &format!("{dt}: batch reversed (3, 4, 8) @ (8, 2)"),
            &back,
            &arr(&[8, 2], 19, dt),
            8,
        );
        let row = lz::broadcast_to(&arr(&[1, 8], 16, dt), &[2, 3, 5, 8]).unwrap();
        check(
            &format!("{dt}: broadcast row @ (8, 4)"),
            &row,
            &arr(&[8, 4], 17, dt),
            8,
        );
    }
}

#[test]
fn empty_products_are_zeros_or_empty() {
    let Some(_device) = enabled() else {
        return;
    };
    let dt = DType::F32;
    check(
        "(3, 0) @ (0, 4)",
        &arr(&[3, 0], 1, dt),
        &arr(&[0, 4], 2, dt),
        0,
    );
    check(
        "(0, 5) @ (5, 4)",
        &arr(&[0, 5], 1, dt),
        &arr(&[5, 4], 2, dt),
        5,
    );
    check(
        "(2, 0, 3, 5) @ (5, 4)",
        &arr(&[2, 0, 3, 5], 1, dt),
        &arr(&[5, 4], 2, dt),
        5,
    );
}

#[test]
fn integer_matmul_is_a_counted_host_round_trip_and_explain_names_both_paths() {
    let Some(_device) = enabled() else {
        return;
    };
    let _ = CudaDevice::get(0).expect("the emulated device");
    // float: cuBLAS, named with its batch and sizes; no round trip in the plan
    let a = arr(&[2, 3, 4, 5], 20, DType::F32);
    let b = arr(&[5, 6], 21, DType::F32);
    let p = lz::exp(&lz::matmul(&a, &b).unwrap()).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&p]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let text = lazulite_runtime::explain(&dg, &roots, &inputs_on(&inputs, Device::Cuda(0)), false)
        .unwrap();
    assert!(
        text.contains("cuBLAS gemm, batch 6, 4x6x5 on cuda:0"),
        "{text}"
    );
    assert!(!text.contains("host round trip ("), "{text}");
    // float64 inputs reach the matmul as views (no astype kernel): a transposed one goes to the gemm
    // as it is, a step slice after a copy kernel, which is named
    let x = arr(&[4, 10], 22, DType::F64);
    let w = arr(&[5, 6], 21, DType::F64);
    let s = lz::getitem(&x, &[slice(None, None, None), slice(None, None, Some(2))]).unwrap();
    let t = lz::matrix_transpose(&arr(&[5, 4], 25, DType::F64)).unwrap();
    for (what, lhs, copied) in [("a step slice", &s, true), ("a transpose", &t, false)] {
        let (graph, roots, inputs) = lz::build_graph(&[&lz::matmul(lhs, &w).unwrap()]).unwrap();
        let dg = on_device(&graph, Device::Cuda(0));
        let text =
            lazulite_runtime::explain(&dg, &roots, &inputs_on(&inputs, Device::Cuda(0)), false)
                .unwrap();
        assert!(text.contains("0 kernels"), "{what}: {text}");
        assert_eq!(
            text.contains("after a contiguous copy kernel for x1"),
            copied,
            "{what}: {text}"
        );
    }
    // int64: a host round trip, with its reason, counted when it runs, equal to the CPU exactly
    let ai = arr(&[4, 5], 23, DType::I64);
    let bi = arr(&[5, 3], 24, DType::I64);
    let q = lz::matmul(&ai, &bi).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&q]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let text = lazulite_runtime::explain(&dg, &roots, &inputs_on(&inputs, Device::Cuda(0)), false)
        .unwrap();
    assert!(
        text.contains("host round trip (cuBLAS has no int64 gemm)"),
        "{text}"
    );
    let before = transfer_stats();
    let gpu = lazulite_runtime::compute(&dg, &roots, &inputs_on(&inputs, Device::Cuda(0))).unwrap();
    let cpu = lazulite_runtime::compute(&graph, &roots, &inputs).unwrap();
    assert_eq!(values(&gpu[0]), values(&cpu[0]));
    assert_eq!(
        transfer_stats().host_round_trips,
        before.host_round_trips + 1
    );
}
