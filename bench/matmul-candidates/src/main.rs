//! Times matmul candidates on one machine in one run (GFLOP/s, best of several rounds).
//! Usage: `matmul-candidates [threads]` (default: all cores). Compare with NumPy printed by
//! `bench/run.py --only matmul` in the same minutes.

#![allow(clippy::too_many_arguments)]

use std::time::Instant;

use faer::{Accum, MatMut, MatRef, Par};

const MIN_SIDE: usize = 256;
const BLOCK_WORK: usize = 1 << 28;

/// Seconds of the fastest of several runs of `f` (at least 3 runs, about 1 s in all).
fn best(mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut best = f64::INFINITY;
    let mut runs = 0;
    while runs < 3 || (start.elapsed().as_secs_f64() < 1.0 && runs < 50) {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
        runs += 1;
    }
    best
}

trait El: Copy + Send + Sync + 'static + std::fmt::Debug {
    const ZERO: Self;
    const ONE: Self;
    fn from_f(x: f64) -> Self;
    fn to_f(self) -> f64;
    fn mm(m: usize, k: usize, n: usize, a: &[Self], b: &[Self], c: &mut [Self]);
    fn faer(dst: MatMut<'_, Self>, a: MatRef<'_, Self>, b: MatRef<'_, Self>, par: Par);
}

macro_rules! el {
    ($t:ty, $mm:ident) => {
        impl El for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            fn from_f(x: f64) -> Self {
                x as $t
            }
            fn to_f(self) -> f64 {
                self as f64
            }
            fn mm(m: usize, k: usize, n: usize, a: &[Self], b: &[Self], c: &mut [Self]) {
                // SAFETY: row-major m x k, k x n and m x n buffers of exactly those sizes.
                unsafe {
                    matrixmultiply::$mm(
                        m,
                        k,
                        n,
                        1.0,
                        a.as_ptr(),
                        k as isize,
                        1,
                        b.as_ptr(),
                        n as isize,
                        1,
                        0.0,
                        c.as_mut_ptr(),
                        n as isize,
                        1,
                    )
                }
            }
            fn faer(dst: MatMut<'_, Self>, a: MatRef<'_, Self>, b: MatRef<'_, Self>, par: Par) {
                faer::linalg::matmul::matmul(dst, Accum::Replace, a, b, 1.0, par);
            }
        }
    };
}
el!(f32, sgemm);
el!(f64, dgemm);

/// Which gemm crate version a call goes to.
#[derive(Clone, Copy)]
enum Gemm {
    V018,
    V019,
}

/// One row-major product `c = a * b` through gemm (`par` threads, 0 = sequential).
fn gemm_call<T: El>(
    g: Gemm,
    m: usize,
    k: usize,
    n: usize,
    a: *const T,
    lda: usize,
    b: *const T,
    ldb: usize,
    c: *mut T,
    ldc: usize,
    par: usize,
) {
    // SAFETY: the callers pass row-major blocks inside their buffers, disjoint outputs.
    unsafe {
        match g {
            Gemm::V018 => gemm018::gemm(
                m,
                n,
                k,
                c,
                1,
                ldc as isize,
                false,
                a,
                1,
                lda as isize,
                b,
                1,
                ldb as isize,
                T::ZERO,
                T::ONE,
                false,
                false,
                false,
                if par == 0 {
                    gemm018::Parallelism::None
                } else {
                    gemm018::Parallelism::Rayon(par)
                },
            ),
            Gemm::V019 => gemm::gemm(
                m,
                n,
                k,
                c,
                1,
                ldc as isize,
                false,
                a,
                1,
                lda as isize,
                b,
                1,
                ldb as isize,
                T::ZERO,
                T::ONE,
                false,
                false,
                false,
                if par == 0 {
                    gemm::Parallelism::None
                } else {
                    gemm::Parallelism::Rayon(par)
                },
            ),
        }
    }
}

/// The runtime's path before this change: outputs cut into blocks of about 2^28 multiply-adds, the
/// blocks spread over the pool, each one sequential.
fn gemm_blocked<T: El>(
    g: Gemm,
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
    threads: usize,
) {
    if m * n * k <= BLOCK_WORK {
        gemm_call(
            g,
            m,
            k,
            n,
            a.as_ptr(),
            k,
            b.as_ptr(),
            n,
            c.as_mut_ptr(),
            n,
            threads,
        );
        return;
    }
    let side = (((BLOCK_WORK / k) as f64).sqrt() as usize).max(MIN_SIDE);
    let (mb, nb) = (side.min(m), side.min(n));
    let blocks: Vec<(usize, usize)> = (0..m.div_ceil(mb))
        .flat_map(|i| (0..n.div_ceil(nb)).map(move |j| (i * mb, j * nb)))
        .collect();
    let (pa, pb, pc) = (
        a.as_ptr() as usize,
        b.as_ptr() as usize,
        c.as_mut_ptr() as usize,
    );
    use rayon::prelude::*;
    blocks.par_iter().for_each(|&(i0, j0)| {
        let (rows, cols) = (mb.min(m - i0), nb.min(n - j0));
        gemm_call(
            g,
            rows,
            k,
            cols,
            (pa as *const T).wrapping_add(i0 * k),
            k,
            (pb as *const T).wrapping_add(j0),
            n,
            (pc as *mut T).wrapping_add(i0 * n + j0),
            n,
            0,
        );
    });
}

