//! Saved inbox searches: personal ones only their owner sees, shared ones
//! the whole team sees; API keys see and save shared ones only.

use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn personal_searches_are_their_owners_and_shared_ones_the_teams() {
    each_engine(|app| async move {
        let t = app.create_tenant("saved-searches").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let owner = Auth::Bearer(&t.owner.token);
        let tag = domain::TagId::new();
        let r = app
            .post(
                "/api/v1/saved-searches",
                owner,
                json!({"name": "My open", "filter": {"status": "open", "assigned": "me", "q": " oat "}, "shared": false}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let personal = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["shared"], false);
        assert_eq!(r.body["owner_user_id"], json!(t.owner.id));
        assert_eq!(r.body["filter"], json!({"status": "open", "assigned": "me", "q": "oat"}));
        assert_eq!(r.body["query"], "assigned=me&q=oat&status=open");
        let r = app
            .post(
                "/api/v1/saved-searches",
                Auth::ApiKey(&t.api_key),
                json!({"name": "Unread VIPs", "filter": {"unread": true, "tag": tag}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let shared = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["shared"], true);
        assert_eq!(r.body["query"], format!("tag={tag}&unread=true"));

        let app = &app;
        let names = |who| async move {
            let r = app.get("/api/v1/saved-searches", who).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(owner).await, ["Unread VIPs", "My open"]);
        assert_eq!(names(Auth::Bearer(&agent.token)).await, ["Unread VIPs"]);
        assert_eq!(names(Auth::ApiKey(&t.api_key)).await, ["Unread VIPs"]);
        // Another user's personal search does not exist for them.
        for who in [Auth::Bearer(&agent.token), Auth::ApiKey(&t.api_key)] {
            let path = format!("/api/v1/saved-searches/{personal}");
            assert_eq!(app.get(&path, who).await.status, 404);
            assert_eq!(app.delete(&path, who).await.status, 404);
        }
        // An API key has no "me" to keep a personal search for.
        let r = app
            .post(
                "/api/v1/saved-searches",
                Auth::ApiKey(&t.api_key),
                json!({"name": "x", "filter": {}, "shared": false}),
            )
            .await;
        assert_eq!((r.status, r.body["error"]["fields"][0]["field"].as_str()), (422, Some("shared")));
        for (filter, field) in [
            (json!({"status": "closed"}), "filter.status"),
            (json!({"assigned": "someone"}), "filter.assigned"),
            (json!({"q": "x".repeat(201)}), "filter.q"),
        ] {
            let r = app
                .post("/api/v1/saved-searches", owner, json!({"name": "x", "filter": filter}))
                .await;
            assert_eq!(r.status, 422, "{}", r.body);
            assert_eq!(r.body["error"]["fields"][0]["field"], field);
        }

        // The agent renames the shared one and makes it theirs alone.
        let path = format!("/api/v1/saved-searches/{shared}");
        let r = app
            .patch(&path, Auth::Bearer(&agent.token), json!({"name": "Unread", "shared": false}))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["owner_user_id"], json!(agent.id));
        assert_eq!(names(Auth::ApiKey(&t.api_key)).await, Vec::<String>::new());
        assert_eq!(app.delete(&path, Auth::Bearer(&agent.token)).await.status, 204);
        assert_eq!(app.get(&path, Auth::Bearer(&agent.token)).await.status, 404);

        let r = app.get("/api/v1/audit-log?action=saved_search", owner).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 4, "{}", r.body);
    })
    .await;
}
