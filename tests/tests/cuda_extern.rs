//! Extern ops as device kernels on the emulated CUDA device (`lazulite_tests::cuda_device`): argmax /
//! argmin, cumulative sums and products, take, take_along_axis, concat, searchsorted, sort / argsort and
//! the scatter of `__setitem__` (`ScatterFlat`), each on every dtype it accepts, with axis lengths
//! crossing the 256-thread block (1, 255, 256, 257, and 2^16 + 3 for a few dtypes), NaN, signed zeros,
//! ties and integer extremes, against the CPU extern op computing the same graph: bit-exact except
//! float scans (within `2 n eps` of the running sum or product of magnitudes). Every step runs as
//! device kernels: no host round trip is counted, and explain says so. Index errors are the CPU's.
//! Skipped (with a message) where g++ is missing.

use lazulite_ir::{DType, Device, ExternOp, Graph, Node, NodeId, Op, OperandInfo};
use lazulite_runtime::backend::cuda::transfer_stats;
use lazulite_runtime::ArrayData;

/// Serialises the tests of this file: they share the device and read process-wide counters.
static DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn enabled() -> Option<std::sync::MutexGuard<'static, ()>> {
    let g = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    lazulite_tests::cuda_device::enable().then_some(g)
}

/// The same graph built twice: inputs on the CPU, and on `cuda:0`.
#[derive(Default)]
struct Pair {
    cpu: Graph,
    dev: Graph,
    inputs: Vec<ArrayData>,
    /// The same inputs copied to `cuda:0` (a CUDA schedule takes device data only).
    dev_inputs: Vec<ArrayData>,
}

impl Pair {
    fn add(&mut self, node: Node, dev_node: Node) -> NodeId {
        let a = self.cpu.add(node);
        let b = self.dev.add(dev_node);
        assert_eq!(a, b, "the two graphs stay in step");
        a
    }

    fn input(&mut self, bytes: &[u8], dtype: DType, shape: &[usize]) -> NodeId {
        let a = ArrayData::from_bytes(bytes, dtype, shape).expect("array");
        let slot = self.inputs.len() as u32;
        let node = |device| Node {
            op: Op::Input {
                slot,
                device,
                strides: a.strides.clone(),
            },
            inputs: Default::default(),
            dtype,
            shape: shape.into(),
        };
        let id = self.add(node(Device::Cpu), node(Device::Cuda(0)));
        let on_device = lazulite_runtime::to_device(&a, Device::Cuda(0)).expect("input to cuda:0");
        self.dev_inputs.push(on_device);
        self.inputs.push(a);
        id
    }

    fn ext(&mut self, op: ExternOp, operands: &[NodeId]) -> NodeId {
        let nodes: Vec<Node> = operands.iter().map(|&o| self.cpu.node(o).clone()).collect();
        let infos: Vec<OperandInfo> = nodes
            .iter()
            .map(|n| OperandInfo {
                dtype: n.dtype,
                shape: &n.shape,
            })
            .collect();
        let (dtype, shape) = op.infer(&infos).expect("infer").remove(0);
        let node = Node {
            op: Op::Extern { op, output: 0 },
            inputs: operands.iter().copied().collect(),
            dtype,
            shape,
        };
        self.add(node.clone(), node)
    }

    /// `(cpu, device)` results of `roots`; asserts the device ran no host round trip.
    fn run(&self, what: &str, roots: &[NodeId]) -> (Vec<ArrayData>, Vec<ArrayData>) {
        let cpu = lazulite_runtime::compute(&self.cpu, roots, &self.inputs)
            .unwrap_or_else(|e| panic!("{what} on the cpu: {e}"));
        let before = transfer_stats();
        let dev = lazulite_runtime::compute(&self.dev, roots, &self.dev_inputs)
            .unwrap_or_else(|e| panic!("{what} on cuda:0: {e}"));
        let after = transfer_stats();
        assert_eq!(
            after.host_round_trips, before.host_round_trips,
            "{what}: a host round trip ran"
        );
        if dev.iter().any(|a| a.shape.iter().product::<usize>() > 0) {
            assert!(after.launches > before.launches, "{what}: no launch");
        }
        (cpu, dev)
    }

