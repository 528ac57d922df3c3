//! The FFT family of extern ops: one-dimensional transforms along one axis. The frontend builds every
//! function of `fft` (n-dimensional ones, Hermitian ones) from these three kinds; the runtime runs them
//! with rustfft / realfft.
//!
//! Each transform has a logical length `n` (the length of the full complex sequence it transforms);
//! the operand's extent along `axis` may differ: it is truncated or zero-padded to what the kind
//! reads (`n` complex values, `n` real values, or `n / 2 + 1` Hermitian bins).

use crate::dtype::DType;
use crate::error::Result;
use crate::extern_op::OperandInfo;
use crate::shape::Shape;
use crate::{bail, ensure};

/// Which transform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FftKind {
    /// Complex to complex, `exp(-2πi jk/n)`: complex in, `n` complex out.
    Forward,
    /// Complex to complex, `exp(+2πi jk/n)`: complex in, `n` complex out.
    Inverse,
    /// Real to complex (forward): real in, `n / 2 + 1` complex out.
    RealForward,
    /// Hermitian complex to real (inverse): the first `n / 2 + 1` complex bins in, `n` real out. The
    /// imaginary parts of bin 0 and (for even `n`) bin `n / 2` are ignored, as NumPy does.
    RealInverse,
}

/// The spec's `norm` argument: which direction is scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FftNorm {
    /// No scaling forward, `1/n` inverse (the default).
    Backward,
    /// `1/sqrt(n)` both ways.
    Ortho,
    /// `1/n` forward, no scaling inverse.
    Forward,
}

impl FftNorm {
    /// The mode of the opposite direction (`hfft` is `irfft` of the conjugate with the other norm).
    pub fn swapped(self) -> FftNorm {
        match self {
            FftNorm::Backward => FftNorm::Forward,
            FftNorm::Ortho => FftNorm::Ortho,
            FftNorm::Forward => FftNorm::Backward,
        }
    }

    /// The spec's name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            FftNorm::Backward => "backward",
            FftNorm::Ortho => "ortho",
            FftNorm::Forward => "forward",
        }
    }
}

/// One transform along `axis` of logical length `n` (>= 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FftOp {
    pub kind: FftKind,
    pub axis: u32,
    pub n: u64,
    pub norm: FftNorm,
}