/// Rows of the output per call, so that the cancel flag can be looked at between calls: panels of
/// about 2^30 multiply-adds, each call threaded inside (the runtime's path after this change).
fn gemm_panels<T: El>(
    g: Gemm,
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
    par: usize,
) {
    let rows = ((1usize << 30) / (n * k).max(1)).max(64);
    for i0 in (0..m).step_by(rows) {
        let r = rows.min(m - i0);
        gemm_call(
            g,
            r,
            k,
            n,
            a[i0 * k..].as_ptr(),
            k,
            b.as_ptr(),
            n,
            c[i0 * n..].as_mut_ptr(),
            n,
            par,
        );
    }
}

fn data<T: El>(len: usize, seed: u64) -> Vec<T> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            T::from_f(((s >> 33) as f64) / (1u64 << 31) as f64 - 0.5)
        })
        .collect()
}

fn check<T: El>(c: &[T], r: &[T], what: &str) {
    let err = c
        .iter()
        .zip(r)
        .map(|(x, y)| (x.to_f() - y.to_f()).abs())
        .fold(0.0, f64::max);
    assert!(err < 1e-2, "{what}: max error {err}");
}

fn case<T: El>(dt: &str, batch: usize, s: usize, threads: usize) {
    let (m, k, n) = (s, s, s);
    let a = data::<T>(batch * m * k, 1);
    let b = data::<T>(batch * k * n, 2);
    let mut reference = vec![T::ZERO; batch * m * n];
    for t in 0..batch {
        T::mm(
            m,
            k,
            n,
            &a[t * m * k..],
            &b[t * k * n..],
            &mut reference[t * m * n..],
        );
    }
    let flops = 2.0 * (batch * m * n * k) as f64;
    let mut c = vec![T::ZERO; batch * m * n];
    let mut row = Vec::new();
    let par = if threads > 1 { threads } else { 0 };
    let mut time = |name: &str, f: &mut dyn FnMut(&mut [T])| {
        c.fill(T::ZERO);
        let secs = best(|| f(&mut c));
        check(&c, &reference, name);
        row.push(format!("{name} {:.0}", flops / secs / 1e9));
    };
    use rayon::prelude::*;
    for (name, g) in [("gemm0.18", Gemm::V018), ("gemm0.19v4", Gemm::V019)] {
        if batch == 1 {
            time(&format!("{name}-blocked"), &mut |c| {
                gemm_blocked(g, m, k, n, &a, &b, c, threads)
            });
            time(&format!("{name}-panels"), &mut |c| {
                gemm_panels(g, m, k, n, &a, &b, c, par)
            });
            time(&format!("{name}-whole"), &mut |c| {
                gemm_call(
                    g,
                    m,
                    k,
                    n,
                    a.as_ptr(),
                    k,
                    b.as_ptr(),
                    n,
                    c.as_mut_ptr(),
                    n,
                    par,
                )
            });
        } else {
            time(&format!("{name}-loop"), &mut |c| {
                for t in 0..batch {
                    let o = t * m * k;
                    gemm_call(
                        g,
                        m,
                        k,
                        n,
                        a[o..].as_ptr(),
                        k,
                        b[o..].as_ptr(),
                        n,
                        c[o..].as_mut_ptr(),
                        n,
                        par,
                    )
                }
            });
            time(&format!("{name}-parbatch"), &mut |c| {
                c.par_chunks_mut(m * n).enumerate().for_each(|(t, c)| {
                    let o = t * m * k;
                    gemm_call(
                        g,
                        m,
                        k,
                        n,
                        a[o..].as_ptr(),
                        k,
                        b[o..].as_ptr(),
                        n,
                        c.as_mut_ptr(),
                        n,
                        0,
                    )
                })
            });
        }
    }
    let fpar = if threads > 1 {
        Par::rayon(threads)
    } else {
        Par::Seq
    };
    time("faer", &mut |c| {
        for t in 0..batch {
            let o = t * m * k;
            let am = MatRef::from_row_major_slice(&a[o..o + m * k], m, k);
            let bm = MatRef::from_row_major_slice(&b[o..o + k * n], k, n);
            let cm = MatMut::from_row_major_slice_mut(&mut c[o..o + m * n], m, n);
            T::faer(cm, am, bm, fpar);
        }
    });
    if threads == 1 {
        time("matrixmultiply", &mut |c| {
            for t in 0..batch {
                let o = t * m * k;
                T::mm(m, k, n, &a[o..], &b[o..], &mut c[o..]);
            }
        });
    }
    println!("{dt} {batch}x{s} threads={threads}: {}", row.join(" | "));
}

fn main() {
    let threads: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("threads: a number"))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("rayon pool");
    println!("GFLOP/s, best of rounds; {threads} thread(s)");
    for (batch, s) in [(1, 256), (1, 1024), (1, 2048), (64, 256)] {
        case::<f32>("f32", batch, s, threads);
        case::<f64>("f64", batch, s, threads);
    }
}
