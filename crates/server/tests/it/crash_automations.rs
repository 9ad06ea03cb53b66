//! Crash test of workflow runs: the real `switchboard serve` binary,
//! killed with SIGKILL several times while many runs take their steps,
//! restarted on the same database each time. Every run completes, and each
//! step of each run was done exactly once: no step repeated (each contact
//! has each of the workflow's notes once), none skipped.

use crate::crash::{meta, start};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use testkit::Auth;

const CONTACTS: usize = 25;
const STEPS: usize = 40;
const KILL_AFTER_NOTES: [usize; 3] = [150, 450, 750];

#[tokio::test]
async fn crash_while_runs_take_their_steps_repeats_and_skips_no_step() {
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        let meta = meta(Duration::from_millis(100)).await;
        let mut server = start(engine, &meta, &[("SWITCHBOARD_WORKER_CONCURRENCY", "4")]).await;
        let (_tenant, key) = server.create_tenant("crash-flows").await;
        let steps: Vec<Value> = (0..STEPS)
            .map(|i| json!({ "type": "add_note", "text": format!("step {i}") }))
            .collect();
        let (status, workflow) = server
            .post(
                "/api/v1/workflows",
                Auth::ApiKey(&key),
                &json!({ "name": "Many notes", "enabled": true, "definition": {
                    "trigger": {"type": "contact_created"}, "steps": steps } }),
            )
            .await;
        assert_eq!(status, 201, "{workflow}");
        let mut contacts = Vec::new();
        for n in 0..CONTACTS {
            let (status, c) = server
                .post(
                    "/api/v1/contacts",
                    Auth::ApiKey(&key),
                    &json!({ "phone": format!("+1650556{n:04}"), "name": format!("Crash {n}") }),
                )
                .await;
            assert_eq!(status, 201, "{c}");
            contacts.push(c["id"].as_str().unwrap().to_owned());
        }

        for kill_at in KILL_AFTER_NOTES {
            server
                .eventually("notes reach the kill point", || async {
                    server.all_pages("/api/v1/notes?", &key).await.len() >= kill_at
                })
                .await;
            server.kill();
            eprintln!("killed at {kill_at}+ notes");
            server.restart().await;
        }

        let id = workflow["id"].as_str().unwrap().to_owned();
        let runs_path = format!("/api/v1/workflow-runs?workflow_id={id}&");
        server
            .eventually("every run completes", || async {
                let runs = server.all_pages(&runs_path, &key).await;
                runs.len() == CONTACTS && runs.iter().all(|r| r["status"] == "completed")
            })
            .await;
        for contact in &contacts {
            let notes = server
                .all_pages(&format!("/api/v1/notes?contact_id={contact}&"), &key)
                .await;
            let mut seen: HashMap<String, usize> = HashMap::new();
            for n in &notes {
                *seen
                    .entry(n["body"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
            assert_eq!(
                seen.len(),
                STEPS,
                "every step's note, for {contact}: {seen:?}"
            );
            assert!(
                seen.values().all(|n| *n == 1),
                "no note twice, for {contact}: {seen:?}"
            );
        }
        for r in server.all_pages(&runs_path, &key).await {
            let (status, run) = server
                .get(
                    &format!("/api/v1/workflow-runs/{}", r["id"].as_str().unwrap()),
                    Auth::ApiKey(&key),
                )
                .await;
            assert_eq!(status, 200, "{run}");
            let paths: Vec<&str> = run["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["path"].as_str().unwrap())
                .collect();
            let expected: Vec<String> = (0..STEPS).map(|i| format!("steps[{i}]")).collect();
            assert_eq!(paths, expected, "each step logged once, in order");
        }
        eprintln!("restarts: {}", server.starts() - 1);
    }
}
