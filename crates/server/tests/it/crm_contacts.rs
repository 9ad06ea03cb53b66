//! Contacts a team works with, through the API on both engines: custom
//! attribute definitions (validated, unique, admin-only, their values
//! removed with them), contacts created by E.164 number and edited (name,
//! email, language, attributes with merge semantics, each validated), the
//! list filtered by attributes and consent, and the activity timeline.
//! Erasing and messaging are in crm_contact_sends.rs, merging in
//! crm_merge.rs.

use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, each_engine};

/// Defines a contact attribute as `t`'s owner; its id.
pub async fn attribute(app: &TestApp, t: &TestTenant, body: Value) -> String {
    let r = app
        .post(
            "/api/v1/contact-attributes",
            Auth::Bearer(&t.owner.token),
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Creates a contact as `t`'s owner; the contact.
pub async fn contact(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/contacts", Auth::Bearer(&t.owner.token), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body.clone()
}

/// The names of `t`'s events, oldest first.
pub async fn events(app: &TestApp, t: &TestTenant) -> Vec<(String, Value)> {
    let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
    let all = tx.events_after(0, 10_000).await.unwrap();
    tx.commit().await.unwrap();
    all.into_iter().map(|e| (e.name, e.payload)).collect()
}

/// Gives `t` one of each thing this area makes, so the cross-tenant walk
/// (isolation.rs) probes its routes with real ids: an attribute definition
/// and a contact made by hand with a value for it.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    attribute(
        app,
        t,
        json!({ "key": "plan", "label": "Plan", "type": "choice", "options": ["free", "pro"] }),
    )
    .await;
    let phone = format!("+1555{:07}", t.slug.len() * 104_729 % 10_000_000);
    contact(
        app,
        t,
        json!({ "phone": phone, "name": "Seeded Contact", "attributes": { "plan": "pro" } }),
    )
    .await;
}

