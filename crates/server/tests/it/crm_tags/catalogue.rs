//! The tag catalogue through the API, on both engines: names unique
//! whatever the case, validated colours, who may change it, events and
//! audit entries.

use super::event_names;
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn the_tag_catalogue_has_unique_names_valid_colours_and_belongs_to_admins() {
    each_engine(|app| async move {
        let t = app.create_tenant("tag-catalogue").await;
        let owner = Auth::Bearer(&t.owner.token);
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;

        let r = app
            .post(
                "/api/v1/tags",
                owner,
                json!({ "name": "  VIP ", "colour": "#E11D48" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["name"], json!("VIP"), "trimmed");
        assert_eq!(r.body["colour"], json!("#e11d48"), "kept in lower case");
        let vip = r.body["id"].as_str().unwrap().to_owned();

        let r = app
            .post(
                "/api/v1/tags",
                owner,
                json!({ "name": "vip", "colour": "#000000" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "tag_name_taken"), "{}", r.body);
        let r = app
            .post("/api/v1/tags", owner, json!({ "name": "Équipe" }))
            .await;
        assert_eq!(r.status, 201, "the colour has a default: {}", r.body);
        assert_eq!(r.body["colour"], json!("#64748b"));
        let r = app
            .post("/api/v1/tags", owner, json!({ "name": "ÉQUIPE" }))
            .await;
        assert_eq!(r.status, 409, "non-ASCII names clash whatever the case too");
        for bad in [
            json!({ "name": "x", "colour": "red" }),
            json!({ "name": "x", "colour": "#12345" }),
            json!({ "name": "   " }),
            json!({ "name": "n".repeat(51) }),
        ] {
            let r = app.post("/api/v1/tags", owner, bad.clone()).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{bad}");
        }

        // Agents and viewers read the catalogue but do not change it.
        for who in [&agent, &viewer] {
            let r = app.get("/api/v1/tags", Auth::Bearer(&who.token)).await;
            assert_eq!(r.status, 200);
            assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
            let r = app
                .post(
                    "/api/v1/tags",
                    Auth::Bearer(&who.token),
                    json!({ "name": "Mine" }),
                )
                .await;
            assert_eq!((r.status, r.code()), (403, "permission_denied"));
            let r = app
                .patch(
                    &format!("/api/v1/tags/{vip}"),
                    Auth::Bearer(&who.token),
                    json!({}),
                )
                .await;
            assert_eq!(r.status, 403);
        }

        // Renaming onto another tag's name is refused; its own name is fine.
        let r = app
            .patch(
                &format!("/api/v1/tags/{vip}"),
                owner,
                json!({ "name": "équipe" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "tag_name_taken"));
        let r = app
            .patch(
                &format!("/api/v1/tags/{vip}"),
                owner,
                json!({ "name": "Vip", "colour": "#00aa00" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            (r.body["name"].as_str(), r.body["colour"].as_str()),
            (Some("Vip"), Some("#00aa00"))
        );
        let r = app
            .get(&format!("/api/v1/tags/{vip}"), Auth::Bearer(&viewer.token))
            .await;
        assert_eq!(r.body["name"], json!("Vip"));

        let r = app.delete(&format!("/api/v1/tags/{vip}"), owner).await;
        assert_eq!(r.status, 204);
        assert_eq!(
            app.get(&format!("/api/v1/tags/{vip}"), owner).await.status,
            404
        );
        assert_eq!(
            app.delete(&format!("/api/v1/tags/{vip}"), owner)
                .await
                .status,
            404
        );

        let names = event_names(&app, &t).await;
        let tags: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| n.starts_with("tag."))
            .collect();
        assert_eq!(
            tags,
            ["tag.created", "tag.created", "tag.updated", "tag.deleted"]
        );
        let audit = app.get("/api/v1/audit-log?action=tag", owner).await;
        let actions: Vec<&str> = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(actions.len(), 4, "{actions:?}");
        assert!(actions.contains(&"tag.delete") && actions.contains(&"tag.create"));
        app.stop().await;
    })
    .await;
}
