//! The CUDA backend on the emulated device (`lazulite_tests::cuda_device`): the same graphs computed on
//! the CPU and on `cuda:0` agree. The runtime's device path (pool, copies, launch shapes,
//! argument structs, temps freed after last use, host round trips, errors) is the product code; only the
//! driver under it is emulated. Skipped (with a message) where g++ is missing.

use lazulite_frontend::{self as lz, IndexItem, LazyArray, Operand, Scalar};
use lazulite_ir::{DType, Device, ErrorKind};
use lazulite_runtime::backend::cuda::{transfer_stats, CudaDevice};
use lazulite_runtime::ArrayData;
use lazulite_tests::cuda_device::{inputs_on, on_device, vals, values};

/// Serialises the tests of this file: they share the device and its pool (whose counters they read).
static DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The emulated device, held for the test; `None` (skip) without g++.
fn enabled() -> Option<std::sync::MutexGuard<'static, ()>> {
    let g = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    lazulite_tests::cuda_device::enable().then_some(g)
}

fn close(dt: DType, x: f64, y: f64) -> bool {
    let tol = match dt {
        DType::F32 | DType::C64 => 2e-5,
        _ => 1e-12,
    };
    x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= tol * x.abs().max(y.abs()).max(1.0)
}

/// Computes `arrays` on the CPU and on `cuda:0` and checks they agree; returns the device results.
fn check(what: &str, arrays: &[&LazyArray]) -> Vec<ArrayData> {
    let (graph, roots, inputs) = lz::build_graph(arrays).expect("graph");
    let cpu = lazulite_runtime::compute(&graph, &roots, &inputs).expect("cpu");
    let dg = on_device(&graph, Device::Cuda(0));
    let inputs = inputs_on(&inputs, Device::Cuda(0));
    let schedule = lazulite_runtime::plan_cached(&dg, &roots).expect("plan");
    assert_eq!(schedule.device, Device::Cuda(0), "{what}");
    let gpu = lazulite_runtime::compute(&dg, &roots, &inputs)
        .unwrap_or_else(|e| panic!("{what} on cuda:0: {e}"));
    for (k, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
        assert_eq!(
            (c.dtype, &c.shape),
            (g.dtype, &g.shape),
            "{what} result {k}"
        );
        let (cv, gv) = (values(c), values(g));
        for (i, (a, b)) in cv.iter().zip(&gv).enumerate() {
            assert!(
                close(c.dtype, a.0, b.0) && close(c.dtype, a.1, b.1),
                "{what}: result {k} ({}) element {i}: cpu {a:?}, cuda {b:?}",
                c.dtype
            );
        }
    }
    gpu
}

fn arr(shape: &[usize], seed: u64, dtype: DType) -> LazyArray {
    let n = shape.iter().product();
    let x = lz::from_vec(vals(n, seed), shape).expect("array");
    lz::astype(&x, dtype).expect("astype")
}

