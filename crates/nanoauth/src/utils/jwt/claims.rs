//! Reading a verified claim set: the caller's claims and the registered
//! time claims (`exp`, `nbf`) from one parse.
//!
//! The caller's type is deserialized through a thin wrapper that, on the
//! way past, reads `exp` and `nbf` strictly (an integer or `null`, each at
//! most once) and hands the caller's type the same value. Anything the fast
//! path does not accept is decided again by the plain two-pass reading
//! ([`read_twice`]), so the outcome, errors and their precedence included,
//! is exactly that of reading the time claims and then the claims on their
//! own; only tokens we would refuse anyway pay for the second parse.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{StrDeserializer, U64Deserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

use super::{JwtError, Validation, is_object, json_object};

/// The claims of a verified token as `C`, once `exp` and `nbf` pass.
pub(super) fn read<'b, C: Deserialize<'b>>(
    payload: &'b [u8],
    validation: &Validation,
) -> Result<C, JwtError> {
    if !is_object(payload) {
        return Err(JwtError::InvalidClaims);
    }
    let mut times = Times::default();
    let mut deserializer = serde_json::Deserializer::from_slice(payload);
    let parsed = C::deserialize(WithTimes {
        inner: &mut deserializer,
        times: &mut times,
    })
    .and_then(|claims| deserializer.end().map(|()| claims));
    match parsed {
        Ok(claims) => {
            check(times.exp.flatten(), times.nbf.flatten(), validation)?;
            Ok(claims)
        }
        Err(_) => read_twice(payload, validation),
    }
}

/// The registered time claims, read strictly: serde refuses floats, strings
/// and negative numbers for `u64`, and duplicate keys for a struct.
#[derive(serde::Deserialize)]
struct TimeClaims {
    #[serde(default)]
    exp: Option<u64>,
    #[serde(default)]
    nbf: Option<u64>,
}

/// The time claims on their own, checked, then the claims as `C`: the
/// reference the one-parse path must agree with.
fn read_twice<'b, C: Deserialize<'b>>(
    payload: &'b [u8],
    validation: &Validation,
) -> Result<C, JwtError> {
    let times: TimeClaims = json_object(payload).map_err(|_| JwtError::InvalidClaims)?;
    check(times.exp, times.nbf, validation)?;
    json_object(payload)
}

fn check(exp: Option<u64>, nbf: Option<u64>, validation: &Validation) -> Result<(), JwtError> {
    match exp {
        Some(exp) if validation.now > exp.saturating_add(validation.leeway) => {
            return Err(JwtError::Expired);
        }
        None if validation.require_exp => return Err(JwtError::InvalidClaims),
        _ => {}
    }
    if let Some(nbf) = nbf
        && nbf > validation.now.saturating_add(validation.leeway)
    {
        return Err(JwtError::NotYetValid);
    }
    Ok(())
}

/// What was read of `exp` and `nbf`: the outer `Option` says whether the
/// key was seen, the inner whether it was `null`.
#[derive(Default)]
struct Times {
    exp: Option<Option<u64>>,
    nbf: Option<Option<u64>>,
}

#[derive(Clone, Copy)]
enum Time {
    Exp,
    Nbf,
}

/// A deserializer that reads an object from `inner`, noting its time claims.
struct WithTimes<'t, D> {
    inner: D,
    times: &'t mut Times,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for WithTimes<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_map(ObjectVisitor {
            visitor,
            times: self.times,
        })
    }

    // A claim set is an object whatever `C` asks for; what `C` cannot take
    // from a map falls back to the two-pass reading.
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct ObjectVisitor<'t, V> {
    visitor: V,
    times: &'t mut Times,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for ObjectVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<V::Value, M::Error> {
        self.visitor.visit_map(Entries {
            map,
            times: self.times,
            pending: None,
        })
    }
}

/// The object's entries as `C` sees them, with `exp` and `nbf` noted.
struct Entries<'t, M> {
    map: M,
    times: &'t mut Times,
    /// The time claim whose value comes next.
    pending: Option<Time>,
}

