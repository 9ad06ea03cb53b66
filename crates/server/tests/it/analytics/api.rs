//! The analytics API's contract: a span that is not one is a 422 naming
//! its field, on every report and its CSV; the span by default; who may
//! read (`analytics:read`: owners, admins, viewers; not agents, nor a key
//! without the scope) and who may set the targets (`settings:manage`);
//! CSV answers as CSV; targets checked, audited and told as an event, and
//! kept when the counts are rebuilt.

use super::{events, report};
use crate::booking::date;
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, Resp, TestApp, each_engine};

pub(super) const REPORTS: [&str; 5] = [
    "messages",
    "response-times",
    "campaigns",
    "automations",
    "bookings",
];

/// Every report's path, JSON and CSV.
fn paths() -> Vec<String> {
    let json = REPORTS.iter().map(|r| format!("/api/v1/analytics/{r}"));
    let csv = REPORTS.iter().map(|r| format!("/api/v1/analytics/{r}.csv"));
    json.chain(csv).collect()
}

/// An error answer: (status, code, fields at fault).
fn err(r: &Resp) -> (u16, String, Vec<String>) {
    let fields = r.body["error"]["fields"].as_array().map(|all| {
        let named = all
            .iter()
            .map(|f| f["field"].as_str().unwrap_or("").to_owned());
        named.collect()
    });
    (r.status, r.code().to_owned(), fields.unwrap_or_default())
}

fn refused(field: &str) -> (u16, String, Vec<String>) {
    (422, "validation_failed".into(), vec![field.to_owned()])
}

/// Today on `app`'s clock, as a day number.
fn today(app: &TestApp) -> i64 {
    app.state.now().as_millis() / 1000 / super::DAY
}

#[tokio::test]
async fn a_span_that_is_not_one_is_refused_naming_its_field_and_the_default_is_the_last_week() {
    each_engine(|app| async move {
        let t = app.create_tenant("an-spans").await;
        let key = Auth::ApiKey(&t.api_key);
        for path in paths() {
            for (query, field) in [
                ("from=2026-13-01&to=2026-12-31", "from"),
                ("from=2026-12-01&to=tomorrow", "to"),
                ("from=2026-12-08&to=2026-12-07", "to"),
                // 367 days.
                ("from=2025-01-01&to=2026-01-02", "from"),
            ] {
                let r = app.get(&format!("{path}?{query}"), key).await;
                assert_eq!(err(&r), refused(field), "{path}?{query}: {}", r.text);
            }
            // 366 days (2024 is a leap year) are allowed.
            let r = app
                .get(&format!("{path}?from=2024-01-01&to=2024-12-31"), key)
                .await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
        }
        let r = report(&app, key, "messages", "2024-01-01", "2024-12-31").await;
        assert_eq!(r["days"].as_array().unwrap().len(), 366);
        let r = report(&app, key, "automations", "2028-02-28", "2028-03-01").await;
        assert_eq!(
            r["days"].as_array().unwrap().len(),
            3,
            "a leap day is a day"
        );

        // Nothing asked: the last 7 days, today included, against the 7
        // before.
        let d = today(&app);
        let r = app.get("/api/v1/analytics/messages", key).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body["span"],
            json!({ "from": date(d - 6), "to": date(d) })
        );
        let previous = json!({ "from": date(d - 13), "to": date(d - 7) });
        assert_eq!(r.body["previous_span"], previous);
        let days: Vec<Value> = r.body["days"].as_array().unwrap().clone();
        assert_eq!(days.len(), 7);
        assert_eq!(days[6]["day"], json!(date(d)));
        // `to` alone: the week up to it.
        let r = app
            .get("/api/v1/analytics/bookings?to=2026-12-07", key)
            .await;
        assert_eq!(
            r.body["span"],
            json!({ "from": "2026-12-01", "to": "2026-12-07" })
        );
    })
    .await;
}

