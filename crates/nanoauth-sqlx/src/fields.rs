//! The field names of the application's user type, read from its serde
//! `Deserialize` implementation, so the adapter selects exactly those
//! columns instead of `SELECT *`.
//!
//! Why not `SELECT *`: it sends columns the user type does not need, and
//! SQLite re-prepares a cached `*` statement after another connection alters
//! the table, changing its width under sqlx's cached column list.

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The struct field names `T` asks for when deserialized, in order; `None`
/// when `T` is not a plain struct (a map, or one with `#[serde(flatten)]`).
pub(crate) fn struct_fields<'de, T: Deserialize<'de>>() -> Option<&'static [&'static str]> {
    let mut found = None;
    let _ = T::deserialize(FieldSniffer { found: &mut found });
    found
}

struct FieldSniffer<'a> {
    found: &'a mut Option<&'static [&'static str]>,
}

/// The sniffer never produces a value: every path ends in this error.
#[derive(Debug)]
struct Sniffed;

impl std::fmt::Display for Sniffed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names read")
    }
}

impl std::error::Error for Sniffed {}

impl de::Error for Sniffed {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Sniffed
    }
}

impl<'de> Deserializer<'de> for FieldSniffer<'_> {
    type Error = Sniffed;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Sniffed> {
        Err(Sniffed)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Sniffed> {
        *self.found = Some(fields);
        Err(Sniffed)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct User {
        id: String,
        #[serde(rename = "emailAddress")]
        email: String,
        role: Option<String>,
    }

    #[test]
    fn reads_serde_field_names() {
        assert_eq!(
            struct_fields::<User>(),
            Some(&["id", "emailAddress", "role"][..])
        );
        assert_eq!(
            struct_fields::<std::collections::HashMap<String, String>>(),
            None
        );
    }
}
