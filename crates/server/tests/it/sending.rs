//! Sending under the rules, against the sandbox: the 24-hour window,
//! templates, forward-only statuses, and exactly-once delivery through
//! Meta's faults.

use serde_json::{Value, json};
use testkit::{APP_SECRET, Auth, Engine, TestTenant, WhatsAppTest, each_engine_with_sandbox};

pub(crate) const PNID: &str = "106540352242922";
pub(crate) const WABA: &str = "102290129340398";
const CUSTOMER: &str = "16505551234";

pub(crate) fn template() -> Value {
    json!({
        "to": CUSTOMER, "type": "template",
        "template": { "name": "order_update", "language": { "code": "en_US" },
                      "components": [{ "type": "body", "parameters": [{ "type": "text", "text": "Ana" }] }] }
    })
}

pub(crate) fn add_template(wa: &WhatsAppTest) {
    add_template_to(wa, WABA);
}

/// Meta approves `order_update` (en_US, one body parameter) for `waba`.
pub(crate) fn add_template_to(wa: &WhatsAppTest, waba: &str) {
    wa.sandbox
        .add_template(sandbox::TemplateSpec {
            waba_id: waba.into(),
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            components: None,
            status: "APPROVED".into(),
            parameter_format: None,
        })
        .unwrap();
}

async fn message(wa: &WhatsAppTest, t: &TestTenant, conversation: &str, id: &str) -> Value {
    let r = wa
        .get(
            &format!("/api/v1/conversations/{conversation}/messages"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == json!(id))
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn free_form_outside_the_window_is_refused_while_a_template_goes() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("send-window").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), json!({ "to": CUSTOMER, "type": "text", "text": { "body": "hi" } })).await;
        assert_eq!((r.status, r.code()), (422, "outside_customer_service_window"), "{}", r.body);
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), template()).await;
        assert_eq!(r.status, 202, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        let conversation = r.body["conversation_id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["status"], json!("queued"));
        wa.eventually("the template is read", || async { message(&wa, &t, &conversation, &id).await["status"] == json!("read") }).await;
        let received = wa.sandbox.received(PNID, CUSTOMER);
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].biz_opaque_callback_data.as_deref(), Some(id.as_str()));

        // Once the customer writes, free-form replies are allowed — until
        // 24 hours after their message.
        wa.sandbox.send_text(PNID, CUSTOMER, "thanks!").unwrap();
        wa.eventually("the customer's message arrives", || async {
            let r = wa.get(&format!("/api/v1/conversations/{conversation}"), Auth::ApiKey(&t.api_key)).await;
            r.body["window_open"] == json!(true)
        })
        .await;
        let reply = json!({ "conversation_id": conversation, "type": "text", "text": { "body": "You're welcome" } });
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), reply.clone()).await;
        assert_eq!(r.status, 202, "{}", r.body);
        wa.advance(24 * 3600 + 60);
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), reply).await;
        assert_eq!((r.status, r.code()), (422, "outside_customer_service_window"));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_late_status_never_moves_a_message_backwards() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("send-status").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), template()).await;
        let (id, conversation) = (r.body["id"].as_str().unwrap().to_owned(), r.body["conversation_id"].as_str().unwrap().to_owned());
        wa.eventually("read", || async { message(&wa, &t, &conversation, &id).await["status"] == json!("read") }).await;
        let wamid = message(&wa, &t, &conversation, &id).await["wamid"].as_str().unwrap().to_owned();
        // Meta redelivers an old `delivered` after `read`.
        let late = json!({ "object": "whatsapp_business_account", "entry": [{ "id": WABA, "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": { "display_phone_number": "15550783881", "phone_number_id": PNID },
            "statuses": [{ "id": wamid, "status": "delivered", "timestamp": "1700000000", "recipient_id": CUSTOMER }] } }] }] });
        let body = serde_json::to_vec(&late).unwrap();
        let r = wa
            .client
            .post(format!("{}/webhooks/whatsapp", wa.url))
            .header("x-hub-signature-256", whatsapp::sign(APP_SECRET.as_bytes(), &body))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        wa.drain().await;
        assert_eq!(message(&wa, &t, &conversation, &id).await["status"], json!("read"));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_monthly_quota_stops_sends() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let op = wa.operator_token().await;
        let r = wa.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), json!({ "limits": { "messages_per_month": 1, "agents": 5, "numbers": 1, "contacts": 100 } })).await;
        assert_eq!(r.status, 200);
        let t = wa.create_tenant("send-quota").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        assert_eq!(wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), template()).await.status, 202);
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), template()).await;
        assert_eq!((r.status, r.code()), (429, "quota_exceeded"));
        wa.stop().await;
    })
    .await;
}

