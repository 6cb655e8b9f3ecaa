//! What operators' tools (the `nanoauth` command) need beyond the adapter
//! traits: listing users, and changing one field of a user where the
//! users table has a column for it.

use nanoauth::{AdapterError, AuthUser};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::AssertSqlSafe;

use crate::SqlAdapter;
use crate::dialect::{Dialect, is_identifier};
use crate::error::adapter_error;
use crate::pool::on_pool;
use crate::row::SqlxRow;
use crate::values::{Param, bind_params, row_to_object};

/// `LIKE` escapes with `!`: the same in every dialect, where a backslash
/// means different things in MySQL's string literals.
pub(crate) fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl<U: AuthUser + DeserializeOwned> SqlAdapter<U> {
    /// Users ordered by email, at most `limit`, those whose email starts
    /// with `email_prefix` when one is given (compared as stored: emails
    /// are stored normalised, lower case).
    ///
    /// # Errors
    /// The database's refusal, [`AdapterError::Unavailable`], or a row that
    /// does not fit the user type.
    pub async fn list_users(
        &self,
        email_prefix: Option<&str>,
        limit: u32,
    ) -> Result<Vec<U>, AdapterError> {
        let quoted = self.schema.quoted(self.dialect);
        let filter = match email_prefix {
            Some(_) => format!(" WHERE {} LIKE ? ESCAPE '!'", quoted.email),
            None => String::new(),
        };
        let statement = self.dialect.placeholders(&format!(
            "SELECT {} FROM {}{filter} ORDER BY {} LIMIT {limit}",
            self.statements.select_user, quoted.users, quoted.email
        ));
        let pattern = email_prefix.map(like_prefix);
        let objects = on_pool!(&self.pool, conn => async {
            let mut query = sqlx::query(AssertSqlSafe(statement.as_str()));
            if let Some(pattern) = &pattern {
                query = query.bind(pattern.as_str());
            }
            let rows = query.fetch_all(&mut *conn).await?;
            Ok::<_, sqlx::Error>(rows.iter().map(|row| row_to_object(&SqlxRow(row), 0, &self.schema, "")).collect::<Vec<_>>())
        }.await)
        .map_err(adapter_error)?;
        objects
            .into_iter()
            .map(|object| self.user_from_object(object))
            .collect()
    }

    /// Whether the users table has a column for user field `field`.
    ///
    /// # Errors
    /// The database's refusal, or [`AdapterError::Unavailable`].
    pub async fn has_user_column(&self, field: &str) -> Result<bool, AdapterError> {
        let column = self.schema.column_of(field);
        let (sql, table) = match self.dialect {
            Dialect::Sqlite => (
                "SELECT 1 FROM pragma_table_info(?) WHERE name = ?",
                self.schema.users.clone(),
            ),
            Dialect::Postgres => (
                "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) \
                 AND attname = $2 AND NOT attisdropped",
                self.dialect.quote(&self.schema.users),
            ),
            Dialect::MySql => (
                "SELECT 1 FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?",
                self.schema.users.clone(),
            ),
        };
        on_pool!(&self.pool, conn => sqlx::query(AssertSqlSafe(sql))
            .bind(table.as_str())
            .bind(column)
            .fetch_optional(&mut *conn)
            .await
            .map(|row| row.is_some()))
        .map_err(adapter_error)
    }

    /// Sets user field `field` of the user with id `user_id` to `value` (a
    /// string, number or boolean; arrays and objects are stored as JSON
    /// text, as the adapter stores them); `false` when there is no such
    /// user. For operators' repairs (an administrator's role): the
    /// application's own code changes its users through its own queries.
    ///
    /// # Errors
    /// [`AdapterError::Other`] for a field that is not a plain identifier,
    /// `id` or `email` (which identify the user and are not edited here),
    /// or a null value; the database's refusal (no
    /// such column), or [`AdapterError::Unavailable`].
    pub async fn set_user_field(
        &self,
        user_id: &str,
        field: &str,
        value: &Value,
    ) -> Result<bool, AdapterError> {
        let column = self.schema.column_of(field);
        if !is_identifier(column) || matches!(field, "id" | "email") {
            return Err(AdapterError::other(format!(
                "{field:?} is not a user field that can be set"
            )));
        }
        let param = Param::from_json(value)
            .ok_or_else(|| AdapterError::other("a user field cannot be set to null here"))?;
        let quoted = self.schema.quoted(self.dialect);
        let statement = self.dialect.placeholders(&format!(
            "UPDATE {} SET {} = ? WHERE {} = ?",
            quoted.users,
            self.dialect.quote(column),
            quoted.id
        ));
        let params = [param, Param::Text(user_id.to_owned())];
        on_pool!(&self.pool, conn => bind_params!(sqlx::query(AssertSqlSafe(statement.as_str())), &params)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() > 0))
        .map_err(adapter_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_prefix("ada"), "ada%");
        assert_eq!(like_prefix("a_b%c!"), "a!_b!%c!!%");
    }
}
