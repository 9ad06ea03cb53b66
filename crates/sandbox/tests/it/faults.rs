//! Fault injection on the Graph side and on webhook delivery.

use std::time::Duration;

use sandbox::{ErrorRate, Faults, NumberSpec, TemplateStatusUpdate, WebhookFaults};
use serde_json::Value;

use crate::common::*;

fn rate(code: i64, rate: f64) -> ErrorRate {
    ErrorRate {
        code,
        rate,
        mode: None,
        http_status: None,
    }
}

#[tokio::test]
async fn error_rates_produce_the_configured_codes_deterministically() {
    let env = Env::start().await;
    env.open_window(CUSTOMER).await;
    let faults = Faults {
        seed: Some(42),
        error_rates: vec![rate(130429, 0.4), rate(131000, 0.3)],
        ..Faults::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        env.sb.set_faults(faults.clone()).unwrap();
        let mut codes = Vec::new();
        for _ in 0..40 {
            let r = env.send(text(CUSTOMER, "x")).await;
            codes.push(if r.0 == 200 {
                0
            } else {
                r.1["error"]["code"].as_i64().unwrap()
            });
        }
        runs.push(codes);
    }
    assert_eq!(runs[0], runs[1], "same seed, same decisions");
    for code in [0, 130429, 131000] {
        assert!(runs[0].contains(&code), "{code} missing in {:?}", runs[0]);
    }
    assert!(runs[0].iter().all(|c| [0, 130429, 131000].contains(c)));
    let c = env.sb.counters().numbers[PNID].clone();
    assert_eq!(
        c.rejected["131000"],
        2 * runs[0].iter().filter(|c| **c == 131000).count() as u64
    );
}

#[tokio::test]
async fn async_fault_codes_arrive_as_failed_statuses() {
    let env = Env::start().await;
    env.open_window(CUSTOMER).await;
    env.sb
        .set_faults(Faults {
            error_rates: vec![rate(131026, 1.0)],
            ..Faults::default()
        })
        .unwrap();
    let (status, resp) = env.send(text(CUSTOMER, "x")).await;
    assert_eq!(status, 200);
    let failed = env.rx.wait_status(&wamid(&resp), "failed").await;
    assert_eq!(failed["errors"][0]["code"], 131026);
    assert_eq!(env.sb.counters().numbers[PNID].failed["131026"], 1);
}

#[tokio::test]
async fn server_errors_and_forced_sync_codes() {
    let env = Env::start().await;
    env.open_window(CUSTOMER).await;
    env.sb
        .set_faults(Faults {
            server_error_rate: 1.0,
            server_error_status: 503,
            ..Faults::default()
        })
        .unwrap();
    let e = assert_error(&env.send(text(CUSTOMER, "x")).await, 503, 2);
    assert_eq!(e["is_transient"], true);
    let forced = ErrorRate {
        code: 131047,
        rate: 1.0,
        mode: Some(sandbox::ErrorMode::Sync),
        http_status: Some(400),
    };
    env.sb
        .set_faults(Faults {
            error_rates: vec![forced],
            ..Faults::default()
        })
        .unwrap();
    assert_error(&env.send(text(CUSTOMER, "x")).await, 400, 131047);
    env.sb
        .set_faults(Faults {
            error_rates: vec![rate(4, 1.0)],
            ..Faults::default()
        })
        .unwrap();
    assert_error(&env.send(text(CUSTOMER, "x")).await, 400, 4);
    env.sb.set_faults(Faults::default()).unwrap();
    assert_eq!(env.send(text(CUSTOMER, "x")).await.0, 200);
    assert!(
        env.sb
            .set_faults(Faults {
                timeout_rate: 2.0,
                ..Faults::default()
            })
            .is_err()
    );
}

