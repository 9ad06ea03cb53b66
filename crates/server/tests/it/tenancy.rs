//! The operator's view: tenants, plans, suspension, audit.

use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn the_operator_creates_lists_updates_and_reads_tenants() {
    each_engine(|app| async move {
        let op = app.operator_token().await;
        let t = app.create_tenant("ops-one").await;
        let r = app
            .post("/api/v1/operator/tenants", Auth::Bearer(&op), json!({ "name": "Dup", "slug": "ops-one", "owner_email": "o@x.example.com" }))
            .await;
        assert_eq!((r.status, r.code()), (409, "slug_taken"));
        let r = app
            .post("/api/v1/operator/tenants", Auth::Bearer(&op), json!({ "name": "Bad", "slug": "Not A Slug", "owner_email": "o@x.example.com" }))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = app
            .post("/api/v1/operator/tenants", Auth::Bearer(&op), json!({ "name": "Bad", "slug": "ops-plan", "owner_email": "o@x.example.com", "plan": "gold" }))
            .await;
        assert_eq!((r.status, r.body["error"]["fields"][0]["field"].as_str()), (422, Some("plan")));
        // Control characters (NUL, escape sequences) are not a name.
        for name in ["Bad\0Name", "Bad\u{1b}[31mName", "Two\nlines"] {
            let r = app
                .post("/api/v1/operator/tenants", Auth::Bearer(&op), json!({ "name": name, "slug": "ops-ctrl", "owner_email": "o@x.example.com" }))
                .await;
            assert_eq!((r.status, r.body["error"]["fields"][0]["field"].as_str()), (422, Some("name")), "{name:?}");
        }

        let r = app.patch(&format!("/api/v1/operator/tenants/{}", t.id), Auth::Bearer(&op), json!({ "plan": "professional" })).await;
        assert_eq!((r.status, r.body["plan"].as_str()), (200, Some("professional")));
        let own = app.get("/api/v1/tenant", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(own.body["limits"]["messages_per_month"], json!(10_000));
        assert_eq!(own.body["limits"]["agents"], json!(25));

        let r = app.get(&format!("/api/v1/operator/tenants/{}", t.id), Auth::Bearer(&op)).await;
        assert_eq!(r.status, 200);
        // The operator's look is in the tenant's own audit log.
        let audit = app.get("/api/v1/audit-log", Auth::Bearer(&t.owner.token)).await;
        let actions: Vec<&str> = audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"operator.view_tenant"), "{actions:?}");
        assert!(actions.contains(&"tenant.update"), "{actions:?}");
        let entry = &audit.body["items"][0];
        assert!(entry["ip"].as_str().is_some_and(|ip| ip == "127.0.0.1"), "{entry}");

        // Plans are editable, and the edit takes effect at once.
        let r = app.patch("/api/v1/operator/plans/professional", Auth::Bearer(&op), json!({ "limits": { "messages_per_month": 20000, "agents": 30, "numbers": 5, "contacts": null } })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let own = app.get("/api/v1/tenant", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(own.body["limits"]["messages_per_month"], json!(20_000));
        assert!(own.body["limits"]["contacts"].is_null());
        let r = app.patch("/api/v1/operator/plans/professional", Auth::Bearer(&op), json!({ "limits": { "messages_per_month": -1, "agents": 1, "numbers": 1, "contacts": 1 } })).await;
        assert_eq!(r.status, 422);

        let list = app.get("/api/v1/operator/tenants?limit=1", Auth::Bearer(&op)).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
        let all = app.get("/api/v1/operator/audit-log", Auth::Bearer(&op)).await;
        assert!(all.body["items"].as_array().unwrap().iter().any(|e| e["action"] == "plan.update"));
        let plans = app.get("/api/v1/operator/plans", Auth::Bearer(&op)).await;
        let starter = plans.body.as_array().unwrap().iter().find(|p| p["code"] == "starter").unwrap().clone();
        assert_eq!(starter["limits"], json!({ "messages_per_month": 1000, "agents": 5, "numbers": 1, "contacts": 5000, "workflow_runs_per_month": 2000, "genesys_per_minute": 60, "api_requests_per_minute": 600, "workflows": 20, "webhook_endpoints": 10 }));
        assert_eq!(starter["prices"], json!({ "monthly": 2900, "yearly": 29000, "currency": "usd" }));
        assert!(plans.body.as_array().unwrap().iter().any(|p| p["code"] == "enterprise" && p["limits"]["messages_per_month"].is_null()));
    })
    .await;
}

#[tokio::test]
async fn a_suspended_tenant_gets_423_with_the_reason_until_reactivated() {
    each_engine(|app| async move {
        let op = app.operator_token().await;
        let t = app.create_tenant("ops-suspend").await;
        // Reactivating a tenant that was never suspended leaves it as it was.
        let before = app
            .get(
                &format!("/api/v1/operator/tenants/{}", t.id),
                Auth::Bearer(&op),
            )
            .await;
        let r = app
            .post(
                &format!("/api/v1/operator/tenants/{}/reactivate", t.id),
                Auth::Bearer(&op),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["status"], before.body["status"]);
        assert_ne!(
            r.body["status"],
            json!("active"),
            "test tenants start as trial"
        );
        let r = app
            .post(
                &format!("/api/v1/operator/tenants/{}/suspend", t.id),
                Auth::Bearer(&op),
                json!({ "reason": "unpaid invoice" }),
            )
            .await;
        assert_eq!(
            (r.status, r.body["status"].as_str()),
            (200, Some("suspended"))
        );
        for auth in [Auth::Bearer(&t.owner.token), Auth::ApiKey(&t.api_key)] {
            let r = app.get("/api/v1/users", auth).await;
            assert_eq!((r.status, r.code()), (423, "tenant_suspended"));
            assert!(
                r.body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("unpaid invoice")
            );
        }
        let r = app
            .login("ops-suspend", &t.owner.email, &t.owner.password, None)
            .await;
        assert_eq!(r.status, 423);
        let r = app
            .post(
                &format!("/api/v1/operator/tenants/{}/reactivate", t.id),
                Auth::Bearer(&op),
                json!({}),
            )
            .await;
        assert_eq!((r.status, r.body["status"].as_str()), (200, Some("active")));
        assert_eq!(
            app.get("/api/v1/users", Auth::ApiKey(&t.api_key))
                .await
                .status,
            200
        );
    })
    .await;
}

#[tokio::test]
async fn tenant_credentials_never_reach_the_operator_api_and_operators_sign_out() {
    each_engine(|app| async move {
        let t = app.create_tenant("ops-guard").await;
        assert_eq!(
            app.get("/api/v1/operator/tenants", Auth::Bearer(&t.owner.token))
                .await
                .status,
            401
        );
        assert_eq!(
            app.get("/api/v1/operator/tenants", Auth::None).await.status,
            401
        );
        let op = app.operator_token().await;
        // And operator tokens are not tenant credentials.
        assert_eq!(
            app.get("/api/v1/users", Auth::Bearer(&op)).await.status,
            401
        );
        assert_eq!(
            app.post("/api/v1/operator/logout", Auth::Bearer(&op), json!({}))
                .await
                .status,
            204
        );
        assert_eq!(
            app.get("/api/v1/operator/tenants", Auth::Bearer(&op))
                .await
                .status,
            401
        );
        // Operators' sign-ins and sign-outs are in the platform's audit log.
        let fresh = app.operator_token().await;
        let audit = app
            .get("/api/v1/operator/audit-log", Auth::Bearer(&fresh))
            .await;
        let actions: Vec<&str> = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(actions.contains(&"operator.sign_in"), "{actions:?}");
        assert!(actions.contains(&"operator.sign_out"), "{actions:?}");
        let r = app
            .post(
                "/api/v1/operator/login",
                Auth::None,
                json!({ "email": app.operator_email, "password": "nope-nope-nope" }),
            )
            .await;
        assert_eq!(r.status, 401);
    })
    .await;
}

#[tokio::test]
async fn plan_seat_limits_are_enforced() {
    each_engine(|app| async move {
        let op = app.operator_token().await;
        let r = app.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), json!({ "limits": { "messages_per_month": 1000, "agents": 2, "numbers": 1, "contacts": 5000 } })).await;
        assert_eq!(r.status, 200);
        let t = app.create_tenant("ops-seats").await;
        app.add_user(&t, domain::Role::Agent, "second").await;
        let r = app.post("/api/v1/invites", Auth::Bearer(&t.owner.token), json!({ "email": "third@ops-seats.example.com", "role": "agent" })).await;
        assert_eq!((r.status, r.code()), (429, "plan_limit_reached"));
    })
    .await;
}

