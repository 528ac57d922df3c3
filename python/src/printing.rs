//! `repr` and `str` of arrays, by NumPy's printing conventions (NumPy 2.x defaults: precision 8,
//! `floatmode="maxprec"`, threshold 1000, 3 edge items, line width 75, `sign="-"`), written here so
//! that NumPy is not a dependency (the Python tests compare against NumPy's own output).
//!
//! The pieces follow NumPy's `arrayprint`: one formatter per array chosen from the elements that are
//! shown (ints padded to the widest, bools as `" True"`/`"False"`, floats positional or scientific
//! with shared padding, complex as two float formatters), then a recursive layout that wraps the last
//! axis at the line width and separates higher axes by blank lines. Floats print the shortest digits
//! that round-trip in their own dtype (float32 as float32), cut at 8 digits with the exact value
//! rounded half to even. The wrapper is the class name, `Array(`, as NumPy names subclasses;
//! `str` prints the body alone (a 0-d array as its scalar).

use lazulite_frontend::{ArrayData, DType, Scalar};
use pyo3::prelude::*;

const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
const LINE_WIDTH: usize = 75;
const PRECISION: usize = 8;
const PREFIX: &str = "Array(";

// ---------------------------------------------------------------------------------------------------
// digits

/// `|v|` as `d[0].d[1..] x 10^exp`: the shortest digits that read back as `v` in its own dtype,
/// and of those the closest to `v`, a tie going to the even digit (as NumPy's Dragon4; Rust's own
/// shortest digits round a tie up).
fn shortest(v: f64, single: bool) -> (Vec<u8>, i32) {
    let s = if single {
        format!("{:e}", (v as f32).abs())
    } else {
        format!("{:e}", v.abs())
    };
    let (digits, exp) = parse_sci(&s);
    if digits.len() < 2 {
        return (digits, exp);
    }
    let nearest = format!("{:.*e}", digits.len() - 1, v.abs());
    let reads_back = if single {
        nearest.parse::<f32>().ok() == Some((v as f32).abs())
    } else {
        nearest.parse::<f64>().ok() == Some(v.abs())
    };
    if reads_back {
        parse_sci(&nearest)
    } else {
        (digits, exp)
    }
}

/// `|v|` rounded (exactly, half to even) to `frac` digits after the first significant one.
fn sci_exact(v: f64, frac: usize) -> (Vec<u8>, i32) {
    parse_sci(&format!("{:.frac$e}", v.abs()))
}

fn parse_sci(s: &str) -> (Vec<u8>, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits = mant.bytes().filter(u8::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Integer and fraction digits of `digits x 10^exp` written out positionally.
fn positional_parts(digits: &[u8], exp: i32) -> (String, String) {
    let n = digits.len() as i32;
    let text = |d: &[u8]| String::from_utf8_lossy(d).into_owned();
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        ("0".into(), zeros + &text(digits))
    } else if exp + 1 >= n {
        (
            text(digits) + &"0".repeat((exp + 1 - n) as usize),
            String::new(),
        )
    } else {
        let cut = (exp + 1) as usize;
        (text(&digits[..cut]), text(&digits[cut..]))
    }
}

fn sign_text(v: f64, plus: bool) -> &'static str {
    if v.is_sign_negative() {
        "-"
    } else if plus {
        "+"
    } else {
        ""
    }
}

/// NumPy's `dragon4_positional(v, precision, unique=True, fractional=True, trim='.')`:
/// (signed integer part, fraction digits without trailing zeros).
fn positional(v: f64, single: bool, precision: usize) -> (String, String) {
    let (digits, exp) = shortest(v, single);
    let frac_digits = (digits.len() as i32 - 1 - exp).max(0) as usize;
    let (int, mut frac) = if frac_digits <= precision {
        positional_parts(&digits, exp)
    } else {
        let s = format!("{:.precision$}", v.abs());
        let (i, f) = s.split_once('.').unwrap_or((&s, ""));
        (i.to_string(), f.to_string())
    };
    while frac.ends_with('0') {
        frac.pop();
    }
    (format!("{}{int}", sign_text(v, false)), frac)
}

