//! [`ListUsersAdapter`]: users a page at a time, by email address, searched
//! by a prefix of the address or of the `name` column.

use nanoauth::adapter::{ListUsersAdapter, UserQuery};
use nanoauth::{AdapterError, AuthUser};
use serde::de::DeserializeOwned;
use sqlx::AssertSqlSafe;

use crate::SqlAdapter;
use crate::error::adapter_error;
use crate::fields::struct_fields;
use crate::operator::like_prefix;
use crate::pool::on_pool;
use crate::row::SqlxRow;
use crate::values::row_to_object;

impl<U: AuthUser + DeserializeOwned> ListUsersAdapter<U> for SqlAdapter<U> {
    async fn search_users(&self, query: &UserQuery) -> Result<Vec<U>, AdapterError> {
        let quoted = self.schema.quoted(self.dialect);
        // The name is searched where the user type has a `name` field (so
        // the table has its column); a user type read as a map has no
        // known fields, and only addresses are searched.
        let has_name = struct_fields::<U>().is_some_and(|fields| fields.contains(&"name"));
        let mut conditions = Vec::new();
        let mut params: Vec<String> = Vec::new();
        if let Some(prefix) = &query.search {
            let pattern = like_prefix(prefix);
            if has_name {
                conditions.push(format!(
                    "({email} LIKE ? ESCAPE '!' OR LOWER({name}) LIKE ? ESCAPE '!')",
                    email = quoted.email,
                    name = self.dialect.quote(self.schema.column_of("name")),
                ));
                params.push(pattern.clone());
                params.push(pattern);
            } else {
                conditions.push(format!("{} LIKE ? ESCAPE '!'", quoted.email));
                params.push(pattern);
            }
        }
        if let Some(after) = &query.after {
            conditions.push(format!("{} > ?", quoted.email));
            params.push(after.clone());
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        // The cursor is compared in the collation the rows are ordered by,
        // so pages neither skip nor repeat an address.
        let statement = self.dialect.placeholders(&format!(
            "SELECT {} FROM {}{filter} ORDER BY {} LIMIT {}",
            self.statements.select_user, quoted.users, quoted.email, query.limit
        ));
        let objects = on_pool!(&self.pool, conn => async {
            let mut sql = sqlx::query(AssertSqlSafe(statement.as_str()));
            for param in &params {
                sql = sql.bind(param.as_str());
            }
            let rows = sql.fetch_all(&mut *conn).await?;
            Ok::<_, sqlx::Error>(rows.iter().map(|row| row_to_object(&SqlxRow(row), 0, &self.schema, "")).collect::<Vec<_>>())
        }.await)
        .map_err(adapter_error)?;
        objects
            .into_iter()
            .map(|object| self.user_from_object(object))
            .collect()
    }
}
