//! The request body: actix's payload, streamed to the core chunk by chunk.
//!
//! The core enforces its own size limit (`AuthBuilder::max_body_bytes`,
//! 64 KiB by default) while it reads, so this side never buffers a body:
//! a bounded channel hands over one chunk at a time, and when the core stops
//! reading (limit reached, request refused before its body) the channel
//! closes and the payload is not read any further. Actix's payload is not
//! `Send` and the core wants a `Send` body, hence the channel rather than a
//! wrapper.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::web;
use bytes::Bytes;
use futures_channel::mpsc;
use futures_util::StreamExt as _;
use http_body::Frame;

/// Chunks waiting for the core besides the one being sent: a small, fixed
/// bound, whatever the client sends.
const CHUNKS_IN_FLIGHT: usize = 1;

/// The body the core reads: the receiving end of the channel.
#[derive(Debug)]
pub(crate) struct PayloadBody {
    chunks: mpsc::Receiver<Result<Bytes, PayloadError>>,
}

/// Reading the request from the client failed (it went away, sent a broken
/// chunked encoding, ...). The core answers `400 INVALID_BODY`.
#[derive(Debug)]
pub(crate) struct PayloadError(String);

impl std::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reading the request body failed: {}", self.0)
    }
}

impl std::error::Error for PayloadError {}

/// Splits `payload` into the body handed to the core and the pump that feeds
/// it. The pump must be polled alongside the core's handler; it ends when
/// the payload is read or the body is dropped.
pub(crate) fn stream(payload: web::Payload) -> (PayloadBody, impl Future<Output = ()>) {
    let (mut sender, chunks) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let pump = async move {
        let mut payload = payload;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|error| PayloadError(error.to_string()));
            let failed = chunk.is_err();
            // Waits while the core has not taken the previous chunks; fails
            // once the core dropped the body.
            if poll_fn(|cx| sender.poll_ready(cx)).await.is_err()
                || sender.start_send(chunk).is_err()
                || failed
            {
                break;
            }
        }
    };
    (PayloadBody { chunks }, pump)
}

impl http_body::Body for PayloadBody {
    type Data = Bytes;
    type Error = PayloadError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, PayloadError>>> {
        self.chunks
            .poll_next_unpin(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }
}
