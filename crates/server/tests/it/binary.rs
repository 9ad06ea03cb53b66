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

#[tokio::test]
async fn demo_starts_a_tenant_with_two_numbers_and_customers_writing_in() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("demo")
        .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .env_remove("SWITCHBOARD_DATA_DIR")
        .env("SWITCHBOARD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("switchboard demo starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The banner names the dashboard URL, the owner's login and an API key.
    let mut banner = Vec::new();
    let api_key = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("demo banner incomplete: {banner:?}"));
        banner.push(line.clone());
        if let Some(key) = line.trim().strip_prefix("API key:") {
            break key.trim().to_owned();
        }
    };
    let sandbox_url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("demo banner incomplete: {banner:?}"));
        banner.push(line.clone());
        if let Some(url) = line.trim().strip_prefix("Cloud API sandbox:") {
            break url.trim().to_owned();
        }
    };
    let banner = banner.join("\n");
    let base = format!("http://127.0.0.1:{port}");
    assert!(banner.contains(&format!("{base}/app")), "{banner}");
    assert!(banner.contains("owner@demo.switchboard.local"), "{banner}");

    let client = reqwest::Client::new();
    let get = |path: &str| {
        client
            .get(format!("{base}{path}"))
            .bearer_auth(&api_key)
            .send()
    };
    let channels: serde_json::Value = get("/api/v1/channels").await.unwrap().json().await.unwrap();
    assert_eq!(
        channels["items"].as_array().map(Vec::len),
        Some(3),
        "{channels}"
    );
    // The CRM is set up: a VIP segment holding the tagged customer, a deal
    // on the Catering board, two quick replies.
    let json = |path: &'static str| {
        let get = &get;
        async move {
            get(path)
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let segments = json("/api/v1/segments").await;
    let vip = segments["items"][0]["id"]
        .as_str()
        .expect("a segment")
        .to_owned();
    let count = get(&format!("/api/v1/segments/{vip}/count"))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(count["count"], 1, "{count}");
    let deals = json("/api/v1/deals").await;
    assert_eq!(
        deals["items"][0]["title"], "Office breakfast for 20",
        "{deals}"
    );
    let campaigns = json("/api/v1/campaigns").await;
    assert_eq!(
        (
            campaigns["items"][0]["name"].clone(),
            campaigns["items"][0]["status"].clone()
        ),
        (
            serde_json::json!("Win back our VIPs"),
            serde_json::json!("draft")
        ),
        "{campaigns}"
    );
    let replies = json("/api/v1/quick-replies").await;
    assert_eq!(
        replies["items"].as_array().map(Vec::len),
        Some(2),
        "{replies}"
    );
    let workflows = json("/api/v1/workflows").await;
    let names: Vec<&str> = workflows["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w["enabled"] == true)
        .filter_map(|w| w["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Catering enquiries",
            "New VIP",
            "Opening hours",
            "Table bookings"
        ],
        "{workflows}"
    );
    let rules = json("/api/v1/auto-tag-rules").await;
    assert_eq!(rules["items"][0]["name"], "Late deliveries", "{rules}");
    let hours = json("/api/v1/business-hours").await;
    assert_eq!(hours["weekly"]["sunday"][0]["start"], "08:00", "{hours}");
    // The booking bot answers on the third number, with three services and
    // two bookings made; a person writing there gets its menu.
    let booking = json("/api/v1/booking/settings").await;
    assert_eq!(
        booking["channel_ids"].as_array().map(Vec::len),
        Some(1),
        "{booking}"
    );
    let services = json("/api/v1/booking/services").await;
    assert_eq!(
        services["items"].as_array().map(Vec::len),
        Some(3),
        "{services}"
    );
    let bookings = json("/api/v1/bookings").await;
    assert_eq!(
        bookings["items"].as_array().map(Vec::len),
        Some(2),
        "{bookings}"
    );
    let menu = customer_gets(
        &sandbox_url,
        server::demo::BOOKING_NUMBER.0,
        "15550009999",
        "hi",
        |m| m["type"] == "interactive",
    )
    .await;
    assert_eq!(
        menu["content"]["action"]["buttons"][0]["reply"]["id"], "book",
        "the bot's menu reached the customer: {menu}"
    );
    // The Delivery number is linked to the Genesys sandbox: a customer who
    // asks for an agent gets the sandbox agent's answer on WhatsApp.
    let links = json("/api/v1/genesys/links").await;
    assert_eq!(links[0]["routing"], "handover", "{links}");
    let answer = customer_gets(
        &sandbox_url,
        "113982746610537",
        "15550008888",
        "I need an agent please",
        |m| {
            m["content"]["body"]
                .as_str()
                .is_some_and(|b| b.contains("I need an agent please"))
        },
    )
    .await;
    assert!(
        !answer.is_null(),
        "the Genesys sandbox agent answered the customer"
    );
    let drips = json("/api/v1/drips").await;
    assert_eq!(drips["items"][0]["name"], "Come back soon", "{drips}");
    assert_eq!(drips["items"][0]["enabled"], true, "{drips}");
    // Enrolled customers: still under way, or out already if the
    // simulated customer's first message (a reply) came after enrolment.
    let enrolled: i64 = ["active", "completed", "exited"]
        .iter()
        .filter_map(|s| drips["items"][0]["subscribers"][s].as_i64())
        .sum();
    assert!(enrolled >= 1, "{drips}");
    // A simulated customer writes in right away, then every few seconds.
    let mut conversations = serde_json::Value::Null;
    for _ in 0..200 {
        conversations = get("/api/v1/conversations")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if conversations["items"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        conversations["items"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "a demo customer wrote in: {conversations}"
    );
    // The Baristas team gives it to the owner, in turn.
    let mut assigned = serde_json::Value::Null;
    for _ in 0..200 {
        let c: serde_json::Value = get("/api/v1/conversations")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assigned = c["items"][0]["assigned_user_id"].clone();
        if assigned.is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        assigned.is_string(),
        "the team's rule assigned it: {assigned}"
    );
    // The demo's webhook endpoint got it, signed, and so did the stand-in
    // Cloud API bot, in Meta's format; the console says so.
    let (mut delivered, mut forwarded) = (None, None);
    for l in std::iter::from_fn(|| rx.recv_timeout(Duration::from_secs(30)).ok()) {
        if l.contains("webhook") && l.contains("message.received") {
            delivered.get_or_insert(l);
        } else if l.contains("bot") && l.contains("Meta webhook: messages") {
            forwarded.get_or_insert(l);
        }
        if delivered.is_some() && forwarded.is_some() {
            break;
        }
    }
    assert!(
        delivered.is_some_and(|l| l.contains("signed: true")),
        "a signed delivery is printed"
    );
    assert!(
        forwarded.is_some_and(|l| l.contains("signed: true")),
        "a forwarded Meta webhook is printed"
    );
    assert!(terminate(&mut child).success(), "the demo stops cleanly");
}

/// Customer `from` writes `body` to number `pnid` through the sandbox at
/// `sandbox_url`; the first message they then receive that `wanted`
/// accepts (`null` if none comes within ten seconds).
async fn customer_gets(
    sandbox_url: &str,
    pnid: &str,
    from: &str,
    body: &str,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let sandbox = reqwest::Client::new();
    let r = sandbox
        .post(format!("{sandbox_url}/_sandbox/inbound"))
        .json(&serde_json::json!({ "phone_number_id": pnid, "from": from,
            "type": "text", "body": body }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{:?}", r.text().await);
    for _ in 0..200 {
        let got: serde_json::Value = sandbox
            .get(format!("{sandbox_url}/_sandbox/messages?to={from}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let found = got["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| wanted(m));
        if let Some(m) = found {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    serde_json::Value::Null
}
