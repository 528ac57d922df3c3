//! A typed scalar value: constants in graphs and kernels, fill values, reduction identities.

use crate::dtype::DType;
use std::hash::{Hash, Hasher};

/// A scalar value in its widest same-kind representation. Equality and hashing are bitwise, so
/// `NaN == NaN` and `-0.0 != 0.0`: two constants are the same node exactly when they are the same bits.
#[derive(Clone, Copy, Debug)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Complex(f64, f64),
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        use Scalar::*;
        match (*self, *other) {
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (UInt(a), UInt(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (Complex(a, b), Complex(c, d)) => {
                a.to_bits() == c.to_bits() && b.to_bits() == d.to_bits()
            }
            _ => false,
        }
    }
}
impl Eq for Scalar {}

impl Hash for Scalar {
    fn hash<H: Hasher>(&self, state: &mut H) {
        use Scalar::*;
        std::mem::discriminant(self).hash(state);
        match *self {
            Bool(b) => b.hash(state),
            Int(i) => i.hash(state),
            UInt(u) => u.hash(state),
            Float(f) => f.to_bits().hash(state),
            Complex(r, i) => {
                r.to_bits().hash(state);
                i.to_bits().hash(state)
            }
        }
    }
}

impl Scalar {
    /// The value converted to the representation of `dtype` with the same rules as `astype`
    /// (floats to integers truncate toward zero and saturate, NaN becomes 0; integers wrap).
    pub fn cast(self, dtype: DType) -> Scalar {
        let (re, im) = self.as_complex();
        match dtype {
            DType::Bool => Scalar::Bool(match self {
                Scalar::Bool(b) => b,
                Scalar::Int(i) => i != 0,
                Scalar::UInt(u) => u != 0,
                _ => re != 0.0 || im != 0.0,
            }),
            d if d.is_signed_int() => {
                let wide: i64 = match self {
                    Scalar::Bool(b) => b as i64,
                    Scalar::Int(i) => i,
                    Scalar::UInt(u) => u as i64,
                    _ => re as i64,
                };
                Scalar::Int(wrap_signed(wide, d.bits()))
            }
            d if d.is_unsigned_int() => {
                let wide: u64 = match self {
                    Scalar::Bool(b) => b as u64,
                    Scalar::Int(i) => i as u64,
                    Scalar::UInt(u) => u,
                    _ => {
                        if re < 0.0 {
                            (re as i64) as u64
                        } else {
                            re as u64
                        }
                    }
                };
                Scalar::UInt(if d.bits() == 64 {
                    wide
                } else {
                    wide & ((1u64 << d.bits()) - 1)
                })
            }
            DType::F32 => Scalar::Float(re as f32 as f64),
            DType::F64 => Scalar::Float(re),
            DType::C64 => Scalar::Complex(re as f32 as f64, im as f32 as f64),
            _ => Scalar::Complex(re, im),
        }
    }

    /// Real and imaginary parts as f64.
    pub fn as_complex(self) -> (f64, f64) {
        match self {
            Scalar::Bool(b) => (b as u8 as f64, 0.0),
            Scalar::Int(i) => (i as f64, 0.0),
            Scalar::UInt(u) => (u as f64, 0.0),
            Scalar::Float(f) => (f, 0.0),
            Scalar::Complex(r, i) => (r, i),
        }
    }

    pub fn as_f64(self) -> f64 {
        self.as_complex().0
    }

    /// The value as i128 when it is a bool or an integer.
    pub fn as_i128(self) -> Option<i128> {
        match self {
            Scalar::Bool(b) => Some(b as i128),
            Scalar::Int(i) => Some(i as i128),
            Scalar::UInt(u) => Some(u as i128),
            _ => None,
        }
    }

    /// True for zero of any kind (used by `any`, `all` and simplification).
    pub fn is_zero(self) -> bool {
        let (r, i) = self.as_complex();
        match self {
            Scalar::Int(v) => v == 0,
            Scalar::UInt(v) => v == 0,
            Scalar::Bool(b) => !b,
            _ => r == 0.0 && i == 0.0,
        }
    }

