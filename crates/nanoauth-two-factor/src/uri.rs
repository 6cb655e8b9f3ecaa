//! `otpauth://totp/` URIs: what an enrolment QR code carries.
//!
//! The format is Google Authenticator's Key URI Format, which every
//! authenticator app reads: `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…`.

use std::fmt::Write as _;

use zeroize::Zeroizing;

use crate::otp::Algorithm;
use crate::secret::TotpSecret;
use crate::totp::Totp;

const PREFIX: &str = "otpauth://totp/";

/// The URI an authenticator app scans to enrol `secret`.
///
/// `issuer` and `account` are percent-encoded (a `:` inside them becomes
/// `%3A`, so the one literal `:` separates them). The issuer appears in the
/// label and in the `issuer` parameter, as the format recommends; an empty
/// issuer is left out. All parameters are written, so apps that ignore
/// missing ones still agree with the server.
///
/// ```
/// use nanoauth_two_factor::{secret::TotpSecret, totp::Totp, uri::otpauth_uri};
///
/// let secret = TotpSecret::from_bytes(b"12345678901234567890");
/// let uri = otpauth_uri(&secret, "ACME Co", "jane@example.com", &Totp::default());
/// assert_eq!(
///     *uri,
///     "otpauth://totp/ACME%20Co:jane%40example.com\
///      ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co\
///      &algorithm=SHA1&digits=6&period=30",
/// );
/// ```
pub fn otpauth_uri(
    secret: &TotpSecret,
    issuer: &str,
    account: &str,
    totp: &Totp,
) -> Zeroizing<String> {
    let mut uri = Zeroizing::new(String::from(PREFIX));
    if !issuer.is_empty() {
        percent_encode(&mut uri, issuer);
        uri.push(':');
    }
    percent_encode(&mut uri, account);
    uri.push_str("?secret=");
    uri.push_str(&secret.to_base32());
    if !issuer.is_empty() {
        uri.push_str("&issuer=");
        percent_encode(&mut uri, issuer);
    }
    // Writing to a String cannot fail.
    let _ = write!(
        uri,
        "&algorithm={}&digits={}&period={}",
        totp.algorithm().name(),
        totp.digits(),
        totp.period()
    );
    uri
}

/// The contents of an `otpauth://totp/` URI, as read by
/// [`parse_otpauth_uri`].
///
/// ```
/// use nanoauth_two_factor::uri::parse_otpauth_uri;
///
/// let parsed = parse_otpauth_uri("otpauth://totp/ACME:jane?secret=MZXW6YTBOI").unwrap();
/// assert_eq!(parsed.issuer.as_deref(), Some("ACME"));
/// assert_eq!(parsed.account, "jane");
/// assert_eq!(parsed.secret.as_bytes(), b"foobar");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpauthUri {
    /// The shared secret.
    pub secret: TotpSecret,
    /// Hash, digits and period, defaults filled in.
    pub totp: Totp,
    /// The `issuer` parameter, else the label's prefix; `None` if neither.
    pub issuer: Option<String>,
    /// The account name from the label.
    pub account: String,
}

/// Reads an `otpauth://totp/` URI, as an authenticator app would.
///
/// `None` when the URI is not TOTP, has no valid base32 `secret`, has a
/// malformed percent-escape or non-UTF-8 text, names an unknown algorithm,
/// digits outside `6..=8`, a zero period, or an `issuer` parameter that
/// contradicts the label. Missing parameters take the defaults of
/// [`Totp::default`]; unknown parameters are ignored.
///
/// ```
/// use nanoauth_two_factor::{secret::TotpSecret, totp::Totp, uri};
///
/// let secret = TotpSecret::generate()?;
/// let text = uri::otpauth_uri(&secret, "A:B", "c d", &Totp::default());
/// let parsed = uri::parse_otpauth_uri(&text).unwrap();
/// assert_eq!(parsed.issuer.as_deref(), Some("A:B"));
/// assert_eq!(parsed.account, "c d");
/// assert!(parsed.secret == secret);
/// # Ok::<(), nanoauth_two_factor::error::PrimitiveError>(())
/// ```
pub fn parse_otpauth_uri(uri: &str) -> Option<OtpauthUri> {
    let rest = strip_prefix_ignore_case(uri, PREFIX)?;
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    // Only a literal colon separates issuer and account; an encoded one
    // (`%3A`) belongs to the text, as `otpauth_uri` writes it.
    let (label_issuer, account) = match label.split_once(':') {
        Some((issuer, account)) => (Some(percent_decode(issuer, false)?), account),
        None => (None, label),
    };
    // Some apps put a space after the colon.
    let account = percent_decode(account, false)?.trim_start().to_owned();

    let mut secret = None;
    let mut issuer_parameter = None;
    let (mut algorithm, mut digits, mut period) = {
        let default = Totp::default();
        (default.algorithm(), default.digits(), default.period())
    };
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = Zeroizing::new(percent_decode(value, true)?);
        match name {
            "secret" => secret = Some(TotpSecret::from_base32(&value)?),
            "issuer" => issuer_parameter = Some(value.to_string()),
            "algorithm" => algorithm = Algorithm::from_name(&value)?,
            "digits" => digits = value.parse().ok()?,
            "period" => period = value.parse().ok()?,
            _ => {}
        }
    }

    let issuer = match (label_issuer, issuer_parameter) {
        (Some(label), Some(parameter)) if label != parameter => return None,
        (label, parameter) => parameter.or(label),
    };
    Some(OtpauthUri {
        secret: secret?,
        totp: Totp::new(algorithm, digits, period).ok()?,
        issuer,
        account,
    })
}

