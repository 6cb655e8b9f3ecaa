//! `SmtpSender` against a real SMTP server on loopback: Python's aiosmtpd,
//! started by each test (`pip install aiosmtpd`), which decodes every
//! message it receives with Python's `email` package and writes it as JSON.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nanoauth::Email;
use nanoauth_email::{EmailSender, EmailTemplates, MagicLink, OutgoingEmail, SmtpSender, Tls};
use serde_json::Value;

type TestResult = Result<(), Box<dyn Error>>;

/// Listens on a port the OS picks and prints it once it accepts
/// connections; exits when its standard input closes (the test died) or
/// after two minutes, so it never outlives a test run.
const SERVER: &str = r#"
import asyncio, email, email.policy, json, os, socket, sys, threading
from aiosmtpd.smtp import SMTP

out = sys.argv[1]

class Handler:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = msg.iter_parts() if msg.is_multipart() else [msg]
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "content_type": msg.get_content_type(),
            "header_names": list(msg.keys()),
            "parts": [
                {"content_type": p.get_content_type(), "content": p.get_content()}
                for p in parts
            ],
        }
        Handler.count += 1
        path = os.path.join(out, f"{Handler.count}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"

def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)

async def main():
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(Handler(), enable_SMTPUTF8=True), sock=sock)
    print(sock.getsockname()[1], flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"#;

/// The aiosmtpd child process and the folder it writes to; dropping it
/// kills the process and removes the folder.
struct SmtpServer {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl SmtpServer {
    /// `None` (after saying so) when aiosmtpd is not installed.
    fn start() -> Result<Option<Self>, Box<dyn Error>> {
        // Installed on first use when python3 is there; skipped (and
        // said) when it cannot be.
        if !nanoauth_testing::servers::python_module("aiosmtpd", "aiosmtpd") {
            return Ok(None);
        }
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "nanoauth-email-smtp-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        let mut child = Command::new("python3")
            .args(["-c", SERVER])
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take();
        // From here on, the guard kills the child whatever happens.
        let mut server = Self {
            child,
            dir,
            port: 0,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            if let Some(stdout) = stdout {
                let _ = BufReader::new(stdout).read_line(&mut line);
            }
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20))?;
        server.port = line
            .trim()
            .parse()
            .map_err(|_| format!("the SMTP server did not start (it printed {line:?})"))?;
        server.wait_until_listening()?;
        Ok(Some(server))
    }

    fn wait_until_listening(&self) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("nothing listens on port {}", self.port).into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    fn sender(&self) -> Result<SmtpSender, Box<dyn Error>> {
        Ok(
            SmtpSender::builder("127.0.0.1", "NanoAuth <auth@example.com>")
                .port(self.port)
                .tls(Tls::danger_none())
                .timeout(Duration::from_secs(10))
                .build()?,
        )
    }

    /// The `n`th message the server stored (from 1), as the JSON above.
    /// Waits without blocking the runtime: the mail may still be on its way
    /// from a background task of the same (single-threaded) test runtime.
    async fn message(&self, n: u32) -> Result<Value, Box<dyn Error>> {
        let path = self.dir.join(format!("{n}.json"));
        let deadline = Instant::now() + Duration::from_secs(5);
        while !path.exists() {
            if Instant::now() > deadline {
                return Err(format!("no message {n} in {}", self.dir.display()).into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn email(raw: &str) -> Result<Email, Box<dyn Error>> {
    Email::parse(raw).ok_or_else(|| format!("{raw} is not an email").into())
}

/// A decoded body, with the line endings and final newline the MIME
/// encoding may add taken off.
fn body(part: &Value) -> String {
    part["content"]
        .as_str()
        .unwrap_or_default()
        .replace("\r\n", "\n")
        .trim_end_matches('\n')
        .to_owned()
}

#[tokio::test]
async fn text_and_html_arrive_as_multipart_alternative() -> TestResult {
    let Some(server) = SmtpServer::start()? else {
        return Ok(());
    };
    let subject = "Grüße, Zoë — ваш вход ✓";
    let text = "Hallo Zoë!\nДобро пожаловать. 你好 🎉\nhttps://app.test/x?a=1&b=2";
    let html = "<p>Hallo Zoë! Добро пожаловать. 你好 🎉</p>";
    let message = OutgoingEmail::new(email("ada@example.com")?, subject, text).with_html(html);
    server.sender()?.send(&message).await?;

    let stored = server.message(1).await?;
    assert_eq!(stored["mail_from"], "auth@example.com");
    assert_eq!(stored["rcpt_tos"], serde_json::json!(["ada@example.com"]));
    assert_eq!(stored["from"], "NanoAuth <auth@example.com>");
    assert_eq!(stored["to"], "ada@example.com");
    assert_eq!(stored["subject"], subject);
    assert_eq!(stored["content_type"], "multipart/alternative");
    let parts = stored["parts"].as_array().ok_or("no parts")?;
    assert_eq!(parts.len(), 2, "{stored}");
    assert_eq!(parts[0]["content_type"], "text/plain");
    assert_eq!(body(&parts[0]), text);
    assert_eq!(parts[1]["content_type"], "text/html");
    assert_eq!(body(&parts[1]), html);
    Ok(())
}

#[tokio::test]
async fn text_alone_arrives_as_text_plain() -> TestResult {
    let Some(server) = SmtpServer::start()? else {
        return Ok(());
    };
    let message = OutgoingEmail::new(email("bob@example.org")?, "Plain", "Just text, ünïcode.");
    server.sender()?.send(&message).await?;

    let stored = server.message(1).await?;
    assert_eq!(stored["rcpt_tos"], serde_json::json!(["bob@example.org"]));
    assert_eq!(stored["subject"], "Plain");
    assert_eq!(stored["content_type"], "text/plain");
    let parts = stored["parts"].as_array().ok_or("no parts")?;
    assert_eq!(parts.len(), 1);
    assert_eq!(body(&parts[0]), "Just text, ünïcode.");
    Ok(())
}

#[tokio::test]
async fn a_rendered_template_keeps_its_escaped_link() -> TestResult {
    let Some(server) = SmtpServer::start()? else {
        return Ok(());
    };
    let url = "https://app.test/api/auth/magic-link/verify?token=abc&callback=%2F";
    let rendered = EmailTemplates::new().magic_link(&MagicLink::new(url, 10));
    let sender = server.sender()?;
    sender
        .send(&rendered.clone().to(email("ada@example.com")?))
        .await?;
    // A second message on the same sender opens a new connection.
    sender.send(&rendered.to(email("bob@example.com")?)).await?;

    for (n, to) in [(1, "ada@example.com"), (2, "bob@example.com")] {
        let stored = server.message(n).await?;
        assert_eq!(stored["rcpt_tos"], serde_json::json!([to]));
        assert_eq!(stored["subject"], "Your sign-in link");
        let parts = stored["parts"].as_array().ok_or("no parts")?;
        assert!(body(&parts[0]).contains(url));
        assert!(body(&parts[1]).contains(
            r#"href="https://app.test/api/auth/magic-link/verify?token=abc&amp;callback=%2F""#
        ));
    }
    Ok(())
}

#[tokio::test]
async fn a_subject_cannot_add_headers_or_recipients() -> TestResult {
    let Some(server) = SmtpServer::start()? else {
        return Ok(());
    };
    let subject = "Hi\r\nBcc: eve@evil.test\r\n\r\nInjected body";
    let message = OutgoingEmail::new(email("ada@example.com")?, subject, "Body");
    server.sender()?.send(&message).await?;

    let stored = server.message(1).await?;
    assert_eq!(stored["rcpt_tos"], serde_json::json!(["ada@example.com"]));
    let headers = stored["header_names"].as_array().ok_or("no headers")?;
    assert!(
        !headers
            .iter()
            .any(|h| h.as_str().is_some_and(|h| h.eq_ignore_ascii_case("bcc")))
    );
    assert_eq!(stored["subject"], "Hi  Bcc: eve@evil.test    Injected body");
    assert_eq!(body(&stored["parts"][0]), "Body");
    Ok(())
}

/// A port that nothing listens on (bound, then released).
fn closed_port() -> Result<u16, Box<dyn Error>> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[tokio::test]
async fn no_server_is_an_error_not_a_panic() -> TestResult {
    let sender = SmtpSender::builder("127.0.0.1", "auth@example.com")
        .port(closed_port()?)
        .tls(Tls::danger_none())
        .timeout(Duration::from_secs(2))
        .build()?;
    let message = OutgoingEmail::new(email("ada@example.com")?, "Hi", "secret-link-body");
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(10), sender.send(&message)).await?;
    let error = result.err().ok_or("sending to a closed port succeeded")?;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        error.source().is_some(),
        "the transport error is the source"
    );
    assert!(!error.to_string().contains("secret-link-body"), "{error}");
    Ok(())
}

#[tokio::test]
async fn a_silent_server_times_out() -> TestResult {
    // Accepts connections (the kernel does, into the backlog) but never
    // sends the SMTP greeting.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let sender = SmtpSender::builder("127.0.0.1", "auth@example.com")
        .port(listener.local_addr()?.port())
        .tls(Tls::danger_none())
        .timeout(Duration::from_millis(500))
        .build()?;
    let message = OutgoingEmail::new(email("ada@example.com")?, "Hi", "Body");
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(10), sender.send(&message)).await?;
    assert!(
        result.is_err(),
        "a server that never answers cannot accept mail"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
    Ok(())
}

#[tokio::test]
async fn starttls_required_refuses_a_server_without_it() -> TestResult {
    let Some(server) = SmtpServer::start()? else {
        return Ok(());
    };
    // aiosmtpd without a TLS context does not offer STARTTLS: the default
    // setting must fail rather than fall back to plaintext.
    let sender = SmtpSender::builder("127.0.0.1", "auth@example.com")
        .port(server.port)
        .timeout(Duration::from_secs(5))
        .build()?;
    let message = OutgoingEmail::new(email("ada@example.com")?, "Hi", "Body");
    assert!(sender.send(&message).await.is_err());
    assert!(!server.dir.join("1.json").exists());
    Ok(())
}

/// The link in a message's text part.
fn link_in(stored: &Value) -> Result<String, Box<dyn Error>> {
    let parts = stored["parts"].as_array().ok_or("no parts")?;
    let text = body(&parts[0]);
    let link = text
        .split_whitespace()
        .find(|word| word.starts_with("http"))
        .ok_or("no link in the message")?;
    Ok(link.to_owned())
}

/// Follows a mailed link as a browser does: its `GET` answers a page whose
/// form posts the link's fields back; post them as the page would (form
/// encoded, `Origin: null` from its `no-referrer` page).
async fn follow(
    auth: &nanoauth::Auth<
        nanoauth::BasicUser,
        nanoauth::adapter::memory::MemoryAdapter<nanoauth::BasicUser>,
    >,
    path: &str,
) -> Result<http::response::Parts, Box<dyn Error>> {
    let page = auth
        .handler(http::Request::get(path).body(String::new())?)
        .await;
    assert_eq!(page.status(), 200);
    let html = std::str::from_utf8(page.body())?;
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("the page has no form")?;
    let fields: Vec<String> = html
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|input| {
            let (name, rest) = input.split_once("\" value=\"")?;
            let value = rest.split('"').next()?.replace("&amp;", "&");
            Some(format!(
                "{}={}",
                nanoauth::utils::url::encode(name),
                nanoauth::utils::url::encode(&value)
            ))
        })
        .collect();
    let post = http::Request::post(action)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .body(fields.join("&"))?;
    Ok(auth.handler(post).await.into_parts().0)
}

/// Issue 6's whole flows over real SMTP: ask for a magic link through
/// `Auth::handler`, receive the mail, follow its link, be signed in; then ask
/// for a password reset, receive it, reset, sign in with the new password.
#[tokio::test]
async fn magic_link_and_password_reset_through_real_smtp() -> TestResult {
    use nanoauth::adapter::memory::MemoryAdapter;
    use nanoauth::plugins::email_password::EmailPassword;
    use nanoauth::plugins::magic_link::MagicLink as MagicLinkPlugin;
    use nanoauth::plugins::password_reset::PasswordReset;
    use nanoauth::utils::password::PasswordHasher;
    use nanoauth::{Auth, BasicSignUp, BasicUser, ClientInfo};

    let Some(server) = SmtpServer::start()? else {
        return Ok(());
    };
    let templates = EmailTemplates::new();
    let magic_templates = templates.clone();
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("smtp flow test secret, thirty-two bytes+")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1)?))
        .plugin(
            MagicLinkPlugin::new(server.sender()?).render(move |to, url, minutes| {
                let minutes = u32::try_from(minutes).unwrap_or(u32::MAX);
                magic_templates
                    .magic_link(&MagicLink::new(url, minutes))
                    .to(to.clone())
            }),
        )
        .plugin(PasswordReset::new(server.sender()?))
        .build()?;
    auth.email_password()
        .sign_up(
            "smtp@example.com",
            "the first password",
            BasicSignUp::default(),
            ClientInfo::default(),
        )
        .await?;

    let post = |path: &str, body: String| {
        http::Request::post(path)
            .header("content-type", "application/json")
            .body(body)
    };
    let response = auth
        .handler(post(
            "/api/auth/signin/magic-link",
            r#"{"email":"smtp@example.com","callbackURL":"/home"}"#.into(),
        )?)
        .await;
    assert_eq!(response.status(), 200);
    let mail = server.message(1).await?;
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["smtp@example.com"]));
    assert_eq!(
        mail["content_type"], "multipart/alternative",
        "the HTML template was used"
    );
    let link = link_in(&mail)?;
    let path = link
        .strip_prefix("http://localhost:3000")
        .ok_or("the link points elsewhere")?;
    let followed = follow(&auth, path).await?;
    assert_eq!(followed.status, 303);
    assert_eq!(followed.headers["location"], "/home");
    let cookie = followed.headers["set-cookie"]
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let page = http::Request::get("/").header("cookie", cookie).body(())?;
    let session = auth
        .get_session(&page)
        .await?
        .ok_or("signed in by the link")?;
    assert_eq!(session.user.email, "smtp@example.com");

    let response = auth
        .handler(post(
            "/api/auth/request-password-reset",
            r#"{"email":"smtp@example.com","redirectTo":"/reset"}"#.into(),
        )?)
        .await;
    assert_eq!(response.status(), 200);
    let link = link_in(&server.message(2).await?)?;
    let token = link
        .split("token=")
        .nth(1)
        .ok_or("no token in the reset link")?;
    let body =
        serde_json::json!({ "token": token, "newPassword": "the second password" }).to_string();
    assert_eq!(
        auth.handler(post("/api/auth/reset-password", body)?)
            .await
            .status(),
        200
    );
    auth.email_password()
        .sign_in(
            "smtp@example.com",
            "the second password",
            ClientInfo::default(),
        )
        .await?;
    assert!(
        auth.get_session(&page).await?.is_none(),
        "the reset ended the session"
    );
    Ok(())
}

