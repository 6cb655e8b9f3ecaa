//! Interoperability with another TOTP implementation: Python's `pyotp`
//! (`pip install pyotp`; `.ci/run` installs it) reads the `totpURI` the
//! server hands out and computes the codes a user's app would show; the
//! server accepts its codes from one step before to one step after, and
//! refuses two steps off.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Stdio};

use http::StatusCode;
use nanoauth::Clock;

use common::{Browser, PASSWORD, world};

/// pyotp's code for `uri` at each of `times`, or `None` (after saying so)
/// when pyotp is not installed.
fn pyotp_codes(uri: &str, times: &[u64]) -> Option<Vec<String>> {
    let installed = Command::new("python3")
        .args(["-c", "import pyotp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !installed {
        println!("skipping: pyotp is not installed (pip install pyotp)");
        return None;
    }
    let script = "import sys, pyotp\n\
                  totp = pyotp.parse_uri(sys.argv[1])\n\
                  for t in sys.argv[2:]:\n    print(totp.at(int(t)))\n";
    let output = Command::new("python3")
        .args(["-c", script, uri])
        .args(times.iter().map(u64::to_string))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pyotp failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[tokio::test]
async fn pyotp_reads_the_uri_and_its_codes_are_accepted_within_one_step() {
    let world = world();
    let auth = &world.auth;
    let mut browser = Browser::default();
    browser
        .post(
            auth,
            "/signup/email",
            serde_json::json!({ "email": "py@example.com", "password": PASSWORD, "name": "Py" }),
        )
        .await;
    let (_, body) = browser
        .post(
            auth,
            "/two-factor/enable",
            serde_json::json!({ "password": PASSWORD }),
        )
        .await;
    let uri = body["totpURI"].as_str().unwrap().to_owned();
    let now = world.clock.now();
    let Some(codes) = pyotp_codes(&uri, &[now]) else {
        return;
    };
    let (status, body) = browser
        .post(
            auth,
            "/two-factor/verify-totp",
            serde_json::json!({ "code": codes[0] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "pyotp's code confirms the app: {body}"
    );

    // At each later moment: codes one step off work, two steps off do not.
    // Moments are far apart, so an accepted code never blocks the next.
    for (round, (offset, accepted)) in [
        (-30i64, true),
        (30, true),
        (-60, false),
        (60, false),
        (0, true),
    ]
    .into_iter()
    .enumerate()
    {
        world.clock.advance(300);
        let server_now = world.clock.now();
        let at = server_now.saturating_add_signed(offset);
        let code = pyotp_codes(&uri, &[at]).unwrap().remove(0);
        let mut signing_in = Browser::default();
        let (_, challenge) = signing_in
            .post(
                auth,
                "/signin/email",
                serde_json::json!({ "email": "py@example.com", "password": PASSWORD }),
            )
            .await;
        assert_eq!(challenge, serde_json::json!({ "twoFactorRequired": true }));
        let (status, body) = signing_in
            .post(
                auth,
                "/two-factor/verify-totp",
                serde_json::json!({ "code": code }),
            )
            .await;
        assert_eq!(
            status == StatusCode::OK,
            accepted,
            "round {round}: a code {offset}s off: {status} {body}"
        );
    }
}