    /// Both results, bit for bit.
    fn check_exact(&self, what: &str, roots: &[NodeId]) {
        let (cpu, dev) = self.run(what, roots);
        for (k, (c, d)) in cpu.iter().zip(&dev).enumerate() {
            assert_eq!(
                (c.dtype, &c.shape),
                (d.dtype, &d.shape),
                "{what} result {k}"
            );
            let (cb, db) = (c.to_contiguous_bytes(), d.to_contiguous_bytes());
            if cb != db {
                let size = c.dtype.size();
                let i = (0..cb.len() / size.max(1))
                    .find(|&i| cb[i * size..(i + 1) * size] != db[i * size..(i + 1) * size])
                    .unwrap_or(0);
                panic!(
                    "{what} result {k} ({}, shape {:?}) differs first at element {i}: cpu {:?}, \
                     cuda {:?}",
                    c.dtype,
                    c.shape.as_slice(),
                    &cb[i * size..(i + 1) * size],
                    &db[i * size..(i + 1) * size]
                );
            }
        }
    }
}

/// A deterministic hash of `(i, seed)`.
fn h(i: usize, seed: u64) -> u64 {
    let mut x = (i as u64) ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// `n` elements of `d` with many ties: floats from 33 values in [-4, 4] with NaN, -0.0, 0.0 and
/// infinities among them; integers from a small range with the dtype's extremes mixed in.
fn data(d: DType, n: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * d.size());
    for i in 0..n {
        let r = h(i, seed);
        let small = (r % 33) as i64 - 16;
        let f = match r % 97 {
            0 => f64::NAN,
            1 => -f64::NAN,
            2 => -0.0,
            3 => 0.0,
            4 => f64::INFINITY,
            5 => f64::NEG_INFINITY,
            _ => small as f64 / 4.0,
        };
        let extreme = r.is_multiple_of(89);
        match d {
            DType::F32 => out.extend_from_slice(&(f as f32).to_le_bytes()),
            DType::F64 => out.extend_from_slice(&f.to_le_bytes()),
            DType::C64 => {
                out.extend_from_slice(&((small as f32) / 4.0).to_le_bytes());
                out.extend_from_slice(&(((r >> 8) % 9) as f32 / 4.0 - 1.0).to_le_bytes());
            }
            DType::C128 => {
                out.extend_from_slice(&(small as f64 / 4.0).to_le_bytes());
                out.extend_from_slice(&(((r >> 8) % 9) as f64 / 4.0 - 1.0).to_le_bytes());
            }
            DType::Bool => out.push((r & 1) as u8),
            _ => {
                let size = d.size();
                let v: u64 = if extreme {
                    // MIN / MAX of signed dtypes, 0 / MAX of unsigned ones
                    let max = if signed(d) {
                        (1u64 << (size * 8 - 1)) - 1
                    } else {
                        u64::MAX >> (64 - size * 8)
                    };
                    if r & 2 == 0 {
                        max
                    } else if signed(d) {
                        max.wrapping_add(1)
                    } else {
                        0
                    }
                } else {
                    small as u64
                };
                out.extend_from_slice(&v.to_le_bytes()[..size]);
            }
        }
    }
    out
}

fn signed(d: DType) -> bool {
    matches!(d, DType::I8 | DType::I16 | DType::I32 | DType::I64)
}

fn int_bytes(d: DType, v: &[i64]) -> Vec<u8> {
    v.iter()
        .flat_map(|&x| x.to_le_bytes()[..d.size()].to_vec())
        .collect()
}

/// The real numeric dtypes (what sort, argmax and searchsorted take), from the IR's dtype rules.
fn real() -> impl Iterator<Item = DType> {
    DType::ALL.into_iter().filter(|d| d.is_real_numeric())
}

/// Axis lengths: across the block size, and one long axis for a few dtypes.
fn lengths(d: DType) -> Vec<usize> {
    let mut v = vec![1, 255, 256, 257];
    if matches!(d, DType::F64 | DType::I32 | DType::U8) {
        v.push((1 << 16) + 3);
    }
    v
}

