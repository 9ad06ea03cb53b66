//! Plans, usage and the API rate limit (docs/BILLING.md), on both engines.

use crate::channels::{PNID_A, WABA_A};
use crate::fidelity::{CUSTOMER, deliver, events, hook, text, value_a};
use serde_json::{Value, json};
use testkit::{Auth, TestApp, WhatsAppTest, each_engine, each_engine_with_sandbox};

/// Sets the starter plan's limits (others unlimited) through the operator API.
async fn starter_limits(app: &TestApp, limits: Value) {
    let op = app.operator_token().await;
    let r = app
        .patch(
            "/api/v1/operator/plans/starter",
            Auth::Bearer(&op),
            json!({ "limits": limits }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

fn header(r: &testkit::Resp, name: &str) -> Option<i64> {
    r.headers.get(name)?.to_str().ok()?.parse().ok()
}

/// A key over its plan's requests a minute gets 429 with `Retry-After`
/// and the `RateLimit` figures; people signed in and other tenants are not
/// held up; moving the clock on lets the key in again; only admitted
/// calls are metered.
#[tokio::test]
async fn an_api_key_hammered_into_429_is_released_when_the_minute_moves_on() {
    each_engine(|app: TestApp| async move {
        // 10 a minute and a burst of 10: 20 at once, then one every 6 s.
        starter_limits(&app, json!({ "api_requests_per_minute": 10 })).await;
        let t = app.create_tenant("rate-a").await;
        let other = app.create_tenant("rate-b").await;

        let mut remaining = Vec::new();
        for _ in 0..20 {
            let r = app.get("/api/v1/me", Auth::ApiKey(&t.api_key)).await;
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(header(&r, "ratelimit-limit"), Some(10));
            remaining.push(header(&r, "ratelimit-remaining").unwrap());
        }
        assert_eq!(remaining, (0..20).rev().collect::<Vec<i64>>());
        let refused = app.get("/api/v1/me", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(
            (refused.status, refused.code()),
            (429, "rate_limited"),
            "{}",
            refused.body
        );
        assert_eq!(header(&refused, "retry-after"), Some(6));
        assert_eq!(header(&refused, "ratelimit-remaining"), Some(0));
        // A refused request changes nothing, even a change.
        let r = app
            .post(
                "/api/v1/contacts",
                Auth::ApiKey(&t.api_key),
                json!({ "wa_id": "15550001111" }),
            )
            .await;
        assert_eq!(r.status, 429);
        let r = app
            .get("/api/v1/contacts", Auth::Bearer(&t.owner.token))
            .await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 0, "{}", r.body);

        // The owner signed in and another tenant's key go on.
        assert_eq!(
            app.get("/api/v1/me", Auth::Bearer(&t.owner.token))
                .await
                .status,
            200
        );
        assert_eq!(
            app.get("/api/v1/me", Auth::ApiKey(&other.api_key))
                .await
                .status,
            200
        );

        // Six seconds later one more fits, then not another.
        app.advance(6);
        assert_eq!(
            app.get("/api/v1/me", Auth::ApiKey(&t.api_key)).await.status,
            200
        );
        assert_eq!(
            app.get("/api/v1/me", Auth::ApiKey(&t.api_key)).await.status,
            429
        );
        // Two minutes later the whole allowance is back.
        app.advance(120);
        for _ in 0..20 {
            assert_eq!(
                app.get("/api/v1/me", Auth::ApiKey(&t.api_key)).await.status,
                200
            );
        }

        // 41 admitted with the key; refusals and the signed-in owner's
        // calls are not API calls.
        let usage = app.get("/api/v1/usage", Auth::Bearer(&t.owner.token)).await;
        assert_eq!(usage.status, 200, "{}", usage.body);
        assert_eq!(
            usage.body["current"]["counts"]["api_calls"], 41,
            "{}",
            usage.body
        );
        app.stop().await;
    })
    .await;
}

/// Two nodes share one limit: their admissions, all at once, add up to
/// exactly the allowance.
#[tokio::test]
async fn two_nodes_share_one_rate_limit_exactly() {
    each_engine(|app: TestApp| async move {
        starter_limits(&app, json!({ "api_requests_per_minute": 20 })).await;
        let t = app.create_tenant("rate-nodes").await;
        let tenant = t.id.parse().unwrap();
        let other = app.another_node(|_| {}).await;
        let calls = (0..80).map(|i| {
            let state = if i % 2 == 0 {
                app.state.clone()
            } else {
                other.clone()
            };
            async move { server::billing::rate_limit::admit_api_call(&state, tenant).await }
        });
        let answers = futures::future::join_all(calls).await;
        let admitted = answers
            .iter()
            .filter(|a| matches!(a, Ok(server::billing::rate_limit::Admission::Admitted(_))))
            .count();
        let refused = answers
            .iter()
            .filter(|a| matches!(a, Ok(server::billing::rate_limit::Admission::Refused(_))))
            .count();
        // 20 a minute and a burst of 10.
        assert_eq!((admitted, refused), (30, 50));
        app.stop().await;
    })
    .await;
}

/// Messages are metered in and out, out by Meta's category: a utility
/// template, one not synced yet (marketing), free-form replies (service).
#[tokio::test]
async fn usage_counts_messages_by_category() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("usage-cats").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        crate::sending::add_template_to(&wa, WABA_A);
        let send = |body: Value| wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), body);
        // One before the templates are synced: counted as marketing,
        // Meta's dearest; then as the synced template's category.
        assert_eq!(send(template()).await.status, 202);
        let r = wa
            .post(
                "/api/v1/templates/sync",
                Auth::Bearer(&t.owner.token),
                json!({}),
            )
            .await;
        assert!(r.status < 300, "{}", r.body);
        wa.drain().await;
        for _ in 0..2 {
            let r = send(template()).await;
            assert_eq!(r.status, 202, "{}", r.body);
        }
        // Written just now, so the customer service window is open.
        let says = |wamid: &str| {
            let mut m = text(CUSTOMER, wamid, "hi");
            m["timestamp"] = json!(wa.state.now().as_unix_seconds().to_string());
            hook(WABA_A, "messages", value_a(json!({ "messages": [m] })))
        };
        deliver(&wa, &says("wamid.U1")).await;
        deliver(&wa, &says("wamid.U2")).await;
        // A redelivered message is not counted twice.
        deliver(&wa, &says("wamid.U2")).await;
        let reply = json!({ "to": CUSTOMER, "type": "text", "text": { "body": "hello" } });
        let r = send(reply).await;
        assert_eq!(r.status, 202, "{}", r.body);

        let usage = wa.get("/api/v1/usage", Auth::ApiKey(&t.api_key)).await;
        let counts = &usage.body["current"]["counts"];
        assert_eq!(counts["messages_out"], 4, "{}", usage.body);
        assert_eq!(counts["messages_out.marketing"], 1);
        assert_eq!(counts["messages_out.utility"], 2);
        assert_eq!(counts["messages_out.service"], 1);
        assert_eq!(counts["messages_out.authentication"], 0);
        assert_eq!(counts["messages_in"], 2);
        let messages = usage.body["limits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["limit"] == "messages_per_month")
            .cloned()
            .unwrap();
        assert_eq!(messages["used"], 4, "{}", usage.body);
        assert_eq!(messages["level"], "normal");

        // A new month is a new period; the old one is history.
        wa.advance(32 * 86_400);
        let usage = wa.get("/api/v1/usage", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(
            usage.body["current"]["counts"]["messages_out"], 0,
            "{}",
            usage.body
        );
        assert_eq!(usage.body["history"][0]["counts"]["messages_out"], 4);
        wa.stop().await;
    })
    .await;
}

