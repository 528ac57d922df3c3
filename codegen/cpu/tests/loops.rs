//! Loop nests, layouts (broadcast, strided, negative strides), ranks 0..4, odd sizes, zero extents,
//! range splitting, reductions of every op with epilogues, and that dropping kernels frees code.

mod common;
use common::*;
use lazulite_codegen_cpu::compile;
use lazulite_ir::*;
use StrideClass::*;

/// `o0 = select(a > b, a*b + 2, -a)` (f64), `o1 = a > b` (bool), `o2 = sqrt(|a|) - b`.
fn fused(ndim: u32, ca: StrideClass, cb: StrideClass, co: StrideClass) -> Kernel {
    let f = DType::F64;
    Kernel {
        ndim,
        n_reduce: 0,
        inputs: vec![input(f, ca), input(f, cb)],
        body: vec![
            instr(Inst::Load { input: 0 }, f),                    // 0
            instr(Inst::Load { input: 1 }, f),                    // 1
            instr(Inst::Binary(BinaryOp::Mul, 0, 1), f),          // 2
            instr(Inst::Const(Scalar::Float(2.0)), f),            // 3
            instr(Inst::Binary(BinaryOp::Add, 2, 3), f),          // 4
            instr(Inst::Binary(BinaryOp::Gt, 0, 1), DType::Bool), // 5
            instr(Inst::Unary(UnaryOp::Neg, 0), f),               // 6
            instr(
                Inst::Select {
                    cond: 5,
                    a: 4,
                    b: 6,
                },
                f,
            ), // 7
            instr(Inst::Unary(UnaryOp::Abs, 0), f),               // 8
            instr(Inst::Unary(UnaryOp::Sqrt, 8), f),              // 9
            instr(Inst::Binary(BinaryOp::Sub, 9, 1), f),          // 10
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![
            output(7, f, co),
            output(5, DType::Bool, co),
            output(10, f, co),
        ],
    }
}

fn row_major(shape: &[i64]) -> Vec<i64> {
    let mut s = vec![1i64; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1].max(1);
    }
    s
}

#[test]
fn elementwise_ranks_layouts_and_splits() {
    let shapes: [&[i64]; 9] = [
        &[],
        &[7],
        &[33],
        &[3, 5],
        &[2, 3, 9],
        &[2, 2, 3, 5],
        &[0],
        &[3, 0],
        &[0, 4],
    ];
    let mut compared = 0;
    for shape in shapes {
        let nd = shape.len();
        let rm = row_major(shape);
        // (a classes, a strides, b strides): contiguous; b broadcast along everything but dim 0;
        // a reversed on the inner dim; a transposed-ish (inner stride != 1).
        let mut bcast = vec![0i64; nd];
        if nd > 0 {
            bcast[0] = 1;
        }
        let mut rev = rm.clone();
        if let Some(last) = rev.last_mut() {
            *last = -1;
        }
        let mut wide: Vec<i64> = rm.iter().map(|s| s * 2).collect();
        if nd > 1 {
            wide.swap(0, nd - 1);
        }
        let inner = |s: &[i64]| StrideClass::of(s.last().copied().unwrap_or(1) as isize);
        for (sa, sb) in [
            (rm.clone(), rm.clone()),
            (rm.clone(), bcast.clone()),
            (rev.clone(), rm.clone()),
            (wide.clone(), bcast.clone()),
        ] {
            for splits in [1, 3] {
                let k = fused(nd as u32, inner(&sa), inner(&sb), Contiguous);
                let mut case = Case::contiguous(&k, shape);
                case.in_strides = vec![sa.clone(), sb.clone()];
                case.splits = splits;
                case.seed = 3;
                let (n, lanes) = check_lanes(&k, &case);
                compared += n;
                let vector = nd > 0 && inner(&sa) != Strided && inner(&sb) != Strided;
                assert_eq!(lanes > 1, vector, "{shape:?} {sa:?} {sb:?}");
            }
        }
        // Strided outputs (scalar loop).
        let k = fused(
            nd as u32,
            Contiguous,
            Contiguous,
            if nd > 0 { Strided } else { Contiguous },
        );
        let mut case = Case::contiguous(&k, shape);
        case.out_strides = vec![wide.clone(), rev.clone(), wide.clone()];
        case.splits = 2;
        compared += check(&k, &case);
    }
    assert!(compared > 1000);
}

