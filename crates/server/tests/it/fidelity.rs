//! WhatsApp fidelity (issue #12): what Meta really sends beyond the basic
//! fixtures — edits and deletions (statuses: [`crate::fidelity_statuses`]), the
//! business's own messages from the WhatsApp Business app, routing by the
//! number a value names, business-scoped user ids, account verdicts,
//! number changes — and the plan's contact limit on inbound customers.

use crate::channels::{PNID_A, WABA_A, conversations, fixture, messages, post_webhook};
use crate::sending::{add_template, template};

use serde_json::{Value, json};
use testkit::{APP_SECRET, Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

pub(crate) const CUSTOMER: &str = "16505551234";

/// A webhook body with one change of `field` for WABA `waba`.
pub(crate) fn hook(waba: &str, field: &str, value: Value) -> Value {
    json!({ "object": "whatsapp_business_account",
            "entry": [{ "id": waba, "changes": [{ "field": field, "value": value }] }] })
}

/// A `messages` value of number A.
pub(crate) fn value_a(extra: Value) -> Value {
    let mut v = json!({ "messaging_product": "whatsapp",
                        "metadata": { "display_phone_number": "15550783881", "phone_number_id": PNID_A } });
    if let (Some(map), Value::Object(more)) = (v.as_object_mut(), extra) {
        map.extend(more);
    }
    v
}

pub(crate) fn text(from: &str, wamid: &str, body: &str) -> Value {
    json!({ "from": from, "id": wamid, "timestamp": "1749416383", "type": "text", "text": { "body": body } })
}

pub(crate) async fn deliver(wa: &WhatsAppTest, body: &Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    assert_eq!(post_webhook(wa, &bytes, Some(APP_SECRET)).await, 200);
    wa.drain().await;
}

/// The tenant's events, as (name, payload).
pub(crate) async fn events(wa: &WhatsAppTest, t: &TestTenant) -> Vec<(String, Value)> {
    let all = server::events::read_after(&wa.state, t.id.parse().unwrap(), 0, 1000)
        .await
        .unwrap();
    all.into_iter().map(|e| (e.name, e.payload)).collect()
}

pub(crate) async fn contacts(wa: &WhatsAppTest, t: &TestTenant) -> Vec<Value> {
    let r = wa.get("/api/v1/contacts", Auth::ApiKey(&t.api_key)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

pub(crate) async fn only_messages(wa: &WhatsAppTest, t: &TestTenant) -> Vec<Value> {
    let convs = conversations(wa, t).await;
    assert_eq!(convs.len(), 1, "{convs:?}");
    messages(wa, t, convs[0]["id"].as_str().unwrap()).await
}

/// An edit replaces the message's content and keeps the earlier one; a
/// deletion hides the content; neither is a message of its own, repeats
/// change nothing, and one naming an unknown message is only recorded.
#[tokio::test]
async fn edits_and_deletions_change_the_original_message() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-edit").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [text(CUSTOMER, "wamid.ORIG", "See you at 5")] })))).await;
        let edit = json!({ "from": CUSTOMER, "id": "wamid.EDIT1", "timestamp": "1749416400", "type": "edit",
            "edit": { "original_message_id": "wamid.ORIG",
                      "message": { "type": "text", "text": { "body": "See you at 6" } } } });
        let edit_hook = hook(WABA_A, "messages", value_a(json!({ "messages": [edit] })));
        deliver(&wa, &edit_hook).await;
        deliver(&wa, &edit_hook).await;
        let msgs = only_messages(&wa, &t).await;
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert_eq!(msgs[0]["content"]["text"]["body"], json!("See you at 6"));
        assert!(msgs[0]["edited_at"].is_number() || msgs[0]["edited_at"].is_string(), "{}", msgs[0]);
        let mut tx = wa.state.store.tenant_read(t.id.parse().unwrap()).await.unwrap();
        let revisions = tx.list_message_revisions(msgs[0]["id"].as_str().unwrap().parse().unwrap()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(revisions.len(), 1, "a redelivered edit is applied once");
        assert_eq!(revisions[0].previous_content["text"]["body"], json!("See you at 5"));

        let unknown = json!({ "from": CUSTOMER, "id": "wamid.EDIT2", "timestamp": "1749416500", "type": "revoke",
            "revoke": { "original_message_id": "wamid.NEVER-SEEN" } });
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [unknown] })))).await;
        assert_eq!(only_messages(&wa, &t).await.len(), 1, "no bogus message");

        let revoke = json!({ "from": CUSTOMER, "id": "wamid.DEL", "timestamp": "1749416600", "type": "revoke",
            "revoke": { "original_message_id": "wamid.ORIG" } });
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [revoke] })))).await;
        let msgs = only_messages(&wa, &t).await;
        assert_eq!(msgs.len(), 1);
        assert_eq!((&msgs[0]["deleted"], &msgs[0]["content"]), (&json!(true), &Value::Null), "{}", msgs[0]);

        let names: Vec<String> = events(&wa, &t).await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(names.iter().filter(|n| *n == "message.edited").count(), 1, "{names:?}");
        assert_eq!(names.iter().filter(|n| *n == "message.deleted").count(), 1, "{names:?}");
        let unhandled: Vec<Value> = events(&wa, &t).await.into_iter()
            .filter(|(n, _)| n == "whatsapp.unhandled").map(|(_, p)| p["reason"].clone()).collect();
        assert_eq!(unhandled, vec![json!("revoke_unmatched")]);
        wa.stop().await;
    })
    .await;
}

