//! # lazulite: lazy array expressions, computed as fused native kernels
//!
//! lazulite is an array engine for Rust programs (and, through its Python namespace, for Python ones).
//! You write array expressions the way you would with `ndarray`; they are not computed when written.
//! Each expression is a node of a graph whose dtype and shape are known at once. When a value is
//! needed, the graph goes to the engine as a whole: elementwise work and reductions are fused into as
//! few loops as possible, and each loop is run by an interpreter (small or cold work) or as native code
//! compiled with Cranelift (large or hot work), split over all cores.
//!
//! ## 1. Build lazily
//!
//! Arrays come from Rust data ([`from_vec`] without a copy, [`from_slice`]), from creation functions
//! ([`zeros`], [`arange`], [`linspace`], ...) or, with the `ndarray` feature, from `ndarray` arrays.
//! Operators work on references and Rust numbers and return [`Result<LazyArray>`](Result), as candle's
//! tensors do, so a formula reads like the math with one `?` at the end:
//!
//! ```
//! use lazulite::{self as lz, DType};
//!
//! let a = lz::from_vec(vec![1.0f64, 2.0, 3.0], &[3])?;
//! let b = lz::from_slice(&[0.5f64, 0.25, 0.125], &[3])?;
//! let c = lz::full(&[3], lz::Scalar::Float(10.0), None)?;
//!
//! let y = (&a * &b + &c)?;              // nothing has run yet
//! let z = ((2.0 * &y)? - 1.0)?.sin()?;  // numbers are scalars; method forms chain
//! assert_eq!(z.dtype(), DType::F64);    // dtype and shape are known before computing
//! assert_eq!(z.shape(), &[3]);
//!
//! // a shape or dtype error is reported where the expression was written
//! let short = lz::from_vec(vec![1.0f64, 2.0], &[2])?;
//! assert!((&a + &short).is_err());
//! # Ok::<(), lz::Error>(())
//! ```
//!
//! A `Result` combines with an array on the other side (`(&a * &b + &c)?`), not with a number (Rust's
//! orphan rule forbids `impl Add<f64> for Result<_>`): write `((2.0 * &y)? - 1.0)?`.
//! Rust numbers are the standard's weak scalars: `&x * 2.0` keeps `x`'s `float32`, while
//! `&int_array * 2.5` is a [`ErrorKind::Type`] error (cast first with [`LazyArray::astype`]).
//! Comparisons are methods ([`LazyArray::less`], [`LazyArray::equal`], ...), because Rust's `<` must
//! return `bool`.
//!
//! ## 2. Compute
//!
//! [`LazyArray::to_vec`], [`LazyArray::as_slice`] and [`LazyArray::item`] compute the array (once: the
//! result is kept) and hand its elements out as the Rust type of its dtype ([`Element`]: `f32` for
//! `float32`, `bool` for `bool`, [`Complex64`] for `complex64`, ...). [`LazyArray::compute`] gives the
//! untyped [`ArrayData`]; [`compute_many`] computes several arrays in one graph, so shared work is
//! done once.
//!
//! ```
//! use lazulite::{self as lz, All};
//!
//! let x = lz::from_vec((0..1000).map(|i| i as f32 * 0.001).collect(), &[10, 100])?;
//! let centered = (&x - x.mean(1, true)?)?;          // per-row mean, broadcast back
//! let energy = (&centered * &centered)?.sum(All, false)?;
//!
//! let rows: &[f32] = centered.as_slice()?;          // borrowed, no copy
//! assert_eq!(rows.len(), 1000);
//! let e: f32 = energy.item()?;
//! let want: f32 = rows.iter().map(|v| v * v).sum();
//! assert!((e - want).abs() <= 1e-3 * want);
//!
//! // asking for another type than the dtype is a clear error
//! let err = energy.to_vec::<f64>().unwrap_err();
//! assert!(err.message.contains("float32"));
//! # Ok::<(), lz::Error>(())
//! ```
//!
//! ## 3. Explain
//!
//! [`explain`] shows the plan the engine would run, without running it: the fused kernels, what each
//! reads and writes, and the bytes moved.
//!
//! ```
//! use lazulite::{self as lz, All};
//!
//! let x = lz::from_vec(vec![0.5f64; 1 << 16], &[1 << 16])?;
//! let y = lz::from_vec(vec![2.0f64; 1 << 16], &[1 << 16])?;
//! let r = (&x * &x + (&y * &y)?)?.sqrt()?.sum(All, false)?;
//! let plan = lz::explain(&[&r])?;
//! println!("{plan}");
//! assert!(!plan.is_empty());
//! let want = (0.25f64 + 4.0).sqrt() * 65536.0;    // the sum's order differs from this product's
//! assert!((r.item::<f64>()? - want).abs() <= 1e-12 * want);
//! # Ok::<(), lz::Error>(())
//! ```
//!
//! ## 4. Devices
//!
//! An array lives on one [`Device`]: the host ([`Device::Cpu`], the default; all cores, the number
//! of worker threads is [`Config::threads`], set with [`set_config`] or `LAZULITE_THREADS`) or a
//! CUDA GPU ([`Device::Cuda`]`(n)`; [`devices`] lists those present). A computation runs where its
//! operands live and its result stays there; [`LazyArray::to_device`] moves an array (lazily, an
//! explicit copy), the `*_on` creation functions ([`zeros_on`], [`full_on`], [`from_vec_on`], ...)
//! make one on a device, and reading elements on the host ([`LazyArray::to_vec`], `item`) copies
//! them back. Operands on two devices are a [`ErrorKind::Value`] error naming both: nothing moves
//! implicitly.
//!
//! ```
//! use lazulite::{self as lz, DType, Device};
//!
//! // the first GPU when one is present, else the host
//! let dev = lz::devices().into_iter().find(|d| *d != Device::Cpu).unwrap_or(Device::Cpu);
//! let x = lz::from_vec_on(vec![1.0f32, 2.0, 3.0], &[3], dev)?;
//! let y = (&x * 2.0)?;                            // runs on `dev`, stays there
//! assert_eq!(y.device(), dev);
//! assert_eq!(y.to_vec::<f32>()?, vec![2.0, 4.0, 6.0]); // copied to the host here
//! let e = &y + &lz::zeros(&[3], DType::F32)?;
//! assert!(dev == Device::Cpu || e.is_err());       // cuda:0 + cpu: a Value error
//! # Ok::<(), lz::Error>(())
//! ```
//!
//! ## Errors
//!
//! Every fallible call returns [`Result`]; an [`Error`] has a [`kind`](Error::kind) (the exception
//! the array API standard names: [`ErrorKind::Type`], [`ErrorKind::Value`], [`ErrorKind::Index`],
//! [`ErrorKind::Memory`], ...) and a message naming the function, the offending dtypes or shapes,
//! and the fix. The engine does not panic on bad input.
//!
//! ## Where things are
//!
//! - Every function of the array API standard (2025.12) is a free function here ([`add`], [`sum`],
//!   [`matmul`], [`sort`], [`cholesky`], the [`fft`](mod@fft) module, ...), with the
//!   standard's rules for promotion, broadcasting and special values.
//! - The builder-style calls of earlier versions ([`binary`], [`unary`] with an [`Operand`]) still
//!   work; operators and methods are shorter.
//! - Feature `ndarray`: `from_array` (zero-copy), `from_array_view`, the `ToNdarray` trait.
#![cfg_attr(
    feature = "ndarray",
    doc = r#"

```
use lazulite::{self as lz, ToNdarray};
use ndarray::Array2;

let a = Array2::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as f64);
let x = lz::from_array(a.clone())?;             // no copy
let y = (&x * 2.0)?;
assert_eq!(y.to_ndarray::<f64>()?, (&a * 2.0).into_dyn());
# Ok::<(), lz::Error>(())
```
"#
)]
#![deny(missing_docs)]

pub use lazulite_frontend::*;
pub use lazulite_runtime::{clear_caches, config, set_config, Config, ExecPolicy};

/// The Rust snippets of the repository's `README.md`, compiled and run as doc tests (`cargo test
/// --doc -p lazulite`), so that the README cannot drift from the API. Not part of the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
