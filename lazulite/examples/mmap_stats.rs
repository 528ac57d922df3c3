//! A batched statistics job over a memory-mapped file of float64 records (rows of `cols` features):
//! per-column count, mean, standard deviation, minimum and maximum, one batch of rows at a time.
//!
//! Each batch is one lazy graph (sum, sum of squared deviations from the batch mean, min, max; fused
//! by the engine); batches are merged on the host with Chan et al.'s pairwise formula, so the file
//! never has to fit in memory. The result is checked against a plain two-pass Rust loop over the file.
//! Run: `cargo run --release -p lazulite --example mmap_stats [rows] [cols] [batch_rows]` (`make test`
//! runs it through `lazulite/tests/examples.rs`).

use lazulite::{self as lz, DType};
use memmap2::Mmap;
use std::fs::File;
use std::io::{BufWriter, Write};

/// Running per-column statistics (count, mean, M2 = sum of squared deviations, min, max).
#[derive(Clone, Debug)]
struct Stats {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
    min: Vec<f64>,
    max: Vec<f64>,
}

impl Stats {
    fn empty(cols: usize) -> Stats {
        Stats {
            n: 0.0,
            mean: vec![0.0; cols],
            m2: vec![0.0; cols],
            min: vec![f64::INFINITY; cols],
            max: vec![f64::NEG_INFINITY; cols],
        }
    }

    /// Chan, Golub and LeVeque's pairwise update: `self` and `other` summarise disjoint rows.
    fn merge(&mut self, other: &Stats) {
        let n = self.n + other.n;
        for c in 0..self.mean.len() {
            let delta = other.mean[c] - self.mean[c];
            self.m2[c] += other.m2[c] + delta * delta * self.n * other.n / n;
            self.mean[c] += delta * other.n / n;
            self.min[c] = self.min[c].min(other.min[c]);
            self.max[c] = self.max[c].max(other.max[c]);
        }
        self.n = n;
    }
}

/// The statistics of one batch of rows (`bytes`: `rows x cols` little-endian float64).
fn batch_stats(bytes: &[u8], rows: usize, cols: usize) -> lz::Result<Stats> {
    let x = lz::from_bytes(bytes, DType::F64, &[rows, cols])?;
    let mean = x.mean(0, true)?;
    let dev = (&x - &mean)?;
    let m2 = (&dev * &dev)?.sum(0, false)?;
    let (min, max) = (x.min(0, false)?, x.max(0, false)?);
    lz::compute_many(&[&mean, &m2, &min, &max])?;
    Ok(Stats {
        n: rows as f64,
        mean: mean.to_vec()?,
        m2: m2.to_vec()?,
        min: min.to_vec()?,
        max: max.to_vec()?,
    })
}

/// Two passes over all values in plain Rust: the oracle.
fn oracle(values: &[f64], cols: usize) -> Stats {
    let mut s = Stats::empty(cols);
    let rows = values.len() / cols;
    s.n = rows as f64;
    for row in values.chunks(cols) {
        for (c, &v) in row.iter().enumerate() {
            s.mean[c] += v;
            s.min[c] = s.min[c].min(v);
            s.max[c] = s.max[c].max(v);
        }
    }
    for m in &mut s.mean {
        *m /= rows as f64;
    }
    for row in values.chunks(cols) {
        for (c, &v) in row.iter().enumerate() {
            s.m2[c] += (v - s.mean[c]) * (v - s.mean[c]);
        }
    }
    s
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|s| s.parse::<usize>().ok());
    let rows = args.next().flatten().unwrap_or(200_000);
    let cols = args.next().flatten().unwrap_or(8);
    let batch = args.next().flatten().unwrap_or(32_768).max(1);

    // write the data file: column c is a skewed, shifted series
    let path = std::env::temp_dir().join(format!("lazulite-mmap-stats-{}.f64", std::process::id()));
    {
        let mut w = BufWriter::new(File::create(&path)?);
        for r in 0..rows {
            for c in 0..cols {
                let t = r as f64 * 0.001;
                let v = (t * (c + 1) as f64).sin() * (c as f64 + 1.0)
                    + ((r * 7919 + c * 104_729) % 1000) as f64 * 0.01
                    + 100.0 * c as f64;
                w.write_all(&v.to_le_bytes())?;
            }
        }
        w.flush()?;
    }

    let file = File::open(&path)?;
    // SAFETY: the file is private to this process (its name carries our pid) and nothing writes to
    // it while it is mapped, so the mapped bytes do not change under the slices taken below.
    let map = unsafe { Mmap::map(&file)? };
    let row_bytes = cols * 8;
    let mut total = Stats::empty(cols);
    let mut start = 0;
    while start < rows {
        let n = batch.min(rows - start);
        let bytes = &map[start * row_bytes..(start + n) * row_bytes];
        total.merge(&batch_stats(bytes, n, cols)?);
        start += n;
    }

    // the oracle reads the same file without the map
    let raw = std::fs::read(&path)?;
    std::fs::remove_file(&path)?;
    let values: Vec<f64> = raw
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect();
    let want = oracle(&values, cols);

    println!("{rows} rows x {cols} columns in batches of {batch} rows");
    println!("column       mean        std        min        max");
    let mut worst = 0.0f64;
    for c in 0..cols {
        let std = (total.m2[c] / total.n).sqrt();
        println!(
            "{c:>6} {:>10.4} {:>10.4} {:>10.4} {:>10.4}",
            total.mean[c], std, total.min[c], total.max[c]
        );
        let pairs = [
            (total.mean[c], want.mean[c]),
            (total.m2[c], want.m2[c]),
            (total.min[c], want.min[c]),
            (total.max[c], want.max[c]),
        ];
        for (got, exp) in pairs {
            worst = worst.max((got - exp).abs() / exp.abs().max(1.0));
        }
    }
    println!("worst relative difference vs plain Rust: {worst:.2e}");
    if worst > 1e-9 || total.n != want.n {
        return Err(format!("MISMATCH: {worst:e} > 1e-9 (or row counts differ)").into());
    }
    println!("ok");
    Ok(())
}