fn slice(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> IndexItem {
    IndexItem::Slice { start, stop, step }
}

#[test]
fn elementwise_and_reductions_agree_for_every_dtype() {
    let Some(_device) = enabled() else {
        return;
    };
    for &dt in DType::ALL.iter() {
        let a = arr(&[5, 67], 1, dt);
        let b = arr(&[5, 67], 2, dt);
        let (y, r) = if dt == DType::Bool {
            let y = lz::logical_xor(&a, &b).unwrap();
            (y.clone(), lz::any(&y, Some(&[1]), false).unwrap())
        } else {
            let y = lz::add(&lz::multiply(&a, &b).unwrap(), &a).unwrap();
            (y.clone(), lz::sum(&y, Some(&[1]), false, None).unwrap())
        };
        check(&format!("{dt}: a*b+a and its row sums"), &[&y, &r]);
    }
}

#[test]
fn broadcasting_strided_and_sliced_inputs_agree() {
    let Some(_device) = enabled() else {
        return;
    };
    for dt in [DType::F32, DType::F64] {
        let x = arr(&[300], 3, dt);
        let y = arr(&[70], 4, dt);
        let xc = lz::expand_dims(&x, &[1]).unwrap();
        let yr = lz::expand_dims(&y, &[0]).unwrap();
        let d = lz::sum(
            &lz::abs(&lz::subtract(&xc, &yr).unwrap()).unwrap(),
            None,
            false,
            None,
        )
        .unwrap();
        check(&format!("{dt}: sum(abs(x[:, None] - y[None, :]))"), &[&d]);

        let m = arr(&[40, 30], 5, dt);
        let s = lz::getitem(
            &m,
            &[slice(Some(1), None, Some(3)), slice(None, None, Some(-2))],
        )
        .unwrap();
        let t = lz::permute_dims(&m, &[1, 0]).unwrap();
        let e = lz::multiply(
            &lz::sqrt(&lz::abs(&s).unwrap()).unwrap(),
            &lz::exp(&lz::negative(&s).unwrap()).unwrap(),
        )
        .unwrap();
        let tt = lz::add(
            &t,
            &lz::getitem(&t, &[slice(None, None, Some(-1))]).unwrap(),
        )
        .unwrap();
        check(
            &format!("{dt}: sliced, reversed and transposed operands"),
            &[&e, &tt],
        );
    }
}

#[test]
fn reductions_along_axes_and_full_agree() {
    let Some(_device) = enabled() else {
        return;
    };
    for dt in [DType::F32, DType::F64, DType::I64] {
        let m = arr(&[33, 1000], 6, dt);
        let s0 = lz::sum(&m, Some(&[0]), false, None).unwrap();
        let mx = lz::max(&m, Some(&[1]), true).unwrap();
        let full = lz::sum(&m, None, false, None).unwrap();
        let mn = lz::min(&lz::permute_dims(&m, &[1, 0]).unwrap(), None, false).unwrap();
        check(
            &format!("{dt}: sums, max, min along axes and full"),
            &[&s0, &mx, &full, &mn],
        );
    }
    // softmax over rows: a reduction, a broadcast subtraction, exp, another reduction, a division
    let x = arr(&[17, 129], 7, DType::F32);
    let m = lz::max(&x, Some(&[1]), true).unwrap();
    let e = lz::exp(&lz::subtract(&x, &m).unwrap()).unwrap();
    let sm = lz::divide(&e, &lz::sum(&e, Some(&[1]), true, None).unwrap()).unwrap();
    check("softmax over rows", &[&sm]);
    // var and std: shifted and scaled sums, three accumulators in one kernel, along each axis and in full
    for dt in [DType::F32, DType::F64] {
        let x = arr(&[19, 257], 8, dt);
        let v1 = lz::var(&x, Some(&[1]), 1.0, false).unwrap();
        let v0 = lz::var(&x, Some(&[0]), 0.0, true).unwrap();
        let sd = lz::std(&x, None, 0.0, false).unwrap();
        check(
            &format!("{dt}: var along axes, std in full"),
            &[&v1, &v0, &sd],
        );
    }
}

#[test]
fn freed_device_buffers_are_reused_and_temps_die_after_last_use() {
    let Some(_device) = enabled() else {
        return;
    };
    let x = arr(&[64, 512], 8, DType::F64);
    let m = lz::mean(&x, Some(&[1]), true).unwrap();
    let c = lz::subtract(&x, &m).unwrap();
    let v = lz::sum(&lz::multiply(&c, &c).unwrap(), Some(&[1]), false, None).unwrap();
    check("variance, warm-up", &[&v]);
    let dev = CudaDevice::get(0).expect("the emulated device");
    let before = dev.pool_stats();
    let (graph, roots, inputs) = lz::build_graph(&[&v]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let inputs = inputs_on(&inputs, Device::Cuda(0));
    let schedule = lazulite_runtime::plan_cached(&dg, &roots).unwrap();
    let (_, report) = lazulite_runtime::execute_traced(&schedule, &inputs).expect("run");
    drop(inputs);
    let after = dev.pool_stats();
    assert!(
        after.reused > before.reused,
        "the second run takes its buffers from the pool: {before:?} -> {after:?}"
    );
    assert_eq!(
        after.driver_allocs, before.driver_allocs,
        "no new device allocation on the second run: {before:?} -> {after:?}"
    );
    if report.temps_allocated > schedule.results.len() {
        assert!(report.temps_freed_early > 0, "{report:?}");
    }
    assert_eq!(
        after.in_use_bytes, 0,
        "nothing stays allocated after the run: {after:?}"
    );
}

#[test]
fn extern_ops_are_host_round_trips_that_are_counted() {
    let Some(_device) = enabled() else {
        return;
    };
    // int64 matmul (no cuBLAS routine; float matmul runs on the device: tests/cuda_matmul.rs)
    let a = arr(&[12, 7], 9, DType::I64);
    let b = arr(&[7, 5], 10, DType::I64);
    let before = transfer_stats();
    let p = lz::matmul(&lz::multiply(&a, &a).unwrap(), &b).unwrap();
    let q = lz::abs(&p).unwrap();
    check("matmul between device kernels", &[&q]);
    let after = transfer_stats();
    assert!(
        after.host_round_trips > before.host_round_trips,
        "{after:?}"
    );
    assert!(after.launches > before.launches, "{after:?}");
}

#[test]
fn device_out_of_memory_is_a_memory_error() {
    let Some(_device) = enabled() else {
        return;
    };
    // 2^28 f64 = 2 GiB on a device of 1 GiB (the emulator's default)
    let n = 1usize << 28;
    let x = lz::full(&[n], Scalar::Float(1.5), Some(DType::F64)).unwrap();
    let one = lz::from_vec(vec![2.0f64], &[1]).unwrap();
    let y = lz::binary(lz::BinaryOp::Mul, Operand::Array(&x), Operand::Array(&one)).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&y]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let inputs = inputs_on(&inputs, Device::Cuda(0));
    let e = lazulite_runtime::compute(&dg, &roots, &inputs).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Memory, "{}", e.message);
    assert!(e.message.contains("bytes"), "{}", e.message);
    // and the device still works
    let z = arr(&[10], 11, DType::F32);
    check("after an out-of-memory error", &[&lz::square(&z).unwrap()]);
}

