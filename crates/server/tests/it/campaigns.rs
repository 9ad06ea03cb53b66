//! Broadcasts, on both engines, against the sandbox: a campaign to a tag's
//! contacts sends each recipient the template once, with its parameters
//! filled from the contact (or the fallback), skipping who opted out, in
//! rounds at the number's pace, and finishes with its figures; pause,
//! resume and cancel; a start refused when the quota cannot cover the
//! audience; a scheduled start; a retry of recipients whose message failed
//! with an error worth another try; the messaging-limit tier. The clock is
//! moved, never slept on.

mod failures;
mod flows;
mod pages;

use domain::TenantId;
use serde_json::{Value, json};
use store::templates::Template;
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest};

pub const WABA: &str = crate::channels::WABA_A;
pub const PNID: &str = crate::channels::PNID_A;
pub const BODY: &str = "Hi {{1}}, {{2}} off everything today!";

/// The approved template `offer` (body [`BODY`]) in the sandbox and in the
/// tenant's library, as a sync would leave it; its id.
pub async fn offer_template(app: &TestApp, t: &TestTenant, wa: Option<&WhatsAppTest>) -> String {
    let components = json!([{ "type": "BODY", "text": BODY }]);
    if let Some(wa) = wa {
        wa.sandbox
            .add_template(sandbox::TemplateSpec {
                components: Some(components.clone()),
                ..sandbox::TemplateSpec::approved(WABA, "offer", "en_US")
            })
            .unwrap();
    }
    let tenant: TenantId = t.id.parse().unwrap();
    let now = app.state.now();
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    let stored = tx
        .upsert_template(&Template {
            id: domain::TemplateId::new(),
            waba_id: WABA.into(),
            meta_id: Some("1234567890".into()),
            name: "offer".into(),
            language: "en_US".into(),
            category: "MARKETING".into(),
            status: "APPROVED".into(),
            parameter_format: Some("POSITIONAL".into()),
            components,
            quality: None,
            rejected_reason: None,
            synced_at: Some(now),
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    stored.id.to_string()
}

/// A contact created through the API; its id.
pub async fn contact(app: &TestApp, t: &TestTenant, phone: &str, name: Option<&str>) -> String {
    let r = app
        .post(
            "/api/v1/contacts",
            Auth::ApiKey(&t.api_key),
            json!({ "phone": phone, "name": name }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// `POST /api/v1/campaigns` with `body`, expecting 201.
pub async fn create(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/campaigns", Auth::Bearer(&t.owner.token), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// `POST /api/v1/campaigns/{id}/{action}` as the owner.
pub async fn act(
    app: &TestApp,
    t: &TestTenant,
    id: &str,
    action: &str,
    body: Value,
) -> testkit::Resp {
    app.post(
        &format!("/api/v1/campaigns/{id}/{action}"),
        Auth::Bearer(&t.owner.token),
        body,
    )
    .await
}

pub async fn stats(app: &TestApp, t: &TestTenant, id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/campaigns/{id}/stats"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Gives `t` a number (stored directly: this walk has no sandbox), the
/// `offer` template and a draft campaign, so the cross-tenant walk
/// (isolation.rs) probes the campaign routes with real ids.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let tenant: TenantId = t.id.parse().unwrap();
    let pnid = format!("9{}", &uuid::Uuid::now_v7().as_u128().to_string()[..14]);
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    let channel = tx
        .insert_channel(store::channels::NewChannel {
            phone_number_id: &pnid,
            waba_id: WABA,
            display_phone_number: "+1 555 0100",
            verified_name: None,
            access_token_sealed: &app.state.secrets.seal_str("token"),
            app_kind: store::channels::AppKind::Platform,
            app_secret_sealed: None,
            webhook_token_hash: None,
            webhook_token_sealed: None,
            verify_token_sealed: None,
            rate_limit: 80,
            now: app.state.now(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let template = offer_template(app, t, None).await;
    let ana = contact(app, t, &format!("+1555{}", &pnid[1..8]), Some("Seeded Ana")).await;
    create(
        app,
        t,
        json!({ "name": "Seeded campaign", "channel_id": channel.id, "template_id": template,
                "variables": [{ "parameter": "1", "text": "{{contact.first_name}}" },
                              { "parameter": "2", "text": "10%" }],
                "audience": { "contact_ids": [ana] } }),
    )
    .await;
}
