//! The operating system's CSPRNG, and nothing else.

use crate::error::PrimitiveError;

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), PrimitiveError> {
    getrandom::fill(buf).map_err(|_| PrimitiveError::Randomness)
}

/// `N` random bytes.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], PrimitiveError> {
    let mut buf = [0u8; N];
    fill(&mut buf)?;
    Ok(buf)
}
