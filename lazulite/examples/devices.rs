//! The same code on a GPU or on the CPU: softmax over rows, where the data lives.
//!
//! Run with `cargo run --release -p lazulite --example devices [rows cols]`. It picks `cuda:0` when
//! a CUDA device is present (an NVIDIA driver, or the emulated device of the tests with
//! `LAZULITE_CUDA_EMULATOR`), else the CPU; uploads the data once, computes on that device (the
//! intermediate results stay there between the two computes), copies the result back once to read it,
//! and checks it against a plain Rust loop.

use lazulite::{self as lz, Device, LazyArray};

/// Softmax of each row (lazy: nothing runs here).
fn softmax(x: &LazyArray) -> lz::Result<LazyArray> {
    let e = (x - x.max(1isize, true)?)?.exp()?;
    &e / e.sum(1isize, true)?
}

fn reference(x: &[f64], cols: usize) -> Vec<f64> {
    x.chunks(cols)
        .flat_map(|row| {
            let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = row.iter().map(|v| (v - m).exp()).sum();
            row.iter()
                .map(move |v| (v - m).exp() / s)
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let rows = args.next().transpose()?.unwrap_or(64);
    let cols = args.next().transpose()?.unwrap_or(100);
    let device = lz::devices()
        .into_iter()
        .find(|d| *d != Device::Cpu)
        .unwrap_or(Device::Cpu);
    let data: Vec<f64> = (0..rows * cols)
        .map(|i| ((i * 7919) % 1000) as f64 / 100.0)
        .collect();
    let x = lz::from_vec_on(data.clone(), &[rows, cols], device)?;
    let p = softmax(&x)?;
    p.compute()?; // runs on `device`; the result stays there
    let total = p.sum(1isize, false)?; // a second compute, reading the device result
    assert_eq!(total.device(), device);
    let got = p.to_vec::<f64>()?; // one copy to the host
    let want = reference(&data, cols);
    let err = got
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!("softmax of {rows} x {cols} on {device}: max abs error {err:.2e} vs plain Rust");
    if err > 1e-12 {
        return Err(format!("softmax on {device} differs from the oracle by {err}").into());
    }
    for (r, s) in total.to_vec::<f64>()?.iter().enumerate() {
        if (s - 1.0).abs() > 1e-12 {
            return Err(format!("row {r} sums to {s}").into());
        }
    }
    Ok(())
}
