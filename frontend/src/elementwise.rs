//! Elementwise functions: one generic entry per arity (`unary`, `binary`), `where_`, `clip`, `astype`,
//! and one named function per spec function.
//!
//! Graph nodes always have same-shape, same-dtype operands: binary functions cast both operands to the
//! promoted dtype (`Op::Cast`) and broadcast them to the result shape (`Op::View`) first. Python scalars
//! take the (weakly promoted) dtype and become *parameters*: a 0-d realized array, broadcast, so that
//! the graph (and the plan and kernel cache keys) holds only their dtype and never their value; a new
//! constant in an otherwise cached expression is passed at launch, with no re-plan and no recompile.
//! The exponent of `pow` stays an `Op::Fill` constant (the passes turn `x ** 2` into `x * x`).

use crate::array::{LazyArray, Operands};
use crate::movement::broadcast_unchecked;
use lazulite_ir::shape::broadcast_all;
use lazulite_ir::{
    bail, promote, promote_with_scalar, BinaryOp, DType, Error, Op, Result, Scalar, ScalarKind,
    Shape, UnaryOp,
};
use smallvec::smallvec;

/// One operand of a binary function: an array, or a Python scalar (weak: it takes the array's dtype
/// where the spec allows; its variant gives its kind).
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a> {
    /// An array operand.
    Array(&'a LazyArray),
    /// A Python scalar (weakly typed).
    Scalar(Scalar),
}

impl<'a> From<&'a LazyArray> for Operand<'a> {
    fn from(a: &'a LazyArray) -> Self {
        Operand::Array(a)
    }
}

impl From<Scalar> for Operand<'_> {
    fn from(s: Scalar) -> Self {
        Operand::Scalar(s)
    }
}

pub(crate) fn scalar_kind(s: Scalar) -> ScalarKind {
    match s {
        Scalar::Bool(_) => ScalarKind::Bool,
        Scalar::Int(_) | Scalar::UInt(_) => ScalarKind::Int,
        Scalar::Float(_) => ScalarKind::Float,
        Scalar::Complex(..) => ScalarKind::Complex,
    }
}

pub(crate) fn describe_scalar(s: Scalar) -> String {
    match s {
        Scalar::Bool(b) => if b { "True" } else { "False" }.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::UInt(u) => u.to_string(),
        Scalar::Float(f) => format!("{f:?}"),
        Scalar::Complex(r, i) => format!("({r:?}+{i:?}j)"),
    }
}

/// Checks that an integer scalar fits `dtype` when it is an integer dtype (`Overflow` otherwise).
pub(crate) fn check_int_range(op: &str, s: Scalar, dtype: DType) -> Result<()> {
    if let (Some(v), Some((lo, hi))) = (
        match s {
            Scalar::Int(_) | Scalar::UInt(_) => s.as_i128(),
            _ => None,
        },
        dtype.int_range(),
    ) {
        if v < lo || v > hi {
            bail!(
                Overflow,
                "{op}: the Python int {v} is out of range for dtype {dtype} ({lo} to {hi}); \
                 use a value in range or an array of a wider dtype (astype())"
            );
        }
    }
    Ok(())
}

/// The node "every element is `value`" (stored as `dtype`).
pub(crate) fn fill(value: Scalar, dtype: DType, shape: &[usize]) -> LazyArray {
    LazyArray::from_op(
        Op::Fill(value.cast(dtype)),
        Operands::new(),
        dtype,
        Shape::from_slice(shape),
    )
}

/// `x` converted to `dtype` (no node when it already has it).
pub(crate) fn cast(x: &LazyArray, dtype: DType) -> LazyArray {
    if x.dtype() == dtype {
        return x.clone();
    }
    if let Some(Op::Fill(v)) = x.pending_op() {
        return fill(*v, dtype, x.shape());
    }
    LazyArray::from_op(
        Op::Cast,
        smallvec![x.clone()],
        dtype,
        Shape::from_slice(x.shape()),
    )
}

/// `x` cast to `dtype` and broadcast to `shape` (shape already checked compatible).
fn conform(x: &LazyArray, dtype: DType, shape: &[usize]) -> LazyArray {
    broadcast_unchecked(&cast(x, dtype), shape)
}

