//! What the Genesys settings refuse: a region that is none, credentials
//! Genesys refuses, a routing or keywords that are not ones, a number that
//! does not exist; and changing a link keeps its integration.

use serde_json::json;
use testkit::{Auth, GENESYS_CLIENT, each_engine_with_genesys};

#[tokio::test]
async fn bad_settings_are_refused_and_a_changed_link_keeps_its_integration() {
    each_engine_with_genesys(|g| async move {
        let t = g.create_tenant("genesys-valid").await;
        let key = Auth::ApiKey(&t.api_key);
        let channel = g.connect_number(&t, super::PNID, super::WABA).await;

        // A link before any credentials.
        let r = g
            .put(
                &format!("/api/v1/genesys/links/{channel}"),
                key,
                json!({ "routing": "all" }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.code(), "genesys_not_configured");
        assert_eq!(g.get("/api/v1/genesys/account", key).await.status, 404);

        let r = g
            .put(
                "/api/v1/genesys/account",
                key,
                json!({ "region": "not a region", "client_id": GENESYS_CLIENT.0,
                        "client_secret": GENESYS_CLIENT.1 }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = g
            .put(
                "/api/v1/genesys/account",
                key,
                json!({ "region": "eu-west-1", "client_id": GENESYS_CLIENT.0,
                        "client_secret": "wrong-secret" }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.code(), "genesys_refused");
        assert_eq!(
            g.get("/api/v1/genesys/account", key).await.status,
            404,
            "nothing kept"
        );
        let r = g
            .put(
                "/api/v1/genesys/account",
                key,
                json!({ "region": "eu-west-1", "client_id": GENESYS_CLIENT.0 }),
            )
            .await;
        assert_eq!(
            r.status, 422,
            "a secret is needed the first time: {}",
            r.body
        );
        assert!(g.genesys.integrations().is_empty());

        let link = g
            .link(
                &t,
                &channel,
                json!({ "routing": "handover", "keywords": ["agent"] }),
            )
            .await;
        let integration = link["integration_id"].as_str().unwrap().to_owned();
        assert_eq!(g.genesys.integrations().len(), 1);
        let account = g.get("/api/v1/genesys/account", key).await;
        assert_eq!(account.status, 200, "{}", account.body);
        assert!(
            account.body.get("client_secret").is_none(),
            "{}",
            account.body
        );
        assert!(!account.text.contains(GENESYS_CLIENT.1));

        let path = format!("/api/v1/genesys/links/{channel}");
        let r = g.put(&path, key, json!({ "routing": "sometimes" })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let long = "a".repeat(41);
        let r = g.put(&path, key, json!({ "keywords": [long] })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = g.put(&path, key, json!({ "keywords": [""] })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let many: Vec<String> = (0..21).map(|i| format!("word{i}")).collect();
        let r = g.put(&path, key, json!({ "keywords": many })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = g
            .put(&path, key, json!({ "routing": "all", "colour": "blue" }))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        let unknown = format!("/api/v1/genesys/links/{}", uuid::Uuid::now_v7());
        let r = g.put(&unknown, key, json!({ "routing": "all" })).await;
        assert_eq!(r.status, 404, "{}", r.body);
        // Nothing refused changed the link.
        let links = g.get("/api/v1/genesys/links", key).await;
        assert_eq!(links.body[0]["routing"], "handover");
        assert_eq!(links.body[0]["keywords"], json!(["agent"]));

        // New keywords only: the same link and integration.
        let r = g
            .put(
                &path,
                key,
                json!({ "keywords": ["Agent", "human", "agent"] }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["integration_id"], integration.as_str());
        assert_eq!(r.body["id"], link["id"]);
        assert_eq!(r.body["routing"], "handover");
        assert_eq!(r.body["keywords"], json!(["agent", "human"]));
        assert_eq!(g.genesys.integrations().len(), 1, "no new integration");
        assert_eq!(r.body["webhook_url"], link["webhook_url"]);
        g.stop().await;
    })
    .await;
}
