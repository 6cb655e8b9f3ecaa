//! The NanoAuth client for Rust (work in progress).
