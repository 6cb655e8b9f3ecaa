//! QR codes for enrolment pages.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::PrimitiveError;

/// The smallest side of the image in pixels: large enough for phone
/// cameras to focus on from a laptop screen.
pub const MIN_DIMENSION: u32 = 200;

/// An SVG QR code of `text`, ready to inline in an HTML page.
///
/// Error correction level M (15 % of the symbol may be damaged), black on
/// white with the four-module quiet zone scanners need. The XML prolog is
/// left out: it is not allowed inside HTML.
///
/// ```
/// use nanoauth_two_factor::qr::qr_svg;
///
/// let svg = qr_svg("otpauth://totp/ACME:jane?secret=MZXW6YTBOI")?;
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.ends_with("</svg>"));
/// # Ok::<(), nanoauth_two_factor::error::PrimitiveError>(())
/// ```
///
/// # Errors
/// [`PrimitiveError::QrDataTooLong`] when `text` does not fit in the
/// largest QR code at level M (2331 bytes).
///
/// # Security
/// The image of an `otpauth://` URI carries the secret: serve it with
/// `Cache-Control: no-store` and only to the signed-in user enrolling.
pub fn qr_svg(text: &str) -> Result<String, PrimitiveError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| PrimitiveError::QrDataTooLong)?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(MIN_DIMENSION, MIN_DIMENSION)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .quiet_zone(true)
        .build();
    // The prolog ends at the first `?>`; the rest is the `<svg>` element.
    Ok(match image.split_once("?>") {
        Some((prolog, svg)) if prolog.starts_with("<?xml") => svg.to_owned(),
        _ => image,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn attribute(svg: &str, name: &str) -> u32 {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let end = start + svg[start..].find('"').unwrap();
        svg[start..end].parse().unwrap()
    }

    #[test]
    fn renders_an_inlineable_square_svg() {
        let uri = "otpauth://totp/ACME%20Co:jane%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";
        let svg = qr_svg(uri).unwrap();
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains("fill=\"#000\""));
        assert!(svg.contains("fill=\"#fff\""));
        let (width, height) = (attribute(&svg, "width"), attribute(&svg, "height"));
        assert_eq!(width, height);
        assert!(width >= MIN_DIMENSION, "{width}");
        // The secret is in the modules, not in readable text.
        assert!(!svg.contains("GEZDGNBV"));
    }

    #[test]
    fn level_m_with_a_quiet_zone() {
        let code = QrCode::with_error_correction_level(b"x", EcLevel::M).unwrap();
        assert_eq!(code.error_correction_level(), EcLevel::M);
        let svg = qr_svg("x").unwrap();
        // Version 1 is 21 modules, plus 4 on each side.
        let modules = 21 + 2 * 4;
        assert_eq!(attribute(&svg, "width") % modules, 0);
    }

    #[test]
    fn too_long_text_is_an_error_not_a_panic() {
        assert_eq!(
            qr_svg(&"a".repeat(5000)),
            Err(PrimitiveError::QrDataTooLong)
        );
        assert!(qr_svg(&"a".repeat(1000)).is_ok());
    }
}