/// NumPy's `dragon4_scientific(v, precision, unique=True, min_digits)`: (signed first digit,
/// fraction digits, exponent). With `trim_zeros`, trailing zeros of the fraction go.
fn scientific(
    v: f64,
    single: bool,
    precision: usize,
    min_digits: usize,
    trim_zeros: bool,
    plus: bool,
) -> (String, String, i32) {
    let (mut digits, mut exp) = shortest(v, single);
    let frac_digits = digits.len() - 1;
    if frac_digits > precision {
        (digits, exp) = sci_exact(v, precision);
    } else if frac_digits < min_digits {
        (digits, exp) = sci_exact(v, min_digits);
    }
    let mut frac = String::from_utf8_lossy(&digits[1..]).into_owned();
    if trim_zeros {
        while frac.ends_with('0') {
            frac.pop();
        }
    }
    let int = format!("{}{}", sign_text(v, plus), digits[0] as char);
    (int, frac, exp)
}

fn exp_text(exp: i32, min_digits: usize) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{sign}{:0>min_digits$}", exp.unsigned_abs())
}

// ---------------------------------------------------------------------------------------------------
// element formatters

/// NumPy's `FloatingFormat` in `maxprec` mode: the padding and the notation shared by all elements.
struct FloatFormat {
    single: bool,
    plus: bool,
    exp: bool,
    pad_left: usize,
    pad_right: usize,
    /// Scientific notation: fraction digits of every element, and exponent digits.
    precision: usize,
    exp_size: usize,
}

impl FloatFormat {
    fn new(values: &[f64], single: bool, plus: bool) -> FloatFormat {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let nonzero: Vec<f64> = finite
            .iter()
            .filter(|v| **v != 0.0)
            .map(|v| v.abs())
            .collect();
        let mut exp = false;
        if !nonzero.is_empty() {
            let max = nonzero.iter().copied().fold(f64::MIN, f64::max);
            let min = nonzero.iter().copied().fold(f64::MAX, f64::min);
            // compared and divided in the dtype's own precision, as NumPy does
            exp = if single {
                let (max, min) = (max as f32, min as f32);
                max >= 1e6 || min < 0.0001 || max / min > 1000.0
            } else {
                max >= 1e8 || min < 0.0001 || max / min > 1000.0
            };
        }
        let mut f = FloatFormat {
            single,
            plus,
            exp,
            pad_left: 0,
            pad_right: 0,
            precision: 0,
            exp_size: 0,
        };
        if finite.is_empty() {
            // nothing to measure
        } else if exp {
            for &v in &finite {
                let (int, frac, e) = scientific(v, single, PRECISION, 0, true, plus);
                f.pad_left = f.pad_left.max(int.len());
                f.precision = f.precision.max(frac.len());
                f.exp_size = f.exp_size.max(exp_text(e, 2).len() - 2);
            }
            f.pad_right = f.exp_size + 2 + f.precision;
        } else {
            for &v in &finite {
                let (int, frac) = positional(v, single, PRECISION);
                let int_len = int.len() + usize::from(plus && !int.starts_with('-'));
                f.pad_left = f.pad_left.max(int_len);
                f.pad_right = f.pad_right.max(frac.len());
            }
        }
        if finite.len() != values.len() {
            let neginf = plus || values.iter().any(|v| v.is_infinite() && *v < 0.0);
            let offset = f.pad_right as isize + 1;
            let need = (3 + isize::from(neginf) - offset).max(3 - offset);
            f.pad_left = f.pad_left.max(need.max(0) as usize);
        }
        f
    }