/// A 20-op chain with mixed dtypes (scalar loop) and one with one lane count (vector loop).
#[test]
fn long_chains() {
    let f = DType::F32;
    let mut body = vec![
        instr(Inst::Load { input: 0 }, f),
        instr(Inst::Load { input: 1 }, DType::I32),
    ];
    body.push(instr(Inst::Cast(1), f)); // 2
    let ops = [
        BinaryOp::Add,
        BinaryOp::Mul,
        BinaryOp::Sub,
        BinaryOp::Maximum,
        BinaryOp::Minimum,
        BinaryOp::Div,
    ];
    for j in 0..18u32 {
        let last = body.len() as u32 - 1;
        if j % 4 == 3 {
            body.push(instr(Inst::Unary(UnaryOp::Sin, last), f));
        } else {
            body.push(instr(
                Inst::Binary(ops[j as usize % ops.len()], last, [0, 2][j as usize % 2]),
                f,
            ));
        }
    }
    let out = body.len() as u32 - 1;
    let k = Kernel {
        ndim: 2,
        n_reduce: 0,
        inputs: vec![input(f, Contiguous), input(DType::I32, Contiguous)],
        body,
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(out, f, Contiguous)],
    };
    let mut case = Case::contiguous(&k, &[3, 101]);
    case.splits = 2;
    let (_, lanes) = check_lanes(&k, &case);
    assert_eq!(lanes, 4, "f32 and i32 share 4 lanes");
    // Mixed widths: f64 + i32 -> scalar loop.
    let mut k2 = k.clone();
    k2.inputs[0].dtype = DType::F64;
    for ins in k2.body.iter_mut() {
        if ins.dtype == f {
            ins.dtype = DType::F64;
        }
    }
    k2.outputs[0].dtype = DType::F64;
    let (_, lanes) = check_lanes(&k2, &case);
    assert_eq!(lanes, 1);
}

/// (ndim, n_reduce, shape, strides, splits)
type Layout = (u32, u32, Vec<i64>, Vec<i64>, i64);

fn reduce_dtypes(op: ReduceOp) -> Vec<DType> {
    REAL_DTYPES
        .into_iter()
        .filter(|&d| op.result_dtype(d).is_ok())
        .collect()
}

