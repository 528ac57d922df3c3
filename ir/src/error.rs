//! One error type for the whole engine, with the few coarse kinds the Python edge maps to exceptions.

/// The coarse kind of an error: it decides which Python exception the binding raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Wrong dtype or argument type (`TypeError`).
    Type,
    /// Right type, bad value: shapes that do not broadcast, bad sizes (`ValueError`).
    Value,
    /// An axis or index out of range (`IndexError`).
    Index,
    /// A Python integer that does not fit the dtype (`OverflowError`).
    Overflow,
    /// Export of data impossible as asked (`BufferError`).
    Buffer,
    /// Allocation failure (`MemoryError`).
    Memory,
    /// A valid request the engine does not support (`NotImplementedError`).
    NotImplemented,
    /// A bug in lazulite itself (`RuntimeError`).
    Internal,
    /// The caller cancelled the work (Ctrl-C: the Python edge raises the pending `KeyboardInterrupt`).
    Interrupted,
}

/// An engine error: a kind and a message that names the operation, the offending dtypes or shapes, and
/// the fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `bail!(Type, "...", args)` returns early with an [`Error`] of that kind.
#[macro_export]
macro_rules! bail {
    ($kind:ident, $($arg:tt)*) => {
        return Err($crate::Error::new($crate::ErrorKind::$kind, format!($($arg)*)))
    };
}

/// `ensure!(cond, Value, "...", args)` bails unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $kind:ident, $($arg:tt)*) => {
        if !$cond {
            $crate::bail!($kind, $($arg)*);
        }
    };
}
