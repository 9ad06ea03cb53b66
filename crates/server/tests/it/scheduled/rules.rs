//! The rules of scheduling: what may be scheduled (validation, the
//! contact's number and consent, the time), changing and cancelling only
//! while scheduled (a moved one goes at its new time only), who may, list
//! filters, events and audit; and the tenant's time zone, in which
//! `local_time` is read.

use super::{
    CUSTOMER, PNID, WABA, add_template, contact, count_events, in_seconds, schedule, scheduled,
    template,
};
use crate::crm_notes::audit_actions;
use domain::{Role, Timestamp};
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn a_scheduled_message_is_changed_or_cancelled_only_while_scheduled() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("sched-edit").await;
        let key = Auth::ApiKey(&t.api_key);
        let channel = wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let c = contact(&wa, &t, CUSTOMER, "Ana").await;
        let path = "/api/v1/scheduled-messages";

        // Moved from +10 to +20 minutes: nothing at 10, sent at 20.
        let s = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "template": template("Ana"), "send_at": in_seconds(&wa, 600) })).await;
        let one = format!("{path}/{}", s["id"].as_str().unwrap());
        let later = in_seconds(&wa, 1200);
        let r = wa.patch(&one, key, json!({ "send_at": later })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(Timestamp::parse_rfc3339(r.body["send_at"].as_str().unwrap()), Timestamp::parse_rfc3339(&later));
        wa.advance(600);
        wa.drain().await;
        assert_eq!(wa.get(&one, key).await.body["status"], json!("scheduled"), "not at its old time");
        wa.advance(600);
        wa.drain().await;
        assert_eq!(wa.get(&one, key).await.body["status"], json!("sent"));
        for r in [wa.patch(&one, key, json!({ "text": "too late" })).await, wa.delete(&one, key).await] {
            assert_eq!((r.status, r.code()), (409, "not_scheduled"), "{}", r.body);
        }

        // Cancelled: stays listed as such, never goes; cancelling again is
        // a no-op, changing it is refused.
        let s = schedule(&wa, &t, json!({ "contact_id": c, "template": template("Ana"), "send_at": in_seconds(&wa, 600) })).await;
        assert_eq!(s["channel_id"], json!(channel), "the tenant's only number");
        let two = format!("{path}/{}", s["id"].as_str().unwrap());
        let r = wa.patch(&two, key, json!({ "text": "Plain text instead" })).await;
        assert_eq!((r.status, r.body["kind"].as_str(), r.body["text"].as_str()), (200, Some("text"), Some("Plain text instead")), "{}", r.body);
        assert!(r.body["template"].is_null());
        for _ in 0..2 {
            assert_eq!(wa.delete(&two, key).await.status, 204);
        }
        let s = wa.get(&two, key).await.body;
        assert_eq!(s["status"], json!("cancelled"));
        assert!(s["finished_at"].is_string(), "{s}");
        let r = wa.patch(&two, key, json!({ "send_at": in_seconds(&wa, 900) })).await;
        assert_eq!((r.status, r.code()), (409, "not_scheduled"));
        wa.advance(3600);
        wa.drain().await;
        assert_eq!(wa.get(&two, key).await.body["status"], json!("cancelled"));
        wa.eventually("the one sent arrives", || async { wa.sandbox.received(PNID, CUSTOMER).len() == 1 }).await;

        // Filters.
        let list = |q: &'static str| {
            let wa = &wa;
            async move { wa.get(&format!("{path}?{q}"), key).await }
        };
        let r = list("status=cancelled").await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.body);
        assert_eq!(r.body["items"][0]["id"], s["id"]);
        let r = wa.get(&format!("{path}?contact_id={c}&status=sent"), key).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.body);
        assert_eq!(list("").await.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(list("status=later").await.status, 422);

        assert_eq!(count_events(&wa, &t, "scheduled_message.created").await, 2);
        assert_eq!(count_events(&wa, &t, "scheduled_message.updated").await, 2);
        assert_eq!(count_events(&wa, &t, "scheduled_message.cancelled").await, 1);
        // (The owner's sign-in expired with the hours moved: the API key.)
        let r = wa.get("/api/v1/audit-log?limit=200&action=scheduled_message", key).await;
        let actions: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
        for a in ["scheduled_message.create", "scheduled_message.update", "scheduled_message.cancel"] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn what_cannot_be_scheduled_is_refused_with_the_reason_and_viewers_only_read() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("sched-refuse").await;
        let key = Auth::ApiKey(&t.api_key);
        let channel = wa.connect_number(&t, PNID, WABA).await;
        let c = contact(&wa, &t, CUSTOMER, "Ana").await;
        let path = "/api/v1/scheduled-messages";
        let soon = in_seconds(&wa, 600);
        let past = in_seconds(&wa, -60);
        let far = in_seconds(&wa, 400 * 86_400);
        for (body, field) in [
            (json!({ "contact_id": c, "text": "hi", "send_at": past }), "send_at"),
            (json!({ "contact_id": c, "text": "hi", "send_at": far }), "send_at"),
            (json!({ "contact_id": c, "text": "hi" }), "send_at"),
            (json!({ "contact_id": c, "text": "hi", "send_at": soon, "local_time": "2030-01-01T09:00" }), "send_at"),
            (json!({ "contact_id": c, "text": "hi", "local_time": "next tuesday" }), "local_time"),
            (json!({ "contact_id": c, "send_at": soon }), "text"),
            (json!({ "contact_id": c, "text": "  ", "send_at": soon }), "text"),
            (json!({ "contact_id": c, "text": "hi", "template": template("Ana"), "send_at": soon }), "text"),
            (json!({ "contact_id": c, "text": "x".repeat(4097), "send_at": soon }), "text"),
            (json!({ "contact_id": domain::ContactId::new(), "text": "hi", "send_at": soon }), "contact_id"),
            (json!({ "contact_id": c, "channel_id": domain::ChannelId::new(), "text": "hi", "send_at": soon }), "channel_id"),
        ] {
            let r = wa.post(path, key, body.clone()).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{body}: {}", r.body);
            assert_eq!(r.body["error"]["fields"][0]["field"], json!(field), "{body}: {}", r.body);
        }
        let r = wa.patch(&format!("/api/v1/contacts/{c}"), key, json!({ "opted_out": true })).await;
        assert_eq!(r.status, 200);
        let r = wa.post(path, key, json!({ "contact_id": c, "channel_id": channel, "text": "hi", "send_at": soon })).await;
        assert_eq!((r.status, r.code()), (422, "contact_opted_out"), "{}", r.body);
        let r = wa.get(&format!("{path}/{}", domain::ScheduledMessageId::new()), key).await;
        assert_eq!(r.status, 404);

        // Agents schedule; viewers read but may not.
        let d = contact(&wa, &t, "16505550144", "Bo").await;
        let agent = wa.add_user(&t, Role::Agent, "agent").await;
        let body = json!({ "contact_id": d, "text": "hi", "send_at": soon });
        let r = wa.post(path, Auth::Bearer(&agent.token), body.clone()).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let one = format!("{path}/{}", r.body["id"].as_str().unwrap());
        let viewer = wa.add_user(&t, Role::Viewer, "viewer").await;
        let v = Auth::Bearer(&viewer.token);
        assert_eq!(wa.post(path, v, body).await.status, 403);
        assert_eq!(wa.patch(&one, v, json!({ "text": "x" })).await.status, 403);
        assert_eq!(wa.delete(&one, v).await.status, 403);
        assert_eq!(wa.get(&one, v).await.status, 200);
        assert_eq!(wa.get(path, v).await.body["items"].as_array().unwrap().len(), 1);

        // Merging a contact into another takes their scheduled messages
        // along; erasing one takes theirs away.
        let e = contact(&wa, &t, "16505550145", "Bo again").await;
        let theirs = schedule(&wa, &t, json!({ "contact_id": e, "text": "hi", "send_at": soon })).await;
        let r = wa.post(&format!("/api/v1/contacts/{d}/merge"), key, json!({ "other": e })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let moved = scheduled(&wa, &t, theirs["id"].as_str().unwrap()).await;
        assert_eq!(moved["contact_id"], json!(d));
        let r = wa.delete(&format!("/api/v1/contacts/{d}"), Auth::Bearer(&t.owner.token)).await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert_eq!(wa.get(&one, key).await.status, 404);
        assert_eq!(wa.get(path, key).await.body["items"].as_array().unwrap().len(), 0);
    })
    .await;
}