    fn format(&self, v: f64) -> String {
        if !v.is_finite() {
            let text = if v.is_nan() {
                format!("{}nan", if self.plus { "+" } else { "" })
            } else {
                format!("{}inf", sign_text(v, self.plus))
            };
            let width = self.pad_left + self.pad_right + 1;
            return format!("{text:>width$}");
        }
        if self.exp {
            let p = self.precision;
            let (int, frac, e) = scientific(v, self.single, p, p, false, self.plus);
            format!(
                "{int:>w$}.{frac}{}",
                exp_text(e, self.exp_size),
                w = self.pad_left
            )
        } else {
            let (mut int, frac) = positional(v, self.single, PRECISION);
            if self.plus && !int.starts_with('-') {
                int.insert(0, '+');
            }
            format!(
                "{int:>l$}.{frac:<r$}",
                l = self.pad_left,
                r = self.pad_right
            )
        }
    }
}

/// The formatter of one array, chosen from the elements shown.
enum Format {
    Bool { true_text: &'static str },
    Int { width: usize },
    Float(FloatFormat),
    Complex(FloatFormat, FloatFormat),
}

impl Format {
    fn new(values: &[Scalar], dtype: DType, ndim: usize) -> Format {
        let single = dtype.real_part() == DType::F32;
        match dtype {
            DType::Bool => Format::Bool {
                true_text: if ndim == 0 { "True" } else { " True" },
            },
            DType::F32 | DType::F64 => {
                let v: Vec<f64> = values.iter().map(|s| real_of(*s).0).collect();
                Format::Float(FloatFormat::new(&v, single, false))
            }
            DType::C64 | DType::C128 => {
                let re: Vec<f64> = values.iter().map(|s| real_of(*s).0).collect();
                let im: Vec<f64> = values.iter().map(|s| real_of(*s).1).collect();
                Format::Complex(
                    FloatFormat::new(&re, single, false),
                    FloatFormat::new(&im, single, true),
                )
            }
            _ => Format::Int {
                width: values.iter().map(|s| int_text(*s).len()).max().unwrap_or(0),
            },
        }
    }

    fn format(&self, s: Scalar) -> String {
        match self {
            Format::Bool { true_text } => match s {
                Scalar::Bool(true) => (*true_text).into(),
                _ => "False".into(),
            },
            Format::Int { width } => format!("{:>width$}", int_text(s)),
            Format::Float(f) => f.format(real_of(s).0),
            Format::Complex(r, i) => {
                let (re, im) = real_of(s);
                let im = i.format(im);
                let end = im.trim_end().len();
                format!("{}{}j{}", r.format(re), &im[..end], &im[end..])
            }
        }
    }
}

fn real_of(s: Scalar) -> (f64, f64) {
    match s {
        Scalar::Float(f) => (f, 0.0),
        Scalar::Complex(r, i) => (r, i),
        Scalar::Int(i) => (i as f64, 0.0),
        Scalar::UInt(u) => (u as f64, 0.0),
        Scalar::Bool(b) => (f64::from(u8::from(b)), 0.0),
    }
}

fn int_text(s: Scalar) -> String {
    match s {
        Scalar::Int(i) => i.to_string(),
        Scalar::UInt(u) => u.to_string(),
        Scalar::Bool(b) => u8::from(b).to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Complex(r, _) => r.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------------
// scalars (the `str` of a 0-d array, like NumPy's scalar `str`)

/// A float as NumPy's scalar `str`: positional in [1e-4, 1e16) (float32: [1e-4, 1e6)) with at
/// least one fraction digit, else scientific without trailing zeros.
fn float_scalar_text(v: f64, single: bool, keep_zero: bool) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return format!("{}inf", sign_text(v, false));
    }
    let upper = if single { 1e6 } else { 1e16 };
    let a = v.abs();
    if a == 0.0 || (1e-4..upper).contains(&a) {
        let (digits, exp) = shortest(v, single);
        let (int, frac) = positional_parts(&digits, exp);
        let frac = if frac.is_empty() && keep_zero {
            ".0".to_string()
        } else if frac.is_empty() {
            String::new()
        } else {
            format!(".{frac}")
        };
        format!("{}{int}{frac}", sign_text(v, false))
    } else {
        let (int, frac, e) = scientific(v, single, usize::MAX, 0, true, false);
        let dot = if frac.is_empty() { "" } else { "." };
        format!("{int}{dot}{frac}{}", exp_text(e, 2))
    }
}

fn scalar_text(s: Scalar, dtype: DType) -> String {
    let single = dtype.real_part() == DType::F32;
    match s {
        Scalar::Bool(b) => if b { "True" } else { "False" }.into(),
        Scalar::Float(f) => float_scalar_text(f, single, true),
        Scalar::Complex(re, im) => {
            let mut i = float_scalar_text(im, single, false);
            if !i.starts_with('-') {
                i.insert(0, '+');
            }
            if re == 0.0 && !re.is_sign_negative() {
                format!("{}j", &i[usize::from(i.starts_with('+'))..])
            } else {
                format!("({}{i}j)", float_scalar_text(re, single, false))
            }
        }
        _ => int_text(s),
    }
}

// ---------------------------------------------------------------------------------------------------
// layout

/// The indices shown along an axis of length `n`.
fn shown(n: usize, summarize: bool) -> Vec<usize> {
    if summarize && n > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS).chain(n - EDGE_ITEMS..n).collect()
    } else {
        (0..n).collect()
    }
}