#[test]
fn argmax_argmin_sort_argsort_on_every_real_dtype() {
    let Some(_device) = enabled() else {
        return;
    };
    for d in real() {
        for len in lengths(d) {
            // (3, len) along its last axis, and along its first axis
            let mut p = Pair::default();
            let x = p.input(&data(d, 3 * len, len as u64), d, &[3, len]);
            let mut roots = Vec::new();
            for axis in [0, 1] {
                roots.push(p.ext(ExternOp::ArgMax { axis }, &[x]));
                roots.push(p.ext(ExternOp::ArgMin { axis }, &[x]));
                for descending in [false, true] {
                    let stable = true;
                    roots.push(p.ext(
                        ExternOp::Sort {
                            axis,
                            descending,
                            stable,
                        },
                        &[x],
                    ));
                    roots.push(p.ext(
                        ExternOp::ArgSort {
                            axis,
                            descending,
                            stable,
                        },
                        &[x],
                    ));
                }
            }
            p.check_exact(
                &format!("{d} (3, {len}): argmax/argmin/sort/argsort"),
                &roots,
            );
        }
    }
}

#[test]
fn searchsorted_take_concat_on_every_dtype() {
    let Some(_device) = enabled() else {
        return;
    };
    for d in real() {
        for len in lengths(d) {
            // a sorted haystack (the CPU sorts it) and needles with ties, NaN and zeros of both signs
            let mut p = Pair::default();
            let raw = p.input(&data(d, len, 7), d, &[len]);
            let hay = p.ext(
                ExternOp::Sort {
                    axis: 0,
                    descending: false,
                    stable: true,
                },
                &[raw],
            );
            let needles = p.input(&data(d, 300, 11), d, &[3, 100]);
            let mut roots = vec![
                p.ext(ExternOp::SearchSorted { right: false }, &[hay, needles]),
                p.ext(ExternOp::SearchSorted { right: true }, &[hay, needles]),
            ];
            // take along both axes with negative indices, of two index dtypes
            let x = p.input(&data(d, 2 * len, 3), d, &[2, len]);
            let n = len as i64;
            let ids: Vec<i64> = (0..300)
                .map(|i| (h(i, 5) % (2 * n as u64)) as i64 - n)
                .collect();
            let idx = p.input(&int_bytes(DType::I32, &ids), DType::I32, &[300]);
            roots.push(p.ext(ExternOp::Take { axis: 1 }, &[x, idx]));
            let ids0 = p.input(&int_bytes(DType::I8, &[1, -1, 0, -2, 1]), DType::I8, &[5]);
            roots.push(p.ext(ExternOp::Take { axis: 0 }, &[x, ids0]));
            let along: Vec<i64> = (0..2 * 7).map(|i| (h(i, 9) % n as u64) as i64).collect();
            let along = p.input(&int_bytes(DType::U16, &along), DType::U16, &[2, 7]);
            roots.push(p.ext(ExternOp::TakeAlongAxis { axis: 1 }, &[x, along]));
            let y = p.input(&data(d, 3 * len, 4), d, &[3, len]);
            roots.push(p.ext(ExternOp::Concat { axis: 0 }, &[x, y, x]));
            roots.push(p.ext(ExternOp::Concat { axis: 1 }, &[x, x]));
            p.check_exact(&format!("{d} ({len}): searchsorted/take/concat"), &roots);
        }
    }
    // dtypes past the real ones move as words of their size
    for d in [DType::Bool, DType::C64, DType::C128] {
        let mut p = Pair::default();
        let x = p.input(&data(d, 2 * 257, 1), d, &[2, 257]);
        let idx = p.input(&int_bytes(DType::I64, &[256, -257, 3, 3]), DType::I64, &[4]);
        let roots = [
            p.ext(ExternOp::Take { axis: 1 }, &[x, idx]),
            p.ext(ExternOp::Concat { axis: 1 }, &[x, x]),
        ];
        p.check_exact(&format!("{d}: take/concat"), &roots);
    }
}

#[test]
fn scatter_last_write_wins_on_the_device() {
    let Some(_device) = enabled() else {
        return;
    };
    for d in real().chain([DType::Bool, DType::C128]) {
        for m in [1usize, 257, 3000] {
            let mut p = Pair::default();
            let x = p.input(&data(d, 6 * 50, 2), d, &[6, 50]);
            // repeated positions (the last write wins), negative ones counting from the end
            let pos: Vec<i64> = (0..m).map(|i| (h(i, 3) % 600) as i64 - 300).collect();
            let pos = p.input(&int_bytes(DType::I64, &pos), DType::I64, &[m]);
            let vals = p.input(&data(d, m, 8), d, &[m]);
            let root = p.ext(ExternOp::ScatterFlat, &[x, pos, vals]);
            p.check_exact(&format!("{d}: scatter of {m}"), &[root]);
        }
    }
}

