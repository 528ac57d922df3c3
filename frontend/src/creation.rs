//! Creation functions: arrays from host data (realized at once), fills (lazy), `arange` (computed on
//! the host).

use crate::array::LazyArray;
use crate::elementwise::{check_int_range, describe_scalar, fill};
use crate::rt;
use lazulite_ir::{bail, ensure, DType, Result, Scalar};

/// A Rust element type with a dtype of the standard: `bool`, `i8`..`i64`, `u8`..`u64`, `f32`, `f64`,
/// [`Complex64`] (`complex64`) and [`Complex128`] (`complex128`). Sealed: these types have the memory
/// layout of their dtype, which the typed views (`as_slice`, zero-copy `from_vec`) rely on.
pub trait Element: Copy + Send + Sync + 'static + crate::typed::sealed::Sealed {
    /// The dtype whose elements are this type.
    const DTYPE: DType;
    /// Appends the element's little-endian bytes (booleans as one byte, 0 or 1).
    fn write_le(self, out: &mut Vec<u8>);
}

macro_rules! element {
    ($($t:ty => $d:ident),* $(,)?) => {$(
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            fn write_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}

element!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32, u64 => U64,
         f32 => F32, f64 => F64);

/// A complex number stored as its real part followed by its imaginary part (`#[repr(C)]`, so an array
/// of them has the memory layout of the standard's complex dtypes, of NumPy's and of C's `_Complex`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Complex<T> {
    /// The real part.
    pub re: T,
    /// The imaginary part.
    pub im: T,
}

impl<T> Complex<T> {
    /// `re + im·i`.
    pub const fn new(re: T, im: T) -> Self {
        Complex { re, im }
    }
}

/// The element type of `complex64`: two `f32`.
pub type Complex64 = Complex<f32>;
/// The element type of `complex128`: two `f64`.
pub type Complex128 = Complex<f64>;

impl Element for Complex64 {
    const DTYPE: DType = DType::C64;
    fn write_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.re.to_le_bytes());
        out.extend_from_slice(&self.im.to_le_bytes());
    }
}

impl Element for Complex128 {
    const DTYPE: DType = DType::C128;
    fn write_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.re.to_le_bytes());
        out.extend_from_slice(&self.im.to_le_bytes());
    }
}

impl From<Complex128> for Scalar {
    fn from(z: Complex128) -> Scalar {
        Scalar::Complex(z.re, z.im)
    }
}

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    fn write_le(self, out: &mut Vec<u8>) {
        out.push(self as u8);
    }
}

pub(crate) fn check_shape(op: &str, shape: &[usize]) -> Result<usize> {
    lazulite_ir::shape::check_shape(op, shape)
}

/// An array that owns `data`, laid out row-major in `shape` (`data.len()` must be the shape's size).
/// No copy: the array's buffer is the vector's memory.
pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<LazyArray> {
    crate::typed::wrap_vec(data, shape)
}

/// An array of `dtype` and `shape` copied from little-endian row-major `bytes`.
pub fn from_bytes(bytes: &[u8], dtype: DType, shape: &[usize]) -> Result<LazyArray> {
    let n = check_shape("from_bytes", shape)?;
    ensure!(
        bytes.len() == n * dtype.size(),
        Value,
        "from_bytes: {} bytes do not hold a {dtype} array of shape {shape:?} ({} bytes); pass exactly \
         size * itemsize bytes",
        bytes.len(),
        n * dtype.size()
    );
    Ok(LazyArray::from_data(rt::array_with(
        "from_bytes",
        dtype,
        shape,
        |out| {
            if dtype == DType::Bool {
                for (o, &b) in out.iter_mut().zip(bytes) {
                    *o = u8::from(b != 0);
                }
            } else {
                out.copy_from_slice(bytes);
            }
            Ok(())
        },
    )?))
}

/// The default dtype of a Python scalar's kind.
fn default_dtype(value: Scalar) -> DType {
    match value {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) | Scalar::UInt(_) => DType::DEFAULT_INT,
        Scalar::Float(_) => DType::DEFAULT_FLOAT,
        Scalar::Complex(..) => DType::DEFAULT_COMPLEX,
    }
}

/// Whether a scalar of this kind converts to `dtype` without losing its kind: bools go anywhere, ints
/// to numbers, floats to floats, complex to complex.
fn fits_kind(value: Scalar, dtype: DType) -> bool {
    match value {
        Scalar::Bool(_) => true,
        Scalar::Int(_) | Scalar::UInt(_) => dtype.is_numeric(),
        Scalar::Float(_) => dtype.is_float(),
        Scalar::Complex(..) => dtype.is_complex(),
    }
}

/// `full(shape, value, dtype)`: a lazy fill. `None` takes the default dtype of the value's kind.
pub fn full(shape: &[usize], value: Scalar, dtype: Option<DType>) -> Result<LazyArray> {
    check_shape("full", shape)?;
    let d = dtype.unwrap_or_else(|| default_dtype(value));
    if !fits_kind(value, d) {
        bail!(
            Type,
            "full: the fill value {} cannot be stored as {d} without changing its kind; pass a value of \
             a matching kind or another dtype",
            describe_scalar(value)
        );
    }
    check_int_range("full", value, d)?;
    Ok(fill(value, d, shape))
}