fn get(data: &ArrayData, idx: &[usize]) -> PyResult<Scalar> {
    data.try_get(idx).map_err(crate::guard::to_pyerr)
}

/// Every element that will be printed, in order (the formatter is chosen from these alone).
fn shown_values(
    data: &ArrayData,
    idx: &mut Vec<usize>,
    summarize: bool,
    out: &mut Vec<Scalar>,
) -> PyResult<()> {
    if idx.len() == data.shape.len() {
        out.push(get(data, idx)?);
        return Ok(());
    }
    for i in shown(data.shape[idx.len()], summarize) {
        idx.push(i);
        shown_values(data, idx, summarize, out)?;
        idx.pop();
    }
    Ok(())
}

/// NumPy's `_extendLine`: appends `word`, first wrapping when it would pass `width` (unless the line
/// holds nothing but its indent).
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, indent: &str) {
    if line.len() + word.len() > width && line.len() > indent.len() {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = indent.to_string();
    }
    line.push_str(word);
}

struct Layout<'a> {
    data: &'a ArrayData,
    format: Format,
    separator: &'a str,
    summarize: bool,
}

impl Layout<'_> {
    /// NumPy's `_formatArray` recursion.
    fn render(&self, idx: &mut Vec<usize>, hanging: &str, width: usize) -> PyResult<String> {
        let ndim = self.data.shape.len();
        let axis = idx.len();
        if axis == ndim {
            return Ok(self.format.format(get(self.data, idx)?));
        }
        let axes_left = ndim - axis;
        let next_hanging = format!("{hanging} ");
        let next_width = width.saturating_sub(1);
        let n = self.data.shape[axis];
        let summary = self.summarize && 2 * EDGE_ITEMS < n;
        let (leading, trailing) = if summary {
            (EDGE_ITEMS, EDGE_ITEMS)
        } else {
            (0, n)
        };
        let child = |i: usize, idx: &mut Vec<usize>| -> PyResult<String> {
            idx.push(i);
            let r = self.render(idx, &next_hanging, next_width);
            idx.pop();
            r
        };
        let mut s = String::new();
        if axes_left == 1 {
            let elem_width = width.saturating_sub(self.separator.trim_end().len().max(1));
            let mut line = hanging.to_string();
            for i in 0..leading {
                let word = child(i, idx)?;
                extend_line(&mut s, &mut line, &word, elem_width, hanging);
                line.push_str(self.separator);
            }
            if summary {
                extend_line(&mut s, &mut line, "...", elem_width, hanging);
                line.push_str(self.separator);
            }
            for i in (2..=trailing).rev() {
                let word = child(n - i, idx)?;
                extend_line(&mut s, &mut line, &word, elem_width, hanging);
                line.push_str(self.separator);
            }
            let word = child(n - 1, idx)?;
            extend_line(&mut s, &mut line, &word, elem_width, hanging);
            s.push_str(&line);
        } else {
            let line_sep = format!(
                "{}{}",
                self.separator.trim_end(),
                "\n".repeat(axes_left - 1)
            );
            for i in 0..leading {
                s.push_str(hanging);
                s.push_str(&child(i, idx)?);
                s.push_str(&line_sep);
            }
            if summary {
                s.push_str(hanging);
                s.push_str("...");
                s.push_str(&line_sep);
            }
            for i in (2..=trailing).rev() {
                s.push_str(hanging);
                s.push_str(&child(n - i, idx)?);
                s.push_str(&line_sep);
            }
            s.push_str(hanging);
            s.push_str(&child(n - 1, idx)?);
        }
        Ok(format!("[{}]", &s[hanging.len()..]))
    }
}

