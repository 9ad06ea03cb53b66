//! Crash test of a campaign: the real `switchboard serve` binary, killed
//! with SIGKILL several times while a campaign sends, restarted on the
//! same database each time. Every recipient gets the template exactly once
//! (the sandbox counts what each customer received), the campaign finishes,
//! and nothing is left stuck. `SWITCHBOARD_CRASH_RECIPIENTS` sets the size
//! (2,000 by default; the 20,000 is a manual run, see
//! docs/BENCHMARKS.md).

use crate::crash::{PNID, WABA, meta, start, tenant_with_number};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use testkit::Auth;

/// Polls `check` until it holds, with a deadline that grows with the
/// campaign's size `n` (the server's own `eventually` allows two minutes;
/// a 20,000-recipient run needs more), or fails with the server's log.
async fn wait<F, Fut>(server: &testkit::process::ServerProcess, what: &str, n: usize, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(120 + n as u64 / 20);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out: {what}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn recipients() -> usize {
    std::env::var("SWITCHBOARD_CRASH_RECIPIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

#[tokio::test]
async fn crash_during_a_campaign_sends_each_recipient_once() {
    let n = recipients();
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}, {n} recipients");
        let meta = meta(Duration::from_millis(2500)).await;
        let settings = [
            ("SWITCHBOARD_RECONCILE_SECONDS", "12"),
            ("SWITCHBOARD_WORKER_CONCURRENCY", "8"),
        ];
        let mut server = start(engine, &meta, &settings).await;
        let (tenant, key) = tenant_with_number(&server, &meta, 500).await;
        // A plan that covers the campaign.
        let (_, login) = server
            .post(
                "/api/v1/operator/login",
                Auth::None,
                &json!({ "email": "operator@switchboard.local", "password": server.operator_password }),
            )
            .await;
        let op = login["access_token"].as_str().unwrap().to_owned();
        let limits = json!({ "limits": { "messages_per_month": 1_000_000, "agents": 5, "numbers": 1,
                                         "contacts": 1_000_000 } });
        let r = server
            .client
            .patch(format!("{}/api/v1/operator/plans/starter", server.url))
            .bearer_auth(&op)
            .json(&limits)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let components = json!([{ "type": "BODY", "text": "Hello {{1}}, your order is ready" }]);
        meta.add_template(sandbox::TemplateSpec {
            components: Some(components.clone()),
            ..sandbox::TemplateSpec::approved(WABA, "order_ready", "en_US")
        })
        .unwrap();
        // The audience and the library, written straight to the database
        // (what a sync and an import would leave).
        let store = server.store().await;
        let tid: domain::TenantId = tenant.parse().unwrap();
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let now = domain::Timestamp::from_millis(wall.as_millis() as i64);
        let mut tx = store.tenant(tid).await.unwrap();
        let template = tx
            .upsert_template(&store::templates::Template {
                id: domain::TemplateId::new(),
                waba_id: WABA.into(),
                meta_id: Some("777".into()),
                name: "order_ready".into(),
                language: "en_US".into(),
                category: "UTILITY".into(),
                status: "APPROVED".into(),
                parameter_format: None,
                components,
                quality: None,
                rejected_reason: None,
                synced_at: Some(now),
                created_at: now,
                updated_at: now,
            })
            .await
            .unwrap();
        let tag = store::crm::tags::Tag {
            id: domain::TagId::new(),
            name: "Crash".into(),
            colour: "#000000".into(),
            created_at: now,
            updated_at: now,
        };
        tx.insert_tag(&tag).await.unwrap();
        for i in 0..n {
            let (c, _) = tx
                .upsert_contact(
                    &format!("1650{i:07}"),
                    None,
                    Some(&format!("Buyer {i}")),
                    now,
                )
                .await
                .unwrap();
            tx.tag_contact(c.id, tag.id, now).await.unwrap();
        }
        tx.commit().await.unwrap();
        let (_, channels) = server.get("/api/v1/channels", Auth::ApiKey(&key)).await;
        let channel = channels["items"][0]["id"].clone();
        let (status, c) = server
            .post(
                "/api/v1/campaigns",
                Auth::ApiKey(&key),
                &json!({ "name": "Crash", "channel_id": channel, "template_id": template.id,
                         "variables": [{ "parameter": "1", "text": "{{contact.first_name}}" }],
                         "audience": { "tag_ids": [tag.id] } }),
            )
            .await;
        assert_eq!(status, 201, "{c}");
        let id = c["id"].as_str().unwrap().to_owned();
        let batched = sandbox::WebhookFaults {
            batch_max: 100,
            ..Default::default()
        };
        meta.set_faults(sandbox::Faults {
            latency_ms: 30,
            webhook: batched,
            ..Default::default()
        })
        .unwrap();
        let (status, body) = server
            .post(
                &format!("/api/v1/campaigns/{id}/start"),
                Auth::ApiKey(&key),
                &json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");

        for kill_at in [n / 5, n / 2, n * 4 / 5] {
            let what = format!("sends reach {kill_at}");
            wait(&server, &what, n, || async {
                meta.outbound(Some(PNID)).len() >= kill_at
            })
            .await;
            meta.pause_webhooks();
            server.kill();
            eprintln!("killed after {} sends", meta.outbound(Some(PNID)).len());
            server.restart().await;
            meta.resume_webhooks();
        }
        wait(
            &server,
            "the campaign finished and nothing waits",
            n,
            || async {
                let (_, s) = server
                    .get(&format!("/api/v1/campaigns/{id}/stats"), Auth::ApiKey(&key))
                    .await;
                s["status"] == json!("finished")
                    && s["queued"] == json!(0)
                    && testkit::process::queue_settled(&store, "send").await
            },
        )
        .await;
        let outbound = meta.outbound(Some(PNID));
        let mut per_customer: HashMap<&str, usize> = HashMap::new();
        for o in &outbound {
            *per_customer.entry(o.to.as_str()).or_default() += 1;
        }
        let twice: Vec<_> = per_customer.iter().filter(|(_, k)| **k > 1).collect();
        assert!(twice.is_empty(), "sent twice: {twice:?}");
        assert_eq!(per_customer.len(), n, "every recipient got it");
        assert_eq!(meta.counters().numbers[PNID].duplicate_callback_data, 0);
        let (_, s) = server
            .get(&format!("/api/v1/campaigns/{id}/stats"), Auth::ApiKey(&key))
            .await;
        assert_eq!(
            (s["failed"].clone(), s["pending"].clone()),
            (json!(0), json!(0)),
            "{s}"
        );
        store.close().await;
        meta.shutdown().await;
    }
}
