//! Rows to JSON and JSON to bind parameters: how the application's user
//! type, whatever its fields, travels through SQL.
//!
//! The user value is serialized with serde to a JSON object; each field is a
//! column. Reading back, each column is decoded by its SQL type into the
//! matching JSON value and the object is deserialized into the user type.

use serde_json::{Map, Value};

use crate::row::{Cell, RowCells};
use crate::schema::Schema;

/// A row's columns from index `first` on (a joined row's first columns may
/// be another table's) as a JSON object keyed by user field name, leaving
/// out `skip`. Columns of types with no JSON equivalent are left out too: the
/// user type's deserializer reports it if it needed one of them.
///
/// Decodes by the value's own type (SQLite's storage classes differ from
/// declared types), except that a column declared boolean gives a boolean:
/// SQLite and MySQL store booleans as integers.
pub(crate) fn row_to_object<R: RowCells + ?Sized>(
    row: &R,
    first: usize,
    schema: &Schema,
    skip: &str,
) -> Map<String, Value> {
    let mut object = Map::new();
    for index in first..row.width() {
        let name = row.column_name(index);
        if name == skip {
            continue;
        }
        let boolean = row.declared_type(index).contains("BOOL");
        if let Some(cell) = row.cell(index, boolean) {
            object.insert(schema.field_of(&name).to_owned(), json_of(cell));
        }
    }
    object
}

/// A cell as the JSON value the user type is deserialized from.
fn json_of(cell: Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Bool(b) => Value::from(b),
        Cell::Int(i) => Value::from(i),
        Cell::Real(f) => Value::from(f),
        Cell::Text(s) => Value::from(s),
    }
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
