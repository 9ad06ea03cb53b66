//! The deployment's nodes as the operator sees them: two nodes on one
//! database report and are listed live through the operator API and on
//! the health page; once they go quiet they are listed as not live, then
//! not listed, then swept; a heartbeat reports at once and removes its row
//! when told to stop; only the operator may look.

use crate::dashboard::client::Browser;
use domain::{NodeKind, Timestamp};
use serde_json::{Value, json};
use server::operator::nodes;
use store::housekeeping::Sweepable;
use testkit::{Auth, TestApp, each_engine};

/// The operator's list of nodes.
async fn listed(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/api/v1/operator/nodes", Auth::Bearer(token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Each listed node's (id, kind, live).
async fn states(app: &TestApp, token: &str) -> Vec<(String, String, bool)> {
    listed(app, token)
        .await
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_owned(),
                n["kind"].as_str().unwrap().to_owned(),
                n["live"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_operator_sees_which_nodes_run_and_which_went_quiet() {
    each_engine(|app: TestApp| async move {
        let op = app.operator_token().await;
        let mut console = Browser::sign_in_operator(&app).await;
        assert_eq!(
            listed(&app, &op).await,
            Vec::<Value>::new(),
            "the test server does not report"
        );
        let page = console.get("/app/operator/health").await.html;
        assert!(page.contains("No node has reported yet"), "{page}");

        // Two nodes on one database report themselves.
        let other = app.another_node(|_| {}).await;
        let mut serve = nodes::this_node(&app.state, NodeKind::Serve, false);
        let mut worker = nodes::this_node(&other, NodeKind::Worker, true);
        nodes::report(&other, &mut worker).await.unwrap();
        nodes::report(&app.state, &mut serve).await.unwrap();
        let (serve_id, worker_id) = (serve.id.to_string(), worker.id.to_string());
        let items = listed(&app, &op).await;
        assert_eq!(items.len(), 2, "{items:?}");
        let started = serve.started_at.to_rfc3339();
        assert_eq!(
            items[0],
            json!({
                "id": serve_id, "kind": "serve", "runs_jobs": false,
                "hostname": serve.hostname, "version": env!("CARGO_PKG_VERSION"),
                "media_store": "local", "started_at": started, "last_seen_at": started,
                "live": true,
            })
        );
        assert!(!serve.hostname.is_empty());
        assert_eq!(
            (
                &items[1]["id"],
                &items[1]["kind"],
                &items[1]["runs_jobs"],
                &items[1]["live"]
            ),
            (
                &json!(worker_id),
                &json!("worker"),
                &json!(true),
                &json!(true)
            )
        );
        // The OpenAPI document describes exactly these fields.
        let doc = app.get("/api/openapi.json", Auth::None).await.body;
        let ok = &doc["paths"]["/api/v1/operator/nodes"]["get"]["responses"]["200"];
        assert_eq!(
            ok["content"]["application/json"]["schema"]["$ref"],
            json!("#/components/schemas/NodeList")
        );
        let schemas = &doc["components"]["schemas"];
        let mut documented: Vec<&str> = schemas["NodeView"]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        documented.sort_unstable();
        let mut answered: Vec<&str> = items[0]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        answered.sort_unstable();
        assert_eq!(documented, answered);
        assert_eq!(schemas["NodeKind"]["enum"], json!(["serve", "worker"]));

        let page = console.get("/app/operator/health").await.html;
        assert_eq!(page.matches(r#"data-live="true""#).count(), 2, "{page}");
        assert!(
            page.contains(r#"<tr data-kind="serve""#) && page.contains(r#"<tr data-kind="worker""#)
        );

        // A minute without a report: still listed, no longer live.
        app.advance(60);
        assert_eq!(
            states(&app, &op).await,
            [
                (serve_id.clone(), "serve".into(), false),
                (worker_id.clone(), "worker".into(), false)
            ]
        );
        let page = console.get("/app/operator/health").await.html;
        assert_eq!(page.matches("not seen for 60 s").count(), 2, "{page}");
        // Reporting again makes a node live again.
        nodes::report(&app.state, &mut serve).await.unwrap();
        let items = listed(&app, &op).await;
        assert_eq!(
            (&items[0]["live"], &items[1]["live"]),
            (&json!(true), &json!(false))
        );
        assert_eq!(
            items[0]["last_seen_at"],
            json!(app.state.now().to_rfc3339())
        );
        assert_eq!(items[0]["started_at"], json!(started), "the start stays");

        // A heartbeat reports at once, and removes its row when stopped.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let heartbeat = nodes::spawn_heartbeat(other.clone(), NodeKind::Worker, true, stopped);
        app.eventually("the heartbeat reports its node", || async {
            states(&app, &op).await.len() == 3
        })
        .await;
        let items = states(&app, &op).await;
        let beating = items
            .iter()
            .find(|(id, _, _)| *id != serve_id && *id != worker_id)
            .unwrap()
            .clone();
        assert_eq!((beating.1.as_str(), beating.2), ("worker", true));
        stop.send_replace(true);
        heartbeat.await.unwrap();
        let ids: Vec<String> = states(&app, &op)
            .await
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        assert_eq!(
            ids,
            [serve_id.clone(), worker_id.clone()],
            "the stopped node is gone"
        );

        // An hour without a report: no longer listed; a day: swept.
        app.advance(3601);
        assert_eq!(listed(&app, &op).await, Vec::<Value>::new());
        let swept = server::housekeeping::sweep(&app.state, app.state.now())
            .await
            .unwrap();
        assert_eq!(swept.of(Sweepable::Nodes), 0, "kept for a day");
        let day_on: Timestamp = app.state.now().plus_seconds(nodes::FORGOTTEN_AFTER_SECONDS);
        let swept = server::housekeeping::sweep(&app.state, day_on)
            .await
            .unwrap();
        assert_eq!(swept.of(Sweepable::Nodes), 2, "{swept:?}");

        // Only the operator may look.
        let t = app.create_tenant("nodes-look").await;
        for auth in [
            Auth::None,
            Auth::Bearer(&t.owner.token),
            Auth::ApiKey(&t.api_key),
        ] {
            let r = app.get("/api/v1/operator/nodes", auth).await;
            assert_eq!(r.status, 401, "{}", r.body);
        }
        other.store.close().await;
    })
    .await;
}
