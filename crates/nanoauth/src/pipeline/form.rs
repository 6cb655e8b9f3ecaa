//! `application/x-www-form-urlencoded` bodies, for the few endpoints a
//! plain HTML form posts to (see `Endpoint::accepting_forms`). Everything
//! else speaks JSON.

use http::{HeaderMap, header};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::utils::url;

/// `application/x-www-form-urlencoded`, with or without parameters.
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    essence(headers)
        .is_some_and(|essence| essence.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

/// `application/json`, with or without parameters such as `charset`.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    essence(headers).is_some_and(|essence| essence.eq_ignore_ascii_case("application/json"))
}

fn essence(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim)
}

/// The fields of a form body as a JSON object of strings. Held to the rules
/// of JSON bodies: UTF-8, no repeated field, no NUL character.
pub(crate) fn parse(body: &[u8]) -> Result<Map<String, Value>, Error> {
    let invalid = |why: &str| Error::InvalidBody(format!("the form {why}"));
    let text = std::str::from_utf8(body).map_err(|_| invalid("is not UTF-8"))?;
    let mut fields = Map::new();
    for pair in text.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |part: &str| url::decode(&part.replace('+', " "));
        let name = decode(name).ok_or_else(|| invalid("has a malformed escape"))?;
        let value = decode(value).ok_or_else(|| invalid("has a malformed escape"))?;
        if name.contains('\0') || value.contains('\0') {
            return Err(Error::InvalidBody("NUL characters are not allowed".into()));
        }
        if fields.insert(name, Value::String(value)).is_some() {
            return Err(invalid("repeats a field"));
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_parse_strictly() {
        let fields =
            parse(b"token=a%2Bb&callbackURL=%2Faccount%3Fx%3D1&name=Ada+L").unwrap_or_default();
        assert_eq!(fields["token"], "a+b");
        assert_eq!(fields["callbackURL"], "/account?x=1");
        assert_eq!(fields["name"], "Ada L");
        assert!(parse(b"").is_ok_and(|f| f.is_empty()));
        assert!(parse(b"token=a&token=b").is_err(), "a repeated field");
        assert!(parse(b"token=%zz").is_err(), "a malformed escape");
        assert!(parse(b"token=a%00b").is_err(), "a NUL");
        assert!(parse(b"token=%FF").is_err(), "not UTF-8");
        assert!(parse(&[b't', b'=', 0xff]).is_err(), "not UTF-8");
    }
}