/// The dtype several operands promote to (arrays strongly, scalars weakly), and the result shape.
fn promote_operands(op: &str, operands: &[Operand]) -> Result<(DType, Shape)> {
    let arrays: Vec<&LazyArray> = operands
        .iter()
        .filter_map(|o| match o {
            Operand::Array(a) => Some(*a),
            Operand::Scalar(_) => None,
        })
        .collect();
    let Some(first) = arrays.first() else {
        bail!(
            Type,
            "{op}: got only Python scalars; at least one operand must be an array (wrap a value with asarray())"
        );
    };
    crate::array::common_device(op, &arrays)?;
    let mut dtype = first.dtype();
    for a in &arrays[1..] {
        dtype = promote(op, dtype, a.dtype())?;
    }
    for o in operands {
        if let Operand::Scalar(s) = o {
            dtype = promote_with_scalar(op, dtype, scalar_kind(*s))?;
        }
    }
    for o in operands {
        if let Operand::Scalar(s) = o {
            check_int_range(op, *s, dtype)?;
        }
    }
    let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape()).collect();
    Ok((dtype, broadcast_all(op, &shapes)?))
}

fn materialize(o: Operand, dtype: DType, shape: &[usize]) -> LazyArray {
    match o {
        Operand::Array(a) => conform(a, dtype, shape),
        Operand::Scalar(s) => parameter(s, dtype, shape),
    }
}

/// A Python scalar as a kernel parameter: realized data of `shape` over one element holding `value`
/// cast to `dtype` (all strides 0), so that the graph sees an input leaf, never the value; the compute
/// walk gives equal parameters one input slot.
pub(crate) fn parameter(value: Scalar, dtype: DType, shape: &[usize]) -> LazyArray {
    LazyArray::from_data(crate::array::ArrayData::broadcast_scalar(
        value, dtype, shape,
    ))
}

/// `op(x)` for any unary op, by the op table's dtype rule.
pub fn unary(op: UnaryOp, x: &LazyArray) -> Result<LazyArray> {
    let dtype = op.result_dtype(x.dtype())?;
    if op.is_identity_for(x.dtype()) && dtype == x.dtype() {
        return Ok(x.clone());
    }
    Ok(LazyArray::from_op(
        Op::Unary(op),
        smallvec![x.clone()],
        dtype,
        Shape::from_slice(x.shape()),
    ))
}

/// `op(a, b)` for any binary op: promotion (scalars weak), broadcasting, the op's dtype check.
pub fn binary(op: BinaryOp, a: Operand, b: Operand) -> Result<LazyArray> {
    let name = op.name();
    let (dtype, shape) = promote_operands(name, &[a, b])?;
    let out = op.result_dtype_promoted(dtype)?;
    let b = match b {
        // `x ** 2` and friends are rewritten by the passes from the exponent's value
        Operand::Scalar(s) if op == BinaryOp::Pow => fill(s, dtype, &shape),
        b => materialize(b, dtype, &shape),
    };
    Ok(LazyArray::from_op(
        Op::Binary(op),
        smallvec![materialize(a, dtype, &shape), b],
        out,
        shape,
    ))
}

/// `where(cond, a, b)`: elements of `a` where `cond` is true, else of `b`. `cond` must be boolean.
pub fn where_(cond: &LazyArray, a: Operand, b: Operand) -> Result<LazyArray> {
    if cond.dtype() != DType::Bool {
        bail!(
            Type,
            "where: the condition has dtype {}, but it must be bool; compare first (e.g. not_equal(x, 0))",
            cond.dtype()
        );
    }
    let (dtype, shape) = promote_operands("where", &[a, b])?;
    let shape = broadcast_all("where", &[cond.shape(), &shape])?;
    Ok(LazyArray::from_op(
        Op::Where,
        smallvec![
            broadcast_unchecked(cond, &shape),
            materialize(a, dtype, &shape),
            materialize(b, dtype, &shape)
        ],
        dtype,
        shape,
    ))
}

