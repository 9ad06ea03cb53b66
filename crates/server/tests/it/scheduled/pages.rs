//! The dashboard over plain HTTP, on both engines: the workspace's time
//! zone on Settings → Plan & usage; "Schedule a message" on a contact's
//! page (a refusal comes back beside the form, as typed); the list with
//! its status tabs, failure reasons, change-time and cancel buttons; a
//! viewer reads it without the buttons.

use super::{CUSTOMER, PNID, WABA, contact, in_seconds, schedule};
use crate::dashboard::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn the_dashboard_schedules_from_a_contact_lists_changes_and_cancels() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("sched-pages").await;
        let key = Auth::ApiKey(&t.api_key);
        let channel = wa.connect_number(&t, PNID, WABA).await;
        let c = contact(&wa, &t, CUSTOMER, "Rita Customer").await;
        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;

        // The zone, on the plan page.
        let page = b.get("/app/settings").await;
        assert!(page.html.contains("id=\"time-zone\">UTC<"), "{}", page.html);
        let csrf = page.csrf();
        let r = b
            .post(
                "/app/settings/time-zone",
                &[("csrf", &csrf), ("time_zone", "Atlantis/Capital")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("id=\"time-zone-error\""), "{}", r.html);
        let r = b
            .post(
                "/app/settings/time-zone",
                &[("csrf", &csrf), ("time_zone", "Europe/Lisbon")],
            )
            .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/settings"))
        );

        // The contact's page offers the form, in Lisbon time.
        let page = b.get(&format!("/app/contacts/{c}")).await;
        assert_eq!(page.status, 200);
        assert!(
            page.html.contains("id=\"schedule-message\""),
            "{}",
            page.html
        );
        assert!(page.html.contains("When (Europe/Lisbon)"));
        assert!(page.html.contains("id=\"no-scheduled\""));
        let back = format!("/app/contacts/{c}#scheduled");
        let tomorrow = in_seconds(&wa, 86_400)[..16].to_owned();
        let form = |local: &str, text: &str| {
            vec![
                ("csrf".to_owned(), csrf.clone()),
                ("contact_id".to_owned(), c.clone()),
                ("channel_id".to_owned(), channel.clone()),
                ("local_time".to_owned(), local.to_owned()),
                ("kind".to_owned(), "text".to_owned()),
                ("text".to_owned(), text.to_owned()),
                ("back".to_owned(), back.clone()),
            ]
        };
        let yesterday = in_seconds(&wa, -86_400)[..16].to_owned();
        let refused = form(&yesterday, "See you tomorrow");
        let r = b.post("/app/scheduled", &pairs(&refused)).await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains("id=\"scheduled-error\"") && r.html.contains("must be in the future"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("See you tomorrow"),
            "what was typed is kept"
        );
        let ok = form(&tomorrow, "See you tomorrow");
        let r = b.post("/app/scheduled", &pairs(&ok)).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some(back.as_str())),
            "{}",
            r.html
        );

        let list = wa.get("/api/v1/scheduled-messages", key).await.body;
        let s = list["items"][0].clone();
        assert_eq!(
            (s["local_time"].as_str(), s["time_zone"].as_str()),
            (Some(tomorrow.as_str()), Some("Europe/Lisbon")),
            "{s}"
        );
        let id = s["id"].as_str().unwrap().to_owned();
        let page = b.get(&format!("/app/contacts/{c}")).await;
        assert!(
            page.html.contains(&format!("data-scheduled=\"{id}\"")),
            "{}",
            page.html
        );

        // A template, with its values one a line; then cancelled at once.
        let mut tpl = form(&tomorrow, "");
        tpl.retain(|(k, _)| k != "kind");
        for (k, v) in [("kind", "template"), ("name", "order_update"), ("language", "en_US"), ("values", "Rita\n 42 \n")] {
            tpl.push((k.to_owned(), v.to_owned()));
        }
        let r = b.post("/app/scheduled", &pairs(&tpl)).await;
        assert_eq!(r.status, 303, "{}", r.html);
        let list = wa.get("/api/v1/scheduled-messages", key).await.body;
        let s = list["items"][0].clone();
        assert_eq!(s["template"], json!({ "name": "order_update", "language": "en_US", "parameters": ["Rita", "42"], "named_parameters": {} }), "{s}");
        let r = wa.delete(&format!("/api/v1/scheduled-messages/{}", s["id"].as_str().unwrap()), key).await;
        assert_eq!(r.status, 204);

        // The list: its time in the zone; moved, then cancelled.
        let page = b.get("/app/scheduled").await;
        assert_eq!(page.status, 200);
        assert!(
            page.html.contains(&format!("id=\"scheduled-{id}\""))
                && page.html.contains("See you tomorrow")
        );
        assert!(
            page.html.contains(&format!("value=\"{tomorrow}\"")),
            "the change-time input shows its wall time"
        );
        let later = in_seconds(&wa, 2 * 86_400)[..16].to_owned();
        let r = b
            .post(
                &format!("/app/scheduled/{id}/update"),
                &[
                    ("csrf", &csrf),
                    ("local_time", &later),
                    ("back", "/app/scheduled"),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/scheduled"))
        );
        let s = wa
            .get(&format!("/api/v1/scheduled-messages/{id}"), key)
            .await
            .body;
        assert_eq!(s["local_time"], json!(later));
        let r = b
            .post(
                &format!("/app/scheduled/{id}/update"),
                &[
                    ("csrf", &csrf),
                    ("local_time", "soon"),
                    ("back", "/app/scheduled"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("id=\"scheduled-error\""), "{}", r.html);
        let r = b
            .post(
                &format!("/app/scheduled/{id}/cancel"),
                &[("csrf", &csrf), ("back", "/app/scheduled")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = b.get("/app/scheduled").await;
        assert!(
            page.html.contains("id=\"no-scheduled\""),
            "nothing left scheduled"
        );
        let page = b.get("/app/scheduled?status=cancelled").await;
        assert!(
            page.html.contains(&format!("id=\"scheduled-{id}\""))
                && page.html.contains("data-status=\"cancelled\"")
        );

        // A failure shows its reason.
        let failing = schedule(
            &wa,
            &t,
            json!({ "contact_id": c, "text": "Are you there?", "send_at": in_seconds(&wa, 60) }),
        )
        .await;
        wa.advance(60);
        wa.drain().await;
        let page = b.get("/app/scheduled?status=failed").await;
        assert!(
            page.html.contains(&format!(
                "id=\"scheduled-{}\"",
                failing["id"].as_str().unwrap()
            )),
            "{}",
            page.html
        );
        assert!(
            page.html.contains("outside_customer_service_window:"),
            "{}",
            page.html
        );

        // A viewer reads the list, without buttons, and may not cancel.
        let viewer = wa.add_user(&t, Role::Viewer, "viewer").await;
        let pending = schedule(
            &wa,
            &t,
            json!({ "contact_id": c, "text": "Later", "send_at": in_seconds(&wa, 3600) }),
        )
        .await;
        let mut v = Browser::sign_in(&wa, &t.slug, &viewer.email, &viewer.password).await;
        let page = v.get("/app/scheduled").await;
        assert_eq!(page.status, 200);
        assert!(
            page.html.contains("Later") && !page.html.contains("/cancel\""),
            "{}",
            page.html
        );
        let csrf = page.csrf();
        let r = v
            .post(
                &format!("/app/scheduled/{}/cancel", pending["id"].as_str().unwrap()),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 403);
        assert!(
            !v.get(&format!("/app/contacts/{c}"))
                .await
                .html
                .contains("id=\"schedule-message\"")
        );
    })
    .await;
}