#[tokio::test]
async fn local_time_is_read_in_the_tenant_time_zone() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("sched-zone").await;
        let owner = Auth::Bearer(&t.owner.token);
        let channel = wa.connect_number(&t, PNID, WABA).await;
        let c = contact(&wa, &t, CUSTOMER, "Ana").await;

        // The zone: UTC until set, checked, set by those who manage settings.
        assert_eq!(wa.get("/api/v1/tenant", owner).await.body["time_zone"], json!("UTC"));
        let r = wa.patch("/api/v1/tenant", owner, json!({ "time_zone": "Mars/Olympus_Mons" })).await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"), "{}", r.body);
        assert_eq!(r.body["error"]["fields"][0]["field"], json!("time_zone"));
        let agent = wa.add_user(&t, Role::Agent, "agent").await;
        let r = wa.patch("/api/v1/tenant", Auth::Bearer(&agent.token), json!({ "time_zone": "Asia/Kolkata" })).await;
        assert_eq!(r.status, 403);
        let r = wa.patch("/api/v1/tenant", owner, json!({ "time_zone": "asia/kolkata" })).await;
        assert_eq!((r.status, r.body["time_zone"].as_str()), (200, Some("Asia/Kolkata")), "{}", r.body);
        assert_eq!(wa.get("/api/v1/tenant", Auth::Bearer(&agent.token)).await.body["time_zone"], json!("Asia/Kolkata"));
        assert!(audit_actions(&wa, &t, "tenant.time_zone").await.len() == 1);

        // Two days from now, on the minute; Kolkata is UTC+05:30 all year.
        let now = wa.state.now();
        let at = Timestamp::from_unix_seconds((now.as_unix_seconds() / 60 + 2 * 1440) * 60);
        let local = at.plus_seconds(5 * 3600 + 1800).to_rfc3339()[..16].to_owned();
        let s = schedule(&wa, &t, json!({ "contact_id": c, "channel_id": channel, "text": "Namaste", "local_time": local })).await;
        assert_eq!(Timestamp::parse_rfc3339(s["send_at"].as_str().unwrap()), Some(at), "{s}");
        assert_eq!((s["local_time"].as_str(), s["time_zone"].as_str()), (Some(local.as_str()), Some("Asia/Kolkata")));

        // Moved by wall time too; a time given as an instant is kept as is
        // and shown in the zone.
        let id = s["id"].as_str().unwrap();
        let one = format!("/api/v1/scheduled-messages/{id}");
        let local_later = at.plus_seconds(5 * 3600 + 1800 + 3600).to_rfc3339()[..16].to_owned();
        let r = wa.patch(&one, owner, json!({ "local_time": local_later })).await;
        assert_eq!(Timestamp::parse_rfc3339(r.body["send_at"].as_str().unwrap()), Some(at.plus_seconds(3600)), "{}", r.body);
        let r = wa.patch(&one, owner, json!({ "send_at": at.to_rfc3339() })).await;
        assert_eq!(r.body["local_time"], json!(local));

        // Changing the zone keeps the instant; the wall time shown follows.
        let r = wa.patch("/api/v1/tenant", owner, json!({ "time_zone": "UTC" })).await;
        assert_eq!(r.status, 200);
        let s = scheduled(&wa, &t, id).await;
        assert_eq!(Timestamp::parse_rfc3339(s["send_at"].as_str().unwrap()), Some(at));
        assert_eq!(s["local_time"], json!(at.to_rfc3339()[..16].to_owned()));
    })
    .await;
}
