//! The Rust API of lazulite: [`LazyArray`], the array-API functions, [`compute_many`] and [`explain`].
//!
//! Building an array computes only its dtype and shape (by the rules in `lazulite_ir`), so dtype and
//! shape errors surface at the call that made them. Values are computed on [`LazyArray::compute`] or
//! [`compute_many`], which hand the DAG to the runtime as one graph, so that the passes can fuse it.
//!
//! ```
//! use lazulite_frontend::{self as lz, Operand, Scalar};
//! let x = lz::from_vec(vec![0.0f64, 0.5, 1.0], &[3])?;
//! let y = lz::binary(lz::BinaryOp::Add, Operand::Array(&lz::sin(&x)?), Operand::Scalar(Scalar::Int(1)))?;
//! assert_eq!((y.dtype(), y.shape()), (lz::DType::F64, &[3][..])); // known before computing
//! let data = y.compute()?;
//! assert!((data.get(&[2]).as_f64() - (1.0f64.sin() + 1.0)).abs() < 1e-12);
//! # Ok::<(), lz::Error>(())
//! ```

#![warn(missing_docs)]

mod advanced;
mod array;
mod creation;
mod creation_ext;
mod cumulative;
mod data_dependent;
mod device;
mod elementwise;
mod externs;
pub mod fft;
mod indexing;
mod joining;
mod linalg;
mod linalg_ext;
mod manipulation;
mod methods;
mod movement;
#[cfg(feature = "ndarray")]
mod ndarray_interop;
mod ops;
mod reduce;
mod rt;
mod searching;
mod sorting;
mod statistics;
mod typed;
mod utility;
mod views;

pub use advanced::{getitem_arrays, key_has_mask, setitem, IndexKey};
pub use array::{
    build_graph, compute_many, deferring_release, explain, explain_dot, explain_ir, graph_text,
    prepare_remembered, LazyArray, Prepared, Released,
};
pub use creation::{
    arange, from_bytes, from_vec, full, ones, zeros, Complex, Complex128, Complex64, Element,
};
pub use creation_ext::{
    empty, empty_like, eye, full_like, linspace, meshgrid, ones_like, tril, triu, zeros_like,
};
pub use cumulative::{cumulative_prod, cumulative_sum};
pub use data_dependent::{nonzero, unique_all, Unique};
pub use device::{from_vec_on, full_on, ones_on, zeros_on};
pub use elementwise::*;
pub use indexing::{take, take_along_axis};
pub use joining::{concat, stack};
pub use lazulite_ir::ExternOp;
pub use lazulite_ir::FftNorm;
pub use lazulite_ir::{
    BinaryOp, DType, Device, Error, ErrorKind, ReduceOp, Result, Scalar, UnaryOp,
};
/// Bytes moved between the host and CUDA devices, process-wide.
pub use lazulite_runtime::backend::cuda::{transfer_stats, TransferStats};
pub use lazulite_runtime::{
    copy_on_device, device_address, devices, set_progress_hook, stats, synchronize, to_device,
    wrap_device_memory, ArrayData, Buffer, Progress, ProgressHook, Stats,
};
pub use linalg::{matmul, tensordot, vecdot, TensordotAxes};
pub use linalg_ext::{
    cholesky, det, eig, eigh, eigvals, eigvalsh, inv, qr, slogdet, solve, svd, svdvals,
};
pub use manipulation::{
    broadcast_arrays, broadcast_shapes, moveaxis, repeat, repeat_each, roll, tile, unstack,
};
pub use methods::{All, Axes};
pub use movement::{
    broadcast_to, expand_dims, flip, getitem, matrix_transpose, permute_dims, reshape, squeeze,
    IndexItem,
};
#[cfg(feature = "ndarray")]
pub use ndarray_interop::{from_array, from_array_view, ToNdarray};
pub use ops::{AsOperand, IntoScalar};
pub use reduce::{all, any, max, mean, min, prod, sum};
pub use rt::{is_small_work, warm_up};
pub use searching::{argmax, argmin, searchsorted, Side};
pub use sorting::{argsort, sort};
pub use statistics::{std, var};
pub use typed::{from_slice, TypedData};
pub use utility::{count_nonzero, diff, isin};
pub use views::{write_through, Derived, Lens};
