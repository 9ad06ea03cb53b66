//! Two tenants created through the API cannot see or touch each other's
//! anything, over every route in the OpenAPI document.

use crate::openapi_walk::{operations, resolve_path};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, each_engine};

/// Everything identifying tenant A that must never appear in B's answers.
async fn fingerprints(app: &TestApp, a: &TestTenant) -> Vec<String> {
    let mut marks = vec![
        a.id.clone(),
        a.slug.clone(),
        a.owner.email.clone(),
        a.owner.id.clone(),
    ];
    for list in [
        "/api/v1/users",
        "/api/v1/invites",
        "/api/v1/api-keys",
        "/api/v1/audit-log",
    ] {
        let r = app.get(list, Auth::Bearer(&a.owner.token)).await;
        assert_eq!(r.status, 200, "{list}: {}", r.body);
        for item in r.body["items"].as_array().unwrap() {
            for key in ["id", "email", "prefix"] {
                if let Some(v) = item[key].as_str() {
                    marks.push(v.to_owned());
                }
            }
        }
    }
    marks.sort();
    marks.dedup();
    marks
}

/// A's data as A sees it (minus fields that legitimately move).
async fn snapshot(app: &TestApp, a: &TestTenant) -> Value {
    let mut out = serde_json::Map::new();
    for list in [
        "/api/v1/users",
        "/api/v1/invites",
        "/api/v1/api-keys",
        "/api/v1/tenant",
        "/api/v1/analytics/targets",
    ] {
        let mut body = app.get(list, Auth::ApiKey(&a.api_key)).await.body;
        if let Some(items) = body["items"].as_array_mut() {
            for i in items {
                i.as_object_mut().map(|o| o.remove("last_used_at"));
            }
        }
        out.insert(list.to_owned(), body);
    }
    Value::Object(out)
}

async fn seed(app: &TestApp, slug: &str) -> TestTenant {
    let t = app.create_tenant(slug).await;
    app.add_user(&t, Role::Agent, "agent").await;
    let r = app
        .post(
            "/api/v1/invites",
            Auth::Bearer(&t.owner.token),
            json!({ "email": format!("pending@{slug}.example.com"), "role": "viewer" }),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = app
        .post(
            "/api/v1/api-keys",
            Auth::Bearer(&t.owner.token),
            json!({ "name": "integration", "scopes": ["inbox:read"] }),
        )
        .await;
    assert_eq!(r.status, 201);
    crate::crm_notes::seed(app, &t).await;
    crate::crm_deals::seed(app, &t).await;
    crate::crm_contacts::seed(app, &t).await;
    crate::crm_imports::seed(app, &t).await;
    crate::crm_segments::seed(app, &t).await;
    crate::crm_teams::seed(app, &t).await;
    crate::templates::seed(app, &t).await;
    crate::scheduled::seed(app, &t).await;
    crate::campaigns::seed(app, &t).await;
    crate::automations::seed(app, &t).await;
    crate::automations::hours::seed(app, &t).await;
    crate::drips::seed(app, &t).await;
    crate::booking::seed(app, &t).await;
    crate::analytics::seed(app, &t).await;
    // Last: its contact and conversation are the newest, so the walk
    // finds them (with their tags) first.
    crate::crm_tags::seed(app, &t).await;
    t
}

#[tokio::test]
async fn tenant_b_cannot_reach_tenant_a_through_any_route() {
    each_engine(|app| async move {
        let a = seed(&app, "alpha-isolation").await;
        let b = seed(&app, "bravo-isolation").await;
        let marks = fingerprints(&app, &a).await;
        let before = snapshot(&app, &a).await;

        let ops = operations(&app).await;
        let mut probed_with_real_ids = 0;
        let mut logout = None;
        for op in &ops {
            if op.public || !op.path.starts_with("/api/") {
                continue;
            }
            if op.path == "/api/v1/auth/logout" {
                logout = Some(op.clone());
                continue;
            }
            let (path, known) = resolve_path(&app, &op.path, Auth::Bearer(&a.owner.token)).await;
            let has_ids = !op.params().is_empty();
            if has_ids && known {
                probed_with_real_ids += 1;
            }
            for (cred, auth) in [
                ("jwt", Auth::Bearer(&b.owner.token)),
                ("api key", Auth::ApiKey(&b.api_key)),
            ] {
                let r = app
                    .request(op.method.clone(), &path, auth, op.body.clone(), &[])
                    .await;
                let what = format!(
                    "{} {} as B ({cred}) -> {} {}",
                    op.method, op.path, r.status, r.text
                );
                assert!(r.status < 500, "{what}");
                if op.is_operator() {
                    assert_eq!(
                        r.status, 401,
                        "tenant credentials must not reach the operator API: {what}"
                    );
                } else if has_ids {
                    assert_eq!(r.status, 404, "A's ids must be invisible to B: {what}");
                    assert_eq!(r.code(), "not_found", "{what}");
                }
                for m in &marks {
                    assert!(
                        !r.text.contains(m.as_str()),
                        "B's answer leaks A's `{m}`: {what}"
                    );
                }
            }
        }
        assert!(
            probed_with_real_ids >= 6,
            "probed only {probed_with_real_ids} routes with A's real ids"
        );
        if let Some(op) = logout {
            let r = app
                .request(op.method, &op.path, Auth::Bearer(&b.owner.token), None, &[])
                .await;
            assert_eq!(r.status, 204);
        }
        // Nothing B did changed anything of A's.
        assert_eq!(snapshot(&app, &a).await, before);
        // A's owner is still signed in and A still works.
        let r = app.get("/api/v1/users", Auth::Bearer(&a.owner.token)).await;
        assert_eq!(r.status, 200);
    })
    .await;
}

#[tokio::test]
async fn an_api_key_of_one_tenant_never_names_another() {
    each_engine(|app| async move {
        let a = app.create_tenant("alpha-keys").await;
        let b = app.create_tenant("bravo-keys").await;
        let ra = app.get("/api/v1/me", Auth::ApiKey(&a.api_key)).await;
        let rb = app.get("/api/v1/me", Auth::Bearer(&b.api_key)).await;
        assert_eq!(ra.body["tenant_id"], json!(a.id));
        assert_eq!(rb.body["tenant_id"], json!(b.id));
    })
    .await;
}