/// `clip(x, min, max)`: `x` limited to `[min, max]`, with `x`'s dtype. `min`/`max` may be arrays or
/// scalars; the result has the broadcast shape of `x` and the array bounds (`Value` when they do not
/// broadcast). Combining a bound with `x` must not change `x`'s dtype (`Type`).
pub fn clip(x: &LazyArray, min: Option<Operand>, max: Option<Operand>) -> Result<LazyArray> {
    if !x.dtype().is_real_numeric() {
        bail!(
            Type,
            "clip: got an array of dtype {}, but clip requires a real numeric dtype; cast with astype() first",
            x.dtype()
        );
    }
    let bounds = [
        (min, BinaryOp::Maximum, "min"),
        (max, BinaryOp::Minimum, "max"),
    ];
    let mut shapes: Vec<&[usize]> = vec![x.shape()];
    for (bound, _, what) in &bounds {
        let Some(bound) = bound else { continue };
        let dtype = match bound {
            Operand::Array(b) => promote("clip", x.dtype(), b.dtype())?,
            Operand::Scalar(s) => promote_with_scalar("clip", x.dtype(), scalar_kind(*s))?,
        };
        if dtype != x.dtype() {
            let of = match bound {
                Operand::Array(b) => format!("an array of dtype {}", b.dtype()),
                Operand::Scalar(s) => format!("the scalar {}", describe_scalar(*s)),
            };
            bail!(
                Type,
                "clip: {what} is {of}, which would promote x of dtype {} to {dtype}; clip never changes \
                 x's dtype, so cast {what} to {} first",
                x.dtype(),
                x.dtype()
            );
        }
        if let Operand::Array(b) = bound {
            shapes.push(b.shape());
        }
    }
    let shape = broadcast_all("clip", &shapes)?;
    // a view of x in the common shape (checked above), so that every bound combines with it
    let mut out = broadcast_unchecked(x, &shape);
    for (bound, op, _) in bounds {
        let Some(bound) = bound else { continue };
        out = binary(op, Operand::Array(&out), bound).map_err(|e| rename(e, op.name(), "clip"))?;
    }
    Ok(out)
}

/// Rewrites the op name at the start of an error message (errors of helper ops name the user's call).
pub(crate) fn rename(e: Error, from: &str, to: &str) -> Error {
    match e.message.strip_prefix(from) {
        Some(rest) => Error::new(e.kind, format!("{to}{rest}")),
        None => e,
    }
}

/// `astype(x, dtype)`: conversion by the spec's rules (complex to real is not allowed).
pub fn astype(x: &LazyArray, dtype: DType) -> Result<LazyArray> {
    if x.dtype().is_complex() && !dtype.is_complex() {
        bail!(
            Type,
            "astype: cannot cast {} to {dtype}: the standard does not allow casting complex to real \
             dtypes; take real(x), imag(x) or abs(x) first",
            x.dtype()
        );
    }
    Ok(cast(x, dtype))
}

/// `x` compared with zero (`x != 0`), for `any`/`all` on non-bool arrays.
pub(crate) fn nonzero_mask(x: &LazyArray) -> LazyArray {
    if x.dtype() == DType::Bool {
        return x.clone();
    }
    let zero = fill(Scalar::Int(0), x.dtype(), x.shape());
    LazyArray::from_op(
        Op::Binary(BinaryOp::Ne),
        smallvec![x.clone(), zero],
        DType::Bool,
        Shape::from_slice(x.shape()),
    )
}

macro_rules! unary_fns {
    ($($fname:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("`", stringify!($fname), "(x)` (see [`UnaryOp::", stringify!($op), "`]).")]
        pub fn $fname(x: &LazyArray) -> Result<LazyArray> {
            unary(UnaryOp::$op, x)
        }
    )*};
}

unary_fns!(
    abs => Abs, negative => Neg, positive => Positive, sqrt => Sqrt, square => Square,
    reciprocal => Reciprocal, exp => Exp, expm1 => Expm1, log => Log, log1p => Log1p, log2 => Log2,
    log10 => Log10, sin => Sin, cos => Cos, tan => Tan, asin => Asin, acos => Acos, atan => Atan,
    sinh => Sinh, cosh => Cosh, tanh => Tanh, asinh => Asinh, acosh => Acosh, atanh => Atanh,
    floor => Floor, ceil => Ceil, trunc => Trunc, round => Round, sign => Sign, signbit => Signbit,
    isnan => IsNan, isinf => IsInf, isfinite => IsFinite, logical_not => LogicalNot,
    bitwise_invert => BitwiseInvert, real => Real, imag => Imag, conj => Conj,
);

macro_rules! binary_fns {
    ($($fname:ident => $op:ident),* $(,)?) => {$(
        #[doc = concat!("`", stringify!($fname), "(a, b)` for two arrays (see [`binary`] for scalars).")]
        pub fn $fname(a: &LazyArray, b: &LazyArray) -> Result<LazyArray> {
            binary(BinaryOp::$op, Operand::Array(a), Operand::Array(b))
        }
    )*};
}

