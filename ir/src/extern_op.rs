//! Extern ops: array operations that are not loop nests (matmul, sorting, scans, joins, gathers, FFTs). Each
//! is a fusion barrier: the passes materialise its operands and lower it to one
//! [`crate::schedule::Step::Extern`], which the runtime runs with a library routine.
//!
//! Adding an extern op means one variant here (with its rules in [`ExternOp::infer`]) and one runtime
//! function. A family of ops (linear algebra: [`linalg::LinalgOp`]) is one variant that wraps the
//! family's own enum, with its rules in a submodule here and its runtime in a module of its own.
//!
//! An extern op may have several outputs (`svd` gives U, S and Vh): `infer` lists them, the graph holds
//! one node per output (`Op::Extern { op, output }`, same operands), and the passes lower the nodes of
//! one call to one step that writes every output. Operands arrive normalised by the frontend: axes are non-negative and in range, dtypes are
//! already promoted and cast, batch dimensions already broadcast. `infer` still checks every rule, with
//! the spec's error kinds, so that a graph built by hand cannot reach the runtime malformed.

use crate::dtype::DType;
use crate::error::Result;
use crate::extern_fft::FftOp;
use crate::shape::Shape;
use crate::{bail, ensure};

pub mod linalg;
pub use linalg::LinalgOp;

/// The dtype and shape of each output of an extern op, in output order.
pub type Outputs = Vec<(DType, Shape)>;

/// One extern op. Axes are normalised (`0 <= axis < ndim` of the operand they refer to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternOp {
    /// `(..., m, k) @ (..., k, n) -> (..., m, n)`: operands of one numeric dtype and equal batch dims.
    MatMul,
    /// Sorted copy along `axis`. NaNs sort after every number (before them when `descending`); equal
    /// values keep their order when `stable` (descending included).
    Sort {
        axis: u32,
        descending: bool,
        stable: bool,
    },
    /// The int64 indices that sort along `axis` (same order rules as `Sort`).
    ArgSort {
        axis: u32,
        descending: bool,
        stable: bool,
    },
    /// Running sum along `axis` in the operand's dtype (integers wrap); with `include_initial` the axis
    /// grows by one and starts with 0.
    CumSum { axis: u32, include_initial: bool },
    /// Running product along `axis`; with `include_initial` the axis starts with 1.
    CumProd { axis: u32, include_initial: bool },
    /// Joins its operands (one dtype, one rank, equal extents off `axis`) along `axis`.
    Concat { axis: u32 },
    /// `take(x, indices)`: `indices` is 1-D of an integer dtype; negative indices count from the end;
    /// out-of-range indices are an `Index` error at execution.
    Take { axis: u32 },
    /// `take_along_axis(x, indices)`: same rank, equal extents off `axis` (already broadcast); the
    /// output has the indices' shape.
    TakeAlongAxis { axis: u32 },
    /// Int64 index of the first maximum along `axis` (a NaN is the maximum); the axis disappears.
    ArgMax { axis: u32 },
    /// Int64 index of the first minimum along `axis` (a NaN is the minimum); the axis disappears.
    ArgMin { axis: u32 },
    /// `searchsorted(x1, x2)`: `x1` is 1-D and sorted ascending (NaNs last); int64 insertion points of
    /// each element of `x2` (same dtype as `x1`), left or right of equal runs.
    SearchSorted { right: bool },
    /// `scatter(x, positions, values)`: a copy of `x` with `flat(x)[positions[i]] = values[i]`
    /// (row-major flat positions; negative ones count from the end). `positions` is 1-D of an integer
    /// dtype, `values` 1-D of `x`'s dtype and the same length; with repeated positions the last write
    /// wins. The functional form of `x[key] = value` (`__setitem__`).
    ScatterFlat,
    /// A one-dimensional FFT along one axis (complex, real-to-complex or complex-to-real), with its
    /// length and normalisation: the whole family's rules are in [`crate::extern_fft`].
    Fft(FftOp),
    /// The `linalg` extension's decompositions and solvers (faer); several have more than one output.
    Linalg(LinalgOp),
}

