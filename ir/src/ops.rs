//! The op table: every elementwise and reduction op, its spec name, the dtypes it accepts and the dtype
//! it returns. Adding an elementwise op means one variant here, one row in `info()`, its scalar meaning
//! in `semantics.rs`, and its lowerings in the backends.

use crate::dtype::{promote, DType};
use crate::error::{Error, ErrorKind, Result};

/// Which dtypes an op accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepts {
    /// Every dtype.
    Any,
    Bool,
    /// Integers and booleans.
    IntegerOrBool,
    Integer,
    /// Integers and real floats.
    RealNumeric,
    /// Everything but bool.
    Numeric,
    /// Real and complex floats.
    Float,
    RealFloat,
    Complex,
}

impl Accepts {
    pub fn allows(self, d: DType) -> bool {
        match self {
            Accepts::Any => true,
            Accepts::Bool => d.is_bool(),
            Accepts::IntegerOrBool => d.is_integer() || d.is_bool(),
            Accepts::Integer => d.is_integer(),
            Accepts::RealNumeric => d.is_real_numeric(),
            Accepts::Numeric => d.is_numeric(),
            Accepts::Float => d.is_float(),
            Accepts::RealFloat => d.is_real_float(),
            Accepts::Complex => d.is_complex(),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Accepts::Any => "any dtype",
            Accepts::Bool => "a boolean dtype",
            Accepts::IntegerOrBool => "an integer or boolean dtype",
            Accepts::Integer => "an integer dtype",
            Accepts::RealNumeric => "a real numeric (integer or real floating-point) dtype",
            Accepts::Numeric => "a numeric dtype",
            Accepts::Float => "a floating-point dtype",
            Accepts::RealFloat => "a real floating-point dtype",
            Accepts::Complex => "a complex floating-point dtype",
        }
    }
}

/// What dtype an op returns, given its (promoted) input dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    Same,
    Bool,
    /// The real dtype of the same precision (`abs`, `real`, `imag` of complex).
    RealPart,
}

macro_rules! op_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident => ($spec:literal, $acc:ident, $ret:ident)),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($var),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            /// The spec's function name.
            pub const fn name(self) -> &'static str { match self { $($name::$var => $spec),* } }
            pub const fn accepts(self) -> Accepts { match self { $($name::$var => Accepts::$acc),* } }
            pub const fn returns(self) -> Returns { match self { $($name::$var => Returns::$ret),* } }
            pub fn from_name(name: &str) -> Option<Self> { Self::ALL.iter().copied().find(|o| o.name() == name) }
        }
    };
}

op_enum!(
    /// Elementwise ops with one operand.
    UnaryOp {
        Abs => ("abs", Numeric, RealPart),
        Neg => ("negative", Numeric, Same),
        Positive => ("positive", Numeric, Same),
        Sqrt => ("sqrt", Float, Same),
        Square => ("square", Numeric, Same),
        Reciprocal => ("reciprocal", Float, Same),
        Exp => ("exp", Float, Same),
        Expm1 => ("expm1", Float, Same),
        Log => ("log", Float, Same),
        Log1p => ("log1p", Float, Same),
        Log2 => ("log2", Float, Same),
        Log10 => ("log10", Float, Same),
        Sin => ("sin", Float, Same),
        Cos => ("cos", Float, Same),
        Tan => ("tan", Float, Same),
        Asin => ("asin", Float, Same),
        Acos => ("acos", Float, Same),
        Atan => ("atan", Float, Same),
        Sinh => ("sinh", Float, Same),
        Cosh => ("cosh", Float, Same),
        Tanh => ("tanh", Float, Same),
        Asinh => ("asinh", Float, Same),
        Acosh => ("acosh", Float, Same),
        Atanh => ("atanh", Float, Same),
        Floor => ("floor", RealNumeric, Same),
        Ceil => ("ceil", RealNumeric, Same),
        Trunc => ("trunc", RealNumeric, Same),
        Round => ("round", Numeric, Same),
        Sign => ("sign", Numeric, Same),
        Signbit => ("signbit", RealFloat, Bool),
        IsNan => ("isnan", Numeric, Bool),
        IsInf => ("isinf", Numeric, Bool),
        IsFinite => ("isfinite", Numeric, Bool),
        LogicalNot => ("logical_not", Bool, Bool),
        BitwiseInvert => ("bitwise_invert", IntegerOrBool, Same),
        Real => ("real", Numeric, RealPart),
        Imag => ("imag", Complex, RealPart),
        Conj => ("conj", Numeric, Same),
    }
);