/// Float scans: within `2 n eps` of the running sum (product) of magnitudes; integer scans exact.
#[test]
fn cumulative_sum_and_prod_on_every_numeric_dtype() {
    let Some(_device) = enabled() else {
        return;
    };
    let numeric = real().chain([DType::C64, DType::C128]);
    for d in numeric {
        for len in lengths(d).into_iter().chain([0]) {
            for product in [false, true] {
                let mut p = Pair::default();
                // products of values near one stay finite over long rows
                let bytes = if product && d.is_float() {
                    scan_factors(d, 3 * len)
                } else {
                    finite(d, data(d, 3 * len, 5))
                };
                let x = p.input(&bytes, d, &[3, len]);
                let mut roots = Vec::new();
                for axis in [0, 1] {
                    for include_initial in [false, true] {
                        roots.push(p.ext(
                            if product {
                                ExternOp::CumProd {
                                    axis,
                                    include_initial,
                                }
                            } else {
                                ExternOp::CumSum {
                                    axis,
                                    include_initial,
                                }
                            },
                            &[x],
                        ));
                    }
                }
                let what = format!(
                    "{d} (3, {len}) cumulative {}",
                    if product { "prod" } else { "sum" }
                );
                if !d.is_float() {
                    p.check_exact(&what, &roots);
                    continue;
                }
                let (cpu, dev) = p.run(&what, &roots);
                for (k, (c, g)) in cpu.iter().zip(&dev).enumerate() {
                    assert_eq!((c.dtype, &c.shape), (g.dtype, &g.shape), "{what} {k}");
                    let axis = k / 2;
                    let incl = k % 2 == 1;
                    let bound = scan_bound(d, &bytes, 3, len, axis, incl, product);
                    let (cv, gv) = (floats(c), floats(g));
                    for (i, ((a, b), tol)) in cv.iter().zip(&gv).zip(&bound).enumerate() {
                        assert!(
                            a == b || (a - b).abs() <= *tol,
                            "{what} result {k} element {i}: cpu {a}, cuda {b}, bound {tol}"
                        );
                    }
                }
            }
        }
    }
}

/// `bytes` with NaN and infinities replaced by 1 (the scans' bounds are for finite values).
fn finite(d: DType, mut bytes: Vec<u8>) -> Vec<u8> {
    match d {
        DType::F32 => bytes.chunks_mut(4).for_each(|c| {
            if !f32::from_le_bytes(c.try_into().unwrap()).is_finite() {
                c.copy_from_slice(&1f32.to_le_bytes());
            }
        }),
        DType::F64 => bytes.chunks_mut(8).for_each(|c| {
            if !f64::from_le_bytes(c.try_into().unwrap()).is_finite() {
                c.copy_from_slice(&1f64.to_le_bytes());
            }
        }),
        _ => {}
    }
    bytes
}

/// Factors in [0.998, 1.002] (complex: a unit rotation's neighbourhood).
fn scan_factors(d: DType, n: usize) -> Vec<u8> {
    let f = |i: usize, s: u64| 1.0 + ((h(i, s) % 1001) as f64 - 500.0) * 4e-6;
    let mut out = Vec::new();
    for i in 0..n {
        match d {
            DType::F32 => out.extend_from_slice(&(f(i, 1) as f32).to_le_bytes()),
            DType::F64 => out.extend_from_slice(&f(i, 1).to_le_bytes()),
            DType::C64 => {
                out.extend_from_slice(&(f(i, 1) as f32).to_le_bytes());
                out.extend_from_slice(&((f(i, 2) - 1.0) as f32).to_le_bytes());
            }
            _ => {
                out.extend_from_slice(&f(i, 1).to_le_bytes());
                out.extend_from_slice(&(f(i, 2) - 1.0).to_le_bytes());
            }
        }
    }
    out
}

/// Every float of an array (complex: re, im), in C order.
fn floats(a: &ArrayData) -> Vec<f64> {
    let b = a.to_contiguous_bytes();
    match a.dtype {
        DType::F32 | DType::C64 => b
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64)
            .collect(),
        _ => b
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
    }
}

