//! Enrolment: once at a time (twice is a no-op; stopped, a contact can be
//! enrolled afresh), a segment's members in batches, a CSV file's phone
//! numbers and ids; an edit under way; the checks; other tenants' drips
//! and subscribers are 404s.

use super::{drip, enrol, history, offer_step, subscriber, subscribers};
use domain::Role;
use serde_json::json;
use testkit::{Auth, TestApp, each_engine};

/// Uploads `csv` to drip `id`'s CSV enrolment; status and body.
async fn upload(app: &TestApp, key: &str, id: &str, csv: &str) -> (u16, serde_json::Value) {
    let res = app
        .client
        .post(format!("{}/api/v1/drips/{id}/csv-enrolments", app.url))
        .header("content-type", "text/csv")
        .header("x-api-key", key)
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn drip_enrols_a_contact_once_at_a_time_and_afresh_after_a_stop() {
    each_engine(|app| async move {
        let t = app.create_tenant("drip-once").await;
        let key = Auth::ApiKey(&t.api_key);
        let c = crate::crm_contacts::contact(&app, &t, json!({ "phone": "+15550621001" })).await;
        let contact = c["id"].as_str().unwrap();
        // The contact never wrote: the text-only first step is skipped and
        // the subscriber moves on to the second.
        let d = drip(
            &app,
            &t,
            json!({ "name": "Once", "steps": [{"text": "Hi"}, offer_step(1, "days"), offer_step(2, "days")] }),
        )
        .await;
        let id = d["id"].as_str().unwrap();
        assert_eq!(enrol(&app, &t, id, &[contact, contact]).await, ["enrolled", "already_enrolled"]);
        app.drain().await;
        assert_eq!(enrol(&app, &t, id, &[contact]).await, ["already_enrolled"]);
        assert_eq!(subscribers(&app, &t, id).await.len(), 1);
        let s = subscriber(&app, &t, id, contact).await;
        assert_eq!((&s["status"], &s["step"]), (&json!("active"), &json!(1)), "{s}");
        let r = app.get(&format!("/api/v1/drips/{id}"), key).await;
        assert_eq!(r.body["subscribers"], json!({"active": 1, "completed": 0, "exited": 0}));

        // Stopped by hand: stopping again is a 409; enrolled again, a new
        // subscriber starts from the first step.
        let stop = format!("/api/v1/drips/{id}/subscribers/{}/stop", s["id"].as_str().unwrap());
        let r = app.post(&stop, key, json!({})).await;
        assert_eq!((r.status, &r.body["exit_reason"]), (200, &json!("stopped")), "{}", r.body);
        let r = app.post(&stop, key, json!({})).await;
        assert_eq!((r.status, &r.body["error"]["code"]), (409, &json!("subscriber_not_active")));
        assert_eq!(enrol(&app, &t, id, &[contact]).await, ["enrolled"]);
        let all = subscribers(&app, &t, id).await;
        assert_eq!(all.len(), 2);
        assert_eq!((&all[0]["status"], &all[0]["step"]), (&json!("active"), &json!(0)));
        let r = app.get(&format!("/api/v1/drips/{id}/subscribers?status=exited"), key).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.body);
        app.drain().await;
        // Audited (before the clock moves past the owner's session).
        let audit = crate::crm_notes::audit_actions(&app, &t, "drip.enrol").await;
        assert_eq!(audit.len(), 3, "{audit:?}");

        // An edit under way applies by step index from the next step: with
        // fewer steps than the subscriber has come to, it completes and
        // nothing more is sent.
        let r = app
            .patch(&format!("/api/v1/drips/{id}"), key, json!({ "steps": [{"text": "Hi"}] }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        app.advance(86_400);
        app.drain().await;
        let s = subscriber(&app, &t, id, contact).await;
        assert_eq!(s["status"], json!("completed"), "{s}");
        assert_eq!(history(&s), [("skipped".to_owned(), String::new())]);

        // A step the sending rules refuse (no number is connected) ends the
        // enrolment, with the reason in its history.
        let r = app
            .patch(&format!("/api/v1/drips/{id}"), key, json!({ "steps": [offer_step(0, "days")] }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(enrol(&app, &t, id, &[contact]).await, ["enrolled"]);
        app.drain().await;
        let s = subscriber(&app, &t, id, contact).await;
        assert_eq!((&s["status"], &s["exit_reason"]), (&json!("exited"), &json!("failed")), "{s}");
        assert_eq!(history(&s), [("failed".to_owned(), String::new())]);
        assert!(s["exit_detail"].as_str().unwrap().contains(": "), "{s}");

    })
    .await;
}

#[tokio::test]
async fn drip_enrols_a_segment_in_batches_and_a_csv_of_phones_and_ids() {
    each_engine(|app| async move {
        let t = app.create_tenant("drip-bulk").await;
        let key = Auth::ApiKey(&t.api_key);
        let vip = crate::crm_tags::tag(&app, &t, "vip", "#aa2266").await;
        let mut vips = Vec::new();
        for n in 0..3 {
            let c = crate::crm_contacts::contact(
                &app,
                &t,
                json!({ "phone": format!("+1555062200{n}") }),
            )
            .await;
            let id = c["id"].as_str().unwrap().to_owned();
            crate::automations::set_tag(&app, &t, &id, &vip, true).await;
            vips.push(id);
        }
        let other =
            crate::crm_contacts::contact(&app, &t, json!({ "phone": "+15550622009" })).await;
        let r = app
            .post(
                "/api/v1/segments",
                Auth::Bearer(&t.owner.token),
                json!({"name": "VIPs", "rules": [{"field": "tag", "op": "has", "value": vip}]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let segment = r.body["id"].as_str().unwrap().to_owned();
        let d = drip(
            &app,
            &t,
            json!({ "name": "VIP offers", "steps": [offer_step(1, "days")] }),
        )
        .await;
        let id = d["id"].as_str().unwrap();

        let path = format!("/api/v1/drips/{id}/segment-enrolments");
        let r = app.post(&path, key, json!({ "segment_id": segment })).await;
        assert_eq!(r.status, 202, "{}", r.body);
        app.drain().await;
        let mut enrolled: Vec<String> = subscribers(&app, &t, id)
            .await
            .iter()
            .map(|s| s["contact_id"].as_str().unwrap().to_owned())
            .collect();
        enrolled.sort();
        vips.sort();
        assert_eq!(enrolled, vips);
        assert!(
            subscribers(&app, &t, id)
                .await
                .iter()
                .all(|s| s["via"] == json!("segment"))
        );
        let r = app.post(&path, key, json!({ "segment_id": id })).await;
        assert_eq!(
            (r.status, &r.body["error"]["fields"][0]["field"]),
            (422, &json!("segment_id")),
            "{}",
            r.body
        );

        // A CSV: a known number (spaced), a new one, a contact id, a VIP
        // enrolled already and a row that is neither.
        let csv = "name;Phone\nBo;+1 555 062 2009\nNew;15550622010\nVip;+15550622000\nBad;12ab\n";
        let (status, body) = upload(&app, &t.api_key, id, csv).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (
                &body["rows"],
                &body["enrolled"],
                &body["already_enrolled"],
                &body["rejected_count"]
            ),
            (&json!(4), &json!(2), &json!(1), &json!(1)),
            "{body}"
        );
        assert_eq!(body["rejected"][0]["row"], json!(5));
        assert!(
            subscriber(&app, &t, id, other["id"].as_str().unwrap()).await["via"] == json!("csv")
        );
        assert!(
            crate::automations::contact_id(&app, &t, "15550622010")
                .await
                .is_some()
        );
        let (status, body) = upload(&app, &t.api_key, id, "email\na@example.com\n").await;
        assert_eq!(
            (status, &body["error"]["fields"][0]["field"]),
            (422, &json!("file")),
            "{body}"
        );
        assert_eq!(subscribers(&app, &t, id).await.len(), 5);
    })
    .await;
}

#[tokio::test]
async fn drip_checks_permissions_and_other_tenants_get_404s() {
    each_engine(|app| async move {
        let t = app.create_tenant("drip-checks").await;
        let key = Auth::ApiKey(&t.api_key);
        let r = app
            .post("/api/v1/drips", key, json!({ "name": "Bad", "steps": [{"delay": 1}] }))
            .await;
        assert_eq!((r.status, &r.body["error"]["fields"][0]["field"]), (422, &json!("steps[0].text")), "{}", r.body);
        let r = app
            .post(
                "/api/v1/drips",
                key,
                json!({ "name": "Bad", "steps": [offer_step(1, "days")], "quiet_hours": {"start": "9", "end": "10:00"} }),
            )
            .await;
        assert_eq!(r.body["error"]["fields"][0]["field"], json!("quiet_hours.start"), "{}", r.body);
        let d = drip(&app, &t, json!({ "name": "Mine", "enabled": false, "steps": [offer_step(1, "days")] })).await;
        let id = d["id"].as_str().unwrap();
        let r = app.post("/api/v1/drips", key, json!({ "name": "MINE", "steps": [offer_step(1, "days")] })).await;
        assert_eq!((r.status, &r.body["error"]["code"]), (409, &json!("drip_name_taken")));
        let c = crate::crm_contacts::contact(&app, &t, json!({ "phone": "+15550623001" })).await;
        let contact = c["id"].as_str().unwrap();
        let path = format!("/api/v1/drips/{id}/subscribers");
        let r = app.post(&path, key, json!({ "contact_ids": [contact] })).await;
        assert_eq!((r.status, &r.body["error"]["code"]), (422, &json!("drip_disabled")), "{}", r.body);
        let r = app.patch(&format!("/api/v1/drips/{id}"), key, json!({ "enabled": true })).await;
        assert_eq!(r.status, 200);
        assert_eq!(enrol(&app, &t, id, &[contact]).await, ["enrolled"]);
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let r = app.get("/api/v1/drips", Auth::Bearer(&agent.token)).await;
        assert_eq!(r.status, 403);

        // Another tenant sees none of it, and cannot enrol A's contact.
        let b = app.create_tenant("drip-checks-b").await;
        let bkey = Auth::ApiKey(&b.api_key);
        let sub = subscriber(&app, &t, id, contact).await;
        let sid = sub["id"].as_str().unwrap();
        for path in [
            format!("/api/v1/drips/{id}"),
            format!("/api/v1/drips/{id}/subscribers"),
            format!("/api/v1/drips/{id}/subscribers/{sid}"),
        ] {
            assert_eq!(app.get(&path, bkey).await.status, 404, "{path}");
        }
        let r = app.post(&format!("/api/v1/drips/{id}/subscribers/{sid}/stop"), bkey, json!({})).await;
        assert_eq!(r.status, 404);
        let bd = drip(&app, &b, json!({ "name": "Theirs", "steps": [offer_step(1, "days")] })).await;
        let bid = bd["id"].as_str().unwrap();
        assert_eq!(enrol(&app, &b, bid, &[contact]).await, ["not_found"]);
        let r = app.get(&format!("/api/v1/drips/{bid}/subscribers/{sid}"), bkey).await;
        assert_eq!(r.status, 404);
        assert_eq!(subscriber(&app, &t, id, contact).await["status"], json!("active"));
        // What a workflow's `start_drip` / `stop_drip` steps call, in their
        // run's transaction, as Switchboard itself.
        let tenant: domain::TenantId = t.id.parse().unwrap();
        let ctx = server::auth::TenantCtx::system(tenant, server::auth::Via::Automation);
        let c2 = crate::crm_contacts::contact(&app, &t, json!({ "phone": "+15550623002" })).await;
        let c2: domain::ContactId = c2["id"].as_str().unwrap().parse().unwrap();
        let drip_id: domain::DripId = id.parse().unwrap();
        let now = app.state.now();
        let mut tx = app.state.store.tenant(tenant).await.unwrap();
        use server::automations::drips::{enroll_in, stop_in};
        assert!(enroll_in(&mut tx, &ctx, drip_id, c2, now).await.unwrap());
        assert!(!enroll_in(&mut tx, &ctx, drip_id, c2, now).await.unwrap());
        tx.commit().await.unwrap();
        let s = subscriber(&app, &t, id, &c2.to_string()).await;
        assert_eq!((&s["status"], &s["via"]), (&json!("active"), &json!("workflow")), "{s}");
        let mut tx = app.state.store.tenant(tenant).await.unwrap();
        assert!(stop_in(&mut tx, &ctx, drip_id, c2, now).await.unwrap());
        assert!(!stop_in(&mut tx, &ctx, drip_id, c2, now).await.unwrap());
        tx.commit().await.unwrap();
        let s = subscriber(&app, &t, id, &c2.to_string()).await;
        assert_eq!(s["exit_reason"], json!("stopped"), "{s}");

        let r = app.delete(&format!("/api/v1/drips/{id}"), bkey).await;
        assert_eq!(r.status, 404);
        let r = app.delete(&format!("/api/v1/drips/{id}"), key).await;
        assert_eq!(r.status, 204);
        assert_eq!(app.get(&format!("/api/v1/drips/{id}"), key).await.status, 404);
    })
    .await;
}