op_enum!(
    /// Elementwise ops with two operands (after promotion both have one dtype).
    BinaryOp {
        Add => ("add", Numeric, Same),
        Sub => ("subtract", Numeric, Same),
        Mul => ("multiply", Numeric, Same),
        Div => ("divide", Float, Same),
        FloorDiv => ("floor_divide", RealNumeric, Same),
        Rem => ("remainder", RealNumeric, Same),
        Pow => ("pow", Numeric, Same),
        Atan2 => ("atan2", RealFloat, Same),
        Hypot => ("hypot", RealFloat, Same),
        Copysign => ("copysign", RealFloat, Same),
        Nextafter => ("nextafter", RealFloat, Same),
        Logaddexp => ("logaddexp", RealFloat, Same),
        Maximum => ("maximum", RealNumeric, Same),
        Minimum => ("minimum", RealNumeric, Same),
        Eq => ("equal", Any, Bool),
        Ne => ("not_equal", Any, Bool),
        Lt => ("less", RealNumeric, Bool),
        Le => ("less_equal", RealNumeric, Bool),
        Gt => ("greater", RealNumeric, Bool),
        Ge => ("greater_equal", RealNumeric, Bool),
        LogicalAnd => ("logical_and", Bool, Bool),
        LogicalOr => ("logical_or", Bool, Bool),
        LogicalXor => ("logical_xor", Bool, Bool),
        BitAnd => ("bitwise_and", IntegerOrBool, Same),
        BitOr => ("bitwise_or", IntegerOrBool, Same),
        BitXor => ("bitwise_xor", IntegerOrBool, Same),
        Shl => ("bitwise_left_shift", Integer, Same),
        Shr => ("bitwise_right_shift", Integer, Same),
    }
);

op_enum!(
    /// Reductions over one or more axes. `Sum`/`Prod` accumulate in the output dtype (the frontend casts
    /// first where the spec widens); `Any`/`All` take and return bool.
    ReduceOp {
        Sum => ("sum", Numeric, Same),
        Prod => ("prod", Numeric, Same),
        Min => ("min", RealNumeric, Same),
        Max => ("max", RealNumeric, Same),
        Any => ("any", Bool, Same),
        All => ("all", Bool, Same),
    }
);

fn check(name: &str, accepts: Accepts, d: DType) -> Result<()> {
    if accepts.allows(d) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Type,
            format!(
                "{name}: got an array of dtype {d}, but {name} requires {}; cast the input with astype() first",
                accepts.describe()
            ),
        ))
    }
}

fn returned(ret: Returns, d: DType) -> DType {
    match ret {
        Returns::Same => d,
        Returns::Bool => DType::Bool,
        Returns::RealPart => d.real_part(),
    }
}

impl UnaryOp {
    /// The output dtype for an input of dtype `d`, or the spec's `TypeError`.
    pub fn result_dtype(self, d: DType) -> Result<DType> {
        check(self.name(), self.accepts(), d)?;
        Ok(returned(self.returns(), d))
    }

    /// Ops that are the identity on some dtypes (rounding of integers, `positive`, `real`/`conj` of reals).
    pub fn is_identity_for(self, d: DType) -> bool {
        match self {
            UnaryOp::Positive => true,
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => d.is_integer(),
            UnaryOp::Real | UnaryOp::Conj => !d.is_complex(),
            _ => false,
        }
    }