#[tokio::test]
async fn owners_admins_and_viewers_read_analytics_agents_and_narrow_keys_do_not() {
    each_engine(|app| async move {
        let t = app.create_tenant("an-roles").await;
        let admin = app.add_user(&t, Role::Admin, "admin").await;
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let body = json!({ "name": "inbox", "scopes": ["inbox:read", "inbox:write"] });
        let owner = Auth::Bearer(&t.owner.token);
        let made = app.post("/api/v1/api-keys", owner, body).await;
        assert_eq!(made.status, 201, "{}", made.body);
        let narrow = made.body["secret"].as_str().unwrap().to_owned();
        let body = json!({ "name": "reports", "scopes": ["analytics:read"] });
        let made = app.post("/api/v1/api-keys", owner, body).await;
        assert_eq!(made.status, 201, "{}", made.body);
        let reader = made.body["secret"].as_str().unwrap().to_owned();

        let mut reads = paths();
        reads.push("/api/v1/analytics/targets".into());
        let allowed = [
            ("owner", Auth::Bearer(&t.owner.token)),
            ("admin", Auth::Bearer(&admin.token)),
            ("viewer", Auth::Bearer(&viewer.token)),
            ("analytics key", Auth::ApiKey(&reader)),
        ];
        let denied = [
            ("agent", Auth::Bearer(&agent.token)),
            ("inbox key", Auth::ApiKey(&narrow)),
        ];
        for path in &reads {
            for (who, auth) in allowed {
                let r = app.get(path, auth).await;
                assert_eq!(r.status, 200, "{who} {path}: {}", r.text);
            }
            for (who, auth) in denied {
                let r = app.get(path, auth).await;
                let e = err(&r);
                assert_eq!((e.0, e.1.as_str()), (403, "permission_denied"), "{who} {path}");
            }
        }
        // Setting the targets is `settings:manage`: not a viewer's, nor a
        // reading key's; refused before the body is looked at.
        let body = json!({ "first_response_minutes": 10, "resolution_minutes": 100 });
        for (who, auth) in [
            ("viewer", Auth::Bearer(&viewer.token)),
            ("agent", Auth::Bearer(&agent.token)),
            ("analytics key", Auth::ApiKey(&reader)),
        ] {
            let r = app.put("/api/v1/analytics/targets", auth, body.clone()).await;
            assert_eq!(r.status, 403, "{who}: {}", r.text);
            let r = app.put("/api/v1/analytics/targets", auth, json!({})).await;
            assert_eq!(r.status, 403, "{who}, no body: {}", r.text);
        }
        let r = app
            .put("/api/v1/analytics/targets", Auth::Bearer(&admin.token), body)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);

        // Each CSV is CSV, named after its report, its header first.
        for (report, header) in [
            ("messages", "day,messages_in,messages_out,messages_failed,conversations_opened,conversations_resolved"),
            ("response-times", "group,id,name,first_response_count,first_response_median_seconds,first_response_p90_seconds,resolution_count,resolution_median_seconds,resolution_p90_seconds,breaches"),
            ("campaigns", "campaign_id,name,template,sent,delivered,read,replied,failed"),
            ("automations", "workflow_id,name,completed,failed"),
            ("bookings", "service_id,name,total,pending,confirmed,completed,cancelled,no_show,no_show_rate"),
        ] {
            let path = format!("/api/v1/analytics/{report}.csv?from=2026-12-01&to=2026-12-02");
            let r = app.get(&path, Auth::Bearer(&viewer.token)).await;
            assert_eq!(r.status, 200, "{path}");
            let kind = r.headers["content-type"].to_str().unwrap();
            assert_eq!(kind, "text/csv; charset=utf-8", "{path}");
            let disposition = r.headers["content-disposition"].to_str().unwrap();
            assert_eq!(disposition, format!("attachment; filename=\"{report}.csv\""));
            assert_eq!(r.text.lines().next(), Some(header), "{path}");
        }
        let rows = super::csv(&app, Auth::ApiKey(&reader), "messages", "2026-12-01", "2026-12-02").await;
        assert_eq!(rows[1..], [
            ["2026-12-01", "0", "0", "0", "0", "0"],
            ["2026-12-02", "0", "0", "0", "0", "0"],
        ]);
    })
    .await;
}

