//! Webhook endpoints through the API: the secret shown once, event
//! patterns, who may manage them, tenant isolation, and the URL rules
//! (https unless allowed, no private targets unless allowed), the latter
//! checked on the real binary configured by the documented variables.

use crate::webhooks::{create_endpoint, endpoint_id, secret_of};
use domain::Role;
use serde_json::json;
use testkit::process::ServerProcess;
use testkit::receiver::Receiver;
use testkit::{Auth, each_engine};

const BINARY: &str = env!("CARGO_BIN_EXE_switchboard");

#[tokio::test]
async fn an_endpoint_is_created_shown_changed_and_deleted_with_its_secret_shown_once() {
    each_engine(|app| async move {
        let t = app.create_tenant("hook-crud").await;
        let owner = Auth::Bearer(&t.owner.token);
        let r = app
            .post(
                "/api/v1/webhook-endpoints",
                owner,
                json!({ "url": "http://127.0.0.1:9/hooks", "events": ["message.*"],
                        "description": "orders", "headers": { "Authorization": "Bearer xyz" } }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = endpoint_id(&r.body);
        let secret = secret_of(&r.body);
        assert!(secret.starts_with("whsec_"), "{secret}");

        let one = app
            .get(&format!("/api/v1/webhook-endpoints/{id}"), owner)
            .await;
        assert_eq!(one.status, 200, "{}", one.body);
        assert!(!one.text.contains(&secret), "GET never shows the secret");
        assert!(
            !one.text.contains("Bearer xyz"),
            "nor the sealed headers' values"
        );
        assert_eq!(one.body["events"], json!(["message.*"]));
        assert_eq!(one.body["enabled"], json!(true));
        let list = app.get("/api/v1/webhook-endpoints", owner).await;
        assert_eq!(list.status, 200);
        assert!(!list.text.contains(&secret));
        assert_eq!(list.body["items"][0]["id"], json!(id));

        let changed = app
            .patch(
                &format!("/api/v1/webhook-endpoints/{id}"),
                owner,
                json!({ "events": ["*"], "description": "everything", "enabled": false }),
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.body);
        assert_eq!(changed.body["events"], json!(["*"]));
        assert_eq!(changed.body["enabled"], json!(false));
        assert!(!changed.text.contains(&secret));

        let rolled = app
            .post(
                &format!("/api/v1/webhook-endpoints/{id}/roll-secret"),
                owner,
                json!({ "overlap_hours": 0 }),
            )
            .await;
        assert_eq!(rolled.status, 200, "{}", rolled.body);
        let new_secret = secret_of(&rolled.body);
        assert_ne!(new_secret, secret);

        let gone = app
            .delete(&format!("/api/v1/webhook-endpoints/{id}"), owner)
            .await;
        assert!(gone.status == 204 || gone.status == 200, "{}", gone.body);
        let after = app
            .get(&format!("/api/v1/webhook-endpoints/{id}"), owner)
            .await;
        assert_eq!(after.status, 404);
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn event_patterns_are_names_families_or_everything_and_typos_are_refused() {
    each_engine(|app| async move {
        let t = app.create_tenant("hook-patterns").await;
        for events in [
            json!(["message.*"]),
            json!(["message.received"]),
            json!(["*"]),
            json!(["message.received", "conversation.*"]),
        ] {
            let r = app
                .post(
                    "/api/v1/webhook-endpoints",
                    Auth::Bearer(&t.owner.token),
                    json!({ "url": "http://127.0.0.1:9/ok", "events": events }),
                )
                .await;
            assert_eq!(r.status, 201, "{events}: {}", r.body);
        }
        for events in [
            json!(["message.recieved"]),
            json!(["nothing.*"]),
            json!([]),
            json!(["message.received", "nope"]),
        ] {
            let r = app
                .post(
                    "/api/v1/webhook-endpoints",
                    Auth::Bearer(&t.owner.token),
                    json!({ "url": "http://127.0.0.1:9/bad", "events": events }),
                )
                .await;
            assert_eq!(r.status, 422, "{events} is refused: {}", r.body);
        }
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn agents_and_keys_without_the_scope_cannot_manage_endpoints() {
    each_engine(|app| async move {
        let t = app.create_tenant("hook-roles").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let body = json!({ "url": "http://127.0.0.1:9/x", "events": ["*"] });
        let r = app
            .post(
                "/api/v1/webhook-endpoints",
                Auth::Bearer(&agent.token),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 403, "an agent may not create: {}", r.body);
        let r = app
            .get("/api/v1/webhook-endpoints", Auth::Bearer(&agent.token))
            .await;
        assert_eq!(r.status, 403, "nor list: {}", r.body);
        let admin = app.add_user(&t, Role::Admin, "admin").await;
        let r = app
            .post(
                "/api/v1/webhook-endpoints",
                Auth::Bearer(&admin.token),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, 201, "an admin may: {}", r.body);

        for (scopes, expected) in [
            (json!(["inbox:read"]), 403),
            (json!(["webhooks:manage"]), 201),
        ] {
            let key = app
                .post(
                    "/api/v1/api-keys",
                    Auth::Bearer(&t.owner.token),
                    json!({ "name": "hooks", "scopes": scopes }),
                )
                .await;
            assert_eq!(key.status, 201, "{}", key.body);
            let secret = key.body["secret"].as_str().unwrap();
            let r = app
                .post(
                    "/api/v1/webhook-endpoints",
                    Auth::ApiKey(secret),
                    body.clone(),
                )
                .await;
            assert_eq!(r.status, expected, "key with {scopes}: {}", r.body);
        }
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn another_tenant_gets_404_on_every_endpoint_and_delivery_route() {
    each_engine(|app| async move {
        let receiver = Receiver::start().await;
        let a = app.create_tenant("hook-iso-a").await;
        let b = app.create_tenant("hook-iso-b").await;
        let (endpoint, _) = create_endpoint(&app, &a, &receiver.url("/a"), &["*"]).await;
        let r = app
            .post(
                &format!("/api/v1/webhook-endpoints/{endpoint}/test"),
                Auth::Bearer(&a.owner.token),
                json!({}),
            )
            .await;
        assert!(r.status < 300, "{}", r.body);
        app.drain().await;
        let log = crate::webhooks::deliveries(&app, &a, &endpoint, "").await;
        let delivery = log[0]["id"].as_str().expect("a delivery").to_owned();

        let other = Auth::Bearer(&b.owner.token);
        let e = format!("/api/v1/webhook-endpoints/{endpoint}");
        let d = format!("/api/v1/webhook-deliveries/{delivery}");
        assert_eq!(app.get(&e, other).await.status, 404);
        assert_eq!(
            app.patch(&e, other, json!({ "enabled": false }))
                .await
                .status,
            404
        );
        for path in [
            format!("{e}/roll-secret"),
            format!("{e}/test"),
            format!("{e}/replay"),
            format!("{d}/replay"),
        ] {
            let body = if path.ends_with("/replay") && path.starts_with(&e) {
                json!({ "dead": true })
            } else {
                json!({})
            };
            assert_eq!(
                app.post(&path, other, body).await.status,
                404,
                "POST {path}"
            );
        }
        assert_eq!(app.get(&format!("{e}/deliveries"), other).await.status, 404);
        assert_eq!(app.get(&d, other).await.status, 404);
        assert_eq!(app.delete(&e, other).await.status, 404);
        let listed = app.get("/api/v1/webhook-endpoints", other).await;
        assert_eq!(listed.body["items"], json!([]), "B lists none of A's");
        // Still A's, untouched, and A sees its delivery.
        let mine = app.get(&d, Auth::Bearer(&a.owner.token)).await;
        assert_eq!(mine.status, 200, "{}", mine.body);
        assert_eq!(app.get(&e, Auth::Bearer(&a.owner.token)).await.status, 200);
        app.stop().await;
    })
    .await;
}

/// URLs refused or accepted by a real server started with `env`.
async fn url_rules(
    engine: testkit::Engine,
    env: &[(&str, String)],
    cases: &[(&str, Option<&str>)],
) {
    let server = ServerProcess::start(std::path::Path::new(BINARY), engine, env).await;
    let (_, key) = server.create_tenant("hook-urls").await;
    for (url, refusal) in cases {
        let (status, body) = server
            .post(
                "/api/v1/webhook-endpoints",
                Auth::ApiKey(&key),
                &json!({ "url": url, "events": ["*"] }),
            )
            .await;
        match refusal {
            None => assert_eq!(status, 201, "{url} is accepted: {body}"),
            Some(code) => {
                assert_eq!(status, 422, "{url} is refused: {body}");
                if !code.is_empty() {
                    assert_eq!(body["error"]["code"], json!(code), "{url}: {body}");
                }
            }
        }
    }
}

#[tokio::test]
async fn urls_must_be_https_and_public_unless_the_deployment_allows_otherwise() {
    const FORBIDDEN: Option<&str> = Some("webhook_url_forbidden");
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        // The defaults: https only, public addresses only. (A public IP
        // literal: no DNS needed to accept it.)
        url_rules(
            engine,
            &[],
            &[
                ("https://93.184.215.14/hooks", None),
                ("http://93.184.215.14/hooks", Some("")),
                ("https://127.0.0.1/hooks", FORBIDDEN),
                ("https://localhost/hooks", FORBIDDEN),
                ("https://user:pw@93.184.215.14/hooks", Some("")),
            ],
        )
        .await;
        // Plain HTTP allowed, private targets still refused.
        url_rules(
            engine,
            &[("SWITCHBOARD_WEBHOOKS_ALLOW_HTTP", "1".to_owned())],
            &[
                ("http://93.184.215.14/hooks", None),
                ("http://127.0.0.1:8080/hooks", FORBIDDEN),
                ("http://169.254.169.254/latest/meta-data/", FORBIDDEN),
                ("http://[::1]/hooks", FORBIDDEN),
                ("http://10.0.0.1/hooks", FORBIDDEN),
                ("http://192.168.1.10/hooks", FORBIDDEN),
                ("http://localhost:8080/hooks", FORBIDDEN),
                ("http://0.0.0.0/hooks", FORBIDDEN),
                ("http://[::ffff:127.0.0.1]/hooks", FORBIDDEN),
            ],
        )
        .await;
        // Both allowed: a local receiver is fine.
        url_rules(
            engine,
            &[
                ("SWITCHBOARD_WEBHOOKS_ALLOW_HTTP", "1".to_owned()),
                ("SWITCHBOARD_WEBHOOKS_ALLOW_PRIVATE", "1".to_owned()),
            ],
            &[
                ("http://127.0.0.1:8080/hooks", None),
                ("http://localhost:8080/hooks", None),
            ],
        )
        .await;
    }
}
