//! The bridge between actix-web's `http` 0.2 types and NanoAuth's `http` 1.
//!
//! Both versions of the crate check header names, header values, methods and
//! status codes by the same rules, so every conversion here succeeds for
//! values that reached actix. A failure is still an error, never a skipped
//! header: quietly dropping an `Origin` or `Cookie` header would change what
//! the core's CSRF check and session lookup see.

use actix_web::http::header as h02;
use actix_web::http::{Method as Method02, StatusCode as Status02, Version as Version02};
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

/// A value that could not cross from one `http` version to the other.
#[derive(Debug)]
pub(crate) struct ConversionError(&'static str);

impl std::fmt::Display for ConversionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot convert the {} between http 0.2 and http 1",
            self.0
        )
    }
}

impl std::error::Error for ConversionError {}

/// The `http` 1 request NanoAuth sees for actix's `request`, carrying `body`
/// and the peer address as [`nanoauth::ClientAddr`].
pub(crate) fn request<B>(
    request: &HttpRequest,
    body: B,
) -> Result<http::Request<B>, ConversionError> {
    let mut converted = http::Request::new(body);
    *converted.method_mut() = method(request.method())?;
    *converted.uri_mut() = http::Uri::try_from(request.uri().to_string())
        .map_err(|_| ConversionError("request URI"))?;
    *converted.version_mut() = version(request.version());
    *converted.headers_mut() = headers(request.headers())?;
    // The socket's peer, never `X-Forwarded-For`: only the application
    // knows which proxies it can trust.
    if let Some(addr) = request.peer_addr() {
        converted
            .extensions_mut()
            .insert(nanoauth::ClientAddr(addr));
    }
    Ok(converted)
}

/// Every header of actix's map, repeated names included, in order.
pub(crate) fn headers(from: &h02::HeaderMap) -> Result<http::HeaderMap, ConversionError> {
    let mut to = http::HeaderMap::with_capacity(from.len());
    for (name, value) in from.iter() {
        let name = http::HeaderName::from_bytes(name.as_str().as_bytes())
            .map_err(|_| ConversionError("header name"))?;
        let mut converted = http::HeaderValue::from_bytes(value.as_bytes())
            .map_err(|_| ConversionError("header value"))?;
        converted.set_sensitive(value.is_sensitive());
        to.append(name, converted);
    }
    Ok(to)
}

/// One header value, `http` 1 to actix.
pub(crate) fn header_value(value: &http::HeaderValue) -> Result<h02::HeaderValue, ConversionError> {
    let mut converted = h02::HeaderValue::from_bytes(value.as_bytes())
        .map_err(|_| ConversionError("header value"))?;
    converted.set_sensitive(value.is_sensitive());
    Ok(converted)
}

/// A status code, `http` 1 to actix.
pub(crate) fn status(status: http::StatusCode) -> Result<Status02, ConversionError> {
    Status02::from_u16(status.as_u16()).map_err(|_| ConversionError("status code"))
}

/// NanoAuth's response as an actix response: status, every header (each
/// `Set-Cookie` kept separate) and the body.
pub(crate) fn response(from: http::Response<Bytes>) -> Result<HttpResponse, ConversionError> {
    let (parts, body) = from.into_parts();
    let mut response = HttpResponse::with_body(status(parts.status)?, body);
    let headers = response.headers_mut();
    for (name, value) in &parts.headers {
        let name = h02::HeaderName::from_bytes(name.as_str().as_bytes())
            .map_err(|_| ConversionError("header name"))?;
        headers.append(name, header_value(value)?);
    }
    Ok(response.map_into_boxed_body())
}

/// NanoAuth's JSON answer for `error`, as an actix response.
pub(crate) fn error_response(error: nanoauth::Error) -> HttpResponse {
    response(error.into_response()).unwrap_or_else(|_| {
        // Unreachable: the core's error responses are a valid status, two
        // static headers and a JSON body.
        HttpResponse::InternalServerError().finish()
    })
}

fn method(method: &Method02) -> Result<http::Method, ConversionError> {
    http::Method::from_bytes(method.as_str().as_bytes()).map_err(|_| ConversionError("method"))
}

fn version(version: Version02) -> http::Version {
    match version {
        Version02::HTTP_09 => http::Version::HTTP_09,
        Version02::HTTP_10 => http::Version::HTTP_10,
        Version02::HTTP_2 => http::Version::HTTP_2,
        Version02::HTTP_3 => http::Version::HTTP_3,
        // HTTP/1.1, and anything newer that actix might learn: the core
        // does not look at the version.
        _ => http::Version::HTTP_11,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn request_keeps_method_uri_headers_and_peer() -> Result<(), ConversionError> {
        let peer = std::net::SocketAddr::from(([192, 0, 2, 7], 4242));
        let request = TestRequest::post()
            .uri("/api/auth/signin/email?next=%2Fme")
            .insert_header(("origin", "http://localhost:3000"))
            .append_header(("cookie", "a=1"))
            .append_header(("cookie", "b=2"))
            .peer_addr(peer)
            .to_http_request();
        let converted = request_of(&request)?;
        assert_eq!(converted.method(), http::Method::POST);
        assert_eq!(converted.uri(), "/api/auth/signin/email?next=%2Fme");
        assert_eq!(converted.headers()["origin"], "http://localhost:3000");
        let cookies: Vec<_> = converted.headers().get_all("cookie").iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(
            converted.extensions().get::<nanoauth::ClientAddr>(),
            Some(&nanoauth::ClientAddr(peer))
        );
        Ok(())
    }

    #[test]
    fn extension_methods_survive() -> Result<(), ConversionError> {
        let request = TestRequest::default()
            .method(Method02::from_bytes(b"PROPFIND").map_err(|_| ConversionError("test"))?)
            .to_http_request();
        assert_eq!(request_of(&request)?.method().as_str(), "PROPFIND");
        Ok(())
    }

    #[test]
    fn response_keeps_every_set_cookie() -> Result<(), ConversionError> {
        let mut from = http::Response::new(Bytes::from_static(b"{}"));
        *from.status_mut() = http::StatusCode::CREATED;
        let headers = from.headers_mut();
        headers.append("set-cookie", http::HeaderValue::from_static("a=1; Path=/"));
        headers.append("set-cookie", http::HeaderValue::from_static("b=2; Path=/"));
        headers.append(
            "content-type",
            http::HeaderValue::from_static("application/json"),
        );
        let response = response(from)?;
        assert_eq!(response.status(), Status02::CREATED);
        let cookies: Vec<_> = response.headers().get_all("set-cookie").collect();
        assert_eq!(cookies, ["a=1; Path=/", "b=2; Path=/"]);
        let content_type = response.headers().get("content-type");
        assert_eq!(
            content_type.and_then(|value| value.to_str().ok()),
            Some("application/json")
        );
        Ok(())
    }

    fn request_of(request: &HttpRequest) -> Result<http::Request<()>, ConversionError> {
        super::request(request, ())
    }
}