#[tokio::test]
async fn admin_commands_run_the_same_rules_from_the_command_line() {
    let app = testkit::TestApp::start(testkit::Engine::Sqlite).await;
    let config = app.state.config.clone();
    server::admin::run(
        config.clone(),
        server::cli::AdminCommand::CreateTenant {
            name: "Cli Co".into(),
            slug: "cli-co".into(),
            owner_email: "owner@cli.example.com".into(),
            plan: "starter".into(),
        },
    )
    .await
    .unwrap();
    let dup = server::admin::run(
        config.clone(),
        server::cli::AdminCommand::CreateTenant {
            name: "Cli Co".into(),
            slug: "cli-co".into(),
            owner_email: "owner@cli.example.com".into(),
            plan: "starter".into(),
        },
    )
    .await;
    assert!(dup.unwrap_err().to_string().contains("taken"));
    server::admin::run(
        config.clone(),
        server::cli::AdminCommand::SuspendTenant {
            slug: "cli-co".into(),
            reason: "testing".into(),
        },
    )
    .await
    .unwrap();
    let op = app.operator_token().await;
    let list = app.get("/api/v1/operator/tenants", Auth::Bearer(&op)).await;
    let t = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "cli-co")
        .unwrap()
        .clone();
    assert_eq!(t["status"], json!("suspended"));
    assert_eq!(t["status_reason"], json!("testing"));
}

