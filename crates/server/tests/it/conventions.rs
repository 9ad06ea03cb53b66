//! API conventions: the error shape, pagination, idempotency, health,
//! metrics, request ids, headers, limits and the OpenAPI document.

use serde_json::json;
use testkit::{Auth, TestApp, each_engine};

#[tokio::test]
async fn errors_share_one_shape_with_a_stable_code() {
    each_engine(|app| async move {
        let t = app.create_tenant("conv-errors").await;
        let r = app.get("/api/v1/nothing-here", Auth::None).await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = app
            .get("/api/v1/users/not-a-uuid", Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = app.get("/api/v1/users", Auth::None).await;
        assert_eq!((r.status, r.code()), (401, "unauthenticated"));

        let raw = app
            .client
            .post(format!("{}/api/v1/invites", app.url))
            .header("x-api-key", &t.api_key)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status(), 400);
        let body: serde_json::Value = raw.json().await.unwrap();
        assert_eq!(body["error"]["code"], json!("malformed_json"));

        let r = app
            .post(
                "/api/v1/invites",
                Auth::ApiKey(&t.api_key),
                json!({ "email": "ok@x.example.com", "role": "emperor" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"));
        assert_eq!(
            r.body["error"]["fields"][0]["field"],
            json!("role"),
            "{}",
            r.body
        );
        let r = app
            .post(
                "/api/v1/invites",
                Auth::ApiKey(&t.api_key),
                json!({ "email": "not-an-email", "role": "agent" }),
            )
            .await;
        assert_eq!(
            r.body["error"]["fields"][0]["field"],
            json!("email"),
            "{}",
            r.body
        );

        let huge = "x".repeat(app.state.config.body_limit + 10);
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::ApiKey(&t.api_key),
                json!({ "name": huge }),
            )
            .await;
        assert_eq!((r.status, r.code()), (413, "payload_too_large"));
    })
    .await;
}

#[tokio::test]
async fn lists_page_with_cursors_without_gaps_or_repeats() {
    each_engine(|app| async move {
        let t = app.create_tenant("conv-pages").await;
        for i in 0..6 {
            let r = app
                .post(
                    "/api/v1/api-keys",
                    Auth::ApiKey(&t.api_key),
                    json!({ "name": format!("k{i}") }),
                )
                .await;
            assert_eq!(r.status, 201);
        }
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let r = app
                .get(
                    &format!("/api/v1/api-keys?limit=3&cursor={cursor}"),
                    Auth::ApiKey(&t.api_key),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            let items = r.body["items"].as_array().unwrap();
            assert!(items.len() <= 3);
            seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7, "six new keys plus the first");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 7);
        let r = app
            .get("/api/v1/api-keys?cursor=garbage", Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(r.status, 422);
        // The documented bounds of `limit` are the enforced ones.
        for limit in ["0", "201", "2147483648", "-1", "ten"] {
            for list in [
                "/api/v1/api-keys",
                "/api/v1/conversations",
                "/api/v1/contacts",
            ] {
                let r = app
                    .get(&format!("{list}?limit={limit}"), Auth::ApiKey(&t.api_key))
                    .await;
                assert_eq!(
                    (r.status, r.code()),
                    (422, "validation_failed"),
                    "{list} {limit}"
                );
            }
        }
    })
    .await;
}

/// The statuses the OpenAPI document adds to every operation of a kind
/// (`http/openapi.rs`): where they apply, and only there.
#[tokio::test]
async fn the_openapi_document_lists_the_shared_error_answers() {
    let app = TestApp::start(testkit::Engine::Sqlite).await;
    let doc = app.get("/api/openapi.json", Auth::None).await.body;
    let statuses = |method: &str, path: &str| -> Vec<String> {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} documented");
        op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        statuses("post", "/api/v1/invites"),
        [
            "201", "400", "401", "403", "409", "413", "422", "423", "429"
        ]
    );
    // An API key on a plan without the API gets 403; over its rate, 429.
    assert_eq!(
        statuses("get", "/api/v1/me"),
        ["200", "401", "403", "423", "429"]
    );
    assert_eq!(
        statuses("get", "/api/v1/users/{user_id}"),
        ["200", "401", "403", "404", "423", "429"]
    );
    assert_eq!(
        statuses("get", "/api/v1/operator/tenants"),
        ["200", "401", "422"]
    );
    assert_eq!(statuses("get", "/api/v1/operator/nodes"), ["200", "401"]);
    assert_eq!(statuses("get", "/healthz"), ["200"]);
    let limit = doc["paths"]["/api/v1/users"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(
        (&limit["schema"]["minimum"], &limit["schema"]["maximum"]),
        (&json!(1), &json!(200))
    );
    let idempotency = doc["paths"]["/api/v1/invites"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
    assert!(idempotency, "tenant POSTs document Idempotency-Key");
    app.stop().await;
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    each_engine(|app| async move {
        let t = app.create_tenant("conv-idem").await;
        let body = json!({ "name": "once" });
        let first = app
            .request(
                reqwest::Method::POST,
                "/api/v1/api-keys",
                Auth::ApiKey(&t.api_key),
                Some(body.clone()),
                &[("idempotency-key", "abc-1")],
            )
            .await;
        assert_eq!(first.status, 201);
        let second = app
            .request(
                reqwest::Method::POST,
                "/api/v1/api-keys",
                Auth::ApiKey(&t.api_key),
                Some(body),
                &[("idempotency-key", "abc-1")],
            )
            .await;
        assert_eq!(second.status, 201);
        assert_eq!(second.body, first.body, "the same key, the same answer");
        assert_eq!(second.headers["idempotent-replayed"], "true");
        let keys = app.get("/api/v1/api-keys", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(
            keys.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|k| k["name"] == "once")
                .count(),
            1
        );
        let other = app
            .request(
                reqwest::Method::POST,
                "/api/v1/api-keys",
                Auth::ApiKey(&t.api_key),
                Some(json!({ "name": "different" })),
                &[("idempotency-key", "abc-1")],
            )
            .await;
        assert_eq!(
            (other.status, other.code()),
            (422, "idempotency_key_reused")
        );
        // Keys belong to the caller: the owner's JWT has its own space.
        let mine = app
            .request(
                reqwest::Method::POST,
                "/api/v1/api-keys",
                Auth::Bearer(&t.owner.token),
                Some(json!({ "name": "different" })),
                &[("idempotency-key", "abc-1")],
            )
            .await;
        assert_eq!(mine.status, 201);
    })
    .await;
}

#[tokio::test]
async fn health_metrics_request_ids_and_security_headers() {
    let app = TestApp::start(testkit::Engine::Sqlite).await;
    let r = app.get("/healthz", Auth::None).await;
    assert_eq!((r.status, r.text.as_str()), (200, "ok"));
    assert_eq!(app.get("/readyz", Auth::None).await.status, 200);
    assert!(r.headers["x-request-id"].to_str().unwrap().len() >= 32);
    let echoed = app
        .request(
            reqwest::Method::GET,
            "/healthz",
            Auth::None,
            None,
            &[("x-request-id", "trace-me-42")],
        )
        .await;
    assert_eq!(echoed.headers["x-request-id"], "trace-me-42");
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert!(r.headers.contains_key(h), "missing {h}");
    }
    let m = app.get("/metrics", Auth::None).await;
    assert_eq!(m.status, 200);
    assert!(
        m.text.contains("switchboard_http_requests_total"),
        "{}",
        m.text
    );
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_and_docs_page_work_offline() {
    let app = TestApp::start(testkit::Engine::Sqlite).await;
    let doc = app.get("/api/openapi.json", Auth::None).await;
    assert_eq!(doc.status, 200);
    for path in [
        "/api/v1/operator/tenants",
        "/api/v1/users/{user_id}",
        "/api/v1/api-keys",
        "/api/v1/audit-log",
        "/api/v1/auth/login",
    ] {
        assert!(doc.body["paths"][path].is_object(), "{path} documented");
    }
    let page = app
        .client
        .get(format!("{}/api/docs/", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    for needle in ["http://", "https://", "//cdn", "unpkg"] {
        let external = html
            .lines()
            .any(|l| (l.contains("src=") || l.contains("href=")) && l.contains(needle));
        assert!(!external, "docs page loads `{needle}` assets: {html}");
    }
    let init = app
        .client
        .get(format!("{}/api/docs/swagger-initializer.js", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/api/openapi.json"));
    app.stop().await;
}

#[tokio::test]
async fn stopping_lets_the_server_finish_and_close() {
    let app = TestApp::start(testkit::Engine::Sqlite).await;
    let url = app.url.clone();
    assert_eq!(app.get("/healthz", Auth::None).await.status, 200);
    app.stop().await;
    assert!(
        reqwest::get(format!("{url}/healthz")).await.is_err(),
        "no longer listening"
    );
}