/// An operand as `infer` sees it.
#[derive(Clone, Copy, Debug)]
pub struct OperandInfo<'a> {
    pub dtype: DType,
    pub shape: &'a [usize],
}

impl ExternOp {
    /// The spec's function name (for errors, labels and `explain`).
    pub fn name(&self) -> &'static str {
        match self {
            ExternOp::MatMul => "matmul",
            ExternOp::Sort { .. } => "sort",
            ExternOp::ArgSort { .. } => "argsort",
            ExternOp::CumSum { .. } => "cumulative_sum",
            ExternOp::CumProd { .. } => "cumulative_prod",
            ExternOp::Concat { .. } => "concat",
            ExternOp::Take { .. } => "take",
            ExternOp::TakeAlongAxis { .. } => "take_along_axis",
            ExternOp::ArgMax { .. } => "argmax",
            ExternOp::ArgMin { .. } => "argmin",
            ExternOp::SearchSorted { .. } => "searchsorted",
            ExternOp::ScatterFlat => "setitem",
            ExternOp::Fft(f) => f.name(),
            ExternOp::Linalg(l) => l.name(),
        }
    }

    /// Whether the runtime reads operand `i` with any strides (true), or needs it C-contiguous (false;
    /// the passes then copy a strided operand into a temp first).
    pub fn reads_strided(&self, _operand: usize) -> bool {
        // gemm takes row and column strides, and batch strides are walked per matrix, so a broadcast
        // weight matrix is never copied.
        matches!(self, ExternOp::MatMul | ExternOp::Linalg(_))
    }

    /// The number of outputs (one node each in the graph).
    pub fn num_outputs(&self) -> usize {
        match self {
            ExternOp::Linalg(l) => l.num_outputs(),
            _ => 1,
        }
    }

    /// The number of operands, or `None` for any number >= 1 (`Concat`).
    pub fn arity(&self) -> Option<usize> {
        match self {
            ExternOp::MatMul
            | ExternOp::Take { .. }
            | ExternOp::TakeAlongAxis { .. }
            | ExternOp::SearchSorted { .. } => Some(2),
            ExternOp::Concat { .. } => None,
            ExternOp::ScatterFlat => Some(3),
            ExternOp::Linalg(l) => Some(l.arity()),
            _ => Some(1),
        }
    }

    /// The dtype and shape of each output for these operands, or the spec's error: `Type` for dtypes
    /// the op does not take, `Value` for shapes that do not fit (or an output too large to address),
    /// `Index` for an axis out of range.
    pub fn infer(&self, operands: &[OperandInfo]) -> Result<Outputs> {
        let outputs = match self {
            ExternOp::Linalg(l) => {
                self.check_arity(operands)?;
                l.infer(operands)?
            }
            _ => vec![self.infer_one(operands)?],
        };
        for (_, shape) in &outputs {
            crate::shape::check_shape(self.name(), shape)?;
        }
        Ok(outputs)
    }

    fn check_arity(&self, operands: &[OperandInfo]) -> Result<()> {
        let name = self.name();
        match self.arity() {
            Some(n) => ensure!(
                operands.len() == n,
                Internal,
                "{name}: {} operands given, {n} expected",
                operands.len()
            ),
            None => ensure!(
                !operands.is_empty(),
                Value,
                "{name}: at least one array is required; pass a non-empty list of arrays"
            ),
        }
        Ok(())
    }

    /// The one output of a single-output op.
    fn infer_one(&self, operands: &[OperandInfo]) -> Result<(DType, Shape)> {
        self.check_arity(operands)?;
        let name = self.name();
        let x = operands[0];
        match *self {
            ExternOp::MatMul => {
                let y = operands[1];
                numeric(name, x.dtype)?;
                ensure!(
                    x.dtype == y.dtype,
                    Internal,
                    "{name}: operands of dtypes {} and {} (the frontend promotes first)",
                    x.dtype,
                    y.dtype
                );
                let (r, s) = (x.shape.len(), y.shape.len());
                ensure!(
                    r >= 2 && s >= 2,
                    Value,
                    "{name}: operands of shapes {:?} and {:?}; both need at least two dimensions \
                     (the frontend promotes vectors to matrices)",
                    x.shape,
                    y.shape
                );
                ensure!(
                    r == s && x.shape[..r - 2] == y.shape[..s - 2],
                    Value,
                    "{name}: batch dimensions of {:?} and {:?} differ; broadcast them to one shape first",
                    x.shape,
                    y.shape
                );
                let (m, k, k2, n) = (
                    x.shape[r - 2],
                    x.shape[r - 1],
                    y.shape[s - 2],
                    y.shape[s - 1],
                );
                ensure!(
                    k == k2,
                    Value,
                    "{name}: shapes {:?} and {:?} are not aligned: the last axis of x1 has size {k} but \
                     the second-to-last axis of x2 has size {k2}; they must be equal",
                    x.shape,
                    y.shape
                );
                let mut out: Shape = x.shape[..r - 2].into();
                out.push(m);
                out.push(n);
                Ok((x.dtype, out))
            }
            ExternOp::Sort { axis, .. } => {
                real(name, x.dtype)?;
                check_axis(name, axis, x.shape)?;
                Ok((x.dtype, x.shape.into()))
            }
            ExternOp::ArgSort { axis, .. } => {
                real(name, x.dtype)?;
                check_axis(name, axis, x.shape)?;
                Ok((DType::DEFAULT_INDEX, x.shape.into()))
            }
            ExternOp::CumSum {
                axis,
                include_initial,
            }
            | ExternOp::CumProd {
                axis,
                include_initial,
            } => {
                numeric(name, x.dtype)?;
                check_axis(name, axis, x.shape)?;
                let mut out: Shape = x.shape.into();
                out[axis as usize] += include_initial as usize;
                Ok((x.dtype, out))
            }
            ExternOp::Concat { axis } => {
                check_axis(name, axis, x.shape)?;
                let a = axis as usize;
                let mut out: Shape = x.shape.into();
                for (i, o) in operands.iter().enumerate().skip(1) {
                    ensure!(
                        o.dtype == x.dtype,
                        Internal,
                        "{name}: operand {i} has dtype {}, operand 0 has {} (the frontend promotes first)",
                        o.dtype,
                        x.dtype
                    );
                    let same_off_axis = o.shape.len() == x.shape.len()
                        && (0..x.shape.len()).all(|d| d == a || o.shape[d] == x.shape[d]);
                    ensure!(
                        same_off_axis,
                        Value,
                        "{name}: array {i} has shape {:?} but array 0 has shape {:?}; all arrays must \
                         have the same shape except along axis {a}",
                        o.shape,
                        x.shape
                    );
                    out[a] = crate::shape::checked_extent_sum(name, out[a], o.shape[a])?;
                }
                Ok((x.dtype, out))
            }
            ExternOp::Take { axis } => {
                let idx = operands[1];
                integer_indices(name, idx.dtype)?;
                check_axis(name, axis, x.shape)?;
                ensure!(
                    idx.shape.len() == 1,
                    Value,
                    "{name}: indices of shape {:?}; indices must be one-dimensional",
                    idx.shape
                );
                let mut out: Shape = x.shape.into();
                out[axis as usize] = idx.shape[0];
                Ok((x.dtype, out))
            }
            ExternOp::TakeAlongAxis { axis } => {
                let idx = operands[1];
                integer_indices(name, idx.dtype)?;
                check_axis(name, axis, x.shape)?;
                let a = axis as usize;
                ensure!(
                    idx.shape.len() == x.shape.len(),
                    Value,
                    "{name}: indices of shape {:?} for an array of shape {:?}; indices must have the \
                     same number of dimensions as x",
                    idx.shape,
                    x.shape
                );
                ensure!(
                    (0..x.shape.len()).all(|d| d == a || idx.shape[d] == x.shape[d]),
                    Value,
                    "{name}: indices of shape {:?} and x of shape {:?} differ off axis {a} (the \
                     frontend broadcasts them first)",
                    idx.shape,
                    x.shape
                );
                Ok((x.dtype, idx.shape.into()))
            }
            ExternOp::ArgMax { axis } | ExternOp::ArgMin { axis } => {
                real(name, x.dtype)?;
                check_axis(name, axis, x.shape)?;
                let a = axis as usize;
                ensure!(
                    x.shape[a] > 0,
                    Value,
                    "{name}: axis {a} of the array of shape {:?} has size 0, and an empty sequence has \
                     no {}; search a non-empty axis",
                    x.shape,
                    if matches!(self, ExternOp::ArgMax { .. }) {
                        "maximum"
                    } else {
                        "minimum"
                    }
                );
                let out = x
                    .shape
                    .iter()
                    .enumerate()
                    .filter(|&(d, _)| d != a)
                    .map(|(_, &n)| n)
                    .collect();
                Ok((DType::DEFAULT_INDEX, out))
            }
            ExternOp::SearchSorted { .. } => {
                let v = operands[1];
                real(name, x.dtype)?;
                ensure!(
                    x.shape.len() == 1,
                    Value,
                    "{name}: x1 has shape {:?}; x1 must be one-dimensional",
                    x.shape
                );
                ensure!(
                    v.dtype == x.dtype,
                    Internal,
                    "{name}: x1 of {} and x2 of {} (the frontend promotes first)",
                    x.dtype,
                    v.dtype
                );
                Ok((DType::DEFAULT_INDEX, v.shape.into()))
            }
            ExternOp::ScatterFlat => {
                let (pos, val) = (operands[1], operands[2]);
                integer_indices(name, pos.dtype)?;
                ensure!(
                    pos.shape.len() == 1 && val.shape == pos.shape,
                    Value,
                    "{name}: positions of shape {:?} and values of shape {:?}; both must be \
                     one-dimensional and of one length (the frontend broadcasts the value first)",
                    pos.shape,
                    val.shape
                );
                ensure!(
                    val.dtype == x.dtype,
                    Internal,
                    "{name}: values of {} for an array of {} (the frontend casts first)",
                    val.dtype,
                    x.dtype
                );
                Ok((x.dtype, x.shape.into()))
            }
            ExternOp::Fft(f) => f.infer(x),
            ExternOp::Linalg(_) => bail!(Internal, "{name}: a linalg op is inferred by LinalgOp"),
        }
    }
}

