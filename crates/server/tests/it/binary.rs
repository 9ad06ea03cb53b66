//! The `switchboard` binary itself: first start prints the operator's
//! one-time password, the API answers, SIGTERM shuts down cleanly, and a
//! second start prints no password.

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(dir: &std::path::Path, port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("serve")
        .env("SWITCHBOARD_DATA_DIR", dir)
        .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .env_remove("SWITCHBOARD_MASTER_KEY")
        .env("SWITCHBOARD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("switchboard starts")
}

async fn wait_ready(base: &str) {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not become ready");
}

fn terminate(child: &mut std::process::Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    child.wait().unwrap()
}

#[tokio::test]
async fn first_start_prints_the_operator_password_once_and_sigterm_is_graceful() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start(dir.path(), port);
    let stdout = child.stdout.take().unwrap();
    // Keep draining stdout after the password, so the server never writes
    // into a closed pipe.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(p) = line.trim().strip_prefix("password:") {
                let _ = tx.send(p.trim().to_owned());
            }
        }
    });
    let password = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("a one-time password on stdout");
    wait_ready(&base).await;

    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/v1/operator/login"))
        .json(&json!({ "email": "operator@switchboard.local", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let key_file = dir.path().join("master.key");
    assert!(
        key_file.exists(),
        "the embedded default creates its master key file"
    );
    assert!(dir.path().join("switchboard.db").exists());

    assert!(terminate(&mut child).success(), "SIGTERM exits cleanly");

    // Second start: same database, no new password.
    let mut child = start(dir.path(), port);
    wait_ready(&base).await;
    let status = terminate(&mut child);
    assert!(status.success());
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(
        !out.contains("password:"),
        "no new password on a second start: {out}"
    );
}
