//! The op table: every elementwise and reduction op, its spec name, the dtypes it accepts and the dtype
//! it returns, and the CUDA C device function that computes it. Adding an elementwise op means one row
//! here, its scalar meaning in `semantics.rs` (the interpreter and the CPU JIT use it), and the CUDA C
//! definition of the function its row names in `codegen/cuda/src/prelude.cuh`, beside the others of its
//! kind (a test there checks every row has one).

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
    ($(#[$m:meta])* $name:ident { $($var:ident => ($spec:literal, $acc:ident, $ret:ident, $cuda:literal)),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($var),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            /// The spec's function name.
            pub const fn name(self) -> &'static str { match self { $($name::$var => $spec),* } }
            pub const fn accepts(self) -> Accepts { match self { $($name::$var => Accepts::$acc),* } }
            pub const fn returns(self) -> Returns { match self { $($name::$var => Returns::$ret),* } }
            /// The CUDA C device function that computes the op on one element: overloaded per dtype in
            /// `codegen/cuda/src/prelude.cuh`, where its definition mirrors `semantics`.
            pub const fn cuda(self) -> &'static str { match self { $($name::$var => $cuda),* } }
            pub fn from_name(name: &str) -> Option<Self> { Self::ALL.iter().copied().find(|o| o.name() == name) }
        }
    };
}

op_enum!(
    /// Elementwise ops with one operand.
    UnaryOp {
        Abs => ("abs", Numeric, RealPart, "lz_abs"),
        Neg => ("negative", Numeric, Same, "lz_negative"),
        Positive => ("positive", Numeric, Same, "lz_positive"),
        Sqrt => ("sqrt", Float, Same, "lz_sqrt"),
        Square => ("square", Numeric, Same, "lz_square"),
        Reciprocal => ("reciprocal", Float, Same, "lz_reciprocal"),
        Exp => ("exp", Float, Same, "lz_exp"),
        Expm1 => ("expm1", Float, Same, "lz_expm1"),
        Log => ("log", Float, Same, "lz_log"),
        Log1p => ("log1p", Float, Same, "lz_log1p"),
        Log2 => ("log2", Float, Same, "lz_log2"),
        Log10 => ("log10", Float, Same, "lz_log10"),
        Sin => ("sin", Float, Same, "lz_sin"),
        Cos => ("cos", Float, Same, "lz_cos"),
        Tan => ("tan", Float, Same, "lz_tan"),
        Asin => ("asin", Float, Same, "lz_asin"),
        Acos => ("acos", Float, Same, "lz_acos"),
        Atan => ("atan", Float, Same, "lz_atan"),
        Sinh => ("sinh", Float, Same, "lz_sinh"),
        Cosh => ("cosh", Float, Same, "lz_cosh"),
        Tanh => ("tanh", Float, Same, "lz_tanh"),
        Asinh => ("asinh", Float, Same, "lz_asinh"),
        Acosh => ("acosh", Float, Same, "lz_acosh"),
        Atanh => ("atanh", Float, Same, "lz_atanh"),
        Floor => ("floor", RealNumeric, Same, "lz_floor"),
        Ceil => ("ceil", RealNumeric, Same, "lz_ceil"),
        Trunc => ("trunc", RealNumeric, Same, "lz_trunc"),
        Round => ("round", Numeric, Same, "lz_round"),
        Sign => ("sign", Numeric, Same, "lz_sign"),
        Signbit => ("signbit", RealFloat, Bool, "lz_signbit"),
        IsNan => ("isnan", Numeric, Bool, "lz_isnan"),
        IsInf => ("isinf", Numeric, Bool, "lz_isinf"),
        IsFinite => ("isfinite", Numeric, Bool, "lz_isfinite"),
        LogicalNot => ("logical_not", Bool, Bool, "lz_logical_not"),
        BitwiseInvert => ("bitwise_invert", IntegerOrBool, Same, "lz_bitwise_invert"),
        Real => ("real", Numeric, RealPart, "lz_real"),
        Imag => ("imag", Complex, RealPart, "lz_imag"),
        Conj => ("conj", Numeric, Same, "lz_conj"),
    }
);

op_enum!(
    /// Elementwise ops with two operands (after promotion both have one dtype).
    BinaryOp {
        Add => ("add", Numeric, Same, "lz_add"),
        Sub => ("subtract", Numeric, Same, "lz_subtract"),
        Mul => ("multiply", Numeric, Same, "lz_multiply"),
        Div => ("divide", Float, Same, "lz_divide"),
        FloorDiv => ("floor_divide", RealNumeric, Same, "lz_floor_divide"),
        Rem => ("remainder", RealNumeric, Same, "lz_remainder"),
        Pow => ("pow", Numeric, Same, "lz_pow"),
        Atan2 => ("atan2", RealFloat, Same, "lz_atan2"),
        Hypot => ("hypot", RealFloat, Same, "lz_hypot"),
        Copysign => ("copysign", RealFloat, Same, "lz_copysign"),
        Nextafter => ("nextafter", RealFloat, Same, "lz_nextafter"),
        Logaddexp => ("logaddexp", RealFloat, Same, "lz_logaddexp"),
        Maximum => ("maximum", RealNumeric, Same, "lz_maximum"),
        Minimum => ("minimum", RealNumeric, Same, "lz_minimum"),
        Eq => ("equal", Any, Bool, "lz_equal"),
        Ne => ("not_equal", Any, Bool, "lz_not_equal"),
        Lt => ("less", RealNumeric, Bool, "lz_less"),
        Le => ("less_equal", RealNumeric, Bool, "lz_less_equal"),
        Gt => ("greater", RealNumeric, Bool, "lz_greater"),
        Ge => ("greater_equal", RealNumeric, Bool, "lz_greater_equal"),
        LogicalAnd => ("logical_and", Bool, Bool, "lz_logical_and"),
        LogicalOr => ("logical_or", Bool, Bool, "lz_logical_or"),
        LogicalXor => ("logical_xor", Bool, Bool, "lz_logical_xor"),
        BitAnd => ("bitwise_and", IntegerOrBool, Same, "lz_bitwise_and"),
        BitOr => ("bitwise_or", IntegerOrBool, Same, "lz_bitwise_or"),
        BitXor => ("bitwise_xor", IntegerOrBool, Same, "lz_bitwise_xor"),
        Shl => ("bitwise_left_shift", Integer, Same, "lz_bitwise_left_shift"),
        Shr => ("bitwise_right_shift", Integer, Same, "lz_bitwise_right_shift"),
    }
);

op_enum!(
    /// Reductions over one or more axes. `Sum`/`Prod` accumulate in the output dtype (the frontend casts
    /// first where the spec widens); `Any`/`All` take and return bool.
    ReduceOp {
        Sum => ("sum", Numeric, Same, "lz_add"),
        Prod => ("prod", Numeric, Same, "lz_multiply"),
        Min => ("min", RealNumeric, Same, "lz_minimum"),
        Max => ("max", RealNumeric, Same, "lz_maximum"),
        Any => ("any", Bool, Same, "lz_logical_or"),
        All => ("all", Bool, Same, "lz_logical_and"),
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