/// The tolerance of each float of a scan's result: `2 (i + 1) eps` times the running sum (product)
/// of magnitudes (complex: of `|re| + |im|`) at position `i` along the axis.
fn scan_bound(
    d: DType,
    bytes: &[u8],
    rows: usize,
    len: usize,
    axis: usize,
    incl: bool,
    product: bool,
) -> Vec<f64> {
    let x = floats(&ArrayData::from_bytes(bytes, d, &[rows, len]).unwrap());
    let parts = if d.is_complex() { 2 } else { 1 };
    let eps = if matches!(d, DType::F32 | DType::C64) {
        f32::EPSILON as f64
    } else {
        f64::EPSILON
    };
    let mag = |r: usize, c: usize| -> f64 {
        (0..parts).map(|p| x[(r * len + c) * parts + p].abs()).sum()
    };
    let (outer, alen, inner) = if axis == 0 {
        (1, rows, len)
    } else {
        (rows, len, 1)
    };
    let olen = alen + incl as usize;
    let mut out = vec![0.0; outer * olen * inner * parts];
    for o in 0..outer {
        for r in 0..inner {
            let mut acc = if product { 1.0 } else { 0.0 };
            for i in 0..alen {
                let (row, col) = if axis == 0 { (i, r) } else { (o, i) };
                let m = mag(row, col);
                acc = if product { acc * m.max(1.0) } else { acc + m };
                let tol = 2.0 * (i + 2) as f64 * eps * acc * if product { 2.0 } else { 1.0 };
                let at = (o * olen + i + incl as usize) * inner + r;
                for p in 0..parts {
                    out[at * parts + p] = tol;
                }
            }
        }
    }
    out
}

#[test]
fn index_errors_on_the_device_are_the_cpus() {
    let Some(_device) = enabled() else {
        return;
    };
    let d = DType::F32;
    let cases: Vec<(&str, ExternOp)> = vec![
        ("take", ExternOp::Take { axis: 1 }),
        ("take_along_axis", ExternOp::TakeAlongAxis { axis: 1 }),
        ("setitem", ExternOp::ScatterFlat),
    ];
    for (what, op) in cases {
        let mut p = Pair::default();
        let x = p.input(&data(d, 2 * 300, 1), d, &[2, 300]);
        // the first bad index (in index order) is reported: 300 at position 3 (-301 later)
        let bad: Vec<i64> = vec![
            5,
            -300,
            299,
            300 * if what == "setitem" { 2 } else { 1 },
            -301,
            7,
        ];
        let roots = match op {
            ExternOp::TakeAlongAxis { .. } => {
                let ids: Vec<i64> = bad.iter().chain(&bad).copied().collect();
                let i = p.input(&int_bytes(DType::I16, &ids), DType::I16, &[2, 6]);
                vec![p.ext(op, &[x, i])]
            }
            ExternOp::ScatterFlat => {
                let i = p.input(&int_bytes(DType::I16, &bad), DType::I16, &[6]);
                let v = p.input(&data(d, 6, 2), d, &[6]);
                vec![p.ext(op, &[x, i, v])]
            }
            _ => {
                let i = p.input(&int_bytes(DType::I16, &bad), DType::I16, &[6]);
                vec![p.ext(op, &[x, i])]
            }
        };
        let cpu = lazulite_runtime::compute(&p.cpu, &roots, &p.inputs).unwrap_err();
        let before = transfer_stats();
        let dev = lazulite_runtime::compute(&p.dev, &roots, &p.dev_inputs).unwrap_err();
        assert_eq!(
            transfer_stats().host_round_trips,
            before.host_round_trips,
            "{what}"
        );
        assert_eq!((dev.kind, &dev.message), (cpu.kind, &cpu.message), "{what}");
        assert_eq!(
            dev.kind,
            lazulite_ir::ErrorKind::Index,
            "{what}: {}",
            dev.message
        );
    }
}

#[test]
fn explain_names_extern_ops_as_device_kernels() {
    let Some(_device) = enabled() else {
        return;
    };
    let mut p = Pair::default();
    let x = p.input(&data(DType::F64, 40, 1), DType::F64, &[4, 10]);
    let s = p.ext(
        ExternOp::Sort {
            axis: 1,
            descending: false,
            stable: true,
        },
        &[x],
    );
    let text = lazulite_runtime::explain(&p.dev, &[s], &p.dev_inputs, false).unwrap();
    assert!(
        text.contains("cuda:0, device kernels (sort family") && !text.contains("host round trip ("),
        "{text}"
    );
}
