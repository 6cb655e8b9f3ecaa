//! Signs in to a NanoAuth server and prints the session.
//!
//! ```sh
//! cargo run -p nanoauth-demo &   # or any NanoAuth server
//! NANOAUTH_PASSWORD='correct horse battery' \
//!   cargo run -p nanoauth-client --example cli -- http://127.0.0.1:3000 ada@example.com --sign-up
//! ```
//!
//! The password comes from `NANOAUTH_PASSWORD`, or else from the first line
//! of standard input (never from the command line, where other users of the
//! machine could read it). `--sign-up` creates the account first;
//! `--bearer` uses a bearer token instead of the session cookie. An account
//! with two-factor on is asked for a code (from the app, or a backup code)
//! on standard input.

/// A browser app has no command line.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
use std::io::BufRead as _;

#[cfg(not(target_arch = "wasm32"))]
use nanoauth_client::{AuthClient, ClientError, Mode, SignInOutcome};

#[cfg(not(target_arch = "wasm32"))]
const USAGE: &str = "usage: cli <base-url> <email> [--sign-up] [--bearer]";

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("error: {error}");
        let mut cause = error.source();
        while let Some(error) = cause {
            eprintln!("  caused by: {error}");
            cause = error.source();
        }
        std::process::exit(1);
    }
}

#[cfg(not(target_arch = "wasm32"))]
async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut positional = Vec::new();
    let (mut sign_up, mut mode) = (false, Mode::Cookie);
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--sign-up" => sign_up = true,
            "--bearer" => mode = Mode::Bearer,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => positional.push(arg),
        }
    }
    let [base_url, email] = positional.as_slice() else {
        return Err(USAGE.into());
    };
    let password = match std::env::var("NANOAUTH_PASSWORD") {
        Ok(password) => password,
        Err(_) => read_line("password: ")?,
    };

    // The server's user type is unknown here: read it as plain JSON.
    let client = AuthClient::<serde_json::Value>::builder(base_url)
        .mode(mode)
        .build()?;
    let signed_in = if sign_up {
        client.sign_up_email(email, &password, ()).await.map(drop)
    } else {
        match client.sign_in_email(email, &password).await {
            Ok(SignInOutcome::TwoFactorRequired) => {
                // Six digits come from the app; anything else is taken
                // for a backup code.
                let code = read_line("two-factor code (or a backup code): ")?;
                let code = code.trim();
                if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
                    client.two_factor().verify_totp(code, false).await.map(drop)
                } else {
                    client
                        .two_factor()
                        .verify_backup_code(code, false)
                        .await
                        .map(drop)
                }
            }
            other => other.map(drop),
        }
    };
    if let Err(ClientError::Api { code, message, .. }) = &signed_in {
        return Err(format!("refused: {message} ({code})").into());
    }
    signed_in?;

    // Ask the server again, as an app does at start-up.
    match client.session().await? {
        Some(session) => {
            println!("user:    {}", serde_json::to_string_pretty(&session.user)?);
            println!(
                "session: {}",
                serde_json::to_string_pretty(&session.session)?
            );
        }
        None => println!("no session"),
    }
    Ok(())
}

/// A line from standard input, after `prompt` on standard error.
#[cfg(not(target_arch = "wasm32"))]
fn read_line(prompt: &str) -> std::io::Result<String> {
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
