//! actix-web integration for NanoAuth (work in progress).
