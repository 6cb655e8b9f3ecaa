//! Redis storage for NanoAuth (work in progress).
