//! The 13 dtypes of the array API standard and its type-promotion rules, including weak Python scalars.

use crate::error::{Error, ErrorKind, Result};
use std::fmt;

/// A dtype of the standard. Booleans are stored as one byte (0 or 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    C64,
    C128,
}

/// The broad kind of a dtype, as `isdtype` and the promotion table see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Bool,
    SignedInt,
    UnsignedInt,
    RealFloat,
    ComplexFloat,
}

/// The kind of a Python scalar operand ("weak": it takes the array's dtype where the spec allows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarKind {
    Bool,
    Int,
    Float,
    Complex,
}

impl DType {
    pub const ALL: [DType; 13] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ];

    /// The spec's name: `"float64"`, `"bool"`, ...
    pub const fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::C64 => "complex64",
            DType::C128 => "complex128",
        }
    }

    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
        }
    }

    pub const fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => Kind::SignedInt,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => Kind::UnsignedInt,
            DType::F32 | DType::F64 => Kind::RealFloat,
            DType::C64 | DType::C128 => Kind::ComplexFloat,
        }
    }

    pub const fn is_bool(self) -> bool {
        matches!(self.kind(), Kind::Bool)
    }
    pub const fn is_integer(self) -> bool {
        matches!(self.kind(), Kind::SignedInt | Kind::UnsignedInt)
    }
    pub const fn is_signed_int(self) -> bool {
        matches!(self.kind(), Kind::SignedInt)
    }
    pub const fn is_unsigned_int(self) -> bool {
        matches!(self.kind(), Kind::UnsignedInt)
    }
    pub const fn is_real_float(self) -> bool {
        matches!(self.kind(), Kind::RealFloat)
    }
    pub const fn is_complex(self) -> bool {
        matches!(self.kind(), Kind::ComplexFloat)
    }
    pub const fn is_float(self) -> bool {
        self.is_real_float() || self.is_complex()
    }
    pub const fn is_numeric(self) -> bool {
        !self.is_bool()
    }
    pub const fn is_real_numeric(self) -> bool {
        self.is_integer() || self.is_real_float()
    }

    /// Bit width of an integer dtype (8 for bool).
    pub const fn bits(self) -> u32 {
        (self.size() * 8) as u32
    }

    /// The real dtype of the same precision (`complex64 -> float32`); identity for real dtypes.
    pub const fn real_part(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            d => d,
        }
    }

    /// The complex dtype of the same precision (`float32 -> complex64`).
    pub const fn to_complex(self) -> Option<DType> {
        match self {
            DType::F32 | DType::C64 => Some(DType::C64),
            DType::F64 | DType::C128 => Some(DType::C128),
            _ => None,
        }
    }

    /// Range of an integer dtype as i128, `None` for other dtypes.
    pub const fn int_range(self) -> Option<(i128, i128)> {
        Some(match self {
            DType::I8 => (i8::MIN as i128, i8::MAX as i128),
            DType::I16 => (i16::MIN as i128, i16::MAX as i128),
            DType::I32 => (i32::MIN as i128, i32::MAX as i128),
            DType::I64 => (i64::MIN as i128, i64::MAX as i128),
            DType::U8 => (0, u8::MAX as i128),
            DType::U16 => (0, u16::MAX as i128),
            DType::U32 => (0, u32::MAX as i128),
            DType::U64 => (0, u64::MAX as i128),
            _ => return None,
        })
    }

    /// The default dtypes of the namespace.
    pub const DEFAULT_INT: DType = DType::I64;
    pub const DEFAULT_FLOAT: DType = DType::F64;
    pub const DEFAULT_COMPLEX: DType = DType::C128;
    pub const DEFAULT_INDEX: DType = DType::I64;
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Promotion of two array dtypes by the spec's table. Mixes the spec leaves undefined (bool with numbers,
/// integers with floats, `uint64` with signed integers) are `TypeError`s; `op` names the operation.
pub fn promote(op: &str, a: DType, b: DType) -> Result<DType> {
    use DType::*;
    if a == b {
        return Ok(a);
    }
    let out = match (a.kind(), b.kind()) {
        (Kind::SignedInt, Kind::SignedInt) | (Kind::UnsignedInt, Kind::UnsignedInt) => {
            Some(a.max(b))
        }
        (Kind::SignedInt, Kind::UnsignedInt) | (Kind::UnsignedInt, Kind::SignedInt) => {
            let (s, u) = if a.is_signed_int() { (a, b) } else { (b, a) };
            match u {
                U8 => Some(s.max(I16)),
                U16 => Some(s.max(I32)),
                U32 => Some(I64),
                _ => None,
            }
        }
        (Kind::RealFloat | Kind::ComplexFloat, Kind::RealFloat | Kind::ComplexFloat) => {
            let wide = a.real_part() == F64 || b.real_part() == F64;
            Some(match (a.is_complex() || b.is_complex(), wide) {
                (false, false) => F32,
                (false, true) => F64,
                (true, false) => C64,
                (true, true) => C128,
            })
        }
        _ => None,
    };
    out.ok_or_else(|| {
        let hint = match (a.kind(), b.kind()) {
            (Kind::Bool, _) | (_, Kind::Bool) => "booleans do not promote to numbers; convert with astype() first",
            (Kind::SignedInt, Kind::UnsignedInt) | (Kind::UnsignedInt, Kind::SignedInt) => {
                "uint64 and signed integers have no common integer dtype; cast one side with astype()"
            }
            _ => "the standard defines no promotion between integer and floating-point arrays; cast one side with astype()",
        };
        Error::new(ErrorKind::Type, format!("{op}: cannot combine dtypes {a} and {b}: {hint}"))
    })
}

