//! What can go wrong, grouped by who failed, each with its exit code.

use nanoauth::AdapterError;

/// An error the `nanoauth` command reports on stderr before exiting.
#[derive(Debug)]
pub(crate) enum CliError {
    /// The operator's input: a malformed URL, an unknown dialect (exit 2,
    /// as clap's own usage errors).
    Usage(String),
    /// The database or the server did not answer (exit 3).
    Unreachable(String),
    /// The operation was refused or failed, or a check did not pass (exit 1).
    Failed(String),
}

impl CliError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }

    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Failed(_) => 1,
            Self::Usage(_) => 2,
            Self::Unreachable(_) => 3,
        }
    }

    /// A database error, said with what was being done.
    pub(crate) fn database(doing: &str, error: &AdapterError) -> Self {
        // The source carries the driver's message ("relation does not
        // exist", "connection refused"); the variant alone says too little.
        let detail = std::error::Error::source(error)
            .map(ToString::to_string)
            .unwrap_or_else(|| error.to_string());
        match error {
            AdapterError::Unavailable(_) => {
                Self::Unreachable(format!("{doing}: the database cannot be reached: {detail}"))
            }
            AdapterError::Conflict => Self::Failed(format!("{doing}: {error}")),
            _ => Self::Failed(format!("{doing}: {detail}")),
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Usage(message) | Self::Unreachable(message) | Self::Failed(message) => {
                f.write_str(message)
            }
        }
    }
}