#[test]
fn every_reduction_every_dtype_and_layout() {
    let mut cases = 0;
    for &op in ReduceOp::ALL {
        for d in reduce_dtypes(op) {
            // (ndim, n_reduce, shape, strides, splits)
            let layouts: Vec<Layout> = vec![
                (2, 1, vec![5, 37], vec![37, 1], 2), // inner reduce, contiguous (vector)
                (1, 1, vec![103], vec![1], 3),       // full reduce over dim 0, split into 3 calls
                (3, 2, vec![3, 4, 9], vec![1, 27, 3], 2), // strided reduced dims (scalar loop)
                (2, 2, vec![6, 11], vec![11, 1], 2), // full reduce over 2 dims
                (2, 1, vec![4, 7], vec![1, 0], 1),   // broadcast along the reduced dim
                (2, 1, vec![3, 13], vec![13, -1], 1), // negative inner stride
                (3, 1, vec![2, 3, 17], vec![51, 17, 1], 3), // rank 3, odd inner extent
            ];
            for (ndim, n_reduce, shape, strides, splits) in layouts {
                let class = StrideClass::of(*strides.last().unwrap() as isize);
                let k = reduce_kernel(op, d, ndim, n_reduce, class);
                for seed in [0, 1, 2] {
                    let mut case = Case::contiguous(&k, &shape);
                    case.in_strides = vec![strides.clone()];
                    case.splits = splits;
                    case.seed = seed;
                    case.exact = true;
                    let (n, lanes) = check_lanes(&k, &case);
                    assert!(n > 0);
                    // Strided reduced dims vectorize across the innermost outer dim when there is one.
                    let vector = class != Strided || n_reduce < ndim;
                    assert_eq!(lanes > 1, vector, "{}", k.pretty());
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 300, "{cases}");
}

/// Every length around the unrolled main loop of the vector reduction (8 vectors per iteration), the
/// single-vector loop behind it and the padded tail, for every reduction and dtype: full reductions
/// (split over 1 and 2 calls) and inner reductions (two rows).
#[test]
fn reduction_lengths_around_the_unrolled_loop() {
    let mut cases = 0;
    for &op in ReduceOp::ALL {
        for d in reduce_dtypes(op) {
            let full = reduce_kernel(op, d, 1, 1, Contiguous);
            let inner = reduce_kernel(op, d, 2, 1, Contiguous);
            for n in (1..=70).chain([127, 128, 129, 255, 257]) {
                for splits in [1, 2] {
                    let mut case = Case::contiguous(&full, &[n]);
                    case.splits = splits;
                    case.seed = n as u64;
                    case.exact = true;
                    let (c, lanes) = check_lanes(&full, &case);
                    assert!(c > 0 && lanes > 1, "{}", full.pretty());
                }
                let mut case = Case::contiguous(&inner, &[2, n]);
                case.seed = n as u64 + 1;
                case.exact = true;
                assert_eq!(check(&inner, &case), 2);
                cases += 1;
            }
        }
    }
    assert!(cases > 500, "{cases}");
}

/// Reductions over a strided axis (`x.sum(axis=0)` of a C-order matrix: loop dims `[C, R]`, strides
/// `[1, C]`) vectorize across the outer dim: every reduction and dtype, outer extents around the lane
/// count and the accumulator block, reduced extents around the 8-step groups (0 for reductions with
/// an identity), split calls, and layouts whose outer stride is not 1 at run time (the scalar loop).
/// The order of the fold per output is the scalar loop's, so floats compare bit for bit.
#[test]
fn strided_axis_reductions_vectorize_across_the_outer_dim() {
    let mut cases = 0;
    for &op in ReduceOp::ALL {
        for d in reduce_dtypes(op) {
            let k = reduce_kernel(op, d, 2, 1, Strided);
            let ck = compile(&k).unwrap();
            assert!(ck.vector_lanes() > 1, "{}", k.pretty());
            let lanes = ck.vector_lanes() as i64;
            let big = 1030 * lanes + lanes + 1; // past one block of accumulators (1024 vectors)
            for c in [1, 2, 3, lanes - 1, lanes + 1, 2 * lanes + 3, 33, big] {
                for r in [0, 1, 3, 7, 8, 9, 17] {
                    if r == 0 && op.identity(d).is_none() {
                        continue;
                    }
                    // past one block: one group of 8 steps and a rest are enough (and keep it fast)
                    if c == big && ![0, 1, 9].contains(&r) {
                        continue;
                    }
                    // C-order (r, c); every other column; a column broadcast along the outer dim.
                    for strides in [vec![1, c], vec![2, 2 * c], vec![0, 1]] {
                        for splits in [1, 3] {
                            let mut case = Case::contiguous(&k, &[c, r]);
                            case.in_strides = vec![strides.clone()];
                            case.splits = splits;
                            case.seed = (c * 31 + r) as u64;
                            assert_eq!(check_compiled(&k, ck.entry(), &case), c as usize);
                            cases += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(cases > 3000, "{cases}");
}

/// Two outer and two reduced dims (a C-order `(A, R1, R2, C)` array reduced over `R1, R2`, loop dims
/// `[A, C, R1, R2]`), with an epilogue that loads an input at the outer point, mixes reductions and
/// stores a float and a bool output; inputs contiguous and reversed along the outer dim.
#[test]
fn strided_axis_reduction_with_epilogue_two_outer_dims() {
    let f = DType::F32;
    let k = Kernel {
        ndim: 4,
        n_reduce: 2,
        inputs: vec![input(f, Strided), input(f, Broadcast)],
        body: vec![
            instr(Inst::Load { input: 0 }, f),
            instr(Inst::Load { input: 1 }, f),
            instr(Inst::Binary(BinaryOp::Mul, 0, 1), f),
            instr(Inst::Binary(BinaryOp::Gt, 0, 1), DType::Bool),
        ],
        reduces: vec![
            KernelReduce {
                op: ReduceOp::Sum,
                value: 2,
            },
            KernelReduce {
                op: ReduceOp::Min,
                value: 0,
            },
            KernelReduce {
                op: ReduceOp::Any,
                value: 3,
            },
        ],
        epilogue: vec![
            instr(Inst::Reduced(0), f),
            instr(Inst::Reduced(1), f),
            instr(Inst::Load { input: 1 }, f),
            instr(Inst::Binary(BinaryOp::Div, 0, 2), f),
            instr(Inst::Binary(BinaryOp::Sub, 3, 1), f),
            instr(Inst::Reduced(2), DType::Bool),
        ],
        outputs: vec![output(4, f, Contiguous), output(5, DType::Bool, Contiguous)],
    };
    let (a, c, r1, r2) = (3i64, 11i64, 5i64, 11i64);
    let mut n = 0;
    for reversed in [false, true] {
        let s0 = if reversed { -1 } else { 1 };
        let mut case = Case::contiguous(&k, &[a, c, r1, r2]);
        case.in_strides = vec![
            vec![r1 * r2 * c, s0, r2 * c, c],
            // broadcast along R2 only
            vec![c * r1, 1, c, 0],
        ];
        case.out_strides = vec![vec![c, 1], vec![c, 1]];
        for (splits, seed) in [(1, 0), (2, 1), (3, 2)] {
            case.splits = splits;
            case.seed = seed;
            let (cmp, lanes) = check_lanes(&k, &case);
            assert_eq!((cmp, lanes), (2 * (a * c) as usize, 4));
            n += 1;
        }
    }
    assert_eq!(n, 6);
}

/// Many reductions vectorized across the outer dim: their accumulator blocks take more than a page
/// of stack (probed), and each output gets its own reduction's result.
#[test]
fn strided_axis_reduction_with_many_reductions() {
    let f = DType::F64;
    let n_red = 70u32;
    let ops = [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod];
    let k = Kernel {
        ndim: 2,
        n_reduce: 1,
        inputs: vec![input(f, Strided)],
        body: vec![instr(Inst::Load { input: 0 }, f)],
        reduces: (0..n_red)
            .map(|r| KernelReduce {
                op: ops[r as usize % ops.len()],
                value: 0,
            })
            .collect(),
        epilogue: (0..n_red).map(|r| instr(Inst::Reduced(r), f)).collect(),
        outputs: (0..n_red).map(|r| output(r, f, Contiguous)).collect(),
    };
    let (c, r) = (37i64, 6i64);
    let mut case = Case::contiguous(&k, &[c, r]);
    case.in_strides = vec![vec![1, c]];
    case.exact = true;
    let (cmp, lanes) = check_lanes(&k, &case);
    assert_eq!((cmp, lanes), ((n_red as i64 * c) as usize, 2));
}

/// Body computes before reducing; epilogue combines two reductions with an extra load; two outputs.
#[test]
fn reduction_with_epilogue_and_extra_load() {
    let f = DType::F64;
    for (inner, strides) in [(Contiguous, vec![19i64, 1]), (Strided, vec![1i64, 6])] {
        let k = Kernel {
            ndim: 2,
            n_reduce: 1,
            inputs: vec![input(f, inner), input(f, Broadcast)],
            body: vec![
                instr(Inst::Load { input: 0 }, f),
                instr(Inst::Binary(BinaryOp::Mul, 0, 0), f),
                instr(Inst::Binary(BinaryOp::Gt, 0, 1), DType::Bool),
                instr(Inst::Const(Scalar::Float(0.0)), f),
            ],
            reduces: vec![
                KernelReduce {
                    op: ReduceOp::Sum,
                    value: 1,
                },
                KernelReduce {
                    op: ReduceOp::Max,
                    value: 0,
                },
                KernelReduce {
                    op: ReduceOp::Any,
                    value: 2,
                },
            ],
            epilogue: vec![
                instr(Inst::Reduced(0), f),
                instr(Inst::Reduced(1), f),
                instr(Inst::Load { input: 1 }, f),
                instr(Inst::Binary(BinaryOp::Mul, 1, 2), f),
                instr(Inst::Binary(BinaryOp::Add, 0, 3), f),
                instr(Inst::Cast(4), DType::F32),
                instr(Inst::Reduced(2), DType::Bool),
            ],
            outputs: vec![
                output(5, DType::F32, Contiguous),
                output(6, DType::Bool, Strided),
            ],
        };
        let mut case = Case::contiguous(&k, &[6, 19]);
        case.in_strides = vec![strides.clone(), vec![1, 0]];
        case.out_strides = vec![vec![1], vec![-1]];
        case.splits = 2;
        case.exact = true;
        for seed in [0, 1, 2] {
            case.seed = seed;
            assert_eq!(check(&k, &case), 12);
        }
    }
}

/// Reductions over an empty extent give the identity (sum/prod/any/all).
#[test]
fn empty_reductions_give_identity() {
    for &op in &[ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Any, ReduceOp::All] {
        for d in reduce_dtypes(op) {
            for class in [Contiguous, Strided] {
                let k = reduce_kernel(op, d, 2, 1, class);
                let ck = compile(&k).unwrap();
                let shape = [4i64, 0];
                let ins = [View::new(
                    d,
                    &shape,
                    &[3, if class == Strided { 2 } else { 1 }],
                )];
                let mut outs = [View::new(d, &shape[..1], &[1])];
                for j in 0..4 {
                    outs[0].set(&[j], Scalar::Int(7).cast(d)); // garbage to overwrite
                }
                call(ck.entry(), &shape, &ins, &mut outs, 0, 4);
                for j in 0..4 {
                    assert_eq!(
                        outs[0].get(&[j]),
                        op.identity(d).unwrap(),
                        "{} {d}",
                        op.name()
                    );
                }
            }
        }
    }
}

/// Sum of 1..=n in f64 with the range split in uneven pieces: exact oracle by formula.
#[test]
fn full_sum_range_splitting() {
    let k = reduce_kernel(ReduceOp::Sum, DType::F64, 1, 1, Contiguous);
    let ck = compile(&k).unwrap();
    let n = 1000i64;
    let mut a = View::new(DType::F64, &[n], &[1]);
    for j in 0..n {
        a.set(&[j], Scalar::Float((j + 1) as f64));
    }
    let ins = [a];
    let mut total = 0.0;
    for (s, e) in [
        (0, 1),
        (1, 2),
        (2, 9),
        (9, 500),
        (500, 999),
        (999, 1000),
        (1000, 1000),
    ] {
        let mut out = [View::new(DType::F64, &[], &[])];
        call(ck.entry(), &[n], &ins, &mut out, s, e);
        total += out[0].get(&[]).as_f64();
    }
    assert_eq!(total, (n * (n + 1) / 2) as f64);
}

#[test]
fn compile_time_of_a_20_op_chain() {
    let f = DType::F64;
    let mut body = vec![
        instr(Inst::Load { input: 0 }, f),
        instr(Inst::Load { input: 1 }, f),
    ];
    let ops = [BinaryOp::Add, BinaryOp::Mul, BinaryOp::Sub, BinaryOp::Div];
    for j in 0..20u32 {
        let last = body.len() as u32 - 1;
        body.push(instr(Inst::Binary(ops[j as usize % 4], last, j % 2), f));
    }
    let k = Kernel {
        ndim: 1,
        n_reduce: 0,
        inputs: vec![input(f, Contiguous), input(f, Contiguous)],
        outputs: vec![output(body.len() as u32 - 1, f, Contiguous)],
        body,
        reduces: vec![],
        epilogue: vec![],
    };
    let first = compile(&k).unwrap().compile_time();
    let mut times: Vec<_> = (0..30)
        .map(|_| compile(&k).unwrap().compile_time())
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    eprintln!("20-op chain compile: first {first:?}, warm median {median:?}");
    // Generous bound for unoptimized test builds on a loaded machine; see the example for numbers.
    assert!(median.as_millis() < 20, "warm compile took {median:?}");
    check(&k, &Case::contiguous(&k, &[77]));
}

/// Float sums whose main loop crosses the blocks of the cascade (16 main iterations per innermost
/// block, 16 blocks per level above, three levels, then the top): lengths around each level's
/// boundary, full reductions of one dim (split over 1 and 2 calls; and strided, through the scalar
/// loop) and of two dims (the cascade runs once per row and must keep what the earlier rows
/// accumulated), and inner reductions, against the interpreter (inputs whose sums are exact in any
/// order).
#[test]
fn float_sums_across_the_cascade_blocks() {
    let mut cases = 0;
    for d in [DType::F32, DType::F64] {
        let full = reduce_kernel(ReduceOp::Sum, d, 1, 1, Contiguous);
        let full2 = reduce_kernel(ReduceOp::Sum, d, 2, 2, Contiguous);
        let inner = reduce_kernel(ReduceOp::Sum, d, 2, 1, Contiguous);
        // Every other element: the scalar loop, one element per cascade iteration.
        let strided = reduce_kernel(ReduceOp::Sum, d, 1, 1, Strided);
        for n in [15, 16, 17, 255, 256, 257, 4095, 4096, 4097, 2 * 65536 + 3] {
            let mut case = Case::contiguous(&strided, &[n]);
            case.in_strides = vec![vec![2]];
            case.seed = 2;
            case.exact = true;
            assert_eq!(check_lanes(&strided, &case).1, 1);
            cases += 1;
        }
        // Elements per main iteration: 8 vectors of 16 bytes.
        let step = 8 * 16 / d.size() as i64;
        for block in [16, 256, 4096] {
            let b = block * step;
            for n in [b - 1, b, b + step + 3, 2 * b + 5] {
                for splits in [1, 2] {
                    let mut case = Case::contiguous(&full, &[n]);
                    case.splits = splits;
                    case.seed = 1 + splits as u64 % 2;
                    case.exact = true;
                    assert!(check_lanes(&full, &case).1 > 1);
                    cases += 1;
                }
                if block <= 256 {
                    for (k, rows) in [(&full2, 3), (&inner, 2)] {
                        let mut case = Case::contiguous(k, &[rows, n]);
                        case.seed = 2;
                        case.exact = true;
                        assert!(check(k, &case) > 0);
                        cases += 1;
                    }
                }
            }
        }
    }
    assert!(cases > 60, "{cases}");
}
