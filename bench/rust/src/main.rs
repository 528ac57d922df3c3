//! lazulite's Rust API against idiomatic `ndarray` (`Zip` with rayon's parallel methods) on the
//! workloads of the Python bench, in one run: best-of-N wall time per workload and the ratio
//! ndarray time / lazulite time (above 1: lazulite is faster). float64; 2^24 elements and 4096x4096
//! matrices (`--quick`: 2^20 and 1024x1024). Each result is checked against ndarray's.
//!
//! `make bench-rust`, or `cargo run --release -p lazulite-bench -- [--quick] [--repeat N]`.

use lazulite::{self as lz, All, LazyArray};
use ndarray::{Array1, Array2, Axis, Zip};
use rayon::prelude::*;
use std::time::Instant;

/// Best wall time of `repeat` runs after one warm-up run (compiles kernels, fills pools).
fn best_of<R>(repeat: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut out = f();
    let mut best = f64::INFINITY;
    for _ in 0..repeat {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

/// A deterministic pseudo-random series in [-2, 2) (xorshift), so both sides read the same data.
fn series(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
        })
        .collect()
}

fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "result lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f64::max)
}

struct Row {
    name: String,
    lz_s: f64,
    nd_s: f64,
    fused: bool,
}

fn run(
    rows: &mut Vec<Row>,
    repeat: usize,
    name: &str,
    fused: bool,
    lz_f: impl Fn() -> lz::Result<LazyArray>,
    nd_f: impl Fn() -> Vec<f64>,
) -> lz::Result<()> {
    // timed: building the graph and computing it (the result stays in the engine's buffer, as
    // ndarray's stays in its array); the copy out for the check is not timed
    let (lz_s, got) = best_of(repeat, || -> lz::Result<LazyArray> {
        let r = lz_f()?;
        r.compute()?;
        Ok(r)
    });
    let (nd_s, want) = best_of(repeat, &nd_f);
    let got = got?.to_vec::<f64>()?;
    let diff = max_rel_diff(&got, &want);
    if diff > 1e-9 {
        eprintln!("{name}: lazulite and ndarray differ by {diff:e} (relative)");
        std::process::exit(1);
    }
    println!(
        "{name:<44} {:>10.2} {:>10.2} {:>7.2}x",
        lz_s * 1e3,
        nd_s * 1e3,
        nd_s / lz_s
    );
    rows.push(Row {
        name: name.to_string(),
        lz_s,
        nd_s,
        fused,
    });
    Ok(())
}