/// Messages the business sent from the WhatsApp Business app join the
/// conversation as sent outbound messages, once per wamid.
#[tokio::test]
async fn business_app_echoes_join_the_conversation_once() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-echo").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [text(CUSTOMER, "wamid.IN1", "Hi")] })))).await;
        let echo = json!({ "from": "15550783881", "to": CUSTOMER, "id": "wamid.ECHO1", "timestamp": "1749416450",
                           "type": "text", "text": { "body": "Hello from the app" } });
        let body = hook(WABA_A, "smb_message_echoes", value_a(json!({ "message_echoes": [echo] })));
        deliver(&wa, &body).await;
        deliver(&wa, &body).await;
        let msgs = only_messages(&wa, &t).await;
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        let echoed = msgs.iter().find(|m| m["wamid"] == json!("wamid.ECHO1")).unwrap();
        assert_eq!((&echoed["direction"], &echoed["status"]), (&json!("out"), &json!("sent")));
        assert_eq!(echoed["content"]["text"]["body"], json!("Hello from the app"));
        assert_eq!(contacts(&wa, &t).await.len(), 1);
        wa.stop().await;
    })
    .await;
}

/// A field whose value names a number (`calls` here) goes to that number,
/// even when the entry's WABA id is not one we know.
#[tokio::test]
async fn a_value_naming_a_number_is_routed_by_it() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-route").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let calls = value_a(
            json!({ "calls": [{ "id": "wacid.1", "from": CUSTOMER, "event": "connect" }] }),
        );
        deliver(&wa, &hook("999999999999", "calls", calls)).await;
        let updates: Vec<Value> = events(&wa, &t)
            .await
            .into_iter()
            .filter(|(n, _)| n == "whatsapp.account_updated")
            .map(|(_, p)| p["field"].clone())
            .collect();
        assert_eq!(updates, vec![json!("calls")]);
        let mut sys = wa.state.store.system_read().await.unwrap();
        let unroutable = sys
            .list_unroutable(store::page::PageRequest::new(None, 10))
            .await
            .unwrap();
        sys.commit().await.unwrap();
        assert!(unroutable.items.is_empty());
        wa.stop().await;
    })
    .await;
}

/// A customer known first by their business-scoped user id only, then by
/// phone and that id (and another the other way round), is one contact;
/// a message with `from_user_id` and no `from` is stored.
#[tokio::test]
async fn a_customer_seen_by_either_id_is_one_contact() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-bsuid").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        let bsuid_only = value_a(json!({
            "contacts": [{ "user_id": "US.1349", "profile": { "name": "Ana", "username": "ana.b" } }],
            "messages": [{ "from_user_id": "US.1349", "id": "wamid.B1", "timestamp": "1749416383", "type": "text", "text": { "body": "hi" } }] }));
        deliver(&wa, &hook(WABA_A, "messages", bsuid_only)).await;
        let both = value_a(json!({
            "contacts": [{ "wa_id": CUSTOMER, "user_id": "US.1349", "profile": { "name": "Ana" } }],
            "messages": [{ "from": CUSTOMER, "from_user_id": "US.1349", "id": "wamid.B2", "timestamp": "1749416390", "type": "text", "text": { "body": "again" } }] }));
        deliver(&wa, &hook(WABA_A, "messages", both)).await;
        let found = contacts(&wa, &t).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((&found[0]["wa_id"], &found[0]["user_id"], &found[0]["username"]), (&json!(CUSTOMER), &json!("US.1349"), &json!("ana.b")));
        assert_eq!(only_messages(&wa, &t).await.len(), 2);

        // The other way round: phone first, then the id with the phone.
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({
            "contacts": [{ "wa_id": "4915100000001", "profile": { "name": "Ben" } }],
            "messages": [text("4915100000001", "wamid.C1", "hallo")] })))).await;
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({
            "contacts": [{ "wa_id": "4915100000001", "user_id": "DE.77", "profile": { "name": "Ben" } }],
            "messages": [{ "from": "4915100000001", "from_user_id": "DE.77", "id": "wamid.C2", "timestamp": "1749416390", "type": "text", "text": { "body": "nochmal" } }] })))).await;
        // And then by the id alone.
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({
            "contacts": [{ "user_id": "DE.77" }],
            "messages": [{ "from_user_id": "DE.77", "id": "wamid.C3", "timestamp": "1749416395", "type": "text", "text": { "body": "?" } }] })))).await;
        let found = contacts(&wa, &t).await;
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(conversations(&wa, &t).await.len(), 2);
        wa.stop().await;
    })
    .await;
}