#[test]
fn explain_names_the_device_launch_shapes_and_transfers() {
    let Some(_device) = enabled() else {
        return;
    };
    let a = arr(&[12, 7], 12, DType::I32);
    let b = arr(&[7, 5], 13, DType::I32);
    let p = lz::abs(&lz::matmul(&lz::square(&a).unwrap(), &b).unwrap()).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&p]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let inputs = inputs_on(&inputs, Device::Cuda(0));
    let _ = CudaDevice::get(0).expect("the emulated device");
    let text = lazulite_runtime::explain(&dg, &roots, &inputs, false).unwrap();
    assert!(text.contains("cuda:0, grid "), "{text}");
    assert!(text.contains(" x block 256"), "{text}");
    assert!(text.contains("host round trip"), "{text}");
    assert!(
        text.contains("host -> cuda:0") && text.contains("stay on cuda:0"),
        "{text}"
    );
}

#[test]
fn a_failed_launch_is_an_error_naming_the_kernel() {
    let Some(_device) = enabled() else {
        return;
    };
    let x = arr(&[100], 14, DType::F64);
    let y = lz::tanh(&lz::multiply(&x, &x).unwrap()).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&y]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let inputs = inputs_on(&inputs, Device::Cuda(0));
    // the emulator's fault injection (read at each launch; the tests of this file run one at a time)
    std::env::set_var("LAZULITE_CUDA_EMULATOR_FAIL_LAUNCH", "1");
    let r = lazulite_runtime::compute(&dg, &roots, &inputs);
    std::env::remove_var("LAZULITE_CUDA_EMULATOR_FAIL_LAUNCH");
    let e = r.expect_err("the launch fails");
    assert_eq!(e.kind, ErrorKind::Internal, "{}", e.message);
    assert!(
        e.message.contains("kernel lz_")
            && e.message.contains("failed to launch")
            && e.message.contains("CUDA_ERROR_LAUNCH_FAILED"),
        "{}",
        e.message
    );
    check("after a failed launch", &[&y]);
}

