//! Segments: every rule kind selects the same contacts on both engines;
//! saved segments are counted, paged, changed, deleted, audited and
//! evented; bad trees are refused naming the rule's path. Saved searches
//! and the CSV export are in the submodules.

mod export;
mod pages;
mod saved;
pub mod world;

use domain::{Role, TenantId};
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, each_engine};
use world::World;

/// Gives `t` a segment and a shared saved search, so the cross-tenant walk
/// (isolation.rs) probes these routes with real ids.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let r = app
        .post(
            "/api/v1/segments",
            Auth::Bearer(&t.owner.token),
            json!({"name": "Opted in", "rules": [{"field": "opted_out", "op": "is", "value": false}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .post(
            "/api/v1/saved-searches",
            Auth::Bearer(&t.owner.token),
            json!({"name": "Mine open", "filter": {"status": "open", "assigned": "me"}, "shared": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// The names of the contacts `rules` selects (sorted), through the preview.
async fn matching(app: &TestApp, t: &TestTenant, any: bool, rules: Value) -> Vec<String> {
    let r = app
        .post(
            "/api/v1/segments/preview",
            Auth::ApiKey(&t.api_key),
            json!({ "any": any, "rules": rules }),
        )
        .await;
    assert_eq!(r.status, 200, "{rules}: {}", r.body);
    let mut names: Vec<String> = r.body["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| World::name_of_wa(c["wa_id"].as_str().unwrap()).to_owned())
        .collect();
    assert_eq!(r.body["count"], json!(names.len()), "{rules}");
    names.sort();
    names
}

#[tokio::test]
async fn every_rule_kind_selects_the_same_contacts_on_both_engines() {
    each_engine(|app| async move {
        let t = app.create_tenant("segments-rules").await;
        let w = world::build(&app, &t).await;
        let date = |days: i64| w.ago(days).to_rfc3339();
        let attr = |key: &str, op: &str, value: Value| {
            json!({"field": "attribute", "key": key, "op": op, "value": value})
        };
        let opted_in = json!({"field": "opted_out", "op": "is", "value": false});
        let cases: Vec<(bool, Value, &str)> = vec![
            (false, json!([]), "Ana Bruno Carla Duarte"),
            (false, json!([{"field": "tag", "op": "has", "value": w.vip}]), "Ana Bruno"),
            (false, json!([{"field": "tag", "op": "has_not", "value": w.vip}]), "Carla Duarte"),
            (false, json!([opted_in]), "Ana Carla Duarte"),
            (false, json!([{"field": "opted_out", "op": "is", "value": true}]), "Bruno"),
            (false, json!([{"field": "tag", "op": "has", "value": w.vip}, opted_in]), "Ana"),
            (true, json!([{"field": "tag", "op": "has", "value": w.vip}, attr("plan", "eq", json!("gold"))]), "Ana Bruno Carla"),
            (false, json!([attr("plan", "eq", json!("gold"))]), "Ana Carla"),
            (false, json!([attr("plan", "ne", json!("gold"))]), "Bruno Duarte"),
            (false, json!([attr("score", "gte", json!(7.5))]), "Ana Carla"),
            (false, json!([attr("score", "lt", json!(5))]), "Bruno"),
            (false, json!([attr("score", "gt", json!(9))]), ""),
            (false, json!([attr("score", "eq", json!(9))]), "Ana"),
            (false, json!([attr("city", "contains", json!("LISB"))]), "Ana Carla"),
            (false, json!([attr("city", "eq", json!("Lisbon"))]), "Ana"),
            (false, json!([attr("vip_since", "lt", json!("2026-01-01"))]), "Ana"),
            (false, json!([{"field": "attribute", "key": "vip_since", "op": "is_set"}]), "Ana"),
            (false, json!([{"field": "attribute", "key": "newsletter", "op": "is_not_set"}]), "Bruno Duarte"),
            (false, json!([attr("newsletter", "eq", json!(true))]), "Ana"),
            (false, json!([attr("newsletter", "eq", json!(false))]), "Carla"),
            (false, json!([attr("newsletter", "ne", json!(true))]), "Bruno Carla Duarte"),
            (false, json!([{"field": "last_inbound_at", "op": "within_days", "value": 7}]), "Ana"),
            (false, json!([{"field": "last_inbound_at", "op": "not_within_days", "value": 7}]), "Bruno Carla Duarte"),
            (false, json!([{"field": "last_inbound_at", "op": "before", "value": date(10)}]), "Bruno"),
            (false, json!([{"field": "last_inbound_at", "op": "after", "value": date(30)}]), "Ana Bruno"),
            (false, json!([{"field": "last_outbound_at", "op": "within_days", "value": 7}]), "Ana"),
            (false, json!([{"field": "last_outbound_at", "op": "before", "value": date(30)}]), "Duarte"),
            (false, json!([{"field": "deal_stage", "op": "is", "value": w.proposal}]), "Ana"),
            (false, json!([{"field": "deal_stage", "op": "is", "value": w.lead}]), "Carla"),
            (false, json!([{"field": "deal_stage", "op": "is_not", "value": w.proposal}]), "Bruno Carla Duarte"),
            (false, json!([{"field": "channel", "op": "is", "value": w.number_a}]), "Ana Duarte"),
            (false, json!([{"field": "channel", "op": "is", "value": w.number_b}]), "Bruno"),
            (false, json!([{"field": "channel", "op": "is_not", "value": w.number_a}]), "Bruno Carla"),
            (false, json!([{"field": "created_at", "op": "within_days", "value": 30}]), "Carla Duarte"),
            (false, json!([{"field": "created_at", "op": "before", "value": date(50)}]), "Ana"),
            (false, json!([{"field": "created_at", "op": "after", "value": date(50)}]), "Bruno Carla Duarte"),
            (false, json!([opted_in, {"any": true, "rules": [attr("plan", "eq", json!("gold")), {"field": "tag", "op": "has", "value": w.cold}]}]), "Ana Carla Duarte"),
        ];
        for (any, rules, expected) in cases {
            assert_eq!(
                matching(&app, &t, any, rules.clone()).await,
                expected.split_whitespace().collect::<Vec<_>>(),
                "{:?} {rules}",
                app.engine
            );
        }
        // "Within days" follows the clock.
        app.advance(6 * world::DAY);
        let recent = json!([{"field": "last_inbound_at", "op": "within_days", "value": 7}]);
        assert!(matching(&app, &t, false, recent).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_saved_segment_is_counted_paged_changed_and_deleted_with_events_and_audit() {
    each_engine(|app| async move {
        let t = app.create_tenant("segments-crud").await;
        let w = world::build(&app, &t).await;
        let owner = Auth::Bearer(&t.owner.token);
        let vip = json!({"field": "tag", "op": "has", "value": w.vip});
        let r = app
            .post(
                "/api/v1/segments",
                owner,
                json!({"name": "VIPs", "description": "Our best", "rules": [vip]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["rules"], json!([vip]));
        assert_eq!(r.body["any"], json!(false));

        let r = app
            .post(
                "/api/v1/segments",
                owner,
                json!({"name": "vips", "rules": []}),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "segment_name_taken"));

        let r = app
            .get(
                &format!("/api/v1/segments/{id}/count"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(r.body, json!({"count": 2}));
        let r = app
            .get(&format!("/api/v1/segments/{id}/contacts?limit=1"), owner)
            .await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
        let first = r.body["items"][0]["wa_id"].clone();
        let cursor = r.body["next_cursor"].as_str().unwrap().to_owned();
        let r = app
            .get(
                &format!("/api/v1/segments/{id}/contacts?limit=1&cursor={cursor}"),
                owner,
            )
            .await;
        assert_ne!(r.body["items"][0]["wa_id"], first);
        assert_eq!(r.body["items"][0]["tags"][0]["name"], "VIP");
        assert!(r.body["next_cursor"].is_null());

        // Only opted-in VIPs now; the count follows a consent change.
        let opted_in = json!({"field": "opted_out", "op": "is", "value": false});
        let r = app
            .patch(
                &format!("/api/v1/segments/{id}"),
                owner,
                json!({"name": "VIPs opted in", "rules": [vip, opted_in]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["description"], "Our best");
        let count = || async {
            app.get(&format!("/api/v1/segments/{id}/count"), owner)
                .await
                .body["count"]
                .clone()
        };
        assert_eq!(count().await, json!(1));
        let tenant: TenantId = t.id.parse().unwrap();
        let mut tx = app.state.store.tenant(tenant).await.unwrap();
        tx.set_contact_opt_out(w.contacts[1].1, None, w.now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count().await, json!(2));

        let r = app.get("/api/v1/segments", owner).await;
        assert_eq!(r.body["items"][0]["id"], json!(id));
        let r = app.delete(&format!("/api/v1/segments/{id}"), owner).await;
        assert_eq!(r.status, 204);
        assert_eq!(
            app.get(&format!("/api/v1/segments/{id}"), owner)
                .await
                .status,
            404
        );
        assert_eq!(
            app.get(&format!("/api/v1/segments/{id}/count"), owner)
                .await
                .status,
            404
        );

        let mut tx = app.state.store.tenant_read(tenant).await.unwrap();
        let names: Vec<String> = tx
            .events_after(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.name.starts_with("segment."))
            .map(|e| e.name)
            .collect();
        tx.commit().await.unwrap();
        assert_eq!(
            names,
            ["segment.created", "segment.updated", "segment.deleted"]
        );
        let r = app.get("/api/v1/audit-log?action=segment", owner).await;
        let actions: Vec<&str> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["segment.delete", "segment.update", "segment.create"],
            "{}",
            r.body
        );
    })
    .await;
}

#[tokio::test]
async fn a_bad_tree_is_refused_naming_the_path_of_the_rule() {
    each_engine(|app| async move {
        let t = app.create_tenant("segments-bad").await;
        let w = world::build(&app, &t).await;
        let ok = json!({"field": "opted_out", "op": "is", "value": false});
        for (rules, field) in [
            (
                json!([ok, ok, {"rules": [{"field": "tag", "op": "is", "value": w.vip}]}]),
                "rules[2].rules[0].op",
            ),
            (
                json!([{"field": "tag", "op": "has", "value": domain::TagId::new()}]),
                "rules[0].value",
            ),
            (
                json!([{"field": "deal_stage", "op": "is", "value": w.vip}]),
                "rules[0].value",
            ),
            (
                json!([{"field": "attribute", "key": "nope", "op": "eq", "value": "x"}]),
                "rules[0].key",
            ),
            (
                json!([ok, {"field": "attribute", "key": "score", "op": "contains", "value": "9"}]),
                "rules[1].op",
            ),
            (
                json!([{"field": "attribute", "key": "plan", "op": "eq", "value": "platinum"}]),
                "rules[0].value",
            ),
            (
                json!([{"field": "attribute", "key": "score", "op": "eq", "value": "nine"}]),
                "rules[0].value",
            ),
            (
                json!([{"rules": [{"rules": [{"rules": [ok]}]}]}]),
                "rules[0].rules[0].rules[0]",
            ),
            (
                json!([{"field": "created_at", "op": "within_days", "value": 0}]),
                "rules[0].value",
            ),
        ] {
            let r = app
                .post(
                    "/api/v1/segments",
                    Auth::ApiKey(&t.api_key),
                    json!({"name": "Bad", "rules": rules}),
                )
                .await;
            assert_eq!(
                (r.status, r.code()),
                (422, "validation_failed"),
                "{rules}: {}",
                r.body
            );
            assert_eq!(
                r.body["error"]["fields"][0]["field"], field,
                "{rules}: {}",
                r.body
            );
        }
        let r = app.get("/api/v1/segments", Auth::ApiKey(&t.api_key)).await;
        assert!(r.body["items"].as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_viewer_reads_segments_but_cannot_change_or_preview_them() {
    each_engine(|app| async move {
        let t = app.create_tenant("segments-viewer").await;
        seed(&app, &t).await;
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let v = Auth::Bearer(&viewer.token);
        let r = app.get("/api/v1/segments", v).await;
        assert_eq!(r.status, 200);
        let id = r.body["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            app.get(&format!("/api/v1/segments/{id}/count"), v)
                .await
                .status,
            200
        );
        let body = json!({"name": "x", "rules": []});
        for r in [
            app.post("/api/v1/segments", v, body.clone()).await,
            app.post("/api/v1/segments/preview", v, json!({"rules": []}))
                .await,
            app.patch(&format!("/api/v1/segments/{id}"), v, json!({"name": "y"}))
                .await,
            app.delete(&format!("/api/v1/segments/{id}"), v).await,
        ] {
            assert_eq!((r.status, r.code()), (403, "permission_denied"));
        }
    })
    .await;
}
