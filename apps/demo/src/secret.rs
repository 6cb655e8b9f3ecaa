//! The session secret: `AUTH_SECRET`, or a development secret generated
//! once and kept in the data directory.

use std::io::Write as _;
use std::path::Path;

use nanoauth::MIN_SECRET_LEN;

/// Reads `AUTH_SECRET` if set, else the secret file in `data_dir`, creating
/// it (readable by its owner only) on first run.
pub(crate) fn load_or_create(
    env_secret: Option<String>,
    data_dir: &Path,
) -> Result<String, String> {
    if let Some(secret) = env_secret {
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "AUTH_SECRET must be at least {MIN_SECRET_LEN} bytes"
            ));
        }
        return Ok(secret);
    }
    let path = data_dir.join("secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= MIN_SECRET_LEN {
            tracing::warn!(
                "using the development secret in {} — set AUTH_SECRET in production",
                path.display()
            );
            return Ok(existing);
        }
    }
    let secret = nanoauth::utils::token::random_token().map_err(|e| e.to_string())?;
    let mut file =
        create_private(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    writeln!(file, "{secret}").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::warn!(
        "generated a development secret in {} — fine on your machine, never in production: set AUTH_SECRET there",
        path.display()
    );
    Ok(secret)
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused() -> Result<(), String> {
        let dir = std::env::temp_dir().join(format!("nanoauth-demo-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let first = load_or_create(None, &dir)?;
        let second = load_or_create(None, &dir)?;
        assert_eq!(first, second);
        assert!(load_or_create(Some("short".into()), &dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
