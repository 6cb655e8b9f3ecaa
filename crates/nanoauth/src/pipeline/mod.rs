//! The request pipeline, in the order a request meets it (see
//! `handler.rs`): route ([`router`]), CORS preflight ([`cors`]), origin check
//! ([`origin`]), rate limits, body ([`form`] for the endpoints a form posts
//! to), request hooks ([`request_hooks`]), the endpoint ([`endpoint`]), and
//! the response with its cookies ([`cookie`]).

pub(crate) mod cookie;
pub(crate) mod cors;
pub(crate) mod endpoint;
pub(crate) mod form;
mod handler;
pub(crate) mod origin;
pub(crate) mod request_hooks;
pub(crate) mod router;