/// Reduction steps of the `cuda:0` schedule of `arrays`.
fn reduction_steps(arrays: &[&LazyArray]) -> u64 {
    let (graph, roots, _) = lz::build_graph(arrays).unwrap();
    let schedule =
        lazulite_runtime::plan_cached(&on_device(&graph, Device::Cuda(0)), &roots).unwrap();
    schedule
        .steps
        .iter()
        .filter(|s| matches!(s, lazulite_ir::Step::Kernel(k) if k.kernel.n_reduce > 0))
        .count() as u64
}

/// Full reductions of 2^20 + 3 elements and rows of 2^17 + 5 are grid-wide: each launches
/// `<name>_partial` then `<name>_final` with a pooled partials buffer, and equals the CPU (integers,
/// `min` and `max` exactly; float sums of non-negative terms within `check`'s relative 2e-5, inside the
/// renderer's documented bound of `1e-6 * sqrt(n)`).
#[test]
fn grid_wide_reductions_launch_two_passes_and_agree() {
    let Some(_device) = enabled() else {
        return;
    };
    let n = (1usize << 20) + 3;
    let dev = CudaDevice::get(0).expect("the emulated device");
    let before = transfer_stats();
    let x32 = arr(&[n], 15, DType::F32);
    let x64 = arr(&[n], 16, DType::F64);
    let i32_ = arr(&[n], 17, DType::I32);
    let i64_ = arr(&[n], 18, DType::I64);
    let f32_sum = lz::sum(&lz::multiply(&x32, &x32).unwrap(), None, false, None).unwrap();
    let f64_max = lz::max(&x64, None, false).unwrap();
    let i32_sum = lz::sum(&i32_, None, false, Some(DType::I32)).unwrap();
    let i64_min = lz::min(&i64_, None, false).unwrap();
    let big = lz::binary(
        lz::BinaryOp::Gt,
        Operand::Array(&x64),
        Operand::Scalar(Scalar::Float(9.99)),
    )
    .unwrap();
    let any = lz::any(&big, None, false).unwrap();
    let full = [&f64_max, &i32_sum, &i64_min, &any];
    // the four full reductions of one length walk one loop domain: one multi-output kernel (its
    // partials side by side in one buffer), and the float32 sum one more
    let full_steps = reduction_steps(&full) + reduction_steps(&[&f32_sum]);
    assert_eq!(full_steps, 2, "{full_steps} reduction steps");
    check("full reductions of 2^20 + 3 elements", &full);
    // the float32 sum against an exact (float64) sum of the same float32 squares, within the
    // renderer's documented bound (the CPU backend's own float32 sum is a different rounding)
    let (graph, roots, inputs) = lz::build_graph(&[&f32_sum]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let inputs = inputs_on(&inputs, Device::Cuda(0));
    let gpu = lazulite_runtime::compute(&dg, &roots, &inputs).expect("float32 sum on cuda:0");
    let got = gpu[0].get(&[]).as_complex().0;
    drop((gpu, inputs)); // device arrays: their blocks go back to the pool
    let want: f64 = vals(n, 15)
        .iter()
        .map(|&v| {
            let x = v as f32;
            (x * x) as f64
        })
        .sum();
    assert!(
        (got - want).abs() <= 1e-6 * (n as f64).sqrt() * want,
        "float32 sum of 2^20 + 3 squares: cuda {got}, exact {want}"
    );
    let mid = transfer_stats();
    assert!(
        mid.two_pass_reductions == before.two_pass_reductions + full_steps,
        "every full reduction of 2^20 + 3 elements runs as two passes: {before:?} -> {mid:?}"
    );
    assert!(
        mid.launches >= before.launches + 2 * full_steps,
        "two launches per grid-wide reduction: {before:?} -> {mid:?}"
    );
    // several outer points (rows), each cut into slices
    let rows = (1usize << 17) + 5;
    let m = arr(&[3, rows], 19, DType::F64);
    let mi = arr(&[3, rows], 20, DType::I64);
    let row_sums = lz::sum(&lz::abs(&m).unwrap(), Some(&[1]), false, None).unwrap();
    let row_max = lz::max(&mi, Some(&[1]), true).unwrap();
    let row_steps = reduction_steps(&[&row_sums, &row_max]);
    check("row reductions of 3 x (2^17 + 5)", &[&row_sums, &row_max]);
    let after = transfer_stats();
    assert!(
        row_steps > 0 && after.two_pass_reductions == mid.two_pass_reductions + row_steps,
        "row reductions with 3 outer points run as two passes: {mid:?} -> {after:?}"
    );
    assert_eq!(
        dev.pool_stats().in_use_bytes,
        0,
        "the partials buffers go back to the pool"
    );
}

#[test]
fn explain_shows_both_passes_of_a_grid_wide_reduction() {
    let Some(_device) = enabled() else {
        return;
    };
    let x = arr(&[(1 << 20) + 3], 21, DType::F32);
    let s = lz::sum(&x, None, false, None).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&s]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let inputs = inputs_on(&inputs, Device::Cuda(0));
    let _ = CudaDevice::get(0).expect("the emulated device");
    let text = lazulite_runtime::explain(&dg, &roots, &inputs, false).unwrap();
    // 2^20 / 8192 = 128 slices of one row: 128 blocks, then one block folds the partials
    assert!(
        text.contains("two passes: partial grid 128 x block 256, then final grid 1 x block 256"),
        "{text}"
    );
    assert!(text.contains("128 slices per row"), "{text}");
}