fn template() -> Value {
    let mut body = crate::sending::template();
    body["to"] = json!(CUSTOMER);
    body
}

/// Crossing 80 % and 100 % of the month's messages is told once each
/// (`usage.threshold_reached`), then the plan's limit refuses with 429.
#[tokio::test]
async fn the_tenant_is_told_at_eighty_and_a_hundred_percent_once() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        starter_limits(&wa, json!({ "messages_per_month": 5 })).await;
        let t = wa.create_tenant("usage-warn").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        crate::sending::add_template_to(&wa, WABA_A);
        for _ in 0..5 {
            let r = wa
                .post("/api/v1/messages", Auth::ApiKey(&t.api_key), template())
                .await;
            assert_eq!(r.status, 202, "{}", r.body);
        }
        let r = wa
            .post("/api/v1/messages", Auth::ApiKey(&t.api_key), template())
            .await;
        assert_eq!((r.status, r.code()), (429, "quota_exceeded"), "{}", r.body);
        let warnings: Vec<Value> = events(&wa, &t)
            .await
            .into_iter()
            .filter(|(name, _)| name == "usage.threshold_reached")
            .map(|(_, payload)| payload)
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(
            (warnings[0]["level"].as_str(), warnings[0]["used"].as_i64()),
            (Some("near"), Some(4))
        );
        assert_eq!(
            (warnings[1]["level"].as_str(), warnings[1]["used"].as_i64()),
            (Some("reached"), Some(5))
        );
        assert_eq!(warnings[1]["allowed"], 5);
        assert_eq!(warnings[1]["limit"], "messages_per_month");
        let usage = wa.get("/api/v1/usage", Auth::Bearer(&t.owner.token)).await;
        let level = usage.body["limits"][0]["level"].clone();
        assert_eq!(level, "reached", "{}", usage.body);
        // The owner is emailed each time (kept for the operator here: no SMTP).
        wa.drain().await;
        let op = wa.operator_token().await;
        let outbox = wa.get("/api/v1/operator/emails", Auth::Bearer(&op)).await;
        let subjects: Vec<&str> = outbox.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "usage_warning" && e["to"] == json!(t.owner.email))
            .map(|e| e["subject"].as_str().unwrap())
            .collect();
        assert_eq!(
            subjects,
            [
                "Tenant usage-warn has used all its messages this month",
                "Tenant usage-warn has used 80% of its messages this month"
            ],
            "newest first"
        );
        wa.stop().await;
    })
    .await;
}