fn main() -> lz::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let repeat = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(if quick { 3 } else { 7 });
    let (n, side) = if quick {
        (1usize << 20, 1024usize)
    } else {
        (1 << 24, 4096)
    };
    println!(
        "n = {n}, side = {side}, best of {repeat}; threads: lazulite {}, rayon {}",
        lz::config().threads,
        rayon::current_num_threads()
    );
    println!(
        "{:<44} {:>10} {:>10} {:>8}",
        "workload", "lazulite ms", "ndarray ms", "ratio"
    );

    let (a, b, c) = (series(n, 1), series(n, 2), series(n, 3));
    let (x, y) = (series(n, 4), series(n, 5));
    let (m, u, v) = (series(side * side, 6), series(side, 7), series(side, 8));
    let (na, nb, nc) = (
        Array1::from_vec(a),
        Array1::from_vec(b),
        Array1::from_vec(c),
    );
    let (nx, ny) = (Array1::from_vec(x), Array1::from_vec(y));
    let nm = Array2::from_shape_vec((side, side), m).expect("side * side values");
    let (nu, nv) = (Array1::from_vec(u), Array1::from_vec(v));
    // lazulite wraps its own copies of the same arrays without a further copy (from_array)
    let (la, lb, lc) = (
        lz::from_array(na.clone())?,
        lz::from_array(nb.clone())?,
        lz::from_array(nc.clone())?,
    );
    let (lx, ly) = (lz::from_array(nx.clone())?, lz::from_array(ny.clone())?);
    let lm = lz::from_array(nm.clone())?;
    let (lu, lv) = (lz::from_array(nu.clone())?, lz::from_array(nv.clone())?);

    let mut rows = Vec::new();
    run(
        &mut rows,
        repeat,
        "triad a*b+c",
        true,
        || &la * &lb + &lc,
        || {
            Zip::from(&na)
                .and(&nb)
                .and(&nc)
                .par_map_collect(|&a, &b, &c| a * b + c)
                .into_raw_vec_and_offset()
                .0
        },
    )?;
    run(
        &mut rows,
        repeat,
        "sin(x)^2+cos(x)^2-exp(-x*x)",
        true,
        || lx.sin()?.square()? + lx.cos()?.square()? - (-(&lx * &lx)?)?.exp()?,
        || {
            Zip::from(&nx)
                .par_map_collect(|&x| x.sin().powi(2) + x.cos().powi(2) - (-x * x).exp())
                .into_raw_vec_and_offset()
                .0
        },
    )?;
    run(
        &mut rows,
        repeat,
        "map-reduce sum(sqrt(x*x+y*y))",
        true,
        || (&lx * &lx + (&ly * &ly)?)?.sqrt()?.sum(All, false),
        || {
            vec![Zip::from(&nx).and(&ny).par_fold(
                || 0.0,
                |s, &x, &y| s + (x * x + y * y).sqrt(),
                |p, q| p + q,
            )]
        },
    )?;
    run(
        &mut rows,
        repeat,
        &format!("softmax rows {side}x{side}"),
        true,
        || {
            let e = (&lm - lm.max(-1, true)?)?.exp()?;
            &e / e.sum(-1, true)?
        },
        || {
            let mut out = Array2::<f64>::zeros((side, side));
            Zip::from(out.rows_mut())
                .and(nm.rows())
                .par_for_each(|mut o, r| {
                    let mx = r.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                    Zip::from(&mut o)
                        .and(&r)
                        .for_each(|o, &r| *o = (r - mx).exp());
                    let s = o.sum();
                    o.mapv_inplace(|e| e / s);
                });
            out.into_raw_vec_and_offset().0
        },
    )?;
    run(
        &mut rows,
        repeat,
        &format!("broadcast-reduce sum(|u[:,None]-v|) {side}^2"),
        true,
        || {
            let d = (lu.reshape(&[side as isize, 1])? - lv.reshape(&[1, side as isize])?)?;
            d.abs()?.sum(All, false)
        },
        || {
            let s: f64 = nu
                .as_slice()
                .expect("contiguous")
                .par_iter()
                .map(|&ui| nv.iter().map(|&vj| (ui - vj).abs()).sum::<f64>())
                .sum();
            vec![s]
        },
    )?;
    run(
        &mut rows,
        repeat,
        "single op: sum(x)",
        false,
        || lx.sum(All, false),
        || vec![nx.as_slice().expect("contiguous").par_iter().sum::<f64>()],
    )?;
    run(
        &mut rows,
        repeat,
        "single op: exp(x)",
        false,
        || lx.exp(),
        || {
            Zip::from(&nx)
                .par_map_collect(|&x| x.exp())
                .into_raw_vec_and_offset()
                .0
        },
    )?;
    run(
        &mut rows,
        repeat,
        &format!("single op: mean(m, axis=0) {side}x{side}"),
        false,
        || lm.mean(0, false),
        || {
            nm.axis_iter(Axis(0))
                .into_par_iter()
                .fold(
                    || Array1::<f64>::zeros(side),
                    |mut acc, r| {
                        acc += &r;
                        acc
                    },
                )
                .reduce(|| Array1::<f64>::zeros(side), |p, q| p + q)
                .mapv(|s| s / side as f64)
                .into_raw_vec_and_offset()
                .0
        },
    )?;

    let fused: Vec<f64> = rows
        .iter()
        .filter(|r| r.fused)
        .map(|r| r.nd_s / r.lz_s)
        .collect();
    let single: Vec<f64> = rows
        .iter()
        .filter(|r| !r.fused)
        .map(|r| r.nd_s / r.lz_s)
        .collect();
    let geo = |v: &[f64]| (v.iter().map(|r| r.ln()).sum::<f64>() / v.len() as f64).exp();
    println!(
        "geometric mean ratio: fused workloads {:.2}x, single ops {:.2}x ({} rows)",
        geo(&fused),
        geo(&single),
        rows.len()
    );
    if let Some(worst) = rows
        .iter()
        .min_by(|p, q| (p.nd_s / p.lz_s).total_cmp(&(q.nd_s / q.lz_s)))
    {
        println!(
            "lowest ratio: {} ({:.2}x)",
            worst.name,
            worst.nd_s / worst.lz_s
        );
    }
    Ok(())
}
