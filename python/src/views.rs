//! Views that write through, at the Python edge.
//!
//! Every Python `Array` is a [`Handle`]: a shared [`Storage`] (the base's current node and a
//! generation number) and a [`Lens`] (how the array is made from that base; the identity for a
//! base). Reading an array replays its lens on the storage's current node, cached until the
//! generation moves. A write (`x[k] = v`, `x += y`) through any member of the family becomes a
//! functional scatter into the base ([`fe::write_through`]); the storage takes the new node and bumps
//! its generation, so the base and every view read the new values, while arrays computed earlier keep
//! the nodes they were built from. The graph itself never changes.
//!
//! Views: basic indexing (except a key of integers only that selects one element, which is a
//! scalar copy as in NumPy), `reshape` when no copy is needed, `permute_dims`, `matrix_transpose`,
//! `.T`, `.mT`, `expand_dims`, `squeeze`, `moveaxis`, `flip`, `unstack`, and `broadcast_to` /
//! `broadcast_arrays` (read-only). Everything else makes a new base.

use crate::array::PyArray;
use crate::convert::{array_arg, Arg};
use crate::guard::{engine, value_error};
use lazulite_frontend::{self as fe, Derived, IndexItem, IndexKey, LazyArray, Lens};
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard};

/// The base's current value; `generation` counts the writes.
struct Current {
    value: LazyArray,
    generation: u64,
}

/// What a base and all its views share.
struct Storage {
    current: Mutex<Current>,
    /// The base wraps memory lazulite must not treat as writable (a read-only buffer or DLPack
    /// tensor imported without a copy): every member of the family is read-only.
    read_only_input: bool,
}

/// Why a write is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadOnly {
    /// Several elements of the view are one element of the base (`broadcast_to`).
    Broadcast,
    /// The family views a read-only input.
    Input,
}

/// A Python array: its family's storage and how it is made from the base.
pub struct Handle {
    storage: Arc<Storage>,
    lens: Lens,
    /// Made through a broadcast (NumPy keeps such views, and views of them, read-only).
    broadcast: bool,
    /// `(generation, value)` of the last read of a view.
    cache: Mutex<Option<(u64, LazyArray)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A poisoned lock only means another thread panicked while holding it; the values inside are
    // replaced wholesale, so they are always consistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Handle {
    /// A new base holding `value`.
    pub fn base(value: LazyArray, read_only_input: bool) -> Handle {
        Handle {
            lens: Lens::identity(value.shape()),
            storage: Arc::new(Storage {
                current: Mutex::new(Current {
                    value,
                    generation: 0,
                }),
                read_only_input,
            }),
            broadcast: false,
            cache: Mutex::new(None),
        }
    }

    fn snapshot(&self) -> (u64, LazyArray) {
        let c = lock(&self.storage.current);
        (c.generation, c.value.clone())
    }

    /// The array's current value.
    pub fn value(&self) -> LazyArray {
        let (generation, base) = self.snapshot();
        if self.lens.is_identity() {
            return base;
        }
        let mut cache = lock(&self.cache);
        if let Some((g, v)) = cache.as_ref() {
            if *g == generation {
                return v.clone();
            }
        }
        let v = self.lens.read(&base);
        *cache = Some((generation, v.clone()));
        v
    }

