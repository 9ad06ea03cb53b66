//! Crash test of the import job: the real `switchboard serve` binary,
//! killed with SIGKILL while an import of 30,000 rows is under way and
//! restarted on the same database. The import resumes where it stopped and
//! finishes: every row is counted once, every valid number is one contact
//! with one `contact.created` event, and each rejected row is reported
//! once.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use testkit::Auth;
use testkit::process::ServerProcess;

const BINARY: &str = env!("CARGO_BIN_EXE_switchboard");
const ROWS: usize = 30_000;

/// Row `i`'s cells: a reference, a phone number and a name. Every 997th
/// row has no valid number; every 1,499th repeats the number before it.
fn row(i: usize) -> (String, String) {
    let phone = if i % 997 == 996 {
        "not a phone".to_owned()
    } else if i % 1499 == 1498 {
        format!("+4479{:08}", i - 1)
    } else {
        format!("+4479{i:08}")
    };
    (format!("ref-{i}"), phone)
}

fn is_rejected(i: usize) -> bool {
    let dup_of_valid = i % 1499 == 1498 && (i - 1) % 997 != 996;
    i % 997 == 996 || dup_of_valid
}

/// A tenant on the plan without limits; its id and API key.
async fn tenant(server: &ServerProcess) -> (String, String) {
    let (status, login) = server
        .post(
            "/api/v1/operator/login",
            Auth::None,
            &json!({ "email": "operator@switchboard.local", "password": server.operator_password }),
        )
        .await;
    assert_eq!(status, 200, "{login}");
    let token = login["access_token"].as_str().unwrap().to_owned();
    let body = json!({ "name": "Import crash", "slug": "import-crash", "plan": "enterprise",
                       "owner_email": "owner@import-crash.example.com" });
    let (status, t) = server
        .post("/api/v1/operator/tenants", Auth::Bearer(&token), &body)
        .await;
    assert_eq!(status, 201, "{t}");
    (
        t["tenant"]["id"].as_str().unwrap().to_owned(),
        t["api_key"]["secret"].as_str().unwrap().to_owned(),
    )
}

async fn status(server: &ServerProcess, key: &str, id: &str) -> Value {
    let (code, body) = server
        .get(&format!("/api/v1/contact-imports/{id}"), Auth::ApiKey(key))
        .await;
    assert_eq!(code, 200, "{body}");
    body
}

#[tokio::test]
async fn an_import_killed_midway_resumes_without_duplicates_or_gaps() {
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        let env = [("SWITCHBOARD_JOB_LEASE_SECONDS", "2".to_owned())];
        let mut server = ServerProcess::start(std::path::Path::new(BINARY), engine, &env).await;
        let (tenant_id, key) = tenant(&server).await;

        let mut file = String::from("ref,phone,name\n");
        for i in 0..ROWS {
            let (reference, phone) = row(i);
            file.push_str(&format!("{reference},{phone},Customer {i}\n"));
        }
        let res = server
            .client
            .post(format!("{}/api/v1/contact-imports", server.url))
            .header("x-api-key", &key)
            .header("content-type", "text/csv")
            .body(file)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let import: Value = res.json().await.unwrap();
        let id = import["id"].as_str().unwrap().to_owned();
        let mapping = json!({ "mapping": { "phone": "phone", "name": "name" } });
        let (code, body) = server
            .post(
                &format!("/api/v1/contact-imports/{id}/start"),
                Auth::ApiKey(&key),
                &mapping,
            )
            .await;
        assert_eq!(code, 202, "{body}");

        // Killed once a few parts are in.
        let processed = std::cell::Cell::new(0);
        server
            .eventually("the import is under way", || async {
                processed.set(
                    status(&server, &key, &id).await["processed"]
                        .as_i64()
                        .unwrap(),
                );
                processed.get() >= 3000
            })
            .await;
        let at_kill = processed.get();
        server.kill();
        eprintln!("killed with {at_kill} of {ROWS} rows processed");
        assert!(
            (at_kill as usize) < ROWS,
            "the import finished before the kill; nothing was resumed"
        );
        server.restart().await;
        server
            .eventually("the import finishes after the restart", || async {
                status(&server, &key, &id).await["status"] == "finished"
            })
            .await;

        let done = status(&server, &key, &id).await;
        let rejected_rows: BTreeSet<usize> = (0..ROWS).filter(|i| is_rejected(*i)).collect();
        let created = (ROWS - rejected_rows.len()) as i64;
        assert_eq!(done["processed"], json!(ROWS), "{done}");
        assert_eq!(done["created"], json!(created), "{done}");
        assert_eq!(done["rejected"], json!(rejected_rows.len()), "{done}");

        // Each rejected row once, and only those.
        let csv = server
            .client
            .get(format!(
                "{}/api/v1/contact-imports/{id}/rejected.csv",
                server.url
            ))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let refs: Vec<usize> = csv
            .lines()
            .skip(1)
            .map(|l| {
                l.split(',')
                    .next()
                    .unwrap()
                    .trim_start_matches("ref-")
                    .parse()
                    .unwrap()
            })
            .collect();
        assert_eq!(refs.len(), rejected_rows.len(), "no row reported twice");
        assert_eq!(refs.iter().copied().collect::<BTreeSet<_>>(), rejected_rows);

        // One contact, and one contact.created, per valid number.
        let store = server.store().await;
        let mut tx = store.tenant(tenant_id.parse().unwrap()).await.unwrap();
        assert_eq!(tx.count_contacts().await.unwrap(), created);
        let mut seen = 0;
        let mut after = 0;
        loop {
            let batch = tx.events_after(after, 5000).await.unwrap();
            let Some(last) = batch.last() else { break };
            after = last.seq;
            seen += batch.iter().filter(|e| e.name == "contact.created").count();
        }
        assert_eq!(seen as i64, created, "one contact.created per contact");
        tx.commit().await.unwrap();
        assert_eq!(server.starts(), 2);
    }
}