impl<'de, M: MapAccess<'de>> MapAccess<'de> for Entries<'_, M> {
    type Error = M::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, M::Error> {
        let Some(key) = self.map.next_key_seed(KeyText)? else {
            return Ok(None);
        };
        self.pending = match key.as_ref() {
            "exp" => Some(Time::Exp),
            "nbf" => Some(Time::Nbf),
            _ => None,
        };
        seed.deserialize(StrDeserializer::<M::Error>::new(&key))
            .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, M::Error> {
        let Some(time) = self.pending.take() else {
            return self.map.next_value_seed(seed);
        };
        let value: Option<u64> = self.map.next_value()?;
        let slot = match time {
            Time::Exp => &mut self.times.exp,
            Time::Nbf => &mut self.times.nbf,
        };
        if slot.replace(value).is_some() {
            return Err(de::Error::custom("duplicate time claim"));
        }
        seed.deserialize(TimeValue::<M::Error>(value, PhantomData))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Reads a key as text, borrowed from the payload when it has no escapes.
struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text))
    }
}

/// A time claim's value, handed on to `C` as the JSON parser would: a
/// number, or `null`.
struct TimeValue<E>(Option<u64>, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for TimeValue<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Some(number) => visitor.visit_u64(number),
            None => visitor.visit_unit(),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Some(number) => visitor.visit_some(U64Deserializer::<E>::new(number)),
            None => visitor.visit_none(),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Claims {
        sub: String,
        exp: u64,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Optional {
        exp: Option<u64>,
        nbf: Option<i64>,
    }

    fn both<C: DeserializeOwned + PartialEq + fmt::Debug>(
        payload: &str,
        now: u64,
    ) -> Result<C, JwtError> {
        let validation = Validation::at(now).leeway(0);
        let once = read::<C>(payload.as_bytes(), &validation);
        let twice = read_twice::<C>(payload.as_bytes(), &validation);
        assert_eq!(once, twice, "one parse and two disagree on {payload}");
        once
    }

    #[test]
    fn one_parse_agrees_with_two() {
        let claims = both::<Claims>(r#"{"sub":"u","exp":10}"#, 5);
        assert_eq!(
            claims,
            Ok(Claims {
                sub: "u".into(),
                exp: 10
            })
        );
        for payload in [
            r#"{"sub":"u","exp":10}"#,
            r#"{"sub":"u","exp":10,"nbf":7}"#,
            r#"{"sub":"u","exp":10,"nbf":null}"#,
            r#"{"sub":"u","exp":10.0}"#,
            r#"{"sub":"u","exp":-1}"#,
            r#"{"sub":"u","exp":"10"}"#,
            r#"{"sub":"u","exp":10,"exp":11}"#,
            r#"{"sub":"u","exp":4}"#,
            r#"{"sub":"u"}"#,
            r#"{"sub":1,"exp":10}"#,
            r#"{"sub":1,"exp":1}"#,
            r#"{"s\u0075b":"u","e\u0078p":10}"#,
            r#"{"sub":"u","exp":10} x"#,
            r#"["u",10]"#,
            r#"{"sub":"u","exp":null}"#,
        ] {
            let _ = both::<Claims>(payload, 5);
            let _ = both::<Optional>(payload, 5);
            let _ = both::<serde_json::Value>(payload, 5);
            let _ = both::<std::collections::HashMap<String, serde_json::Value>>(payload, 5);
        }
    }

    #[test]
    fn time_claims_are_checked_when_the_claims_type_ignores_them() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct SubOnly {
            sub: String,
        }
        assert_eq!(
            both::<SubOnly>(r#"{"sub":"u","exp":4}"#, 5),
            Err(JwtError::Expired)
        );
        assert_eq!(
            both::<SubOnly>(r#"{"sub":"u","exp":10,"nbf":6}"#, 5),
            Err(JwtError::NotYetValid)
        );
        assert_eq!(
            both::<SubOnly>(r#"{"sub":"u","exp":10,"exp":10}"#, 5),
            Err(JwtError::InvalidClaims)
        );
    }
}
