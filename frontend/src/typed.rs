//! Typed data in and out: [`from_slice`], zero-copy `from_vec`, and `to_vec::<T>()` / `as_slice::<T>()`
//! on computed arrays ([`LazyArray::to_vec`], [`LazyArray::as_slice`], [`TypedData`] on
//! [`ArrayData`]). The Rust element type picks the dtype through [`Element`]; asking for another
//! type than the array's dtype is a `Type` error that names both.

use crate::array::LazyArray;
use crate::creation::{check_shape, Complex128, Complex64, Element};
use crate::rt;
use lazulite_ir::shape::contiguous_strides;
use lazulite_ir::{bail, ensure, DType, Result};
use lazulite_runtime::{ArrayData, Buffer};
use std::any::Any;
use std::sync::Arc;

// The runtime stores elements little-endian; reading them as native Rust values relies on that.
const _: () = assert!(
    cfg!(target_endian = "little"),
    "lazulite's typed data views assume a little-endian target"
);

pub(crate) mod sealed {
    /// Only the element types listed here have the memory layout of their dtype (the typed views
    /// reinterpret buffers on that promise), so [`Element`](crate::Element) is sealed by this trait.
    pub trait Sealed {}
}

macro_rules! sealed {
    ($($t:ty),*) => {$( impl sealed::Sealed for $t {} )*};
}
sealed!(bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, Complex64, Complex128);

/// An array of `shape` copied from `data` (row-major; `data.len()` must be the shape's size).
pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<LazyArray> {
    let n = check_shape("from_slice", shape)?;
    ensure!(
        data.len() == n,
        Value,
        "from_slice: {} elements cannot fill shape {shape:?} ({n} elements); pass a shape whose \
         product is the length of the data",
        data.len()
    );
    let data = rt::array_with("from_slice", T::DTYPE, shape, |out| {
        // SAFETY: `T` is one of the sealed element types, plain values without padding (bool is one
        // byte, 0 or 1), so its `size_of_val(data)` bytes are initialised and readable.
        let src = unsafe {
            std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), std::mem::size_of_val(data))
        };
        out.copy_from_slice(src);
        Ok(())
    })?;
    Ok(LazyArray::from_data(data))
}

/// `from_vec` without a copy: the array's buffer is the vector's memory (the vector moves into it).
pub(crate) fn wrap_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<LazyArray> {
    let n = check_shape("from_vec", shape)?;
    ensure!(
        data.len() == n,
        Value,
        "from_vec: {} elements cannot fill shape {shape:?} ({n} elements); pass a shape whose product \
         is the length of the data",
        data.len()
    );
    if n == 0 {
        return Ok(LazyArray::from_data(rt::array_from_bytes(
            &[],
            T::DTYPE,
            shape,
        )?));
    }
    let (ptr, len) = (data.as_ptr().cast::<u8>(), std::mem::size_of_val(&data[..]));
    // SAFETY: the vector's heap memory (`len` initialised bytes of plain sealed element values) does
    // not move when the vector moves into the owner box, stays allocated while the owner lives, and
    // nothing mutates it: the vector is reachable only through the owner, which nobody reads, and the
    // runtime never writes to an external buffer.
    let buffer = unsafe { Buffer::from_external(ptr, len, Box::new(data)) };
    Ok(LazyArray::from_data(ArrayData {
        buffer: Arc::new(buffer),
        offset: 0,
        strides: contiguous_strides(shape),
        shape: shape.into(),
        dtype: T::DTYPE,
    }))
}

fn check_dtype<T: Element>(what: &str, dtype: DType) -> Result<()> {
    if dtype != T::DTYPE {
        bail!(
            Type,
            "{what}: the array has dtype {dtype}, but the Rust type {} is {}; ask for the type of \
             dtype {dtype} or convert first with astype(DType::{:?})",
            std::any::type_name::<T>(),
            T::DTYPE,
            T::DTYPE
        );
    }
    Ok(())
}

/// Typed access to computed data: the elements as `Vec<T>` (any layout) or borrowed as `&[T]`
/// (C-contiguous layouts). `T` must be the Rust type of the array's dtype ([`Element`]).
pub trait TypedData {
    /// The elements in row-major order, copied.
    fn to_vec<T: Element>(&self) -> Result<Vec<T>>;
    /// The elements in row-major order, borrowed; a `Value` error when the layout is not C-contiguous
    /// (a transposed or strided view: use `to_vec`).
    fn as_slice<T: Element>(&self) -> Result<&[T]>;
}