fn check_axis(name: &str, axis: u32, shape: &[usize]) -> Result<()> {
    let n = shape.len();
    ensure!(
        (axis as usize) < n,
        Index,
        "{name}: axis {axis} is out of bounds for an array of {n} dimension{}; valid axes are {} to {}",
        if n == 1 { "" } else { "s" },
        -(n as isize),
        n as isize - 1
    );
    Ok(())
}

fn numeric(name: &str, d: DType) -> Result<()> {
    if d.is_bool() {
        bail!(
            Type,
            "{name}: got an array of dtype {d}, but {name} requires a numeric dtype; cast the input \
             with astype() first"
        );
    }
    Ok(())
}

fn real(name: &str, d: DType) -> Result<()> {
    if !d.is_real_numeric() {
        bail!(
            Type,
            "{name}: got an array of dtype {d}, but {name} requires a real numeric (integer or real \
             floating-point) dtype; cast the input with astype() first"
        );
    }
    Ok(())
}

fn integer_indices(name: &str, d: DType) -> Result<()> {
    if !d.is_integer() {
        bail!(
            Type,
            "{name}: indices of dtype {d}; indices must have an integer dtype (cast them with \
             astype(indices, int64))"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use DType::*;

    fn info(dtype: DType, shape: &[usize]) -> OperandInfo<'_> {
        OperandInfo { dtype, shape }
    }

    #[test]
    fn matmul_rules() {
        let (d, s) = ExternOp::MatMul
            .infer(&[info(F32, &[5, 2, 3]), info(F32, &[5, 3, 4])])
            .unwrap()[0]
            .clone();
        assert_eq!((d, s.as_slice()), (F32, &[5, 2, 4][..]));
        let e = ExternOp::MatMul
            .infer(&[info(F32, &[2, 3]), info(F32, &[4, 4])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
        assert!(e.message.contains("[2, 3]") && e.message.contains("[4, 4]"));
        let e = ExternOp::MatMul
            .infer(&[info(Bool, &[2, 2]), info(Bool, &[2, 2])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
    }

    #[test]
    fn outputs_too_large_to_address_are_value_errors() {
        let big = 1usize << 32;
        // (2^32 x 1) @ (1 x 2^32) has 2^64 elements: a wrapped count would be 0
        let e = ExternOp::MatMul
            .infer(&[info(F64, &[big, 1]), info(F64, &[1, big])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
        assert!(e.message.contains("matmul") && e.message.contains("too large"));
        let half = usize::MAX / 2 + 1;
        let e = ExternOp::Concat { axis: 0 }
            .infer(&[info(F64, &[half, 0]), info(F64, &[half, 0])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
        assert!(e.message.contains("concat"));
    }

    #[test]
    fn scatter_rules() {
        let sc = ExternOp::ScatterFlat;
        let (d, s) = sc
            .infer(&[info(F32, &[2, 3]), info(I64, &[4]), info(F32, &[4])])
            .unwrap()[0]
            .clone();
        assert_eq!((d, s.as_slice()), (F32, &[2, 3][..]));
        assert_eq!(
            sc.infer(&[info(F32, &[2, 3]), info(F32, &[4]), info(F32, &[4])])
                .unwrap_err()
                .kind,
            ErrorKind::Type
        );
        assert_eq!(
            sc.infer(&[info(F32, &[2, 3]), info(I64, &[4]), info(F32, &[3])])
                .unwrap_err()
                .kind,
            ErrorKind::Value
        );
    }

    #[test]
    fn shapes_and_dtypes() {
        let sort = ExternOp::ArgSort {
            axis: 1,
            descending: false,
            stable: true,
        };
        assert_eq!(sort.infer(&[info(F64, &[2, 3])]).unwrap()[0].0, I64);
        assert_eq!(
            sort.infer(&[info(C64, &[2, 3])]).unwrap_err().kind,
            ErrorKind::Type
        );
        assert_eq!(
            sort.infer(&[info(F64, &[3])]).unwrap_err().kind,
            ErrorKind::Index
        );
        let cum = ExternOp::CumSum {
            axis: 0,
            include_initial: true,
        };
        assert_eq!(
            cum.infer(&[info(I32, &[3, 2])]).unwrap()[0].1.as_slice(),
            &[4, 2]
        );
        let cat = ExternOp::Concat { axis: 1 };
        let (_, s) = cat
            .infer(&[info(U8, &[2, 1]), info(U8, &[2, 3]), info(U8, &[2, 0])])
            .unwrap()[0]
            .clone();
        assert_eq!(s.as_slice(), &[2, 4]);
        assert_eq!(
            cat.infer(&[info(U8, &[2, 1]), info(U8, &[3, 1])])
                .unwrap_err()
                .kind,
            ErrorKind::Value
        );
        let take = ExternOp::Take { axis: 0 };
        assert_eq!(
            take.infer(&[info(F32, &[4, 2]), info(I8, &[7])]).unwrap()[0]
                .1
                .as_slice(),
            &[7, 2]
        );
        assert_eq!(
            take.infer(&[info(F32, &[4, 2]), info(F32, &[7])])
                .unwrap_err()
                .kind,
            ErrorKind::Type
        );
        let am = ExternOp::ArgMax { axis: 1 };
        assert_eq!(
            am.infer(&[info(I16, &[2, 5, 3])]).unwrap()[0].1.as_slice(),
            &[2, 3]
        );
        assert_eq!(
            am.infer(&[info(I16, &[2, 0])]).unwrap_err().kind,
            ErrorKind::Value
        );
        // An empty array with a non-empty axis has an (empty) result.
        assert_eq!(
            am.infer(&[info(I16, &[0, 2])]).unwrap()[0].1.as_slice(),
            &[0]
        );
        let ss = ExternOp::SearchSorted { right: false };
        assert_eq!(
            ss.infer(&[info(F64, &[4]), info(F64, &[2, 2])]).unwrap()[0]
                .1
                .as_slice(),
            &[2, 2]
        );
        assert_eq!(
            ss.infer(&[info(F64, &[4, 1]), info(F64, &[2])])
                .unwrap_err()
                .kind,
            ErrorKind::Value
        );
    }
}
