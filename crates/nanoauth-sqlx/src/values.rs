//! Rows to JSON and JSON to bind parameters: how the application's user
//! type, whatever its fields, travels through SQL.
//!
//! The user value is serialized with serde to a JSON object; each field is a
//! column. Reading back, each column is decoded by its SQL type into the
//! matching JSON value and the object is deserialized into the user type.

use serde_json::{Map, Value};
use sqlx::{Column as _, ColumnIndex, Decode, Row, Type, TypeInfo as _, ValueRef as _};

use crate::schema::Schema;

/// A row's columns from index `first` on (a joined row's first columns may
/// be another table's) as a JSON object keyed by user field name, leaving
/// out `skip`. Columns of types with no JSON equivalent are left out too: the
/// user type's deserializer reports it if it needed one of them.
pub(crate) fn row_to_object<R>(
    row: &R,
    first: usize,
    schema: &Schema,
    skip: &str,
) -> Map<String, Value>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f32: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    let mut object = Map::new();
    for (index, column) in row.columns().iter().enumerate().skip(first) {
        let name = column.name();
        if name == skip {
            continue;
        }
        let declared = column.type_info().name().to_ascii_uppercase();
        if let Some(value) = decode_column(row, index, &declared) {
            object.insert(schema.field_of(name).to_owned(), value);
        }
    }
    object
}

/// Decodes by the value's own type (SQLite's storage classes differ from
/// declared types), except that a column declared boolean gives a boolean:
/// SQLite and MySQL store booleans as integers.
fn decode_column<R>(row: &R, index: usize, declared: &str) -> Option<Value>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f32: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    fn get<R, T>(row: &R, index: usize) -> Option<Option<T>>
    where
        R: Row,
        usize: ColumnIndex<R>,
        for<'r> T: Decode<'r, R::Database> + Type<R::Database>,
    {
        row.try_get_unchecked::<Option<T>, usize>(index).ok()
    }
    let raw = row.try_get_raw(index).ok()?;
    if raw.is_null() {
        return Some(Value::Null);
    }
    let actual = raw.type_info().name().to_ascii_uppercase();
    let value = if declared.contains("BOOL") || actual.contains("BOOL") {
        get::<R, bool>(row, index).map(|v| v.map(Value::from))
    } else if actual.contains("INT") {
        get::<R, i64>(row, index).map(|v| v.map(Value::from))
    } else if matches!(
        actual.as_str(),
        "REAL" | "DOUBLE" | "FLOAT8" | "DOUBLE PRECISION"
    ) {
        get::<R, f64>(row, index).map(|v| v.map(Value::from))
    } else if matches!(actual.as_str(), "FLOAT" | "FLOAT4") {
        get::<R, f32>(row, index).map(|v| v.map(|f| Value::from(f64::from(f))))
    } else {
        get::<R, String>(row, index).map(|v| v.map(Value::from))
    };
    value.map(|v| v.unwrap_or(Value::Null))
}

/// A JSON value as one bind parameter.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Param {
    /// `None` for JSON null: the column is left out of the insert, so the
    /// database writes its default (usually NULL) with the right type.
    pub(crate) fn from_json(value: &Value) -> Option<Self> {
        Some(match value {
            Value::Null => return None,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Self::Int(i),
                None => Self::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Self::Text(s.clone()),
            // Nested values are stored as JSON text.
            Value::Array(_) | Value::Object(_) => Self::Text(value.to_string()),
        })
    }
}

/// Binds each parameter to a query, whatever the driver.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::values::Param::Text(v) => query.bind(v.clone()),
                $crate::values::Param::Int(v) => query.bind(*v),
                $crate::values::Param::Float(v) => query.bind(*v),
                $crate::values::Param::Bool(v) => query.bind(*v),
            };
        }
        query
    }};
}
pub(crate) use bind_params;