impl TypedData for ArrayData {
    fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        check_dtype::<T>("to_vec", self.dtype)?;
        let bytes = self.try_to_contiguous_bytes("to_vec")?;
        if T::DTYPE == DType::Bool {
            let bools: Vec<bool> = bytes.iter().map(|&b| b != 0).collect();
            return match (Box::new(bools) as Box<dyn Any>).downcast::<Vec<T>>() {
                Ok(v) => Ok(*v),
                Err(_) => bail!(Internal, "to_vec: the element type of bool is not bool"),
            };
        }
        let size = std::mem::size_of::<T>();
        let n = bytes.len() / size;
        let mut out: Vec<T> = lazulite_ir::alloc::try_vec("to_vec", n)?;
        // SAFETY: `T` is a sealed plain element type other than bool: every bit pattern of its size is
        // a valid value; `bytes` holds `n * size` bytes and `out` has capacity for `n` elements, which
        // the copy initialises before `set_len`.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr().cast::<u8>(), n * size);
            out.set_len(n);
        }
        Ok(out)
    }

    fn as_slice<T: Element>(&self) -> Result<&[T]> {
        check_dtype::<T>("as_slice", self.dtype)?;
        let n = self.numel();
        if n == 0 {
            return Ok(&[]);
        }
        ensure!(
            self.is_c_contiguous(),
            Value,
            "as_slice: the array's layout (shape {:?}, strides {:?}) is not C-contiguous, so its elements \
             are not one slice; copy them with to_vec() instead",
            self.shape.as_slice(),
            self.strides.as_slice()
        );
        self.check_layout()?;
        let ptr = self.data_ptr()?;
        ensure!(
            (ptr as usize).is_multiple_of(std::mem::align_of::<T>()),
            Value,
            "as_slice: the array's memory is not aligned for {}; copy the elements with to_vec() instead",
            std::any::type_name::<T>()
        );
        // SAFETY: `check_layout` proved that the `n` contiguous elements from `data_ptr` lie inside
        // the buffer, which lives (immutable) as long as `self`; the pointer is aligned for `T`; `T`
        // is a sealed plain element type, and for bool every byte is checked to be 0 or 1 below before
        // the slice is returned.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, n * std::mem::size_of::<T>()) };
        if T::DTYPE == DType::Bool {
            ensure!(
                bytes.iter().all(|&b| b <= 1),
                Value,
                "as_slice: this bool array holds bytes other than 0 and 1; copy it with to_vec() instead"
            );
        }
        // SAFETY: as above: `bytes` is `n` valid, aligned `T` values.
        Ok(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), n) })
    }
}

impl LazyArray {
    /// The elements in row-major order as `Vec<T>` (computes the array first if needed). `T` must be
    /// the Rust type of the dtype (`f32` for `float32`, ...): a `Type` error otherwise.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        check_dtype::<T>("to_vec", self.dtype())?;
        self.compute()?.to_vec()
    }

    /// The elements borrowed as `&[T]` (computes the array first if needed), without a copy, when
    /// the computed layout is C-contiguous (a `Value` error otherwise: use [`LazyArray::to_vec`]).
    pub fn as_slice<T: Element>(&self) -> Result<&[T]> {
        check_dtype::<T>("as_slice", self.dtype())?;
        self.compute()?;
        match self.realized_ref() {
            Some(data) => data.as_slice(),
            None => bail!(Internal, "as_slice: the array has no value after compute"),
        }
    }

    /// The one element of an array of size 1 (computes it first if needed).
    pub fn item<T: Element>(&self) -> Result<T> {
        ensure!(
            self.size() == 1,
            Value,
            "item: the array has shape {:?} ({} elements), but item needs exactly one; reduce or index \
             it first",
            self.shape(),
            self.size()
        );
        Ok(self.to_vec::<T>()?[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_vec, permute_dims, ErrorKind};

    #[test]
    fn round_trips_every_element_type() {
        fn check<T: Element + PartialEq + std::fmt::Debug>(v: Vec<T>) {
            let n = v.len();
            let a = from_slice(&v, &[n]).unwrap();
            assert_eq!(a.dtype(), T::DTYPE);
            assert_eq!(a.to_vec::<T>().unwrap(), v);
            assert_eq!(a.as_slice::<T>().unwrap(), &v[..]);
            let b = from_vec(v.clone(), &[n]).unwrap();
            assert_eq!(b.as_slice::<T>().unwrap(), &v[..]);
        }
        check(vec![true, false, true]);
        check(vec![-3i8, 4]);
        check(vec![-3i16, 4]);
        check(vec![-3i32, 4]);
        check(vec![-3i64, i64::MAX]);
        check(vec![3u8, 255]);
        check(vec![3u16, 4]);
        check(vec![3u32, 4]);
        check(vec![3u64, u64::MAX]);
        check(vec![1.5f32, -0.0]);
        check(vec![1.5f64, f64::MIN_POSITIVE]);
        check(vec![Complex64::new(1.0, -2.0)]);
        check(vec![Complex128::new(1.0, -2.0), Complex128::new(0.5, 3.0)]);
    }

    #[test]
    fn from_vec_does_not_copy() {
        let v: Vec<f64> = (0..1000).map(f64::from).collect();
        let p = v.as_ptr();
        let a = from_vec(v, &[10, 100]).unwrap();
        assert_eq!(a.as_slice::<f64>().unwrap().as_ptr(), p);
    }

    #[test]
    fn computed_results_and_views() {
        let a = from_vec((0..6).map(|i| i as f32).collect(), &[2, 3]).unwrap();
        let y = (&a * 2.0).unwrap();
        assert_eq!(
            y.as_slice::<f32>().unwrap(),
            &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        // a transposed view is not one slice; to_vec gathers it
        let t = permute_dims(&a, &[1, 0]).unwrap();
        let data = t.compute().unwrap();
        match data.as_slice::<f32>() {
            Ok(s) => {
                assert!(data.is_c_contiguous());
                assert_eq!(s, &[0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
            }
            Err(e) => {
                assert!(!data.is_c_contiguous());
                assert_eq!(e.kind, ErrorKind::Value);
                assert!(e.message.contains("to_vec"), "{}", e.message);
            }
        }
        assert_eq!(
            t.to_vec::<f32>().unwrap(),
            vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        );
        assert_eq!(
            y.sum(crate::All, false).unwrap().item::<f32>().unwrap(),
            30.0
        );
    }

    #[test]
    fn dtype_and_shape_mismatches_are_clear() {
        let a = from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
        let e = a.to_vec::<f64>().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        assert!(
            e.message.contains("float32") && e.message.contains("f64"),
            "{}",
            e.message
        );
        let e = a.as_slice::<i32>().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        let e = from_slice(&[1.0f64; 5], &[2, 3]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
        assert!(e.message.starts_with("from_slice"), "{}", e.message);
        assert_eq!(a.item::<f32>().unwrap_err().kind, ErrorKind::Value);
    }
}
