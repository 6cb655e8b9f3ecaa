//! One result row, whichever driver read it: a row from sqlx (any of the
//! three databases) or from an inline SQLite read connection
//! (`sqlite_reads.rs`). The decoders of this crate (`values::row_to_object`
//! for users, the session/account/verification decoders in `adapter.rs`)
//! read rows only through [`RowCells`], so both paths decode a row the same
//! way and answer the same errors.

use std::borrow::Cow;

use sqlx::{Column as _, ColumnIndex, Decode, Row, Type, TypeInfo as _, ValueRef as _};

/// One column's value, by the value's own type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Text(String),
}

/// What the decoders need from a row. Decoding errors are `sqlx::Error`s
/// (`ColumnDecode`, `ColumnNotFound`) on both paths, so they map onto the
/// same `AdapterError` (see `error.rs`).
pub(crate) trait RowCells {
    /// How many columns the row has.
    fn width(&self) -> usize;

    /// The name of column `index` (its alias where it has one).
    fn column_name(&self, index: usize) -> Cow<'_, str>;

    /// The column's declared type, upper case (`""` when unknown).
    fn declared_type(&self, index: usize) -> Cow<'_, str>;

    /// The value of column `index` by its own type, read as a boolean where
    /// `boolean` (SQLite and MySQL store booleans as integers); `None` for a
    /// value with no JSON equivalent.
    fn cell(&self, index: usize, boolean: bool) -> Option<Cell>;

    /// A text column that may be NULL.
    fn optional_text(&self, index: usize) -> Result<Option<String>, sqlx::Error>;

    /// An integer column.
    fn int(&self, index: usize) -> Result<i64, sqlx::Error>;

    /// A boolean column.
    fn boolean(&self, index: usize) -> Result<bool, sqlx::Error>;

    /// A text column that is never NULL.
    fn text(&self, index: usize) -> Result<String, sqlx::Error> {
        self.optional_text(index)?
            .ok_or_else(|| sqlx::Error::ColumnDecode {
                index: index.to_string(),
                source: "unexpected NULL".into(),
            })
    }

    /// The index of the column named `name`.
    fn index_of(&self, name: &str) -> Result<usize, sqlx::Error> {
        (0..self.width())
            .find(|&index| self.column_name(index) == name)
            .ok_or_else(|| sqlx::Error::ColumnNotFound(name.to_owned()))
    }
}

/// A sqlx row (SQLite, PostgreSQL or MySQL) seen as [`RowCells`].
pub(crate) struct SqlxRow<'r, R>(pub(crate) &'r R);

impl<R> RowCells for SqlxRow<'_, R>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> f32: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    fn width(&self) -> usize {
        self.0.len()
    }

    fn column_name(&self, index: usize) -> Cow<'_, str> {
        self.0
            .columns()
            .get(index)
            .map_or(Cow::Borrowed(""), |column| Cow::Borrowed(column.name()))
    }

    fn declared_type(&self, index: usize) -> Cow<'_, str> {
        self.0
            .columns()
            .get(index)
            .map_or(Cow::Borrowed(""), |column| {
                Cow::Owned(column.type_info().name().to_ascii_uppercase())
            })
    }

    fn cell(&self, index: usize, boolean: bool) -> Option<Cell> {
        fn get<R, T>(row: &R, index: usize) -> Option<Option<T>>
        where
            R: Row,
            usize: ColumnIndex<R>,
            for<'r> T: Decode<'r, R::Database> + Type<R::Database>,
        {
            row.try_get_unchecked::<Option<T>, usize>(index).ok()
        }
        let row = self.0;
        let raw = row.try_get_raw(index).ok()?;
        if raw.is_null() {
            return Some(Cell::Null);
        }
        let actual = raw.type_info().name().to_ascii_uppercase();
        let cell = if boolean || actual.contains("BOOL") {
            get::<R, bool>(row, index).map(|v| v.map(Cell::Bool))
        } else if actual.contains("INT") {
            get::<R, i64>(row, index).map(|v| v.map(Cell::Int))
        } else if matches!(
            actual.as_str(),
            "REAL" | "DOUBLE" | "FLOAT8" | "DOUBLE PRECISION"
        ) {
            get::<R, f64>(row, index).map(|v| v.map(Cell::Real))
        } else if matches!(actual.as_str(), "FLOAT" | "FLOAT4") {
            get::<R, f32>(row, index).map(|v| v.map(|f| Cell::Real(f64::from(f))))
        } else {
            get::<R, String>(row, index).map(|v| v.map(Cell::Text))
        };
        cell.map(|v| v.unwrap_or(Cell::Null))
    }

    fn optional_text(&self, index: usize) -> Result<Option<String>, sqlx::Error> {
        self.0.try_get(index)
    }

    fn int(&self, index: usize) -> Result<i64, sqlx::Error> {
        self.0.try_get(index)
    }

    fn boolean(&self, index: usize) -> Result<bool, sqlx::Error> {
        self.0.try_get(index)
    }
}