#[tokio::test]
async fn attribute_definitions_are_validated_unique_and_belong_to_admins() {
    each_engine(|app| async move {
        let t = app.create_tenant("attr-defs").await;
        let owner = Auth::Bearer(&t.owner.token);
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let path = "/api/v1/contact-attributes";
        for (body, field) in [
            (
                json!({ "key": "Plan", "label": "Plan", "type": "text" }),
                "key",
            ),
            (
                json!({ "key": "9lives", "label": "x", "type": "text" }),
                "key",
            ),
            (
                json!({ "key": "plan", "label": " ", "type": "text" }),
                "label",
            ),
            (
                json!({ "key": "plan", "label": "Plan", "type": "colour" }),
                "type",
            ),
            (
                json!({ "key": "plan", "label": "Plan", "type": "choice" }),
                "options",
            ),
            (
                json!({ "key": "plan", "label": "Plan", "type": "text", "options": ["a"] }),
                "options",
            ),
            (
                json!({ "key": "plan", "label": "Plan", "type": "choice", "options": ["a", "a"] }),
                "options",
            ),
        ] {
            let r = app.post(path, owner, body.clone()).await;
            assert_eq!(
                (r.status, r.code()),
                (422, "validation_failed"),
                "{body}: {}",
                r.body
            );
            assert_eq!(
                r.body["error"]["fields"][0]["field"],
                json!(field),
                "{body}"
            );
        }
        let r = app
            .post(
                path,
                Auth::Bearer(&agent.token),
                json!({ "key": "plan", "label": "Plan", "type": "text" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));

        let plan = attribute(
            &app,
            &t,
            json!({ "key": "plan", "label": "Plan", "type": "choice", "options": ["free", "pro"] }),
        )
        .await;
        let r = app
            .post(
                path,
                owner,
                json!({ "key": "plan", "label": "Other", "type": "text" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (409, "attribute_key_taken"));
        attribute(
            &app,
            &t,
            json!({ "key": "age", "label": "Age", "type": "number" }),
        )
        .await;

        // Agents read the definitions; the list pages newest first.
        let r = app.get(path, Auth::Bearer(&agent.token)).await;
        assert_eq!(r.status, 200);
        let keys: Vec<&str> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["age", "plan"]);

        // Label and options change; key and type never do.
        let one = format!("{path}/{plan}");
        let r = app
            .patch(
                &one,
                owner,
                json!({ "label": "Subscription", "options": ["free", "pro", "team"] }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            (r.body["label"].clone(), r.body["options"].clone()),
            (json!("Subscription"), json!(["free", "pro", "team"]))
        );
        let r = app.patch(&one, owner, json!({ "type": "text" })).await;
        assert_eq!(r.status, 422, "unknown fields are refused");

        // Deleting a definition takes its value off every contact.
        let c = contact(
            &app,
            &t,
            json!({ "phone": "+14155550101", "attributes": { "plan": "team", "age": 41 } }),
        )
        .await;
        assert_eq!(app.delete(&one, owner).await.status, 204);
        let r = app
            .get(
                &format!("/api/v1/contacts/{}", c["id"].as_str().unwrap()),
                owner,
            )
            .await;
        assert_eq!(r.body["contact"]["attributes"], json!({ "age": 41 }));
        assert_eq!(app.get(&one, owner).await.status, 404);

        let names: Vec<String> = events(&app, &t).await.into_iter().map(|(n, _)| n).collect();
        for e in [
            "contact_attribute.created",
            "contact_attribute.updated",
            "contact_attribute.deleted",
        ] {
            assert!(names.iter().any(|n| n == e), "{e} in {names:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn contacts_are_created_by_number_and_edited_with_checked_values() {
    each_engine(|app| async move {
        let t = app.create_tenant("contact-edit").await;
        let owner = Auth::Bearer(&t.owner.token);
        attribute(&app, &t, json!({ "key": "plan", "label": "Plan", "type": "choice", "options": ["free", "pro"] })).await;
        attribute(&app, &t, json!({ "key": "age", "label": "Age", "type": "number" })).await;
        attribute(&app, &t, json!({ "key": "birthday", "label": "Birthday", "type": "date" })).await;
        attribute(&app, &t, json!({ "key": "vip", "label": "VIP", "type": "boolean" })).await;

        for phone in ["14155550123", "+1415", "+1234567890123456", "+04155550123", "+1 415 555 01x3"] {
            let r = app.post("/api/v1/contacts", owner, json!({ "phone": phone })).await;
            assert_eq!((r.status, r.code()), (422, "validation_failed"), "{phone}");
        }
        for (attributes, field) in [
            (json!({ "colour": "red" }), "attributes.colour"),
            (json!({ "plan": "gold" }), "attributes.plan"),
            (json!({ "age": "41" }), "attributes.age"),
            (json!({ "birthday": "1990-02-30" }), "attributes.birthday"),
            (json!({ "vip": "yes" }), "attributes.vip"),
        ] {
            let r = app.post("/api/v1/contacts", owner, json!({ "phone": "+14155550123", "attributes": attributes })).await;
            assert_eq!(r.status, 422, "{attributes}");
            assert_eq!(r.body["error"]["fields"][0]["field"], json!(field));
        }

        let c = contact(&app, &t, json!({ "phone": "+1 415-555-0123", "name": "Ana Lima", "email": "ana@example.com", "language": "pt_BR", "attributes": { "plan": "pro", "age": 41 } })).await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!((c["wa_id"].clone(), c["phone"].clone()), (json!("14155550123"), json!("+14155550123")));
        assert_eq!(c["attributes"], json!({ "plan": "pro", "age": 41 }));

        // The same number again: 409, naming the contact that has it.
        let r = app.post("/api/v1/contacts", owner, json!({ "phone": "+14155550123" })).await;
        assert_eq!((r.status, r.code()), (409, "contact_exists"));
        assert!(r.body["error"]["message"].as_str().unwrap().contains(&id), "{}", r.body);

        // Edits merge attributes: a key set to null goes, the others stay.
        let one = format!("/api/v1/contacts/{id}");
        let r = app.patch(&one, owner, json!({ "name": "Ana B. Lima", "language": "en", "attributes": { "age": null, "birthday": "1984-02-29", "vip": true } })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["name"], json!("Ana B. Lima"));
        assert_eq!(r.body["email"], json!("ana@example.com"), "untouched");
        assert_eq!(r.body["attributes"], json!({ "plan": "pro", "birthday": "1984-02-29", "vip": true }));
        for (body, field) in [
            (json!({ "email": "ana@" }), "email"),
            (json!({ "language": "portuguese" }), "language"),
            (json!({ "attributes": { "nope": 1 } }), "attributes.nope"),
        ] {
            let r = app.patch(&one, owner, body.clone()).await;
            assert_eq!(r.status, 422, "{body}");
            assert_eq!(r.body["error"]["fields"][0]["field"], json!(field));
        }
        let r = app.patch(&one, owner, json!({ "email": null })).await;
        assert_eq!(r.body["email"], Value::Null, "null clears");
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        assert_eq!(app.patch(&one, Auth::Bearer(&viewer.token), json!({ "name": "x" })).await.status, 403);

        let all = events(&app, &t).await;
        assert!(all.iter().any(|(n, p)| n == "contact.created" && p["contact_id"] == json!(id)));
        let updated: Vec<&Value> = all.iter().filter(|(n, _)| n == "contact.updated").map(|(_, p)| &p["changed"]).collect();
        assert_eq!(updated[0], &json!(["name", "language", "attributes.age", "attributes.birthday", "attributes.vip"]));
        assert_eq!(updated[1], &json!(["email"]));
        // The audit log has the creation, with the number masked.
        let r = app.get("/api/v1/audit-log?action=contact.create", owner).await;
        let entry = &r.body["items"][0];
        assert_eq!(entry["details"]["phone"], json!("+14•••••••23"), "{}", r.body);
        assert!(!r.text.contains("14155550123"));
    })
    .await;
}

#[tokio::test]
async fn the_list_filters_by_attributes_and_consent() {
    each_engine(|app| async move {
        let t = app.create_tenant("contact-filter").await;
        let owner = Auth::Bearer(&t.owner.token);
        attribute(&app, &t, json!({ "key": "plan", "label": "Plan", "type": "choice", "options": ["free", "pro"] })).await;
        attribute(&app, &t, json!({ "key": "age", "label": "Age", "type": "number" })).await;
        attribute(&app, &t, json!({ "key": "since", "label": "Customer since", "type": "date" })).await;
        attribute(&app, &t, json!({ "key": "vip", "label": "VIP", "type": "boolean" })).await;
        let mk = |phone: &str, name: &str, attrs: Value| json!({ "phone": phone, "name": name, "attributes": attrs });
        contact(&app, &t, mk("+14155550001", "Ana", json!({ "plan": "pro", "age": 30, "since": "2021-05-01", "vip": true }))).await;
        contact(&app, &t, mk("+14155550002", "Bo", json!({ "plan": "free", "age": 45.5, "since": "2023-01-15" }))).await;
        let cy = contact(&app, &t, mk("+14155550003", "Cy", json!({ "plan": "pro", "vip": false }))).await;
        let r = app.patch(&format!("/api/v1/contacts/{}", cy["id"].as_str().unwrap()), owner, json!({ "opted_out": true })).await;
        assert_eq!(r.status, 200);

        let names = |q: &'static str| {
            let app = &app;
            async move {
                let r = app.get(&format!("/api/v1/contacts?{q}"), owner).await;
                assert_eq!(r.status, 200, "{q}: {}", r.body);
                let mut n: Vec<String> = r.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();
                n.sort();
                n
            }
        };
        assert_eq!(names("attr.plan=pro").await, ["Ana", "Cy"]);
        assert_eq!(names("attr.plan=pro&opted_out=false").await, ["Ana"]);
        assert_eq!(names("opted_out=true").await, ["Cy"]);
        assert_eq!(names("attr.age.gte=30&attr.age.lte=45.5").await, ["Ana", "Bo"]);
        assert_eq!(names("attr.age.gte=31").await, ["Bo"]);
        assert_eq!(names("attr.age=30").await, ["Ana"]);
        assert_eq!(names("attr.since.lte=2022-12-31").await, ["Ana"]);
        assert_eq!(names("attr.since.gte=2021-05-01").await, ["Ana", "Bo"]);
        assert_eq!(names("attr.vip=true").await, ["Ana"]);
        assert_eq!(names("attr.vip=false").await, ["Cy"]);
        assert_eq!(names("attr.plan=pro&search=ana").await, ["Ana"]);
        for (q, field) in [
            ("attr.colour=red", "attr.colour"),
            ("attr.age=old", "attr.age"),
            ("attr.since.gte=yesterday", "attr.since.gte"),
            ("attr.plan.gte=pro", "attr.plan.gte"),
            ("attr.vip=yes", "attr.vip"),
        ] {
            let r = app.get(&format!("/api/v1/contacts?{q}"), owner).await;
            assert_eq!(r.status, 422, "{q}");
            assert_eq!(r.body["error"]["fields"][0]["field"], json!(field), "{q}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_timeline_shows_what_happened_to_a_contact_newest_first() {
    each_engine(|app| async move {
        let t = app.create_tenant("contact-timeline").await;
        let owner = Auth::Bearer(&t.owner.token);
        let other = contact(&app, &t, json!({ "phone": "+14155550999" })).await;
        let c = contact(&app, &t, json!({ "phone": "+14155550100", "name": "Ana" })).await;
        let id = c["id"].as_str().unwrap();
        let one = format!("/api/v1/contacts/{id}");
        app.patch(&one, owner, json!({ "email": "ana@example.com" }))
            .await;
        app.patch(&one, owner, json!({ "opted_out": true })).await;
        app.patch(
            &format!("/api/v1/contacts/{}", other["id"].as_str().unwrap()),
            owner,
            json!({ "name": "Someone else" }),
        )
        .await;

        let r = app.get(&format!("{one}/timeline?limit=2"), owner).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let page: Vec<(&str, &str)> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["event"].as_str().unwrap(), e["summary"].as_str().unwrap()))
            .collect();
        assert_eq!(
            page,
            [
                ("contact.opted_out", "Opted out of messages (via api)"),
                ("contact.updated", "Details changed: email")
            ]
        );
        let cursor = r.body["next_cursor"].as_str().unwrap();
        let r = app
            .get(&format!("{one}/timeline?limit=2&cursor={cursor}"), owner)
            .await;
        let rest: Vec<&str> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect();
        assert_eq!(rest, ["contact.created"], "nothing of the other contact's");
        assert_eq!(r.body["next_cursor"], Value::Null);
        let r = app
            .get(
                &format!("/api/v1/contacts/{}/timeline", uuid::Uuid::now_v7()),
                owner,
            )
            .await;
        assert_eq!(r.status, 404);
    })
    .await;
}