#[tokio::test]
async fn held_requests_time_out_but_the_message_still_goes_out() {
    let env = Env::start().await;
    env.open_window(CUSTOMER).await;
    env.sb
        .set_faults(Faults {
            timeout_rate: 1.0,
            timeout_hold_ms: 300,
            ..Faults::default()
        })
        .unwrap();
    let r = env
        .http
        .post(format!("{}/{PNID}/messages", env.graph))
        .bearer_auth(TOKEN)
        .json(&text(CUSTOMER, "slow"))
        .timeout(Duration::from_millis(50))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    eventually("held message accepted", || {
        !env.sb.outbound(Some(PNID)).is_empty()
    })
    .await;
    assert_eq!(env.sb.counters().numbers[PNID].accepted, 1);
    // Latency alone does not change results.
    env.sb
        .set_faults(Faults {
            latency_ms: 5,
            latency_jitter_ms: 5,
            ..Faults::default()
        })
        .unwrap();
    assert_eq!(env.send(text(CUSTOMER, "x")).await.0, 200);
}

#[tokio::test]
async fn webhook_duplicates_are_byte_identical() {
    let env = Env::start().await;
    env.sb
        .set_faults(Faults {
            webhook: WebhookFaults {
                duplicate_rate: 1.0,
                ..Default::default()
            },
            ..Faults::default()
        })
        .unwrap();
    let id = env.sb.send_text(PNID, CUSTOMER, "dup").unwrap();
    let hits = env
        .rx
        .wait_for("duplicate", |h| {
            h.iter().filter(|h| contains(&h.body, &id)).count() == 2
        })
        .await;
    let copies: Vec<_> = hits.iter().filter(|h| contains(&h.body, &id)).collect();
    assert_eq!(copies[0].body, copies[1].body);
    assert_eq!(env.sb.counters().webhooks.duplicates, 1);
}

