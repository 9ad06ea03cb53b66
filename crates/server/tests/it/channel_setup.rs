//! Connecting numbers: credentials checked with Meta, sealed at rest and
//! never returned; one tenant per number; a rejected token stops sends
//! until it is replaced; a tenant's own Meta app with its own signed URL.

use crate::secrets::{contains, database_bytes};
use sandbox::NumberSpec;
use serde_json::{Value, json};
use testkit::{APP_SECRET, Auth, Engine, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const OTHER_PNID: &str = "113982746610537";
const OTHER_WABA: &str = "209381726354821";
const CUSTOMER: &str = "16505551234";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/reference/fixtures");

async fn create(wa: &WhatsAppTest, t: &TestTenant, body: Value) -> testkit::Resp {
    wa.post("/api/v1/channels", Auth::ApiKey(&t.api_key), body)
        .await
}

async fn channel_count(wa: &WhatsAppTest, t: &TestTenant) -> usize {
    let r = wa.get("/api/v1/channels", Auth::ApiKey(&t.api_key)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn credentials_are_checked_with_meta_and_never_returned() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("setup-creds").await;
        wa.sandbox
            .add_number(NumberSpec::new(PNID, WABA, "the-right-token"))
            .unwrap();

        let r = create(
            &wa,
            &t,
            json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": "a-wrong-token" }),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["code"], json!("credentials_rejected"));
        assert_eq!(channel_count(&wa, &t).await, 0, "nothing was saved");

        let r = create(
            &wa,
            &t,
            json!({ "phone_number_id": "12ab", "waba_id": WABA, "access_token": "x" }),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["code"], json!("validation_failed"));

        let r = create(
            &wa,
            &t,
            json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": "the-right-token" }),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["status"], json!("active"));
        assert_eq!(r.body["app"], json!("platform"));
        let id = r.body["id"].as_str().unwrap().to_owned();
        for r in [
            r,
            wa.get(&format!("/api/v1/channels/{id}"), Auth::ApiKey(&t.api_key))
                .await,
            wa.get("/api/v1/channels", Auth::ApiKey(&t.api_key)).await,
        ] {
            assert!(matches!(r.status, 200 | 201), "{}", r.body);
            assert!(
                !r.text.contains("the-right-token"),
                "token returned: {}",
                r.text
            );
        }
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_number_belongs_to_one_tenant() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let a = wa.create_tenant("setup-owner-a").await;
        let b = wa.create_tenant("setup-owner-b").await;
        wa.connect_number(&a, PNID, WABA).await;
        let r = create(
            &wa,
            &b,
            json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": format!("token-{PNID}") }),
        )
        .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.body["error"]["code"], json!("phone_number_taken"));
        assert_eq!(channel_count(&wa, &b).await, 0);
        // The same tenant cannot connect it twice either.
        let r = create(
            &wa,
            &a,
            json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": format!("token-{PNID}") }),
        )
        .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(channel_count(&wa, &a).await, 1);
        // A second number is over the starter plan's limit of one.
        wa.sandbox
            .add_number(NumberSpec::new(OTHER_PNID, OTHER_WABA, "t2"))
            .unwrap();
        let r = create(
            &wa,
            &a,
            json!({ "phone_number_id": OTHER_PNID, "waba_id": OTHER_WABA, "access_token": "t2" }),
        )
        .await;
        assert_eq!(r.status, 429, "{}", r.body);
        assert_eq!(r.body["error"]["code"], json!("plan_limit_reached"));
        assert_eq!(channel_count(&wa, &a).await, 1, "the refused number was not kept");
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_rejected_token_stops_sends_until_the_credentials_are_replaced() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("setup-expired").await;
        let channel = wa.connect_number(&t, PNID, WABA).await;
        wa.sandbox.send_text(PNID, CUSTOMER, "hello").unwrap();
        wa.eventually("the customer's message", || async {
            let r = wa
                .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await;
            r.body["items"].as_array().is_some_and(|i| !i.is_empty())
        })
        .await;

        // Meta revokes the token: the number now only accepts a new one.
        wa.sandbox
            .add_number(NumberSpec::new(PNID, WABA, "the-new-token"))
            .unwrap();
        let send = || async {
            wa.post(
                "/api/v1/messages",
                Auth::ApiKey(&t.api_key),
                json!({ "to": CUSTOMER, "type": "text", "text": { "body": "still there?" } }),
            )
            .await
        };
        let r = send().await;
        assert_eq!(r.status, 202, "{}", r.body);
        let first = r.body["id"].as_str().unwrap().to_owned();
        wa.eventually("the channel to need credentials", || async {
            let r = wa
                .get(
                    &format!("/api/v1/channels/{channel}"),
                    Auth::ApiKey(&t.api_key),
                )
                .await;
            r.body["status"] == json!("needs_credentials")
        })
        .await;
        assert!(wa.sandbox.received(PNID, CUSTOMER).is_empty());

        // New sends are refused with a clear reason.
        let r = send().await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["code"], json!("channel_needs_credentials"));

        // A wrong replacement is refused; the right one reactivates the number.
        let path = format!("/api/v1/channels/{channel}/credentials");
        let r = wa
            .put(
                &path,
                Auth::ApiKey(&t.api_key),
                json!({ "access_token": "still-wrong" }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["error"]["code"], json!("credentials_rejected"));
        let r = wa
            .put(
                &path,
                Auth::ApiKey(&t.api_key),
                json!({ "access_token": "the-new-token" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["status"], json!("active"));

        // The message that was waiting goes out, once.
        wa.advance(61);
        wa.eventually("the waiting message to reach the customer", || async {
            !wa.sandbox.received(PNID, CUSTOMER).is_empty()
        })
        .await;
        let received = wa.sandbox.received(PNID, CUSTOMER);
        assert_eq!(received.len(), 1, "{received:?}");
        assert_eq!(
            received[0].biz_opaque_callback_data.as_deref(),
            Some(first.as_str())
        );
        assert_eq!(send().await.status, 202);
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_own_meta_app_gets_its_own_signed_url_and_only_its_numbers() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("setup-own-app").await;
        let other = wa.create_tenant("setup-own-other").await;
        wa.connect_number(&other, OTHER_PNID, OTHER_WABA).await;
        let token = format!("token-{PNID}");
        wa.sandbox
            .add_number(NumberSpec::new(PNID, WABA, &token))
            .unwrap();

        let r = create(
            &wa,
            &t,
            json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": token, "app": "own" }),
        )
        .await;
        assert_eq!(r.status, 422, "an own app needs its secret: {}", r.body);
        let r = create(
            &wa,
            &t,
            json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": token,
                    "app": "own", "app_secret": "tenant-app-secret" }),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(!r.text.contains("tenant-app-secret"), "{}", r.text);
        let url = r.body["webhook_url"].as_str().unwrap().to_owned();
        let verify = r.body["verify_token"].as_str().unwrap().to_owned();
        let path_token = url.rsplit('/').next().unwrap().to_owned();
        assert!(path_token.len() >= 32, "unguessable: {url}");
        let path = format!("/webhooks/whatsapp/{path_token}");

        // Meta's subscription check.
        let check = |token: String| {
            let wa = &wa;
            let path = path.clone();
            async move {
                wa.client
                    .get(format!(
                        "{}{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
                        wa.url
                    ))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let ok = check(verify.clone()).await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.text().await.unwrap(), "1158201444");
        assert_eq!(check("platform-verify-token".into()).await.status(), 403);

        let post = |body: Vec<u8>, secret: &'static str, path: String| {
            let wa = &wa;
            async move {
                wa.client
                    .post(format!("{}{path}", wa.url))
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", whatsapp::sign(secret.as_bytes(), &body))
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let mine = std::fs::read(format!("{FIXTURES}/inbound-text.json")).unwrap();
        // Signed with the platform's secret instead of the tenant's: refused.
        assert_eq!(post(mine.clone(), APP_SECRET, path.clone()).await, 401);
        // An unknown URL token: not found.
        assert_eq!(
            post(mine.clone(), "tenant-app-secret", "/webhooks/whatsapp/nope".into()).await,
            404
        );
        assert_eq!(post(mine, "tenant-app-secret", path.clone()).await, 200);
        // The other tenant's number, sent to this tenant's URL: refused and recorded.
        let theirs = String::from_utf8(std::fs::read(format!("{FIXTURES}/inbound-text.json")).unwrap())
            .unwrap()
            .replace(PNID, OTHER_PNID)
            .replace("wamid.", "wamid.other.");
        assert_eq!(post(theirs.into_bytes(), "tenant-app-secret", path).await, 200);
        wa.drain().await;

        let convs = |tenant: &TestTenant| {
            let key = tenant.api_key.clone();
            let wa = &wa;
            async move {
                let r = wa.get("/api/v1/conversations", Auth::ApiKey(&key)).await;
                r.body["items"].as_array().unwrap().len()
            }
        };
        assert_eq!(convs(&t).await, 1, "its own number's message landed");
        assert_eq!(convs(&other).await, 0, "the other tenant got nothing through it");
        let op = wa.operator_token().await;
        let r = wa.get("/api/v1/operator/unroutable", Auth::Bearer(&op)).await;
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", r.body);
        assert_eq!(items[0]["phone_number_id"], json!(OTHER_PNID));
        assert_eq!(items[0]["reason"], json!("not_this_tenants_number"));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_oversized_webhook_is_refused_and_stores_nothing() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let body = vec![b' '; 5 * 1024 * 1024];
        let status = wa
            .client
            .post(format!("{}/webhooks/whatsapp", wa.url))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                whatsapp::sign(APP_SECRET.as_bytes(), &body),
            )
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 413);
        let mut sys = wa.state.store.system().await.unwrap();
        assert_eq!(sys.count_webhooks("pending").await.unwrap(), 0);
        sys.commit().await.unwrap();
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn channel_credentials_are_sealed_at_rest() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let t = wa.create_tenant("setup-sealed").await;
    let token = "EAAGm0PX4ZCpsBAPlaintextCanary";
    wa.sandbox
        .add_number(NumberSpec::new(PNID, WABA, token))
        .unwrap();
    let r = create(
        &wa,
        &t,
        json!({ "phone_number_id": PNID, "waba_id": WABA, "access_token": token,
                "app": "own", "app_secret": "AppSecretPlaintextCanary" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let url = r.body["webhook_url"].as_str().unwrap();
    let path_token = url.rsplit('/').next().unwrap();
    let verify = r.body["verify_token"].as_str().unwrap();
    let bytes = database_bytes(&wa);
    assert!(contains(&bytes, PNID), "sanity: the scan sees plain data");
    for (what, secret) in [
        ("access token", token),
        ("app secret", "AppSecretPlaintextCanary"),
        ("webhook URL token", path_token),
        ("verify token", verify),
    ] {
        assert!(!contains(&bytes, secret), "{what} is stored in plaintext");
    }
    wa.stop().await;
}
