//! Building blocks, public so applications and plugins use the same ones:
//! HS256 JWTs, random tokens, password hashing, redirect checks, URL
//! query values, HTML escaping, sealing secrets at rest.

pub mod html;
pub mod jwt;
#[cfg(feature = "email-password")]
pub mod password;
pub mod redirect;
pub mod sealed;
pub mod token;
pub mod url;
