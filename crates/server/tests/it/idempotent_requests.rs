//! `Idempotency-Key` claimed in the handler's own transaction: concurrent
//! duplicates run once, the answer is committed with the change, and
//! stored answers hold no secret in plaintext.

use crate::sending::{PNID, WABA, add_template, template};
use domain::TenantId;
use reqwest::Method;
use serde_json::json;
use testkit::{Auth, Engine, TestApp, WhatsAppTest, each_engine, each_engine_with_sandbox};

#[tokio::test]
async fn two_concurrent_requests_with_one_key_queue_one_message() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("idem-race").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let mut conversation = String::new();
        for trial in 0..10 {
            let key = format!("race-{trial}");
            let headers = [("idempotency-key", key.as_str())];
            let send = || {
                wa.request(
                    Method::POST,
                    "/api/v1/messages",
                    Auth::ApiKey(&t.api_key),
                    Some(template()),
                    &headers,
                )
            };
            let (a, b) = tokio::join!(send(), send());
            assert_eq!((a.status, b.status), (202, 202), "{} / {}", a.body, b.body);
            assert_eq!(a.body["id"], b.body["id"], "both answers name one message");
            conversation = a.body["conversation_id"].as_str().unwrap().to_owned();
        }
        let r = wa
            .get(
                &format!("/api/v1/conversations/{conversation}/messages?limit=100"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 10, "{}", r.body);
        wa.stop().await;
    })
    .await;
}

/// The key's claim and the change commit together: until the answer is
/// stored nothing is visible, and a request that dies before its answer
/// leaves neither (so its retry runs once, afresh).
#[tokio::test]
async fn the_answer_is_committed_with_the_change() {
    each_engine(|app: TestApp| async move {
        use store::idempotency::{Claim, Claimed, claimed};
        let t = app.create_tenant("idem-commit").await;
        let tenant: TenantId = t.id.parse().unwrap();
        let store = app.state.store.clone();
        let claim = |key: &str| Claim {
            tenant,
            principal: "test".into(),
            key: key.into(),
            request_hash: "h".into(),
            now: domain::Timestamp::from_millis(1),
        };
        let visible = |key: &'static str| {
            let store = store.clone();
            async move {
                let mut tx = store.tenant_read(tenant).await.unwrap();
                let found = tx.find_idempotent_response("test", key).await.unwrap();
                tx.commit().await.unwrap();
                found
            }
        };
        // The handler's write transaction claims the key; its commit waits.
        let s = store.clone();
        let ((), held) = claimed(claim("crash"), async move {
            let tx = s.tenant(tenant).await.unwrap();
            tx.commit().await.unwrap();
        })
        .await;
        let Claimed::Held(held) = held else {
            panic!("the handler's transaction holds the claim")
        };
        assert!(
            visible("crash").await.is_none(),
            "nothing committed before the answer"
        );
        drop(held); // the process dies before answering
        assert!(
            visible("crash").await.is_none(),
            "neither the change nor the key"
        );

        let s = store.clone();
        let ((), held) = claimed(claim("ok"), async move {
            let tx = s.tenant(tenant).await.unwrap();
            tx.commit().await.unwrap();
        })
        .await;
        let Claimed::Held(held) = held else {
            panic!("held")
        };
        held.commit_with(201, "sealed").await.unwrap();
        let stored = visible("ok").await.unwrap();
        assert_eq!((stored.status_code, stored.body.as_str()), (201, "sealed"));
    })
    .await;
}

#[tokio::test]
async fn stored_answers_hold_no_secret_in_plaintext() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("idem-sealed").await;
        let create = || {
            app.request(
                Method::POST,
                "/api/v1/api-keys",
                Auth::Bearer(&t.owner.token),
                Some(json!({ "name": "crm", "scopes": ["users:read"] })),
                &[("idempotency-key", "key-1")],
            )
        };
        let first = create().await;
        assert_eq!(first.status, 201, "{}", first.body);
        let secret = first.body["secret"].as_str().unwrap().to_owned();
        let retry = create().await;
        assert_eq!(retry.status, 201, "{}", retry.body);
        assert_eq!(
            retry.body["secret"],
            json!(secret),
            "the retry gets the same answer"
        );
        assert_eq!(
            retry
                .headers
                .get("idempotent-replayed")
                .map(|v| v.to_str().unwrap()),
            Some("true")
        );

        let tenant: TenantId = t.id.parse().unwrap();
        let mut tx = app.state.store.tenant_read(tenant).await.unwrap();
        let principal = format!("user:{}", t.owner.id);
        let row = tx
            .find_idempotent_response(&principal, "key-1")
            .await
            .unwrap()
            .expect("the answer is stored");
        tx.commit().await.unwrap();
        assert!(!row.body.contains(&secret), "the stored answer is sealed");
        if app.engine == Engine::Sqlite {
            let bytes = crate::secrets::database_bytes(&app);
            assert!(!crate::secrets::contains(&bytes, &secret));
        }
    })
    .await;
}

/// Every creating call answers the same under an `Idempotency-Key` as
/// without one, and its retry replays the answer: none of them needs a
/// second write transaction the held one would block (on SQLite), nor reads
/// back what it wrote outside it.
#[tokio::test]
async fn creating_calls_work_and_replay_under_an_idempotency_key() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("idem-calls").await;
        let key = Auth::ApiKey(&t.api_key);
        let call = |path: String, body: serde_json::Value, k: &'static str| {
            let wa = &wa;
            async move {
                let headers = [("idempotency-key", k)];
                let first = wa
                    .request(Method::POST, &path, key, Some(body.clone()), &headers)
                    .await;
                let again = wa
                    .request(Method::POST, &path, key, Some(body), &headers)
                    .await;
                assert!(
                    first.status < 300,
                    "{path}: {} {}",
                    first.status,
                    first.body
                );
                assert_eq!(
                    (again.status, &again.body),
                    (first.status, &first.body),
                    "{path} replays"
                );
                first.body
            }
        };
        wa.sandbox
            .add_number(sandbox::NumberSpec::new(PNID, WABA, "token-idem"))
            .unwrap();
        call(
            "/api/v1/channels".into(),
            json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": "token-idem" }),
            "k-channel",
        )
        .await;
        call(
            "/api/v1/invites".into(),
            json!({ "email": "new@example.com", "role": "agent" }),
            "k-invite",
        )
        .await;
        let endpoint = call(
            "/api/v1/webhook-endpoints".into(),
            json!({ "url": "http://127.0.0.1:9/hooks", "events": ["message.*"] }),
            "k-endpoint",
        )
        .await;
        let id = endpoint["endpoint"]["id"].as_str().unwrap().to_owned();
        call(
            format!("/api/v1/webhook-endpoints/{id}/test"),
            json!({}),
            "k-test",
        )
        .await;
        call(
            format!("/api/v1/webhook-endpoints/{id}/roll-secret"),
            json!({}),
            "k-roll",
        )
        .await;
        wa.stop().await;
    })
    .await;
}