/// Meta fails a share of calls (5xx, timeouts after accepting, throughput
/// errors): every message still ends sent exactly once, or failed with a
/// reason, and none is left queued.
#[tokio::test]
async fn sends_through_faults_end_sent_exactly_once_or_failed_with_a_reason() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        if engine == Engine::Postgres && testkit::pg_admin_url().is_none() {
            continue;
        }
        let wa = WhatsAppTest::start_with_config(engine, sandbox::SandboxConfig::default(), |c| {
            c.graph_timeout_ms = 300
        })
        .await;
        let t = wa.create_tenant("send-faults").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        wa.sandbox
            .set_faults(sandbox::Faults {
                seed: Some(7),
                error_rates: vec![sandbox::ErrorRate {
                    code: 130429,
                    rate: 0.15,
                    mode: None,
                    http_status: None,
                }],
                server_error_rate: 0.15,
                timeout_rate: 0.15,
                timeout_hold_ms: 400,
                timeout_then_accept: true,
                ..Default::default()
            })
            .unwrap();
        let mut ids = Vec::new();
        for _ in 0..20 {
            let r = wa
                .post("/api/v1/messages", Auth::ApiKey(&t.api_key), template())
                .await;
            assert_eq!(r.status, 202, "{}", r.body);
            ids.push((
                r.body["id"].as_str().unwrap().to_owned(),
                r.body["conversation_id"].as_str().unwrap().to_owned(),
            ));
        }
        for _round in 0..60 {
            wa.drain().await;
            let mut pending = 0;
            for (id, conv) in &ids {
                if message(&wa, &t, conv, id).await["status"] == json!("queued") {
                    pending += 1;
                }
            }
            if pending == 0 {
                break;
            }
            // Let Meta's late acceptances and their webhooks arrive (the
            // clock must not outrun them: that is the reconciliation window
            // docs/SENDING.md describes), then move past back-offs and the
            // reconciliation period.
            tokio::time::sleep(std::time::Duration::from_millis(600)).await;
            wa.drain().await;
            wa.advance(130);
        }
        let counters = wa.sandbox.counters();
        let number = &counters.numbers[PNID];
        assert!(
            !number.rejected.is_empty(),
            "the faults were exercised: {number:?}"
        );
        assert_eq!(
            number.duplicate_callback_data, 0,
            "no message was sent twice"
        );
        let outbound = wa.sandbox.outbound(Some(PNID));
        for (id, conv) in &ids {
            let m = message(&wa, &t, conv, id).await;
            let copies = outbound
                .iter()
                .filter(|o| o.biz_opaque_callback_data.as_deref() == Some(id.as_str()))
                .count();
            match m["status"].as_str().unwrap() {
                "failed" => assert!(
                    m["error"]["code"].is_i64() || m["error"]["title"].is_string(),
                    "failed without a reason: {m}"
                ),
                "queued" => panic!("message left queued: {m}"),
                _ => assert_eq!(
                    copies, 1,
                    "message {id} reached the customer {copies} times"
                ),
            }
        }
        wa.stop().await;
    }
}