// ---- device-resident arrays (issue 9): results stay on the device, explicit copies only ----

#[test]
fn results_stay_on_the_device_across_computes() {
    let Some(_device) = enabled() else {
        return;
    };
    let host: Vec<f64> = vals(1000, 21);
    let x = lz::from_vec_on(host.clone(), &[40, 25], Device::Cuda(0)).unwrap();
    assert_eq!(x.device(), Device::Cuda(0));
    let y = lz::sqrt(&lz::abs(&((&x * 2.0).unwrap() + 1.0).unwrap()).unwrap()).unwrap();
    assert_eq!(
        y.device(),
        Device::Cuda(0),
        "an op runs where its operands live"
    );
    let before = transfer_stats();
    let yd = y.compute().expect("first compute on cuda:0");
    assert_eq!(
        yd.device(),
        Device::Cuda(0),
        "the result stays on the device"
    );
    let s = lz::sum(&lz::multiply(&y, &y).unwrap(), Some(&[1]), false, None).unwrap();
    let sd = s.compute().expect("second compute reads the device result");
    assert_eq!(sd.device(), Device::Cuda(0));
    let mid = transfer_stats();
    assert_eq!(
        mid.device_to_host_bytes, before.device_to_host_bytes,
        "no device -> host copy until the values are read: {before:?} -> {mid:?}"
    );
    assert!(mid.launches > before.launches, "{mid:?}");
    // reading copies once, through to_device, and agrees with the host computation
    let got = s.to_vec::<f64>().unwrap();
    let after = transfer_stats();
    assert_eq!(
        after.device_to_host_bytes - mid.device_to_host_bytes,
        40 * 8,
        "one copy of the 40 row sums"
    );
    for (r, g) in got.iter().enumerate() {
        let want: f64 = host[r * 25..(r + 1) * 25]
            .iter()
            .map(|v| (v * 2.0 + 1.0).abs())
            .sum();
        assert!(
            (g - want).abs() <= 1e-12 * want.max(1.0),
            "row {r}: {g} vs {want}"
        );
    }
}

