//! SMTP delivery for NanoAuth (work in progress).
