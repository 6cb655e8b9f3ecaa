//! `nanoauth secret`: a new secret from the operating system's random
//! number generator, and how to rotate one.

use clap::Subcommand;
use nanoauth::utils::token::random_token;

use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub(crate) enum SecretCommand {
    /// Print a new secret: 32 random bytes from the OS, base64url (43 characters).
    Generate,
    /// Show how to rotate the secret without signing anyone out.
    Rotate,
}

pub(crate) fn run(command: &SecretCommand) -> Result<(), CliError> {
    // 256 bits from the OS CSPRNG (getrandom), the same source as session
    // tokens; the 43 characters are 43 bytes of key material for
    // `AuthBuilder::secret`, above its 32-byte minimum.
    let secret = random_token().map_err(|error| CliError::failed(error.to_string()))?;
    match command {
        SecretCommand::Generate => println!("{secret}"),
        SecretCommand::Rotate => print!("{}", rotation_guide(&secret)),
    }
    Ok(())
}

fn rotation_guide(new_secret: &str) -> String {
    format!(
        "Rotating NanoAuth's secret

NanoAuth takes a list of secrets: the first signs and seals new values, all
of them verify and open old ones. A rotation puts the new secret in front of
the old one, and removes the old one only once nothing needs it.

1. A new secret (generated now; `nanoauth secret generate` makes another):

     {new_secret}

2. Deploy with both, the new one first, on every instance:

     Auth::builder(adapter)
         .secret(std::env::var(\"AUTH_SECRET\")?)           // the new one: signs
         .secret(std::env::var(\"AUTH_SECRET_PREVIOUS\")?)  // the old one: verifies
         ...

   with AUTH_SECRET set to the new secret and AUTH_SECRET_PREVIOUS to the old.
   Sessions and tokens issued before keep working.

3. Remove the old secret only when nothing signed or sealed with it is
   needed: after the longest-lived token made with it has expired (sessions:
   the session lifetime, 7 days by default), and never while values sealed
   with it are kept (two-factor seeds stay sealed with the secret that was
   current when they were enrolled; JWT signing keys are re-made). If the old
   secret leaked, remove it at once instead: everyone signs in again.
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_shows_the_new_secret_in_front_of_the_old() {
        let guide = rotation_guide("NEW");
        let new = guide.find("AUTH_SECRET\")").unwrap_or(usize::MAX);
        let old = guide.find("AUTH_SECRET_PREVIOUS").unwrap_or(0);
        assert!(new < old, "{guide}");
        assert!(guide.contains("\n     NEW\n"), "{guide}");
    }
}