impl FftOp {
    pub fn name(&self) -> &'static str {
        match self.kind {
            FftKind::Forward => "fft",
            FftKind::Inverse => "ifft",
            FftKind::RealForward => "rfft",
            FftKind::RealInverse => "irfft",
        }
    }

    /// Whether this is an inverse transform (for the scale of `norm`).
    pub fn is_inverse(&self) -> bool {
        matches!(self.kind, FftKind::Inverse | FftKind::RealInverse)
    }

    /// The factor every output element is multiplied by.
    pub fn scale(&self) -> f64 {
        let n = self.n as f64;
        match (self.norm, self.is_inverse()) {
            (FftNorm::Ortho, _) => 1.0 / n.sqrt(),
            (FftNorm::Backward, false) | (FftNorm::Forward, true) => 1.0,
            (FftNorm::Backward, true) | (FftNorm::Forward, false) => 1.0 / n,
        }
    }

    /// How many elements of the operand's axis the transform reads (the rest is ignored; missing
    /// ones are zeros).
    pub fn input_len(&self) -> usize {
        match self.kind {
            FftKind::RealInverse => self.n as usize / 2 + 1,
            _ => self.n as usize,
        }
    }

    /// The output's extent along the axis.
    pub fn output_len(&self) -> usize {
        match self.kind {
            FftKind::RealForward => self.n as usize / 2 + 1,
            _ => self.n as usize,
        }
    }

    /// The output dtype and shape, or the spec's error for an operand the transform does not take.
    pub fn infer(&self, x: OperandInfo) -> Result<(DType, Shape)> {
        let name = self.name();
        let real_in = matches!(self.kind, FftKind::RealForward);
        let dtype_ok = if real_in {
            x.dtype.is_real_float()
        } else {
            x.dtype.is_complex()
        };
        if !dtype_ok {
            bail!(
                Type,
                "{name}: got an array of dtype {}, but {name} requires a {} dtype; cast the input \
                 with astype() first",
                x.dtype,
                if real_in {
                    "real floating-point (float32 or float64)"
                } else {
                    "complex floating-point (complex64 or complex128)"
                }
            );
        }
        let ndim = x.shape.len();
        ensure!(
            (self.axis as usize) < ndim,
            Index,
            "{name}: axis {} is out of bounds for an array of {ndim} dimension{}",
            self.axis,
            if ndim == 1 { "" } else { "s" }
        );
        ensure!(
            self.n >= 1 && usize::try_from(self.n).is_ok(),
            Value,
            "{name}: invalid number of data points n={}; n must be at least 1",
            self.n
        );
        let dtype = match self.kind {
            FftKind::Forward | FftKind::Inverse => x.dtype,
            FftKind::RealForward => x.dtype.to_complex().unwrap_or(x.dtype),
            FftKind::RealInverse => x.dtype.real_part(),
        };
        let mut shape: Shape = x.shape.into();
        shape[self.axis as usize] = self.output_len();
        let bytes = shape
            .iter()
            .try_fold(dtype.size(), |acc, &d| acc.checked_mul(d))
            .filter(|&b| b <= isize::MAX as usize);
        ensure!(
            bytes.is_some(),
            Value,
            "{name}: n={} makes an output of shape {shape:?}, too large to address; pass a smaller n",
            self.n
        );
        Ok((dtype, shape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use DType::*;

    fn op(kind: FftKind, axis: u32, n: u64) -> FftOp {
        FftOp {
            kind,
            axis,
            n,
            norm: FftNorm::Backward,
        }
    }

    fn info(dtype: DType, shape: &[usize]) -> OperandInfo<'_> {
        OperandInfo { dtype, shape }
    }

    #[test]
    fn dtypes_and_shapes() {
        let (d, s) = op(FftKind::Forward, 1, 7)
            .infer(info(C64, &[2, 3, 4]))
            .unwrap();
        assert_eq!((d, s.as_slice()), (C64, &[2, 7, 4][..]));
        let (d, s) = op(FftKind::RealForward, 0, 9)
            .infer(info(F32, &[4, 2]))
            .unwrap();
        assert_eq!((d, s.as_slice()), (C64, &[5, 2][..]));
        let (d, s) = op(FftKind::RealInverse, 0, 10)
            .infer(info(C128, &[3]))
            .unwrap();
        assert_eq!((d, s.as_slice()), (F64, &[10][..]));
        let err = |o: FftOp, i| o.infer(i).unwrap_err().kind;
        assert_eq!(
            err(op(FftKind::Forward, 0, 4), info(F64, &[4])),
            ErrorKind::Type
        );
        assert_eq!(
            err(op(FftKind::RealForward, 0, 4), info(C64, &[4])),
            ErrorKind::Type
        );
        assert_eq!(
            err(op(FftKind::Inverse, 1, 4), info(C64, &[4])),
            ErrorKind::Index
        );
        assert_eq!(
            err(op(FftKind::Inverse, 0, 0), info(C64, &[4])),
            ErrorKind::Value
        );
    }

    #[test]
    fn scales() {
        let mut o = op(FftKind::Inverse, 0, 4);
        assert_eq!(o.scale(), 0.25);
        o.norm = FftNorm::Ortho;
        assert_eq!(o.scale(), 0.5);
        o.norm = FftNorm::Forward;
        assert_eq!(o.scale(), 1.0);
        o.kind = FftKind::RealForward;
        assert_eq!(o.scale(), 0.25);
        assert_eq!(FftNorm::Backward.swapped(), FftNorm::Forward);
    }
}