/// `zeros(shape, dtype)`.
pub fn zeros(shape: &[usize], dtype: DType) -> Result<LazyArray> {
    check_shape("zeros", shape)?;
    Ok(fill(Scalar::Int(0), dtype, shape))
}

/// `ones(shape, dtype)`.
pub fn ones(shape: &[usize], dtype: DType) -> Result<LazyArray> {
    check_shape("ones", shape)?;
    Ok(fill(Scalar::Int(1), dtype, shape))
}

/// `arange(start, stop, step, dtype)`: `ceil((stop - start) / step)` values `start + i * step`
/// (`arange(n)` when `stop` is `None`). All-integer arguments give int64 by default, else float64.
pub fn arange(
    start: Scalar,
    stop: Option<Scalar>,
    step: Scalar,
    dtype: Option<DType>,
) -> Result<LazyArray> {
    let (start, stop) = match stop {
        Some(stop) => (start, stop),
        None => (Scalar::Int(0), start),
    };
    let args = [start, stop, step];
    if let Some(c) = args.iter().find(|s| matches!(s, Scalar::Complex(..))) {
        bail!(
            Type,
            "arange: got the complex argument {}; start, stop and step must be real numbers",
            describe_scalar(*c)
        );
    }
    let all_int = args.iter().all(|s| s.as_i128().is_some());
    let d = dtype.unwrap_or(if all_int {
        DType::DEFAULT_INT
    } else {
        DType::DEFAULT_FLOAT
    });
    ensure!(
        d.is_real_numeric() || d.is_complex(),
        Type,
        "arange: dtype={d} is not supported; pass a numeric dtype"
    );
    let len;
    // (first, step) as exact integers, or as floats
    let ints;
    if all_int {
        let (a, b, s) = (
            start.as_i128().unwrap_or(0),
            stop.as_i128().unwrap_or(0),
            step.as_i128().unwrap_or(0),
        );
        ensure!(s != 0, Value, "arange: step must not be zero");
        let (span, stride) = if s > 0 { (b - a, s) } else { (a - b, -s) };
        let n = if span <= 0 {
            0
        } else {
            (span + stride - 1) / stride
        };
        len = arange_len(n, d)?;
        if len > 0 {
            if let Some((lo, hi)) = d.int_range() {
                let last = a + s * (len as i128 - 1);
                if a < lo || a > hi || last < lo || last > hi {
                    bail!(
                        Overflow,
                        "arange: values from {a} to {last} do not fit dtype {d} ({lo} to {hi}); pass a \
                         wider dtype"
                    );
                }
            }
        }
        ints = Some((a, s));
    } else {
        let (a, b, s) = (start.as_f64(), stop.as_f64(), step.as_f64());
        ensure!(s != 0.0, Value, "arange: step must not be zero");
        let n = ((b - a) / s).ceil();
        ensure!(
            !n.is_nan() && n < 2f64.powi(62),
            Value,
            "arange: ({b} - {a}) / {s} is not a usable length; pass finite start, stop and step"
        );
        len = arange_len(n.max(0.0) as i128, d)?;
        ints = None;
    }
    let (fa, fs) = (start.as_f64(), step.as_f64());
    Ok(LazyArray::from_data(rt::array_with(
        "arange",
        d,
        &[len],
        |out| {
            for (i, dst) in out.chunks_exact_mut(d.size()).enumerate() {
                let scalar = match ints {
                    Some((a, s)) => {
                        let v = a + s * i as i128;
                        match i64::try_from(v) {
                            Ok(v) => Scalar::Int(v),
                            Err(_) => Scalar::UInt(v as u64),
                        }
                    }
                    None => Scalar::Float(fa + i as f64 * fs),
                };
                dst.copy_from_slice(&scalar.to_bytes(d));
            }
            Ok(())
        },
    )?))
}

fn arange_len(n: i128, d: DType) -> Result<usize> {
    ensure!(
        n >= 0 && n <= (isize::MAX as i128) / (d.size() as i128),
        Value,
        "arange: the result would have {n} elements, too many to allocate; pass a narrower range"
    );
    Ok(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_bytes_are_little_endian() {
        let mut v = Vec::new();
        0x0102_0304i32.write_le(&mut v);
        true.write_le(&mut v);
        assert_eq!(v, vec![4, 3, 2, 1, 1]);
        assert_eq!(<f32 as Element>::DTYPE, DType::F32);
        let mut c = Vec::new();
        Complex64::new(1.5, -2.0).write_le(&mut c);
        assert_eq!(c[..4], 1.5f32.to_le_bytes());
        assert_eq!(c[4..], (-2.0f32).to_le_bytes());
        assert_eq!(
            Scalar::from_bytes(DType::C64, &c),
            Scalar::Complex(1.5, -2.0)
        );
        assert_eq!(std::mem::size_of::<Complex128>(), DType::C128.size());
    }
}
