//! `ndarray` interop (cargo feature `ndarray`): an owned [`Array`] becomes a [`LazyArray`] without a
//! copy (any strides, negative ones included), an [`ArrayView`] is copied (the lazy array outlives the
//! borrow); a computed array comes out as an owned [`ArrayD`] (copied) or as an [`ArrayViewD`]
//! borrowing the array's memory (when its strides are non-negative).

use crate::array::LazyArray;
use crate::creation::Element;
use crate::typed::{from_slice, wrap_vec, TypedData};
use lazulite_ir::{bail, ensure, Result};
use lazulite_runtime::{ArrayData, Buffer};
use ndarray::{Array, ArrayD, ArrayView, ArrayViewD, Dimension, IxDyn, ShapeBuilder};
use std::sync::Arc;

/// A lazy array holding `a`'s elements without a copy: the array moves into the lazy array's buffer
/// and is read with its own strides.
pub fn from_array<T: Element, D: Dimension + 'static>(a: Array<T, D>) -> Result<LazyArray> {
    let shape: Vec<usize> = a.shape().to_vec();
    let strides: Vec<isize> = a.strides().to_vec();
    if a.is_empty() {
        return wrap_vec(Vec::<T>::new(), &shape);
    }
    // the lowest and one past the highest addressed element, relative to the first logical element
    let (mut lo, mut hi) = (0isize, 1isize);
    for (&n, &s) in shape.iter().zip(&strides) {
        let span = (n as isize - 1) * s;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    let size = std::mem::size_of::<T>();
    let first = a.as_ptr();
    // `first + lo` is the lowest addressed element, inside the array's allocation (ndarray's
    // invariant: every element the strides address lies in its storage)
    let base = first.wrapping_offset(lo).cast::<u8>();
    let len = (hi - lo) as usize * size;
    // SAFETY: every element `a` addresses lies in `[base, base + len)`, in `a`'s heap storage, which
    // does not move when `a` moves into the owner box and lives as long as it; nothing mutates it (the
    // array is reachable only through the owner, and the runtime never writes to external buffers).
    // The elements are plain sealed `Element` values, initialised.
    let buffer = unsafe { Buffer::from_external(base, len, Box::new(a)) };
    Ok(LazyArray::from_data(ArrayData {
        buffer: Arc::new(buffer),
        offset: -lo,
        strides: strides.into_iter().collect(),
        shape: shape.into_iter().collect(),
        dtype: T::DTYPE,
    }))
}

/// A lazy array holding a copy of `v`'s elements (in logical order, whatever `v`'s strides).
pub fn from_array_view<T: Element, D: Dimension>(v: ArrayView<'_, T, D>) -> Result<LazyArray> {
    let shape = v.shape().to_vec();
    match v.as_slice() {
        Some(s) => from_slice(s, &shape),
        None => wrap_vec(v.iter().copied().collect(), &shape),
    }
}

/// Conversion of computed data to `ndarray` arrays. `T` must be the Rust type of the dtype.
pub trait ToNdarray {
    /// The elements as an owned, row-major `ArrayD` (computing first when needed).
    fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>>;
    /// The elements as a view of the computed memory, without a copy; a `Value` error when the
    /// layout has negative strides (use `to_ndarray`).
    fn view_ndarray<T: Element>(&self) -> Result<ArrayViewD<'_, T>>;
}

impl ToNdarray for ArrayData {
    fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        let v = self.to_vec::<T>()?;
        match ArrayD::from_shape_vec(IxDyn(&self.shape), v) {
            Ok(a) => Ok(a),
            Err(e) => bail!(Internal, "to_ndarray: {e}"),
        }
    }

    fn view_ndarray<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
        // dtype, alignment and bool validity as `as_slice` checks them, over the elements' span
        if self.numel() == 0 || self.is_c_contiguous() {
            let s = self.as_slice::<T>()?;
            return match ArrayView::from_shape(IxDyn(&self.shape), s) {
                Ok(a) => Ok(a),
                Err(e) => bail!(Internal, "view_ndarray: {e}"),
            };
        }
        ensure!(
            self.strides.iter().all(|&s| s >= 0),
            Value,
            "view_ndarray: the layout has negative strides {:?}; copy with to_ndarray() instead",
            self.strides.as_slice()
        );
        self.check_layout()?;
        // the whole span from the first element, as a (checked) slice of T
        let span = 1 + self
            .shape
            .iter()
            .zip(&self.strides)
            .map(|(&n, &s)| (n as isize - 1) * s)
            .sum::<isize>();
        let strided = ArrayData {
            buffer: self.buffer.clone(),
            offset: self.offset,
            strides: [1isize].into_iter().collect(),
            shape: [span as usize].into_iter().collect(),
            dtype: self.dtype,
        };
        let whole: &[T] = strided.as_slice()?;
        let ptr = whole.as_ptr();
        let strides: Vec<usize> = self.strides.iter().map(|&s| s as usize).collect();
        // SAFETY: `check_layout` proved every element the (non-negative) strides address from `ptr`
        // lies within the buffer, `as_slice` checked dtype, alignment and (bool) validity over that
        // span, and the buffer lives, unmutated, as long as `self` (which the view borrows).
        let view =
            unsafe { ArrayView::from_shape_ptr(IxDyn(&self.shape).strides(IxDyn(&strides)), ptr) };
        Ok(view)
    }
}

impl ToNdarray for LazyArray {
    fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        self.compute()?.to_ndarray()
    }

    fn view_ndarray<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
        self.compute()?;
        match self.realized_ref() {
            Some(d) => d.view_ndarray(),
            None => bail!(
                Internal,
                "view_ndarray: the array has no value after compute"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use ndarray::{s, Array2, Axis};

    #[test]
    fn owned_arrays_are_shared_with_their_strides() {
        let a = Array2::from_shape_fn((3, 4), |(i, j)| (i * 10 + j) as f64);
        let owned = a.clone();
        let p = owned.as_ptr();
        let x = from_array(owned).unwrap();
        assert_eq!(x.as_slice::<f64>().unwrap().as_ptr(), p, "zero-copy");
        assert_eq!(x.to_ndarray::<f64>().unwrap(), a.clone().into_dyn());
        // a transposed, reversed, sliced owned array: elements in logical order
        let mut b = a.clone().reversed_axes();
        b.invert_axis(Axis(1));
        b.slice_collapse(s![..;2, 1..]);
        let y = from_array(b.clone()).unwrap();
        assert_eq!(y.shape(), b.shape());
        assert_eq!(
            y.to_vec::<f64>().unwrap(),
            b.iter().copied().collect::<Vec<_>>()
        );
        let z = (&y * 2.0).unwrap();
        assert_eq!(z.to_ndarray::<f64>().unwrap(), (&b * 2.0).into_dyn());
    }

    #[test]
    fn views_in_and_out() {
        let a = Array2::from_shape_fn((4, 5), |(i, j)| (i as i32) - (j as i32));
        let x = from_array_view(a.t()).unwrap();
        assert_eq!(x.to_ndarray::<i32>().unwrap(), a.t().into_dyn().to_owned());
        let y = (&x + 1).unwrap();
        let v = y.view_ndarray::<i32>().unwrap();
        assert_eq!(v, (&a.t() + 1).into_dyn());
        let e = x.to_ndarray::<f32>().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        // a strided (transposed) computed view is viewed in place
        let t = crate::permute_dims(&x, &[1, 0]).unwrap();
        assert_eq!(t.view_ndarray::<i32>().unwrap(), a.view().into_dyn());
    }
}