/// Email verification over real SMTP: sign up (no session yet), receive the
/// link, follow it, then sign in.
#[tokio::test]
async fn email_verification_through_real_smtp() -> TestResult {
    use nanoauth::adapter::memory::MemoryAdapter;
    use nanoauth::plugins::email_password::EmailPassword;
    use nanoauth::plugins::email_verification::EmailVerification;
    use nanoauth::utils::password::PasswordHasher;
    use nanoauth::{Auth, BasicUser, ClientInfo};

    let Some(server) = SmtpServer::start()? else {
        return Ok(());
    };
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("smtp verification test secret, 32 bytes+")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1)?))
        .plugin(EmailVerification::new(server.sender()?).require_verified_sign_in())
        .build()?;
    let sign_up = http::Request::post("/api/auth/signup/email")
        .header("content-type", "application/json")
        .body(
            r#"{"email":"verify@example.com","password":"correct horse battery","name":"V"}"#
                .to_owned(),
        )?;
    let response = auth.handler(sign_up).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_none());
    let refused = auth
        .email_password()
        .sign_in(
            "verify@example.com",
            "correct horse battery",
            ClientInfo::default(),
        )
        .await;
    assert!(matches!(refused, Err(nanoauth::Error::EmailNotVerified)));

    let mail = server.message(1).await?;
    assert_eq!(mail["rcpt_tos"], serde_json::json!(["verify@example.com"]));
    let link = link_in(&mail)?;
    let path = link
        .strip_prefix("http://localhost:3000")
        .ok_or("the link points elsewhere")?;
    let followed = follow(&auth, path).await?;
    assert_eq!(followed.status, 303);
    assert_eq!(followed.headers["location"], "/?verified=true");
    auth.email_password()
        .sign_in(
            "verify@example.com",
            "correct horse battery",
            ClientInfo::default(),
        )
        .await?;
    Ok(())
}