#[test]
fn to_device_round_trips_are_bit_exact_for_every_dtype() {
    let Some(_device) = enabled() else {
        return;
    };
    for (k, &dt) in DType::ALL.iter().enumerate() {
        // every byte pattern (NaN payloads, -0.0, bool bytes 0/1 only)
        let n = 37 * 3;
        let bytes: Vec<u8> = (0..n * dt.size())
            .map(|i| match dt {
                DType::Bool => (i % 3 == 0) as u8,
                _ => (i as u64 * 0x9E37 + k as u64).to_le_bytes()[1],
            })
            .collect();
        let a = ArrayData::from_bytes(&bytes, dt, &[37, 3]).unwrap();
        let d = lazulite_runtime::to_device(&a, Device::Cuda(0)).unwrap();
        assert_eq!(d.device(), Device::Cuda(0), "{dt}");
        let back = lazulite_runtime::to_device(&d, Device::Cpu).unwrap();
        assert_eq!(back.device(), Device::Cpu);
        assert_eq!(back.to_contiguous_bytes(), bytes, "{dt} round trip");
        // a reversed, strided view keeps its layout and its elements
        let view = ArrayData {
            offset: a.offset + 36 * 3 + 2,
            strides: [-6isize, -2].into_iter().collect(),
            shape: [19usize, 2].into_iter().collect(),
            ..a.clone()
        };
        let dv = lazulite_runtime::to_device(&view, Device::Cuda(0)).unwrap();
        assert_eq!(
            lazulite_runtime::to_device(&dv, Device::Cpu)
                .unwrap()
                .to_contiguous_bytes(),
            view.to_contiguous_bytes(),
            "{dt} strided view"
        );
        // host access to device data copies (counted), never reads device memory directly
        assert_eq!(d.to_contiguous_bytes(), bytes, "{dt} read through a copy");
        let e = d.data_ptr().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value, "{}", e.message);
        assert!(e.message.contains("cuda:0") && e.message.contains("to_device"));
        assert!(d.buffer.as_slice().is_err());
    }
    // a lazy transfer of a pending array, and back
    let x = arr(&[5, 4], 22, DType::F32);
    let t = lz::exp(&x).unwrap().to_device(Device::Cuda(0)).unwrap();
    assert_eq!(t.device(), Device::Cuda(0));
    let h = t.to_device(Device::Cpu).unwrap();
    assert_eq!(
        h.to_vec::<f32>().unwrap(),
        lz::exp(&x).unwrap().to_vec::<f32>().unwrap()
    );
    let e = t.as_slice::<f32>().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value, "{}", e.message);
}

#[test]
fn mixed_device_graphs_are_value_errors_naming_both_devices() {
    let Some(_device) = enabled() else {
        return;
    };
    let g = lz::ones_on(&[4], DType::F64, Device::Cuda(0)).unwrap();
    let c = lz::ones(&[4], DType::F64).unwrap();
    for e in [
        (&g + &c).unwrap_err(),
        lz::matmul(&c, &g).unwrap_err(),
        lz::where_(
            &lz::less(&g, &g).unwrap(),
            Operand::Array(&g),
            Operand::Array(&c),
        )
        .unwrap_err(),
    ] {
        assert_eq!(e.kind, ErrorKind::Value, "{}", e.message);
        assert!(
            e.message.contains("cpu") && e.message.contains("cuda:0"),
            "{}",
            e.message
        );
    }
    // scalar parameters go with the arrays
    assert_eq!(
        ((&g * 3.0).unwrap() - 1.0)
            .unwrap()
            .to_vec::<f64>()
            .unwrap(),
        vec![2.0; 4]
    );
    // a schedule given an input on another device refuses it (no implicit transfer)
    let h = lz::from_vec(vec![0.5f64; 4], &[4]).unwrap();
    let (graph, roots, inputs) = lz::build_graph(&[&lz::exp(&h).unwrap()]).unwrap();
    let dg = on_device(&graph, Device::Cuda(0));
    let e = lazulite_runtime::compute(&dg, &roots, &inputs).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value, "{}", e.message);
    assert!(
        e.message.contains("lives on cpu") && e.message.contains("runs on cuda:0"),
        "{}",
        e.message
    );
    let dev_inputs = inputs_on(&inputs, Device::Cuda(0));
    let e = lazulite_runtime::compute(&graph, &roots, &dev_inputs).unwrap_err();
    assert!(
        e.message.contains("lives on cuda:0") && e.message.contains("runs on cpu"),
        "{}",
        e.message
    );
    assert_eq!(
        lz::devices(),
        vec![Device::Cpu, Device::Cuda(0)],
        "the emulated device is cuda:0"
    );
}