#[tokio::test]
async fn targets_are_checked_audited_told_and_survive_a_rebuild() {
    each_engine(|app| async move {
        let t = app.create_tenant("an-targets").await;
        let owner = Auth::Bearer(&t.owner.token);
        let path = "/api/v1/analytics/targets";
        // Never set: an hour to answer, a day to resolve.
        let defaults = json!({ "first_response_minutes": 60, "resolution_minutes": 1440 });
        assert_eq!(app.get(path, owner).await.body, defaults);

        for (body, fields) in [
            (
                json!({ "first_response_minutes": 0, "resolution_minutes": 60 }),
                vec!["first_response_minutes"],
            ),
            (
                json!({ "first_response_minutes": 5, "resolution_minutes": 43_201 }),
                vec!["resolution_minutes"],
            ),
            (
                json!({ "first_response_minutes": -1, "resolution_minutes": 0 }),
                vec!["first_response_minutes", "resolution_minutes"],
            ),
        ] {
            let r = app.put(path, owner, body.clone()).await;
            let fields: Vec<String> = fields.into_iter().map(String::from).collect();
            assert_eq!(err(&r), (422, "validation_failed".into(), fields), "{body}");
        }
        for body in [
            json!({ "first_response_minutes": 5 }),
            json!({ "first_response_minutes": 5, "resolution_minutes": 60, "team": "x" }),
            json!({ "first_response_minutes": "5", "resolution_minutes": 60 }),
        ] {
            let r = app.put(path, owner, body.clone()).await;
            assert_eq!(r.status, 422, "{body}: {}", r.text);
        }
        assert_eq!(app.get(path, owner).await.body, defaults, "nothing changed");
        assert!(
            crate::crm_notes::audit_actions(&app, &t, "analytics.targets")
                .await
                .is_empty()
        );

        // The bounds are allowed.
        let edges = json!({ "first_response_minutes": 1, "resolution_minutes": 43_200 });
        let r = app.put(path, owner, edges.clone()).await;
        assert_eq!((r.status, r.body.clone()), (200, edges.clone()));
        let set = json!({ "first_response_minutes": 15, "resolution_minutes": 480 });
        let r = app.put(path, owner, set.clone()).await;
        assert_eq!((r.status, r.body.clone()), (200, set.clone()));
        assert_eq!(app.get(path, owner).await.body, set);
        // The same again changes nothing: no entry, no event.
        assert_eq!(app.put(path, owner, set.clone()).await.status, 200);

        let r = app
            .get(
                "/api/v1/audit-log?limit=200&action=analytics.targets",
                owner,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let entries = r.body["items"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{}", r.body);
        // Newest first.
        assert_eq!(entries[0]["details"], json!({ "from": edges, "to": set }));
        assert_eq!(
            entries[1]["details"],
            json!({ "from": defaults, "to": edges })
        );
        assert_eq!(entries[0]["actor_kind"], json!("user"));
        assert_eq!(entries[0]["actor_id"], json!(t.owner.id));
        assert_eq!(entries[0]["target_kind"], json!("tenant"));
        assert_eq!(entries[0]["target_id"], json!(t.id));
        let told: Vec<Value> = events(&app, &t)
            .await
            .into_iter()
            .filter(|(n, _)| n == "analytics_settings.updated")
            .map(|(_, p)| p)
            .collect();
        assert_eq!(told, [edges, set.clone()]);

        // The consumer's first pass (and a rebuild) keeps them, and the
        // report measures against them.
        app.drain().await;
        let tenant = t.id.parse().unwrap();
        server::analytics::rebuild::rebuild_tenant(&app.state, tenant)
            .await
            .unwrap();
        app.drain().await;
        assert_eq!(app.get(path, owner).await.body, set);
        let r = report(&app, owner, "response-times", "2026-12-01", "2026-12-07").await;
        assert_eq!(r["targets"], set);
    })
    .await;
}
