//! Tags through the API, on both engines: the catalogue (unique names
//! whatever the case, validated colours, who may change it), putting tags
//! on and off contacts and conversations (idempotent, with events and
//! audit entries), tags shown on every contact and conversation view, the
//! `tag` filter of both lists, and deleting a tag or its carrier leaving
//! nothing behind.

use domain::{ChannelId, Role, TenantId};
use serde_json::{Value, json};
use store::inbox::NewContact;
use testkit::{Auth, TestApp, TestTenant, each_engine};

mod catalogue;
mod pages;

/// A contact (`wa_id`, named `name`, with custom attribute values) and a
/// conversation with them, made in the store as the inbox would; their ids.
pub async fn conversation(
    app: &TestApp,
    t: &TestTenant,
    wa_id: &str,
    name: &str,
    attributes: Value,
) -> (String, String) {
    let tenant: TenantId = t.id.parse().unwrap();
    let now = app.state.now();
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    let attributes = attributes.as_object().cloned().unwrap_or_default();
    let contact = tx
        .insert_manual_contact(
            &NewContact {
                wa_id,
                name: Some(name),
                email: None,
                language: None,
                attributes: &attributes,
            },
            now,
        )
        .await
        .unwrap()
        .expect("a new contact");
    let (conversation, _) = tx
        .upsert_conversation(contact.id, ChannelId::new(), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (contact.id.to_string(), conversation.id.to_string())
}

/// Creates a tag as `t`'s owner; its id.
pub async fn tag(app: &TestApp, t: &TestTenant, name: &str, colour: &str) -> String {
    let r = app
        .post(
            "/api/v1/tags",
            Auth::Bearer(&t.owner.token),
            json!({ "name": name, "colour": colour }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// The names of `t`'s events, oldest first.
pub async fn event_names(app: &TestApp, t: &TestTenant) -> Vec<String> {
    let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let names = tx
        .events_after(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    tx.commit().await.unwrap();
    names
}

/// Gives `t` one of each thing this area makes, so the cross-tenant walk
/// (isolation.rs) probes its routes with real ids: a tag, on a contact and
/// on a conversation, and a quick reply (crm_quick_replies' seed).
pub async fn seed(app: &TestApp, t: &TestTenant) {
    crate::crm_quick_replies::seed(app, t).await;
    let wa_id = format!("1555{:07}", t.slug.len() * 7919 % 10_000_000);
    let (contact, conv) = conversation(app, t, &wa_id, "Seed Tagged", json!({})).await;
    let id = tag(app, t, "Seeded", "#123456").await;
    for path in [
        format!("/api/v1/contacts/{contact}/tags/{id}"),
        format!("/api/v1/conversations/{conv}/tags/{id}"),
    ] {
        let r = app
            .put(&path, Auth::Bearer(&t.owner.token), json!({}))
            .await;
        assert_eq!(r.status, 204, "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn tags_go_on_once_show_on_every_view_and_filter_both_lists() {
    each_engine(|app| async move {
        let t = app.create_tenant("tag-carriers").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let a = Auth::Bearer(&agent.token);
        let (ana, ana_conv) = conversation(&app, &t, "16505550001", "Ana", json!({})).await;
        let (bo, bo_conv) = conversation(&app, &t, "16505550002", "Bo", json!({})).await;
        let vip = tag(&app, &t, "VIP", "#e11d48").await;
        let late = tag(&app, &t, "Late payer", "#ca8a04").await;

        // Twice on is once on; an agent may tag.
        for _ in 0..2 {
            let r = app
                .put(
                    &format!("/api/v1/conversations/{ana_conv}/tags/{vip}"),
                    a,
                    json!({}),
                )
                .await;
            assert_eq!(r.status, 204, "{}", r.body);
            let r = app
                .put(&format!("/api/v1/contacts/{ana}/tags/{late}"), a, json!({}))
                .await;
            assert_eq!(r.status, 204, "{}", r.body);
        }
        let r = app
            .put(&format!("/api/v1/contacts/{ana}/tags/{vip}"), a, json!({}))
            .await;
        assert_eq!(r.status, 204);
        // Unknown ids are not found.
        let nobody = uuid::Uuid::now_v7();
        let r = app
            .put(
                &format!("/api/v1/contacts/{nobody}/tags/{vip}"),
                a,
                json!({}),
            )
            .await;
        assert_eq!(r.status, 404);
        let r = app
            .put(
                &format!("/api/v1/conversations/{bo_conv}/tags/{nobody}"),
                a,
                json!({}),
            )
            .await;
        assert_eq!(r.status, 404);
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let r = app
            .put(
                &format!("/api/v1/conversations/{bo_conv}/tags/{vip}"),
                Auth::Bearer(&viewer.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 403, "viewers do not tag");

        // Every view shows them, by name.
        let conv = app
            .get(&format!("/api/v1/conversations/{ana_conv}"), a)
            .await;
        assert_eq!(
            conv.body["tags"],
            json!([{ "id": vip, "name": "VIP", "colour": "#e11d48" }])
        );
        let contact = app.get(&format!("/api/v1/contacts/{ana}"), a).await;
        let names: Vec<&str> = contact.body["contact"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Late payer", "VIP"]);
        assert_eq!(
            contact.body["conversations"][0]["tags"][0]["name"],
            json!("VIP")
        );
        let listed = app.get(&format!("/api/v1/contacts/{ana}/tags"), a).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
        let bo_view = app
            .get(&format!("/api/v1/conversations/{bo_conv}"), a)
            .await;
        assert_eq!(bo_view.body["tags"], json!([]));

        // The lists filter by tag, and show every item's tags.
        let ids = |v: &Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let all = app.get("/api/v1/conversations?status=open", a).await;
        assert_eq!(ids(&all.body).len(), 2);
        let tagged = app
            .get(&format!("/api/v1/conversations?tag={vip}"), a)
            .await;
        assert_eq!(ids(&tagged.body), vec![ana_conv.as_str()]);
        assert_eq!(tagged.body["items"][0]["tags"][0]["id"], json!(vip));
        let none = app
            .get(&format!("/api/v1/conversations?tag={late}"), a)
            .await;
        assert!(
            ids(&none.body).is_empty(),
            "the contact's tag is not the conversation's"
        );
        let tagged = app.get(&format!("/api/v1/contacts?tag={late}"), a).await;
        assert_eq!(ids(&tagged.body), vec![ana.as_str()]);
        assert_eq!(tagged.body["items"][0]["tags"].as_array().unwrap().len(), 2);
        let all = app.get("/api/v1/contacts", a).await;
        assert!(ids(&all.body).contains(&bo));
        let r = app.get("/api/v1/contacts?tag=not-an-id", a).await;
        assert_eq!(r.status, 422);

        // Off twice is off once.
        for _ in 0..2 {
            let r = app
                .delete(&format!("/api/v1/conversations/{ana_conv}/tags/{vip}"), a)
                .await;
            assert_eq!(r.status, 204);
        }
        let tagged = app
            .get(&format!("/api/v1/conversations?tag={vip}"), a)
            .await;
        assert!(ids(&tagged.body).is_empty());

        let names = event_names(&app, &t).await;
        let moved: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| n.ends_with("tagged"))
            .collect();
        assert_eq!(
            moved,
            [
                "conversation.tagged",
                "contact.tagged",
                "contact.tagged",
                "conversation.untagged"
            ]
        );
        let audit = app
            .get(
                "/api/v1/audit-log?action=contact",
                Auth::Bearer(&t.owner.token),
            )
            .await;
        assert_eq!(audit.body["items"][0]["action"], json!("contact.tag"));
        assert_eq!(audit.body["items"][0]["details"]["tag_name"], json!("VIP"));

        // Deleting a tag takes it off everything.
        let r = app
            .delete(
                &format!("/api/v1/tags/{late}"),
                Auth::Bearer(&t.owner.token),
            )
            .await;
        assert_eq!(r.status, 204);
        let contact = app.get(&format!("/api/v1/contacts/{ana}"), a).await;
        assert_eq!(contact.body["contact"]["tags"][0]["name"], json!("VIP"));
        assert_eq!(contact.body["contact"]["tags"].as_array().unwrap().len(), 1);
        let r = app.get(&format!("/api/v1/contacts?tag={late}"), a).await;
        assert!(ids(&r.body).is_empty());
        app.stop().await;
    })
    .await;
}

#[tokio::test]
async fn deleting_a_contact_leaves_no_tag_rows_behind() {
    each_engine(|app| async move {
        let t = app.create_tenant("tag-cascade").await;
        let (ana, conv) = conversation(&app, &t, "16505550003", "Ana", json!({})).await;
        let vip = tag(&app, &t, "VIP", "#e11d48").await;
        let owner = Auth::Bearer(&t.owner.token);
        for path in [
            format!("/api/v1/contacts/{ana}/tags/{vip}"),
            format!("/api/v1/conversations/{conv}/tags/{vip}"),
        ] {
            assert_eq!(app.put(&path, owner, json!({})).await.status, 204);
        }
        let tenant: TenantId = t.id.parse().unwrap();
        let vip_id: domain::TagId = vip.parse().unwrap();
        let mut tx = app.state.store.tenant(tenant).await.unwrap();
        assert_eq!(tx.tag_usage().await.unwrap().get(&vip_id), Some(&(1, 1)));
        tx.delete_contact(ana.parse().unwrap()).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = app.state.store.tenant(tenant).await.unwrap();
        assert!(
            tx.find_conversation(conv.parse().unwrap()).await.is_err(),
            "the conversation went with the contact"
        );
        assert_eq!(
            tx.tag_usage().await.unwrap().get(&vip_id),
            None,
            "neither link is left"
        );
        tx.commit().await.unwrap();
        let r = app
            .get(&format!("/api/v1/conversations?tag={vip}"), owner)
            .await;
        assert_eq!(r.body["items"], json!([]));
        assert_eq!(
            app.delete(&format!("/api/v1/tags/{vip}"), owner)
                .await
                .status,
            204
        );
        app.stop().await;
    })
    .await;
}
