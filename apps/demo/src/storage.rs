//! The demo's data directory and SQLite files, readable by their owner only.
//!
//! They hold the session secret, password hashes and session hashes: other
//! local users have no business reading them. Modes are set where each file
//! is created (`mkdir` and `open` with an explicit mode) rather than through
//! the process umask, which is process-wide and would race with any thread
//! creating files meanwhile.

use std::path::{Path, PathBuf};

/// The companion files SQLite keeps beside a database in WAL mode (and a
/// rollback journal, should a connection use one).
const COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Creates `dir` (and any missing parents) with mode 0700. A directory that
/// exists already is left as it is: it may be one the user named on purpose
/// and shares (`--data-dir .`), which is theirs to decide.
pub(crate) fn create_data_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// The demo's own SQLite database in `dir`, created empty with mode 0600 if
/// missing (SQLite takes an empty file as a new database) and set to 0600
/// if it exists, before anything opens it. Returns its path.
pub(crate) fn prepare_database(dir: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join("demo.db");
    make_private(&path)?;
    Ok(path)
}

/// Sets the SQLite companion files of `database` that exist to 0600. SQLite
/// creates them with the database file's own mode already; this also
/// covers files left by an earlier run of the demo that made them wider.
pub(crate) fn tighten_companions(database: &Path) -> std::io::Result<()> {
    for suffix in COMPANIONS {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        if path.exists() {
            make_private(&path)?;
        }
    }
    Ok(())
}

/// Creates `path` with mode 0600, or sets an existing file to 0600.
#[cfg(unix)]
fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    // `mode` applies only when the file is created.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn make_private(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(drop)
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::os::unix::fs::PermissionsExt as _;

    use nanoauth_sqlx::SqlAdapter;

    use super::*;
    use crate::user::DemoUser;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[tokio::test]
    async fn the_data_dir_and_database_files_are_private() {
        let root = std::env::temp_dir().join(format!(
            "nanoauth-demo-storage-{}",
            nanoauth::utils::token::random_id().unwrap()
        ));
        let dir = root.join("nested").join("data");
        create_data_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.join("nested")), 0o700, "created parents too");

        let database = prepare_database(&dir).unwrap();
        assert_eq!(mode(&database), 0o600, "before SQLite opens it");
        let adapter = SqlAdapter::<DemoUser>::connect(&format!("sqlite://{}", database.display()))
            .await
            .unwrap();
        adapter.migrate().await.unwrap();
        crate::add_role_column(&adapter).await.unwrap();
        tighten_companions(&database).unwrap();
        assert_eq!(mode(&database), 0o600, "migrated, still private");
        let mut wal = database.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        assert!(wal.exists(), "the database is open in WAL mode");
        assert_eq!(mode(&wal), 0o600);

        // A database left readable by an older run is tightened.
        drop(adapter);
        std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
        prepare_database(&dir).unwrap();
        tighten_companions(&database).unwrap();
        assert_eq!((mode(&database), mode(&wal)), (0o600, 0o600));

        // An existing directory is left alone.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o750)).unwrap();
        create_data_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o750);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