    /// Whether both arrays belong to one family (one base and its views).
    pub fn same_family(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// Another handle on the same family and lens (`from_dlpack` of a lazulite array).
    pub fn alias(&self) -> Handle {
        Handle {
            storage: self.storage.clone(),
            lens: self.lens.clone(),
            broadcast: self.broadcast,
            cache: Mutex::new(None),
        }
    }

    /// The handle of `f(self)` for a movement function `f`: a view of the same base when `f` needs
    /// no copy, else a new base holding the copy.
    pub fn derive(
        &self,
        py: Python<'_>,
        func: &str,
        f: impl Fn(&LazyArray) -> fe::Result<LazyArray> + Send + Sync,
    ) -> PyResult<Handle> {
        let value = self.value();
        let lens = &self.lens;
        match engine(py, func, || lens.derive(&value, &f))? {
            Derived::View(lens) => Ok(Handle {
                storage: self.storage.clone(),
                broadcast: self.broadcast || lens.overlaps(),
                lens,
                cache: Mutex::new(None),
            }),
            Derived::Copy(v) => Ok(Handle::base(v, false)),
        }
    }

    fn read_only(&self) -> Option<ReadOnly> {
        if self.storage.read_only_input {
            Some(ReadOnly::Input)
        } else if self.broadcast {
            Some(ReadOnly::Broadcast)
        } else {
            None
        }
    }

    /// `ValueError` when the array is read-only, naming the fix.
    pub fn check_writable(&self, func: &str) -> PyResult<()> {
        match self.read_only() {
            None => Ok(()),
            Some(ReadOnly::Broadcast) => Err(value_error(format!(
                "{func}: the array is a read-only view made by broadcast_to (or broadcast_arrays): \
                 several of its elements are one element of the original; write to a copy \
                 (lazulite.asarray(x, copy=True)) or to the original array"
            ))),
            Some(ReadOnly::Input) => Err(value_error(format!(
                "{func}: the array is read-only: it views a read-only buffer imported without a \
                 copy; make a writable copy with lazulite.asarray(x, copy=True)"
            ))),
        }
    }

    /// Stores `new` as the base's value if no other write happened since `generation`.
    fn commit(&self, generation: u64, new: LazyArray) -> bool {
        let mut c = lock(&self.storage.current);
        if c.generation != generation {
            return false;
        }
        c.value = new;
        c.generation += 1;
        true
    }

    /// Whether `self[key] = source` would write `source`'s own values back where they are: `source`
    /// is the view `self[key]` of the same base (Python's `x[k] += y` ends with `x[k] = x[k]`, after
    /// `__iadd__` wrote through already).
    pub fn is_self_assignment(&self, py: Python<'_>, key: &[IndexKey], source: &Handle) -> bool {
        let basic = key.iter().all(|k| matches!(k, IndexKey::Item(_)));
        if !basic || !self.same_family(source) {
            return false;
        }
        let value = self.value();
        let target = engine(py, "__setitem__", || {
            self.lens.derive(&value, |v| fe::getitem_arrays(v, key))
        });
        matches!(target, Ok(Derived::View(l)) if l.same_elements(&source.lens))
    }

    /// `self[key] = value`, written through to the base (and so to every view of it).
    pub fn write(&self, py: Python<'_>, func: &str, key: &[IndexKey], value: &Arg) -> PyResult<()> {
        self.check_writable(func)?;
        loop {
            let (generation, base) = self.snapshot();
            let lens = &self.lens;
            let new = engine(py, func, || {
                fe::write_through(&base, lens, key, value.operand())
            })?;
            if self.commit(generation, new) {
                return Ok(());
            }
        }
    }

    /// `self[...] = value` for a `value` of the array's dtype and shape (the in-place operators).
    pub fn assign(&self, py: Python<'_>, func: &str, value: LazyArray) -> PyResult<()> {
        self.check_writable(func)?;
        if self.lens.is_identity() {
            let mut c = lock(&self.storage.current);
            c.value = value;
            c.generation += 1;
            return Ok(());
        }
        self.write(
            py,
            func,
            &[IndexKey::Item(IndexItem::Ellipsis)],
            &Arg::Array(value),
        )
    }
}

/// `f(x)` for a movement function that returns a view when it can (a new base when it must copy).
pub fn movement(
    py: Python<'_>,
    func: &str,
    x: &Bound<'_, PyAny>,
    f: impl Fn(&LazyArray) -> fe::Result<LazyArray> + Send + Sync,
) -> PyResult<PyArray> {
    array_arg(func, "x", x)?; // the usual error for anything but an array
    let a = x.cast::<PyArray>()?;
    a.get()
        .handle()
        .derive(py, func, f)
        .map(PyArray::from_handle)
}

/// `broadcast_to(x, shape)` and the members of `broadcast_arrays`: read-only views.
pub fn broadcast(
    py: Python<'_>,
    func: &str,
    x: &Bound<'_, PyArray>,
    shape: &[usize],
) -> PyResult<PyArray> {
    let h = x
        .get()
        .handle()
        .derive(py, func, |v| fe::broadcast_to(v, shape))?;
    Ok(PyArray::from_handle(Handle {
        broadcast: true,
        ..h
    }))
}