/// Promotion of several dtypes, left to right.
pub fn promote_all(op: &str, dtypes: &[DType]) -> Result<DType> {
    let mut it = dtypes.iter().copied();
    let first = it.next().ok_or_else(|| {
        Error::new(
            ErrorKind::Value,
            format!("{op}: at least one array or dtype is required"),
        )
    })?;
    it.try_fold(first, |acc, d| promote(op, acc, d))
}

/// The dtype an array of dtype `array` takes when combined with a Python scalar of kind `scalar`
/// (the scalar is "weak"). Range checks of integer values are the caller's (see [`crate::Scalar`]).
pub fn promote_with_scalar(op: &str, array: DType, scalar: ScalarKind) -> Result<DType> {
    let ok = match (array.kind(), scalar) {
        (Kind::Bool, ScalarKind::Bool) => Some(array),
        (Kind::SignedInt | Kind::UnsignedInt, ScalarKind::Int) => Some(array),
        (Kind::RealFloat, ScalarKind::Int | ScalarKind::Float) => Some(array),
        (Kind::RealFloat, ScalarKind::Complex) => array.to_complex(),
        (Kind::ComplexFloat, ScalarKind::Int | ScalarKind::Float | ScalarKind::Complex) => {
            Some(array)
        }
        _ => None,
    };
    ok.ok_or_else(|| {
        let sk = match scalar {
            ScalarKind::Bool => "bool",
            ScalarKind::Int => "int",
            ScalarKind::Float => "float",
            ScalarKind::Complex => "complex",
        };
        Error::new(
            ErrorKind::Type,
            format!(
                "{op}: a Python {sk} cannot be combined with an array of dtype {array}; \
                 use an array of a matching dtype (e.g. asarray(value, dtype=...)) or cast with astype()"
            ),
        )
    })
}

/// `can_cast(from, to)`: whether `from` promotes to `to` under the spec's table (a "safe" cast).
pub fn can_cast(from: DType, to: DType) -> bool {
    if from == to {
        return true;
    }
    match promote("can_cast", from, to) {
        Ok(p) => p == to,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn spec_table_samples() {
        assert_eq!(promote("t", U8, I8).unwrap(), I16);
        assert_eq!(promote("t", U16, I8).unwrap(), I32);
        assert_eq!(promote("t", U32, I32).unwrap(), I64);
        assert_eq!(promote("t", U8, I64).unwrap(), I64);
        assert!(promote("t", U64, I8).is_err());
        assert_eq!(promote("t", F32, C64).unwrap(), C64);
        assert_eq!(promote("t", F64, C64).unwrap(), C128);
        assert!(promote("t", I32, F32).is_err());
        assert!(promote("t", Bool, I8).is_err());
        assert_eq!(promote("t", Bool, Bool).unwrap(), Bool);
    }

    #[test]
    fn promotion_is_commutative_and_associative() {
        for a in DType::ALL {
            for b in DType::ALL {
                assert_eq!(promote("t", a, b).ok(), promote("t", b, a).ok(), "{a} {b}");
                for c in DType::ALL {
                    let l = promote("t", a, b).and_then(|ab| promote("t", ab, c)).ok();
                    let r = promote("t", b, c).and_then(|bc| promote("t", a, bc)).ok();
                    if l.is_some() && r.is_some() {
                        assert_eq!(l, r, "{a} {b} {c}");
                    }
                }
            }
        }
    }

    #[test]
    fn weak_scalars() {
        assert_eq!(
            promote_with_scalar("t", F32, ScalarKind::Float).unwrap(),
            F32
        );
        assert_eq!(
            promote_with_scalar("t", F32, ScalarKind::Complex).unwrap(),
            C64
        );
        assert!(promote_with_scalar("t", I32, ScalarKind::Float).is_err());
        assert!(promote_with_scalar("t", Bool, ScalarKind::Int).is_err());
        assert!(promote_with_scalar("t", I8, ScalarKind::Bool).is_err());
        let e = promote_with_scalar("add", I32, ScalarKind::Float).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        assert!(e.message.contains("add") && e.message.contains("int32"));
    }
}