#[tokio::test]
async fn the_subdomain_names_the_tenant() {
    let app = testkit::TestApp::start_with(testkit::Engine::Sqlite, |c| {
        c.base_domain = Some("switchboard.test".into());
    })
    .await;
    let a = app.create_tenant("sub-alpha").await;
    let b = app.create_tenant("sub-bravo").await;
    let host = |slug: &str| format!("{slug}.switchboard.test");
    let body = json!({ "email": a.owner.email, "password": a.owner.password });
    let r = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            Auth::None,
            Some(body.clone()),
            &[("host", &host("sub-alpha"))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            Auth::None,
            Some(body),
            &[("host", &host("sub-bravo"))],
        )
        .await;
    assert_eq!(r.status, 401, "A's owner is not a user of B");
    let r = app
        .request(
            reqwest::Method::GET,
            "/api/v1/me",
            Auth::Bearer(&a.owner.token),
            None,
            &[("host", &host("sub-alpha"))],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .request(
            reqwest::Method::GET,
            "/api/v1/me",
            Auth::Bearer(&a.owner.token),
            None,
            &[("host", &host("sub-bravo"))],
        )
        .await;
    assert_eq!((r.status, r.code()), (401, "tenant_mismatch"));
    let r = app
        .request(
            reqwest::Method::GET,
            "/api/v1/me",
            Auth::ApiKey(&b.api_key),
            None,
            &[("host", &host("sub-bravo"))],
        )
        .await;
    assert_eq!(r.status, 200);
}