    /// Transcendental ops: costly to recompute, lowered to math routines.
    pub fn is_transcendental(self) -> bool {
        use UnaryOp::*;
        matches!(
            self,
            Exp | Expm1
                | Log
                | Log1p
                | Log2
                | Log10
                | Sin
                | Cos
                | Tan
                | Asin
                | Acos
                | Atan
                | Sinh
                | Cosh
                | Tanh
                | Asinh
                | Acosh
                | Atanh
        )
    }
}

impl BinaryOp {
    /// Output dtype of `op(a, b)` for two array dtypes: promotion, then the op's dtype check.
    pub fn result_dtype(self, a: DType, b: DType) -> Result<DType> {
        let d = promote(self.name(), a, b)?;
        self.result_dtype_promoted(d)
    }

    /// Output dtype once both operands have dtype `d`.
    pub fn result_dtype_promoted(self, d: DType) -> Result<DType> {
        check(self.name(), self.accepts(), d)?;
        Ok(returned(self.returns(), d))
    }

    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    pub fn is_commutative(self) -> bool {
        use BinaryOp::*;
        matches!(
            self,
            Add | Mul
                | Hypot
                | Logaddexp
                | Maximum
                | Minimum
                | Eq
                | Ne
                | LogicalAnd
                | LogicalOr
                | LogicalXor
                | BitAnd
                | BitOr
                | BitXor
        )
    }

    pub fn is_transcendental(self) -> bool {
        matches!(
            self,
            BinaryOp::Pow | BinaryOp::Atan2 | BinaryOp::Hypot | BinaryOp::Logaddexp
        )
    }
}

impl ReduceOp {
    pub fn result_dtype(self, d: DType) -> Result<DType> {
        check(self.name(), self.accepts(), d)?;
        Ok(d)
    }

    /// The identity element (the value of a reduction over zero elements), where one exists.
    /// `min`/`max` have none: reducing an empty axis with them is an error the frontend reports.
    pub fn identity(self, d: DType) -> Option<crate::Scalar> {
        use crate::Scalar;
        Some(match self {
            ReduceOp::Sum => Scalar::Int(0).cast(d),
            ReduceOp::Prod => Scalar::Int(1).cast(d),
            ReduceOp::Any => Scalar::Bool(false),
            ReduceOp::All => Scalar::Bool(true),
            ReduceOp::Min | ReduceOp::Max => return None,
        })
    }

    /// The binary op that combines two partial results.
    pub fn combiner(self) -> BinaryOp {
        match self {
            ReduceOp::Sum => BinaryOp::Add,
            ReduceOp::Prod => BinaryOp::Mul,
            ReduceOp::Min => BinaryOp::Minimum,
            ReduceOp::Max => BinaryOp::Maximum,
            ReduceOp::Any => BinaryOp::LogicalOr,
            ReduceOp::All => BinaryOp::LogicalAnd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn dtype_rules() {
        assert_eq!(UnaryOp::Sin.result_dtype(F32).unwrap(), F32);
        let e = UnaryOp::Sin.result_dtype(I32).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        assert!(e.message.starts_with("sin:") && e.message.contains("int32"));
        assert_eq!(UnaryOp::Abs.result_dtype(C64).unwrap(), F32);
        assert_eq!(BinaryOp::Lt.result_dtype(I8, U8).unwrap(), Bool);
        assert!(BinaryOp::Div.result_dtype(I32, I32).is_err());
        assert!(BinaryOp::Add.result_dtype(Bool, Bool).is_err());
        assert_eq!(BinaryOp::Eq.result_dtype(Bool, Bool).unwrap(), Bool);
        assert_eq!(
            UnaryOp::from_name("bitwise_invert"),
            Some(UnaryOp::BitwiseInvert)
        );
    }
}
