//! A campaign when Meta fails: recipients whose message failed for a
//! reason worth another try are sent again once; a campaign through a
//! faulty Meta (slow answers, throughput errors, transient errors, server
//! errors) reaches each recipient once or says why.

use super::flows::{offer, world};
use super::{PNID, act, create, stats};
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn recipients_whose_message_failed_for_a_retryable_reason_are_sent_again_once() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let (t, channel, template, vip, _) = world(&wa, "camp-retry", 20, 3).await;
        // Meta's per-customer marketing limit, reported by a status webhook.
        wa.sandbox
            .set_faults(sandbox::Faults {
                error_rates: vec![sandbox::ErrorRate {
                    code: 131_049,
                    rate: 1.0,
                    mode: None,
                    http_status: None,
                }],
                ..sandbox::Faults::default()
            })
            .unwrap();
        let c = create(
            app,
            &t,
            offer(&channel, &template, json!({ "tag_ids": [vip] })),
        )
        .await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(act(app, &t, &id, "start", json!({})).await.status, 200);
        app.eventually("three failures", || async {
            stats(app, &t, &id).await["failed"] == json!(3)
        })
        .await;
        assert_eq!(stats(app, &t, &id).await["status"], json!("finished"));
        wa.sandbox.set_faults(sandbox::Faults::default()).unwrap();
        let r = act(app, &t, &id, "retry", json!({})).await;
        assert_eq!(
            (r.status, r.body["recipients"].clone()),
            (200, json!(3)),
            "{}",
            r.body
        );
        app.eventually("sent again", || async {
            let s = stats(app, &t, &id).await;
            s["status"] == json!("finished") && s["failed"] == json!(0) && s["queued"] == json!(0)
        })
        .await;
        let r = app
            .get(
                &format!("/api/v1/campaigns/{id}/recipients"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert!(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["attempts"] == json!(2)),
            "{}",
            r.body
        );
        // Nothing is left to retry.
        let r = act(app, &t, &id, "retry", json!({})).await;
        assert_eq!(r.body["recipients"], json!(0));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_campaign_through_a_faulty_meta_reaches_everyone_once_or_says_why() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let (t, channel, template, vip, _) = world(&wa, "camp-faulty", 50, 30).await;
        // Meta answers slowly, refuses some sends for a while (throughput,
        // a transient error, a server error) and loses none.
        wa.sandbox
            .set_faults(sandbox::Faults {
                seed: Some(7),
                error_rates: vec![
                    sandbox::ErrorRate {
                        code: 130_429,
                        rate: 0.2,
                        mode: None,
                        http_status: None,
                    },
                    sandbox::ErrorRate {
                        code: 131_000,
                        rate: 0.1,
                        mode: None,
                        http_status: None,
                    },
                ],
                server_error_rate: 0.1,
                latency_ms: 20,
                ..sandbox::Faults::default()
            })
            .unwrap();
        let c = create(
            app,
            &t,
            offer(&channel, &template, json!({ "tag_ids": [vip] })),
        )
        .await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(act(app, &t, &id, "start", json!({})).await.status, 200);
        app.eventually("every recipient settled", || async {
            app.advance(5);
            let s = stats(app, &t, &id).await;
            s["status"] == json!("finished") && s["queued"] == json!(0)
        })
        .await;
        let s = stats(app, &t, &id).await;
        let sent_or_better = s["sent"].as_i64().unwrap()
            + s["delivered"].as_i64().unwrap()
            + s["read"].as_i64().unwrap();
        assert_eq!(sent_or_better + s["failed"].as_i64().unwrap(), 30, "{s}");
        let mut per: std::collections::HashMap<String, usize> = Default::default();
        for m in wa.sandbox.outbound(Some(PNID)) {
            *per.entry(m.to.clone()).or_default() += 1;
        }
        assert!(
            per.values().all(|n| *n == 1),
            "accepted by Meta once each: {per:?}"
        );
        let r = app
            .get(
                &format!("/api/v1/campaigns/{id}/recipients?status=message:failed"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        for f in r.body["items"].as_array().unwrap() {
            let why = f["reason"].as_str().unwrap_or_default();
            assert!(!why.is_empty(), "a failure says why: {f}");
        }
        wa.stop().await;
    })
    .await;
}
