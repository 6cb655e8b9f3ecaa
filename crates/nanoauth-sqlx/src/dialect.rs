//! What differs between the SQL databases: quoting, placeholders, upserts.

/// The SQL database behind an adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// SQLite 3.35 or later (the bundled library is).
    Sqlite,
    /// PostgreSQL 12 or later.
    Postgres,
    /// MySQL 8 or MariaDB 10.5 or later.
    MySql,
}

impl Dialect {
    /// The dialect of a connection URL: `sqlite:`, `postgres://` /
    /// `postgresql://`, or `mysql://` / `mariadb://`.
    ///
    /// ```
    /// use nanoauth_sqlx::Dialect;
    /// assert_eq!(Dialect::from_url("sqlite://auth.db"), Some(Dialect::Sqlite));
    /// assert_eq!(Dialect::from_url("postgres://localhost/app"), Some(Dialect::Postgres));
    /// assert_eq!(Dialect::from_url("mariadb://localhost/app"), Some(Dialect::MySql));
    /// assert_eq!(Dialect::from_url("redis://localhost"), None);
    /// ```
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            "mysql" | "mariadb" => Some(Self::MySql),
            _ => None,
        }
    }

    /// Quotes an identifier that [`is_identifier`] accepted.
    ///
    /// SQLite gets backticks, not double quotes: a double-quoted name SQLite
    /// cannot resolve silently becomes a string literal, so a pooled
    /// connection that has not yet seen a new column (added by another
    /// connection) would prepare `"score"` as the text 'score'. An unknown
    /// backticked name is an error instead, on which SQLite reloads its
    /// schema and prepares again.
    pub(crate) fn quote(self, identifier: &str) -> String {
        match self {
            Self::MySql | Self::Sqlite => format!("`{identifier}`"),
            Self::Postgres => format!("\"{identifier}\""),
        }
    }

    /// Rewrites `?` placeholders for the dialect: PostgreSQL numbers them.
    /// The statements this crate writes never contain a literal `?`.
    /// The placeholder for a token hash compared with a `token_hash` column.
    /// Those columns are `CHAR(64)`; PostgreSQL compares a `CHAR` column
    /// with a text parameter as text, casting the column, which cannot use
    /// the primary key: every session check became a table scan (725 ms at
    /// a million sessions). Cast the parameter instead.
    pub(crate) fn token_hash_param(self) -> &'static str {
        match self {
            Self::Postgres => "CAST(? AS CHAR(64))",
            _ => "?",
        }
    }

    pub(crate) fn placeholders(self, sql: &str) -> String {
        if self != Self::Postgres {
            return sql.to_owned();
        }
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// `INSERT ... ` tail that turns an insert into an update of `columns`
    /// when the row with the same primary key `key` exists.
    pub(crate) fn upsert(self, key: &str, columns: &[&str]) -> String {
        match self {
            Self::MySql => {
                let sets: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{c} = VALUES({c})"))
                    .collect();
                format!(" ON DUPLICATE KEY UPDATE {}", sets.join(", "))
            }
            Self::Sqlite | Self::Postgres => {
                let sets: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect();
                format!(" ON CONFLICT ({key}) DO UPDATE SET {}", sets.join(", "))
            }
        }
    }
}

/// Table and column names are spliced into SQL, so they are restricted to
/// plain identifiers: letters, digits and `_`, not starting with a digit, at
/// most 63 bytes (PostgreSQL's limit).
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.len() <= 63
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_numbers_placeholders() {
        assert_eq!(
            Dialect::Postgres.placeholders("a = ? AND b = ?"),
            "a = $1 AND b = $2"
        );
        assert_eq!(Dialect::MySql.placeholders("a = ?"), "a = ?");
    }

    #[test]
    fn identifiers_are_plain() {
        assert!(is_identifier("users"));
        assert!(is_identifier("_t1"));
        assert!(!is_identifier("1t"));
        assert!(!is_identifier("users; drop table x"));
        assert!(!is_identifier("a\"b"));
        assert!(!is_identifier(""));
        assert!(!is_identifier(&"a".repeat(64)));
    }
}