/// Meta's verdicts on the account change whether its numbers can send:
/// visible on the number, new sends refused with a code naming why, and
/// lifted when Meta says so.
#[tokio::test]
async fn account_verdicts_stop_and_resume_sending() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-account").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        add_template(&wa);
        let number = || async {
            let r = wa.get("/api/v1/channels", Auth::ApiKey(&t.api_key)).await;
            r.body["items"][0].clone()
        };
        let verdict = |v: Value| hook(WABA_A, "account_update", v);
        deliver(&wa, &verdict(json!({ "event": "DISABLED_UPDATE", "ban_info": { "waba_ban_state": "DISABLE", "waba_ban_date": "December 1, 2026" } }))).await;
        let n = number().await;
        assert_eq!(n["status"], json!("disabled"), "{n}");
        // The operator sees it too.
        let mut op = crate::dashboard::client::Browser::sign_in_operator(&wa).await;
        let health = op.get("/app/operator/health").await.html;
        assert!(health.contains("fid-account") && health.contains(r#"data-status="disabled""#), "{health}");
        assert!(n["status_reason"].as_str().unwrap().contains("December 1, 2026"), "{n}");
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), template()).await;
        assert_eq!((r.status, r.code()), (422, "channel_disabled"), "{}", r.body);
        // A Cloud API client hears it in Meta's words.
        let meta = json!({ "messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": { "body": "hi" } });
        let (status, body) = crate::graph::sends::post(&wa, &t.api_key, &format!("{PNID_A}/messages"), meta).await;
        assert_eq!((status, &body["error"]["code"]), (400, &json!(131031)), "{body}");
        deliver(&wa, &verdict(json!({ "event": "DISABLED_UPDATE", "ban_info": { "waba_ban_state": "REINSTATE" } }))).await;
        assert_eq!(number().await["status"], json!("active"));

        deliver(&wa, &verdict(json!({ "event": "ACCOUNT_RESTRICTION", "restriction_info": [
            { "restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": "2026-12-19T13:59:20+0000" }] }))).await;
        assert_eq!(number().await["status"], json!("restricted"));
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), template()).await;
        assert_eq!((r.status, r.code()), (422, "channel_restricted"), "{}", r.body);
        deliver(&wa, &verdict(json!({ "event": "ACCOUNT_RESTRICTION", "restriction_info": [] }))).await;
        assert_eq!(number().await["status"], json!("active"));
        let r = wa.post("/api/v1/messages", Auth::ApiKey(&t.api_key), template()).await;
        assert_eq!(r.status, 202, "{}", r.body);

        deliver(&wa, &verdict(json!({ "event": "PARTNER_REMOVED" }))).await;
        assert_eq!(number().await["status"], json!("offboarded"));
        let changes = events(&wa, &t).await.into_iter().filter(|(n, _)| n == "channel.status_changed").count();
        assert_eq!(changes, 5);
        wa.stop().await;
    })
    .await;
}

/// A customer's number change moves their contact to the new number; an
/// identity change is recorded on the contact.
#[tokio::test]
async fn number_and_identity_changes_update_the_contact() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("fid-system").await;
        wa.connect_number(&t, PNID_A, WABA_A).await;
        assert_eq!(post_webhook(&wa, &fixture("inbound-text.json"), Some(APP_SECRET)).await, 200);
        wa.drain().await;
        assert_eq!(post_webhook(&wa, &fixture("inbound-system-number-change.json"), Some(APP_SECRET)).await, 200);
        wa.drain().await;
        let found = contacts(&wa, &t).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["wa_id"], json!("16505559876"));
        assert_eq!(found[0]["identity_changed_at"], Value::Null);
        let identity = json!({ "from": "16505559876", "id": "wamid.ID1", "timestamp": "1749418000", "type": "system",
            "system": { "body": "User's security code changed", "type": "customer_identity_changed", "customer": "16505559876" },
            "identity": { "acknowledged": true, "created_timestamp": "1749418000", "hash": "h" } });
        deliver(&wa, &hook(WABA_A, "messages", value_a(json!({ "messages": [identity] })))).await;
        let found = contacts(&wa, &t).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0]["identity_changed_at"].is_null(), "{}", found[0]);
        wa.stop().await;
    })
    .await;
}