#[tokio::test]
async fn webhook_reordering_shuffles_queued_events() {
    let env = Env::start().await;
    env.sb.pause_webhooks();
    let sent: Vec<String> = (0..6)
        .map(|i| env.sb.send_text(PNID, CUSTOMER, &format!("m{i}")).unwrap())
        .collect();
    env.sb
        .set_faults(Faults {
            seed: Some(7),
            webhook: WebhookFaults {
                reorder: true,
                ..Default::default()
            },
            ..Faults::default()
        })
        .unwrap();
    env.sb.resume_webhooks();
    env.rx.wait_for("6 messages", |h| h.len() == 6).await;
    let got: Vec<String> = env
        .rx
        .messages()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_ne!(got, sent, "order unchanged");
    let (mut a, mut b) = (got.clone(), sent.clone());
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[tokio::test]
async fn webhook_batching_merges_entries_changes_and_messages() {
    let env = Env::start().await;
    env.sb
        .add_number(NumberSpec::new(
            "113982746610537",
            "209381726354821",
            "tok-b",
        ))
        .unwrap();
    let tpl = env.seed_template("order_update");
    env.sb.pause_webhooks();
    for i in 0..3 {
        env.sb.send_text(PNID, CUSTOMER, &format!("a{i}")).unwrap();
    }
    env.sb
        .send_text(PNID, "447700900123", "other customer")
        .unwrap();
    env.sb
        .send_text("113982746610537", "447700900123", "second waba")
        .unwrap();
    env.sb.emit_system_error(PNID, 131000, None).unwrap();
    env.sb
        .set_template_status(&tpl, TemplateStatusUpdate::new("PAUSED"))
        .unwrap();
    env.sb
        .set_faults(Faults {
            webhook: WebhookFaults {
                batch_max: 20,
                ..Default::default()
            },
            ..Faults::default()
        })
        .unwrap();
    env.sb.resume_webhooks();
    let hits = env.rx.wait_for("one batch", |h| !h.is_empty()).await;
    assert_eq!(hits.len(), 1);
    let body = &hits[0].json;
    let entries = body["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{body:#}");
    let first = &entries[0];
    assert_eq!(first["id"], WABA);
    let changes = first["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "messages + errors for one number");
    assert_eq!(changes[0]["value"]["messages"].as_array().unwrap().len(), 4);
    assert_eq!(changes[0]["value"]["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(changes[1]["value"]["errors"][0]["code"], 131000);
    assert_eq!(entries[1]["id"], "209381726354821");
    assert_eq!(
        entries[2]["changes"][0]["field"],
        "message_template_status_update"
    );
    assert!(entries[2]["time"].is_number());
    assert_eq!(env.rx.messages().len(), 5);
}

#[tokio::test]
async fn webhooks_are_retried_until_the_receiver_answers_200() {
    let env = Env::start().await;
    env.rx.respond_with(&[500, 503]);
    let id = env.sb.send_text(PNID, CUSTOMER, "retry me").unwrap();
    let hits = env
        .rx
        .wait_for("3 attempts", |h| h.iter().any(|h| h.answered == 200))
        .await;
    assert_eq!(
        hits.iter().map(|h| h.answered).collect::<Vec<_>>(),
        [500, 503, 200]
    );
    assert!(
        hits.iter()
            .all(|h| h.body == hits[0].body && contains(&h.body, &id))
    );
    eventually("delivery recorded", || {
        env.sb.counters().webhooks.delivered == 1
    })
    .await;
    let w = env.sb.counters().webhooks;
    assert_eq!((w.failed_attempts, w.delivered, w.dropped), (2, 1, 0));
    let log = env.sb.webhook_log();
    assert_eq!(log.len(), 1);
    assert!(log[0].delivered && log[0].attempts == 3);
}

#[tokio::test]
async fn webhooks_are_dropped_after_the_last_attempt() {
    let env = Env::with(|c| c.webhook_max_attempts = 2).await;
    env.rx.respond_with(&[500, 500]);
    env.sb.send_text(PNID, CUSTOMER, "lost").unwrap();
    env.rx.wait_for("2 attempts", |h| h.len() == 2).await;
    eventually("drop", || env.sb.counters().webhooks.dropped == 1).await;
    let second = env.sb.send_text(PNID, CUSTOMER, "next").unwrap();
    let body: Value = env.rx.wait_body(&second).await;
    assert_eq!(body["object"], "whatsapp_business_account");
}

/// With `webhook_concurrency` above one, bodies are on their way at once,
/// as Meta sends them: a receiver that answers none of four until all four
/// have arrived still gets every one, once. (One at a time, the first would
/// wait for the others until it timed out.)
#[tokio::test]
async fn webhooks_go_out_several_at_once_when_configured() {
    use axum::{Router, extract::State, http::StatusCode, routing::post};
    use std::sync::{Arc, Mutex};

    type Seen = Arc<(tokio::sync::Barrier, Mutex<Vec<Vec<u8>>>)>;
    async fn meet(State(seen): State<Seen>, body: axum::body::Bytes) -> StatusCode {
        seen.0.wait().await;
        seen.1.lock().unwrap().push(body.to_vec());
        StatusCode::OK
    }
    let seen: Seen = Arc::new((tokio::sync::Barrier::new(4), Mutex::new(Vec::new())));
    let app = Router::new()
        .route("/webhook", post(meet))
        .with_state(Arc::clone(&seen));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let env = Env::with(|c| {
        c.webhook_url = Some(url);
        c.webhook_concurrency = 4;
        c.webhook_max_attempts = 1;
    })
    .await;
    env.sb.pause_webhooks();
    let sent: Vec<String> = (0..4)
        .map(|i| env.sb.send_text(PNID, CUSTOMER, &format!("m{i}")).unwrap())
        .collect();
    env.sb.resume_webhooks();
    let deadline = tokio::time::Instant::now() + WAIT;
    while seen.1.lock().unwrap().len() < 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not all four arrived"
        );
        tokio::task::yield_now().await;
    }
    let bodies = seen.1.lock().unwrap().clone();
    for wamid in &sent {
        let n = bodies.iter().filter(|b| contains(b, wamid)).count();
        assert_eq!(n, 1, "{wamid} arrived {n} times");
    }
}