/// The operator adds, edits and retires plans; a retired plan keeps its
/// tenants and takes no new ones; bad input changes nothing.
#[tokio::test]
async fn the_operator_makes_edits_and_retires_plans() {
    each_engine(|app: TestApp| async move {
        let op = app.operator_token().await;
        let growth = json!({
            "code": "growth", "name": "Growth",
            "limits": { "messages_per_month": 20000, "agents": 10, "numbers": 2, "contacts": null,
                        "api_requests_per_minute": 1000 },
            "prices": { "monthly": 4900, "yearly": 49000, "currency": "eur" },
            "features": { "campaigns": true, "bot": false, "genesys": false, "api": true }
        });
        let r = app.post("/api/v1/operator/plans", Auth::Bearer(&op), growth.clone()).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["prices"]["currency"], "eur");
        assert_eq!(r.body["features"]["bot"], false);
        assert_eq!(r.body["limits"]["contacts"], Value::Null);
        assert_eq!(r.body["retired_at"], Value::Null);
        let r = app.post("/api/v1/operator/plans", Auth::Bearer(&op), growth.clone()).await;
        assert_eq!((r.status, r.code()), (409, "plan_exists"));
        for (field, bad) in [
            ("code", json!("Growth Plan")),
            ("prices", json!({ "monthly": -1, "yearly": 0, "currency": "eur" })),
            ("prices", json!({ "monthly": 1, "yearly": 0, "currency": "EURO" })),
            ("limits", json!({ "messages_per_month": -5 })),
        ] {
            let mut body = growth.clone();
            body[field] = bad;
            body["code"] = if field == "code" { body["code"].clone() } else { json!("other") };
            let r = app.post("/api/v1/operator/plans", Auth::Bearer(&op), body).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{field}: {}", r.body);
        }
        let plans = app.get("/api/v1/operator/plans", Auth::Bearer(&op)).await;
        let codes: Vec<&str> = plans.body.as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["starter", "growth", "professional", "enterprise"], "cheapest first");

        let r = app
            .post("/api/v1/operator/tenants", Auth::Bearer(&op), json!({ "name": "On Growth", "slug": "on-growth", "plan": "growth", "owner_email": "o@growth.example" }))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let tenant_id = r.body["tenant"]["id"].as_str().unwrap().to_owned();
        let r = app.patch("/api/v1/operator/plans/growth", Auth::Bearer(&op), json!({ "retired": true, "name": "Growth (2026)" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body["retired_at"].is_string());
        assert_eq!(r.body["name"], "Growth (2026)");
        // Its tenant keeps it (and may be edited); nobody else can join.
        let r = app.patch(&format!("/api/v1/operator/tenants/{tenant_id}"), Auth::Bearer(&op), json!({ "name": "On Growth Ltd" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app
            .post("/api/v1/operator/tenants", Auth::Bearer(&op), json!({ "name": "Late", "slug": "late-growth", "plan": "growth", "owner_email": "o@late.example" }))
            .await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"), "{}", r.body);
        app.stop().await;
    })
    .await;
}

/// A feature the plan switches off answers 403 `feature_not_in_plan`
/// where it is used: the API with a key, campaigns; the dashboard's own
/// calls still work.
#[tokio::test]
async fn features_left_out_of_the_plan_are_refused_with_403() {
    each_engine(|app: TestApp| async move {
        let op = app.operator_token().await;
        let t = app.create_tenant("no-features").await;
        let off = json!({ "features": { "campaigns": false, "bot": true, "genesys": true, "api": false } });
        let r = app.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), off).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.get("/api/v1/me", Auth::ApiKey(&t.api_key)).await;
        assert_eq!((r.status, r.code()), (403, "feature_not_in_plan"), "{}", r.body);
        assert_eq!(app.get("/api/v1/me", Auth::Bearer(&t.owner.token)).await.status, 200);
        let r = app
            .post("/api/v1/campaigns", Auth::Bearer(&t.owner.token), json!({ "name": "Spring", "channel_id": uuid::Uuid::now_v7(), "template_id": uuid::Uuid::now_v7(), "audience": { "contact_ids": [] } }))
            .await;
        assert_eq!((r.status, r.code()), (403, "feature_not_in_plan"), "{}", r.body);
        app.stop().await;
    })
    .await;
}

/// The plan's `workflows` and `webhook_endpoints` limits: the last one
/// fits, the next is refused with 429 naming the limit, and nothing is
/// made; a copy of a workflow counts too.
#[tokio::test]
async fn workflows_and_webhook_endpoints_stop_at_the_plans_limit() {
    each_engine(|app: TestApp| async move {
        starter_limits(&app, json!({ "workflows": 1, "webhook_endpoints": 1 })).await;
        let t = app.create_tenant("limit-more").await;
        let definition = json!({ "trigger": {"type": "contact_created"}, "steps": [{"type": "add_note", "text": "Welcome"}] });
        let id = crate::automations::workflow(&app, &t, "Welcome", definition.clone()).await;
        let r = app
            .post("/api/v1/workflows", Auth::ApiKey(&t.api_key), json!({ "name": "Second", "definition": definition }))
            .await;
        assert_eq!((r.status, r.code()), (429, "plan_limit_reached"), "{}", r.body);
        assert!(r.body["error"]["message"].as_str().unwrap().contains("1 workflow"), "{}", r.body);
        let r = app.post(&format!("/api/v1/workflows/{id}/duplicate"), Auth::ApiKey(&t.api_key), json!({})).await;
        assert_eq!((r.status, r.code()), (429, "plan_limit_reached"), "{}", r.body);
        let list = app.get("/api/v1/workflows", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "{}", list.body);

        crate::webhooks::create_endpoint(&app, &t, "http://127.0.0.1:9/first", &["message.*"]).await;
        let r = app
            .post("/api/v1/webhook-endpoints", Auth::Bearer(&t.owner.token), json!({ "url": "http://127.0.0.1:9/second", "events": ["*"] }))
            .await;
        assert_eq!((r.status, r.code()), (429, "plan_limit_reached"), "{}", r.body);
        let list = app.get("/api/v1/webhook-endpoints", Auth::Bearer(&t.owner.token)).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "{}", list.body);
        app.stop().await;
    })
    .await;
}