binary_fns!(
    add => Add, subtract => Sub, multiply => Mul, divide => Div, floor_divide => FloorDiv,
    remainder => Rem, pow => Pow, atan2 => Atan2, hypot => Hypot, copysign => Copysign,
    nextafter => Nextafter, logaddexp => Logaddexp, maximum => Maximum, minimum => Minimum,
    equal => Eq, not_equal => Ne, less => Lt, less_equal => Le, greater => Gt,
    greater_equal => Ge, logical_and => LogicalAnd, logical_or => LogicalOr,
    logical_xor => LogicalXor, bitwise_and => BitAnd, bitwise_or => BitOr,
    bitwise_xor => BitXor, bitwise_left_shift => Shl, bitwise_right_shift => Shr,
);

#[cfg(test)]
mod tests {
    use super::*;

    type UnaryFn = fn(&LazyArray) -> Result<LazyArray>;
    type BinaryFn = fn(&LazyArray, &LazyArray) -> Result<LazyArray>;

    /// Every op of the table has a named function (the macro lists above cover `ALL`).
    #[test]
    fn names_cover_the_op_table() {
        let x = crate::zeros(&[2], DType::F64).unwrap();
        let named: &[(&str, UnaryFn)] = &[
            ("abs", abs),
            ("negative", negative),
            ("positive", positive),
            ("sqrt", sqrt),
            ("square", square),
            ("reciprocal", reciprocal),
            ("exp", exp),
            ("expm1", expm1),
            ("log", log),
            ("log1p", log1p),
            ("log2", log2),
            ("log10", log10),
            ("sin", sin),
            ("cos", cos),
            ("tan", tan),
            ("asin", asin),
            ("acos", acos),
            ("atan", atan),
            ("sinh", sinh),
            ("cosh", cosh),
            ("tanh", tanh),
            ("asinh", asinh),
            ("acosh", acosh),
            ("atanh", atanh),
            ("floor", floor),
            ("ceil", ceil),
            ("trunc", trunc),
            ("round", round),
            ("sign", sign),
            ("signbit", signbit),
            ("isnan", isnan),
            ("isinf", isinf),
            ("isfinite", isfinite),
            ("logical_not", logical_not),
            ("bitwise_invert", bitwise_invert),
            ("real", real),
            ("imag", imag),
            ("conj", conj),
        ];
        assert_eq!(named.len(), UnaryOp::ALL.len());
        for (name, f) in named {
            let op = UnaryOp::from_name(name).unwrap();
            let direct = unary(op, &x).map(|y| y.dtype());
            let via = f(&x).map(|y| y.dtype());
            assert_eq!(direct, via, "{name}");
        }
        let bnamed: &[(&str, BinaryFn)] = &[
            ("add", add),
            ("subtract", subtract),
            ("multiply", multiply),
            ("divide", divide),
            ("floor_divide", floor_divide),
            ("remainder", remainder),
            ("pow", pow),
            ("atan2", atan2),
            ("hypot", hypot),
            ("copysign", copysign),
            ("nextafter", nextafter),
            ("logaddexp", logaddexp),
            ("maximum", maximum),
            ("minimum", minimum),
            ("equal", equal),
            ("not_equal", not_equal),
            ("less", less),
            ("less_equal", less_equal),
            ("greater", greater),
            ("greater_equal", greater_equal),
            ("logical_and", logical_and),
            ("logical_or", logical_or),
            ("logical_xor", logical_xor),
            ("bitwise_and", bitwise_and),
            ("bitwise_or", bitwise_or),
            ("bitwise_xor", bitwise_xor),
            ("bitwise_left_shift", bitwise_left_shift),
            ("bitwise_right_shift", bitwise_right_shift),
        ];
        assert_eq!(bnamed.len(), BinaryOp::ALL.len());
        for d in [DType::F64, DType::I32, DType::Bool] {
            let y = crate::zeros(&[3, 1], d).unwrap();
            for (name, f) in bnamed {
                let op = BinaryOp::from_name(name).unwrap();
                let direct = binary(op, Operand::Array(&y), Operand::Array(&y))
                    .map(|r| (r.dtype(), r.shape().to_vec()));
                let via = f(&y, &y).map(|r| (r.dtype(), r.shape().to_vec()));
                assert_eq!(direct, via, "{name} {d}");
            }
        }
    }
}
