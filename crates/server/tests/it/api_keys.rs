//! API keys: shown once, hashed, scoped, expiring, revocable.
use domain::Clock as _;

use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn a_key_is_shown_once_and_works_in_both_headers() {
    each_engine(|app| async move {
        let t = app.create_tenant("keys-basic").await;
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::Bearer(&t.owner.token),
                json!({ "name": "crm sync", "scopes": ["users:read"] }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let secret = r.body["secret"].as_str().unwrap().to_owned();
        let id = r.body["api_key"]["id"].as_str().unwrap().to_owned();
        assert!(secret.starts_with(r.body["api_key"]["prefix"].as_str().unwrap()));

        let listed = app
            .get(
                &format!("/api/v1/api-keys/{id}"),
                Auth::Bearer(&t.owner.token),
            )
            .await;
        assert!(
            !listed.text.contains(&secret),
            "the secret is never shown again"
        );
        assert!(listed.body["last_used_at"].is_null());

        assert_eq!(
            app.get("/api/v1/users", Auth::ApiKey(&secret)).await.status,
            200
        );
        // A valid key with a bearer that names something else (garbage, or
        // a user's token) is refused: two credentials must agree.
        for other in ["Bearer not-a-token", &format!("Bearer {}", t.owner.token)] {
            let r = app
                .client
                .get(format!("{}/api/v1/users", app.url))
                .header("x-api-key", &secret)
                .header("authorization", other)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 401, "{other}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], json!("conflicting_credentials"));
        }
        let same = app
            .client
            .get(format!("{}/api/v1/users", app.url))
            .header("x-api-key", &secret)
            .header("authorization", format!("Bearer {secret}"))
            .send()
            .await
            .unwrap();
        assert_eq!(same.status().as_u16(), 200, "the same key twice agrees");
        assert_eq!(
            app.get("/api/v1/users", Auth::Bearer(&secret)).await.status,
            200
        );
        let listed = app
            .get(
                &format!("/api/v1/api-keys/{id}"),
                Auth::Bearer(&t.owner.token),
            )
            .await;
        assert!(listed.body["last_used_at"].is_string(), "use is recorded");

        // Scopes bound the key.
        let r = app
            .post(
                "/api/v1/invites",
                Auth::ApiKey(&secret),
                json!({ "email": "k@keys-basic.example.com", "role": "viewer" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        // A key cannot mint a key with more than it holds.
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::ApiKey(&t.api_key),
                json!({ "name": "x", "scopes": ["billing:manage", "users:read"] }),
            )
            .await;
        assert_eq!(r.status, 201, "owner key holds billing: {}", r.body);
        let agent = app.add_user(&t, domain::Role::Admin, "admin").await;
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::Bearer(&agent.token),
                json!({ "name": "x", "scopes": ["billing:manage"] }),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::Bearer(&agent.token),
                json!({ "name": "x", "scopes": ["no:such"] }),
            )
            .await;
        assert_eq!(r.status, 422);
    })
    .await;
}

#[tokio::test]
async fn expired_and_revoked_keys_are_refused() {
    each_engine(|app| async move {
        let t = app.create_tenant("keys-life").await;
        let soon = app.clock.now().plus_seconds(3600).to_rfc3339();
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::Bearer(&t.owner.token),
                json!({ "name": "temp", "expires_at": soon }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let temp = r.body["secret"].as_str().unwrap().to_owned();
        assert_eq!(
            app.get("/api/v1/tenant", Auth::ApiKey(&temp)).await.status,
            200
        );
        app.advance(3601);
        let r = app.get("/api/v1/tenant", Auth::ApiKey(&temp)).await;
        assert_eq!((r.status, r.code()), (401, "invalid_credentials"));

        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::ApiKey(&t.api_key),
                json!({ "name": "doomed" }),
            )
            .await;
        let doomed = r.body["secret"].as_str().unwrap().to_owned();
        let id = r.body["api_key"]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            app.get("/api/v1/tenant", Auth::ApiKey(&doomed))
                .await
                .status,
            200
        );
        let r = app
            .delete(&format!("/api/v1/api-keys/{id}"), Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body["revoked_at"].is_string());
        assert_eq!(
            app.get("/api/v1/tenant", Auth::ApiKey(&doomed))
                .await
                .status,
            401
        );

        let past = app.clock.now().plus_seconds(-10).to_rfc3339();
        let r = app
            .post(
                "/api/v1/api-keys",
                Auth::ApiKey(&t.api_key),
                json!({ "name": "late", "expires_at": past }),
            )
            .await;
        assert_eq!(
            (r.status, r.body["error"]["fields"][0]["field"].as_str()),
            (422, Some("expires_at"))
        );
        assert_eq!(
            app.get("/api/v1/tenant", Auth::ApiKey("sbk_made_up"))
                .await
                .status,
            401
        );
    })
    .await;
}