/// Appends `text` with every byte outside RFC 3986's unreserved set
/// percent-encoded. Spaces become `%20`, not `+`, which apps show literally.
fn percent_encode(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// Decodes `%XX` escapes, and `+` as a space in query values (the HTML form
/// encoding some generators use). `None` on a broken escape or invalid UTF-8.
fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'%' => {
                let high = hex_value(input.next()?)?;
                let low = hex_value(input.next()?)?;
                bytes.push(high << 4 | low);
            }
            b'+' if plus_is_space => bytes.push(b' '),
            _ => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).ok()
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890")
    }

    #[test]
    fn round_trips_awkward_names() {
        let totp = Totp::new(Algorithm::Sha512, 8, 60).unwrap();
        let names = [
            ("ACME", "jane@example.com"),
            ("Big Corp: EU", "jane:doe"),
            ("a&b=c?d#e", "x/y%z+w"),
            ("Ünïcødé ✓", "名前"),
            ("", "only-account"),
        ];
        for (issuer, account) in names {
            let uri = otpauth_uri(&secret(), issuer, account, &totp);
            let parsed = parse_otpauth_uri(&uri).unwrap_or_else(|| panic!("{}", *uri));
            let expected_issuer = (!issuer.is_empty()).then(|| issuer.to_owned());
            assert_eq!(parsed.issuer, expected_issuer, "{}", *uri);
            assert_eq!(parsed.account, account, "{}", *uri);
            assert_eq!(parsed.secret, secret());
            assert_eq!(parsed.totp, totp);
        }
    }

    #[test]
    fn escapes_keep_one_literal_colon() {
        let uri = otpauth_uri(&secret(), "Big Corp: EU", "jane:doe", &Totp::default());
        let label = uri
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('?'))
            .map(|(label, _)| label)
            .unwrap();
        assert_eq!(label, "Big%20Corp%3A%20EU:jane%3Adoe");
        assert_eq!(uri.matches(':').count(), 2, "scheme and label: {}", *uri);
        for forbidden in [' ', '#', '+'] {
            assert!(!uri.contains(forbidden), "{}", *uri);
        }
    }

    #[test]
    fn reads_what_other_generators_write() {
        struct Case {
            uri: &'static str,
            issuer: Option<&'static str>,
            account: &'static str,
            totp: Totp,
        }
        let cases = [
            // Google's documented example.
            Case {
                uri: "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
                issuer: Some("Example"),
                account: "alice@google.com",
                totp: Totp::default(),
            },
            // No issuer anywhere, lower-case scheme and parameters.
            Case {
                uri: "OTPAUTH://TOTP/alice?secret=jbswy3dpehpk3pxp&algorithm=sha256&digits=8",
                issuer: None,
                account: "alice",
                totp: Totp::new(Algorithm::Sha256, 8, 30).unwrap(),
            },
            // Encoded separator space and form-encoded issuer.
            Case {
                uri: "otpauth://totp/My%20Co:%20bob?issuer=My+Co&secret=JBSWY3DPEHPK3PXP&period=60&image=x",
                issuer: Some("My Co"),
                account: "bob",
                totp: Totp::new(Algorithm::Sha1, 6, 60).unwrap(),
            },
            // Issuer only as a parameter.
            Case {
                uri: "otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP&issuer=Solo",
                issuer: Some("Solo"),
                account: "bob",
                totp: Totp::default(),
            },
        ];
        for case in cases {
            let parsed = parse_otpauth_uri(case.uri).unwrap_or_else(|| panic!("{}", case.uri));
            assert_eq!(parsed.issuer.as_deref(), case.issuer, "{}", case.uri);
            assert_eq!(parsed.account, case.account, "{}", case.uri);
            assert_eq!(parsed.totp, case.totp, "{}", case.uri);
            assert_eq!(parsed.secret.as_bytes(), b"Hello!\xde\xad\xbe\xef");
        }
    }

    #[test]
    fn refuses_what_an_app_could_not_use() {
        let cases = [
            "",
            "otpauth://totp/",
            "https://totp/a?secret=JBSWY3DPEHPK3PXP",
            "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=1",
            "otpauth://totp/a",
            "otpauth://totp/a?secret=",
            "otpauth://totp/a?secret=not-base32!",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=5",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=six",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=-30",
            "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP&issuer=B",
            "otpauth://totp/a%2?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/a%zz?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/a%FF?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&issuer=%",
            "otpauth://tötp/a?secret=JBSWY3DPEHPK3PXP",
        ];
        for uri in cases {
            assert!(parse_otpauth_uri(uri).is_none(), "{uri}");
        }
    }
}