#[tokio::test]
async fn an_opted_out_contact_gets_nothing_until_they_opt_back_in() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("send-optout").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let contact = || async {
            let r = wa.get("/api/v1/contacts", Auth::ApiKey(&t.api_key)).await;
            r.body["items"].get(0).cloned().unwrap_or(Value::Null)
        };
        let text =
            json!({ "to": CUSTOMER, "type": "text", "text": { "body": "Our sale starts today" } });

        // The customer writes STOP: from then on even templates are refused.
        wa.sandbox.send_text(PNID, CUSTOMER, "Stop").unwrap();
        wa.eventually("the opt-out is recorded", || async {
            contact().await["opted_out"] == json!(true)
        })
        .await;
        for body in [text.clone(), template()] {
            let r = wa
                .post("/api/v1/messages", Auth::ApiKey(&t.api_key), body)
                .await;
            assert_eq!(
                (r.status, r.code()),
                (422, "contact_opted_out"),
                "{}",
                r.body
            );
        }

        // START opts them back in.
        wa.sandbox.send_text(PNID, CUSTOMER, "START").unwrap();
        wa.eventually("the opt-in is recorded", || async {
            contact().await["opted_out"] == json!(false)
        })
        .await;
        let r = wa
            .post("/api/v1/messages", Auth::ApiKey(&t.api_key), text.clone())
            .await;
        assert_eq!(r.status, 202, "{}", r.body);

        // The team can record an opt-out by hand.
        let id = contact().await["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/contacts/{id}");
        let r = wa
            .patch(
                &path,
                Auth::ApiKey(&t.api_key),
                json!({ "opted_out": true }),
            )
            .await;
        assert_eq!(
            (r.status, r.body["opted_out"].clone()),
            (200, json!(true)),
            "{}",
            r.body
        );
        let r = wa
            .post("/api/v1/messages", Auth::ApiKey(&t.api_key), text)
            .await;
        assert_eq!(
            (r.status, r.code()),
            (422, "contact_opted_out"),
            "{}",
            r.body
        );
        let r = wa
            .patch(
                &path,
                Auth::ApiKey(&t.api_key),
                json!({ "opted_out": "yes" }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);

        // Each change is in the event log.
        let mut tx = wa.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
        let kinds: Vec<String> = tx
            .events_after(0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        tx.commit().await.unwrap();
        let consent: Vec<&str> = kinds
            .iter()
            .map(String::as_str)
            .filter(|k| k.starts_with("contact.opted"))
            .collect();
        assert_eq!(
            consent,
            ["contact.opted_out", "contact.opted_in", "contact.opted_out"]
        );
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn two_nodes_share_the_queue_and_a_numbers_rate_limit() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        const RATE: u32 = 10;
        const SENDS: usize = 30;
        let t = wa.create_tenant("send-two-nodes").await;
        let mut spec = sandbox::NumberSpec::new(PNID, WABA, "two-nodes-token");
        spec.rate_limit = Some(RATE);
        wa.sandbox.add_number(spec).unwrap();
        let r = wa
            .post(
                "/api/v1/channels",
                Auth::ApiKey(&t.api_key),
                json!({ "phone_number_id": PNID, "waba_id": WABA,
                        "access_token": "two-nodes-token", "rate_limit": RATE }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        add_template(&wa);
        for _ in 0..SENDS {
            let r = wa
                .post("/api/v1/messages", Auth::ApiKey(&t.api_key), template())
                .await;
            assert_eq!(r.status, 202, "{}", r.body);
        }

        // Two worker nodes on the one database, each taking a few jobs at a
        // time (the send queue runs 8× the configured concurrency: 8 each).
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut workers = Vec::new();
        for _ in 0..2 {
            let node = wa.another_node(|c| c.worker_concurrency = 1).await;
            workers.extend(server::jobs::Worker::spawn(node, stopped.clone()));
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while wa.sandbox.outbound(Some(PNID)).len() < SENDS {
            assert!(
                std::time::Instant::now() < deadline,
                "sent: {}",
                wa.sandbox.outbound(Some(PNID)).len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        stop.send(true).unwrap();
        for w in workers {
            w.await.unwrap();
        }

        let counters = wa.sandbox.counters();
        let number = &counters.numbers[PNID];
        assert_eq!(number.accepted as usize, SENDS, "{number:?}");
        assert!(
            number.rejected.is_empty(),
            "the number's rate was exceeded: {number:?}"
        );
        assert_eq!(number.duplicate_callback_data, 0);
        let nodes: std::collections::BTreeSet<String> = wa
            .state
            .store
            .finished_by("send")
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.split('/').next().unwrap().to_owned())
            .collect();
        assert_eq!(nodes.len(), 2, "both nodes sent: {nodes:?}");
        wa.stop().await;
    })
    .await;
}