/// NumPy's `array2string` body (without the `Array(` wrapper): `"[]"` when empty.
fn body(data: &ArrayData, separator: &str, prefix: &str, suffix: &str) -> PyResult<String> {
    let n = data.numel();
    if n == 0 {
        return Ok("[]".into());
    }
    let summarize = n > THRESHOLD;
    let mut values = Vec::new();
    shown_values(data, &mut Vec::new(), summarize, &mut values)?;
    let layout = Layout {
        data,
        format: Format::new(&values, data.dtype, data.shape.len()),
        separator,
        summarize,
    };
    let hanging = " ".repeat(1 + prefix.len());
    layout.render(&mut Vec::new(), &hanging, LINE_WIDTH - suffix.len())
}

/// Whether NumPy leaves the dtype out of a repr (its default dtypes).
fn dtype_implied(dtype: DType) -> bool {
    matches!(dtype, DType::Bool | DType::I64 | DType::F64 | DType::C128)
}

/// `repr`: `Array([1.        , 2.68294197], dtype=float32)`, as NumPy's `repr` with `Array` for
/// `array`.
pub fn repr_of(data: &ArrayData) -> PyResult<String> {
    let lst = body(data, ", ", PREFIX, ")")?;
    let n = data.numel();
    let mut extras = Vec::new();
    if (n == 0 && data.shape.as_slice() != [0]) || n > THRESHOLD {
        extras.push(format!(
            "shape={}",
            crate::materialize::shape_tuple_text(&data.shape)
        ));
    }
    if !dtype_implied(data.dtype) || n == 0 {
        extras.push(format!("dtype={}", data.dtype.name()));
    }
    if extras.is_empty() {
        return Ok(format!("{PREFIX}{lst})"));
    }
    let arr = format!("{PREFIX}{lst},");
    let extra = format!("{})", extras.join(", "));
    let last_line = arr.len() - arr.rfind('\n').map_or(0, |i| i + 1);
    let spacer = if last_line + extra.len() + 1 > LINE_WIDTH {
        format!("\n{}", " ".repeat(PREFIX.len()))
    } else {
        " ".into()
    };
    Ok(format!("{arr}{spacer}{extra}"))
}

/// `str`/`print`: the body alone, as NumPy's `str` (a 0-d array prints as its scalar).
pub fn str_of(data: &ArrayData) -> PyResult<String> {
    if data.shape.is_empty() {
        return Ok(scalar_text(get(data, &[])?, data.dtype));
    }
    body(data, " ", "", "")
}

/// The repr of an array not computed yet, when implicit computation is refused: what is known
/// without computing.
pub fn lazy_repr(shape: &[usize], dtype: DType) -> String {
    format!(
        "{PREFIX}<lazy, not computed>, shape={}, dtype={}, device=cpu)",
        crate::materialize::shape_tuple_text(shape),
        dtype.name()
    )
}