    /// The little-endian bytes of this value stored as `dtype` (after [`Scalar::cast`]).
    pub fn to_bytes(self, dtype: DType) -> Vec<u8> {
        let v = self.cast(dtype);
        match (dtype, v) {
            (DType::Bool, Scalar::Bool(b)) => vec![b as u8],
            (DType::I8, Scalar::Int(i)) => (i as i8).to_le_bytes().to_vec(),
            (DType::I16, Scalar::Int(i)) => (i as i16).to_le_bytes().to_vec(),
            (DType::I32, Scalar::Int(i)) => (i as i32).to_le_bytes().to_vec(),
            (DType::I64, Scalar::Int(i)) => i.to_le_bytes().to_vec(),
            (DType::U8, Scalar::UInt(u)) => (u as u8).to_le_bytes().to_vec(),
            (DType::U16, Scalar::UInt(u)) => (u as u16).to_le_bytes().to_vec(),
            (DType::U32, Scalar::UInt(u)) => (u as u32).to_le_bytes().to_vec(),
            (DType::U64, Scalar::UInt(u)) => u.to_le_bytes().to_vec(),
            (DType::F32, Scalar::Float(f)) => (f as f32).to_le_bytes().to_vec(),
            (DType::F64, Scalar::Float(f)) => f.to_le_bytes().to_vec(),
            (DType::C64, Scalar::Complex(r, i)) => {
                let mut b = (r as f32).to_le_bytes().to_vec();
                b.extend_from_slice(&(i as f32).to_le_bytes());
                b
            }
            (DType::C128, Scalar::Complex(r, i)) => {
                let mut b = r.to_le_bytes().to_vec();
                b.extend_from_slice(&i.to_le_bytes());
                b
            }
            _ => unreachable!("Scalar::cast returns the representation of its dtype"),
        }
    }

    /// Reads one element of `dtype` from little-endian bytes.
    pub fn from_bytes(dtype: DType, b: &[u8]) -> Scalar {
        fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
            b[..N].try_into().expect("slice has the element size")
        }
        match dtype {
            DType::Bool => Scalar::Bool(b[0] != 0),
            DType::I8 => Scalar::Int(b[0] as i8 as i64),
            DType::I16 => Scalar::Int(i16::from_le_bytes(arr(b)) as i64),
            DType::I32 => Scalar::Int(i32::from_le_bytes(arr(b)) as i64),
            DType::I64 => Scalar::Int(i64::from_le_bytes(arr(b))),
            DType::U8 => Scalar::UInt(b[0] as u64),
            DType::U16 => Scalar::UInt(u16::from_le_bytes(arr(b)) as u64),
            DType::U32 => Scalar::UInt(u32::from_le_bytes(arr(b)) as u64),
            DType::U64 => Scalar::UInt(u64::from_le_bytes(arr(b))),
            DType::F32 => Scalar::Float(f32::from_le_bytes(arr(b)) as f64),
            DType::F64 => Scalar::Float(f64::from_le_bytes(arr(b))),
            DType::C64 => Scalar::Complex(
                f32::from_le_bytes(arr(b)) as f64,
                f32::from_le_bytes(arr(&b[4..])) as f64,
            ),
            DType::C128 => {
                Scalar::Complex(f64::from_le_bytes(arr(b)), f64::from_le_bytes(arr(&b[8..])))
            }
        }
    }
}

/// Two's-complement wrap of `v` to `bits` bits, sign-extended back to i64.
pub fn wrap_signed(v: i64, bits: u32) -> i64 {
    if bits >= 64 {
        v
    } else {
        let shift = 64 - bits;
        (v << shift) >> shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_wrap_and_truncate() {
        assert_eq!(Scalar::Int(300).cast(DType::I8), Scalar::Int(44));
        assert_eq!(Scalar::Int(-1).cast(DType::U16), Scalar::UInt(65535));
        assert_eq!(Scalar::Float(-2.7).cast(DType::I32), Scalar::Int(-2));
        assert_eq!(Scalar::Float(0.5).cast(DType::Bool), Scalar::Bool(true));
        for d in DType::ALL {
            let s = Scalar::Int(5).cast(d);
            assert_eq!(Scalar::from_bytes(d, &s.to_bytes(d)), s, "{d}");
        }
    }

    #[test]
    fn bitwise_identity() {
        assert_eq!(Scalar::Float(f64::NAN), Scalar::Float(f64::NAN));
        assert_ne!(Scalar::Float(0.0), Scalar::Float(-0.0));
    }
}
