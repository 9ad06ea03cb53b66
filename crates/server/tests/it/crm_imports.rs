//! CSV imports of contacts through the API, on both engines: upload (the
//! header, row count and suggested mapping), start with a mapping and a
//! mode, the job's result (contacts created or updated with their fields,
//! attributes and tags; rows rejected with why, duplicates within the file
//! and across its parts, existing numbers), the rejected-rows download,
//! events and audit entries, cancelling, and the refusals. The resume after
//! a crash of the real binary is in [`crash`].

mod crash;

use crate::crm_contacts::{attribute, contact, events};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, each_engine};

/// `POST /api/v1/contact-imports` with `body` as `content_type`: status and
/// JSON answer.
pub async fn upload_as(
    app: &TestApp,
    auth: Auth<'_>,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}/api/v1/contact-imports", app.url))
        .header("content-type", content_type)
        .body(body.to_owned());
    req = match auth {
        Auth::Bearer(t) => req.bearer_auth(t),
        Auth::ApiKey(k) => req.header("x-api-key", k),
        Auth::None => req,
    };
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Uploads `csv` as `t`'s owner; the import.
pub async fn upload(app: &TestApp, t: &TestTenant, csv: &str) -> Value {
    let (status, body) = upload_as(app, Auth::Bearer(&t.owner.token), "text/csv", csv).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Starts import `id` with `body` and runs it to its end; the import.
pub async fn run(app: &TestApp, t: &TestTenant, id: &str, body: Value) -> Value {
    let path = format!("/api/v1/contact-imports/{id}/start");
    let r = app.post(&path, Auth::Bearer(&t.owner.token), body).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["status"], "running");
    app.drain().await;
    let r = app
        .get(
            &format!("/api/v1/contact-imports/{id}"),
            Auth::Bearer(&t.owner.token),
        )
        .await;
    assert_eq!(r.status, 200);
    r.body
}

/// The rejected-rows file of import `id`.
pub async fn rejected(app: &TestApp, auth: Auth<'_>, id: &str) -> String {
    let r = app
        .get(&format!("/api/v1/contact-imports/{id}/rejected.csv"), auth)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    r.text
}

/// One contact found by `search`.
async fn find(app: &TestApp, t: &TestTenant, search: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/contacts?search={search}"),
            Auth::Bearer(&t.owner.token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{search}: {items:?}");
    items[0].clone()
}

/// Gives `t` an import (uploaded, waiting for its mapping), so the
/// cross-tenant walk (isolation.rs) probes the import routes with a real id.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    upload(app, t, "Phone,Name\n+44 7911 000001,Seeded Import\n").await;
}

const FILE: &str = "Phone,Name,Email,Tier,Tags,Notes\r\n\
+44 7911 100001,Ann Lee,ann@example.com,gold,\"vip, Lisbon\",x\r\n\
447911100002,Bob,,Silver,,\r\n\
\r\n\
+1 (415) 555-0100,Cy,,,,\r\n\
not a number,Dee,,,,\r\n\
+44 7911 100001,Ann again,,,,\r\n\
+44 7911 100003,Eve,bad-email,,,\r\n\
+44 7911 100004,Fay,,bronze,,\r\n\
+44 7911 100005,\"Gus, \"\"the boss\"\"\",,,VIP,\r\n";

#[tokio::test]
async fn an_import_creates_contacts_and_reports_each_rejected_row() {
    each_engine(|app| async move {
        let t = app.create_tenant("import-basic").await;
        let tier = json!({ "key": "tier", "label": "Tier", "type": "choice", "options": ["Gold", "Silver"] });
        attribute(&app, &t, tier).await;

        let i = upload(&app, &t, FILE).await;
        assert_eq!(i["status"], "uploaded");
        assert_eq!(i["row_count"], 8, "the blank line is not a row");
        assert_eq!(i["header"], json!(["Phone", "Name", "Email", "Tier", "Tags", "Notes"]));
        assert_eq!(
            i["suggested_mapping"],
            json!({ "0": "phone", "1": "name", "2": "email", "3": "attr.tier", "4": "tags", "5": "skip" })
        );
        let id = i["id"].as_str().unwrap();

        // Started with the suggestion.
        let done = run(&app, &t, id, json!({})).await;
        assert_eq!(done["status"], "finished", "{done}");
        assert_eq!(
            (&done["processed"], &done["created"], &done["updated"], &done["rejected"], &done["percent"]),
            (&json!(8), &json!(4), &json!(0), &json!(4), &json!(100))
        );
        assert_eq!(done["mode"], "create_only");

        let ann = find(&app, &t, "Ann").await;
        assert_eq!(ann["wa_id"], "447911100001");
        assert_eq!(ann["phone"], "+447911100001");
        assert_eq!(ann["email"], "ann@example.com");
        assert_eq!(ann["attributes"], json!({ "tier": "Gold" }));
        let mut tags: Vec<&str> = ann["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        tags.sort();
        assert_eq!(tags, ["Lisbon", "vip"]);
        assert_eq!(find(&app, &t, "14155550100").await["name"], "Cy");
        let gus = find(&app, &t, "Gus").await;
        assert_eq!(gus["name"], "Gus, \"the boss\"");
        assert_eq!(gus["tags"][0]["name"], "vip", "VIP is the tag vip, whatever its case");
        let all_tags = app.get("/api/v1/tags", Auth::Bearer(&t.owner.token)).await;
        assert_eq!(all_tags.body["items"].as_array().unwrap().len(), 2);

        // The rejected rows: the file's columns, and why.
        let csv = rejected(&app, Auth::Bearer(&t.owner.token), id).await;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "Phone,Name,Email,Tier,Tags,Notes,error");
        assert_eq!(lines.len(), 5, "{csv}");
        assert!(lines[1].starts_with("not a number,Dee,,,,,\"phone: "), "{csv}");
        assert_eq!(lines[2], "+44 7911 100001,Ann again,,,,,duplicate of row 2");
        assert!(lines[3].starts_with("+44 7911 100003,Eve,bad-email,,,,email: "), "{csv}");
        assert!(lines[4].starts_with("+44 7911 100004,Fay,,bronze,,,\"attributes.tier: one of: Gold, Silver\""), "{csv}");

        // Its events, and one contact.created per contact it made.
        let ev = events(&app, &t).await;
        let named = |n: &str| ev.iter().filter(|(name, _)| name == n).count();
        assert_eq!(named("contact.created"), 4);
        assert_eq!(named("tag.created"), 2);
        assert_eq!(named("contact.tagged"), 3);
        let started = &ev.iter().find(|(n, _)| n == "contact_import.started").unwrap().1;
        assert_eq!(started, &json!({ "import_id": id, "row_count": 8, "mode": "create_only" }));
        let finished = &ev.iter().find(|(n, _)| n == "contact_import.finished").unwrap().1;
        assert_eq!(
            finished,
            &json!({ "import_id": id, "status": "finished", "row_count": 8, "processed": 8,
                     "created": 4, "updated": 0, "rejected": 4 })
        );
        let audit = app.get("/api/v1/audit-log", Auth::Bearer(&t.owner.token)).await;
        let actions: Vec<&str> = audit.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"contact_import.upload") && actions.contains(&"contact_import.start"), "{actions:?}");

        // Listed, newest first; the file's parts are gone once it is over.
        let list = app.get("/api/v1/contact-imports", Auth::Bearer(&t.owner.token)).await;
        assert_eq!(list.body["items"][0]["id"], json!(id));
        let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
        let part = tx.find_contact_import_part(id.parse().unwrap(), 0).await;
        assert!(matches!(part, Err(store::StoreError::NotFound)), "{part:?}");
    })
    .await;
}

#[tokio::test]
async fn existing_numbers_are_rejected_or_updated_as_the_mode_says() {
    each_engine(|app| async move {
        let t = app.create_tenant("import-modes").await;
        let old = json!({ "phone": "+447911200001", "name": "Old", "email": "old@example.com" });
        let existing = contact(&app, &t, old).await;
        // Separated by `;`, mapped by header name.
        let file = "mobile;nombre;lang\n+447911200001;New Name;pt_BR\n+447911200002;Zed;\n";
        let mapping = json!({ "mobile": "phone", "NOMBRE": "name", "2": "language" });

        let i = upload(&app, &t, file).await;
        let done = run(&app, &t, i["id"].as_str().unwrap(), json!({ "mapping": mapping })).await;
        assert_eq!((&done["created"], &done["rejected"], &done["updated"]), (&json!(1), &json!(1), &json!(0)));
        let csv = rejected(&app, Auth::Bearer(&t.owner.token), i["id"].as_str().unwrap()).await;
        assert_eq!(csv, "mobile;nombre;lang;error\r\n+447911200001;New Name;pt_BR;a contact with this phone number exists\r\n");
        assert_eq!(find(&app, &t, "447911200001").await["name"], "Old");

        let i = upload(&app, &t, file).await;
        let body = json!({ "mapping": mapping, "mode": "create_or_update" });
        let done = run(&app, &t, i["id"].as_str().unwrap(), body).await;
        assert_eq!((&done["created"], &done["rejected"], &done["updated"]), (&json!(0), &json!(0), &json!(2)));
        let c = find(&app, &t, "447911200001").await;
        assert_eq!(c["id"], existing["id"]);
        assert_eq!((&c["name"], &c["language"]), (&json!("New Name"), &json!("pt_BR")));
        assert_eq!(c["email"], "old@example.com", "an unmapped field is kept");
        let ev = events(&app, &t).await;
        let updated: Vec<&Value> = ev.iter().filter(|(n, _)| n == "contact.updated").map(|(_, p)| p).collect();
        assert_eq!(updated.len(), 1, "Zed's empty language changes nothing: {updated:?}");
        assert_eq!(updated[0]["changed"], json!(["name", "language"]));
    })
    .await;
}

#[tokio::test]
async fn duplicates_are_found_across_parts_and_every_row_is_counted_once() {
    each_engine(|app| async move {
        let t = app.create_tenant("import-parts").await;
        let mut file = String::from("phone,name\n");
        for i in 0..2500 {
            // Row 2102 repeats row 7's number, in another part.
            let n = if i == 2100 { 5 } else { i };
            file.push_str(&format!("+4479{n:08},Customer {i}\n"));
        }
        let i = upload(&app, &t, &file).await;
        assert_eq!(i["row_count"], 2500);
        let done = run(
            &app,
            &t,
            i["id"].as_str().unwrap(),
            json!({ "mode": "create_only" }),
        )
        .await;
        assert_eq!(
            (
                &done["status"],
                &done["processed"],
                &done["created"],
                &done["rejected"]
            ),
            (&json!("finished"), &json!(2500), &json!(2499), &json!(1))
        );
        let csv = rejected(&app, Auth::ApiKey(&t.api_key), i["id"].as_str().unwrap()).await;
        assert_eq!(
            csv,
            "phone,name,error\r\n+447900000005,Customer 2100,duplicate of row 7\r\n"
        );
        let ev = events(&app, &t).await;
        assert_eq!(
            ev.iter().filter(|(n, _)| n == "contact.created").count(),
            2499
        );
    })
    .await;
}

#[tokio::test]
async fn cancelling_stops_an_import_and_bad_requests_are_refused() {
    each_engine(|app| async move {
        let t = app.create_tenant("import-refusals").await;
        let owner = Auth::Bearer(&t.owner.token);
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;

        let (s, b) = upload_as(
            &app,
            Auth::Bearer(&viewer.token),
            "text/csv",
            "phone\n+447911300001\n",
        )
        .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (403, Some("permission_denied"))
        );
        let (s, b) = upload_as(&app, owner, "application/json", "{}").await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (400, Some("unsupported_media_type"))
        );
        for bad in ["", "phone,name\n", "phone\n\"+447911"] {
            let (s, b) = upload_as(&app, owner, "text/csv", bad).await;
            assert_eq!(
                (s, b["error"]["fields"][0]["field"].as_str()),
                (422, Some("file")),
                "{bad:?}: {b}"
            );
        }

        // An agent imports; a viewer may not even look.
        let (s, i) = upload_as(
            &app,
            Auth::Bearer(&agent.token),
            "text/csv",
            "Phone,Name\n+447911300001,A\n",
        )
        .await;
        assert_eq!(s, 201, "{i}");
        let id = i["id"].as_str().unwrap().to_owned();
        let one = format!("/api/v1/contact-imports/{id}");
        assert_eq!(app.get(&one, Auth::Bearer(&viewer.token)).await.status, 403);
        let start = format!("{one}/start");
        for (body, field) in [
            (json!({ "mapping": { "1": "name" } }), "mapping"),
            (json!({ "mapping": { "9": "phone" } }), "mapping.9"),
            (
                json!({ "mapping": { "0": "phone", "1": "attr.nope" } }),
                "mapping.1",
            ),
            (json!({ "mode": "upsert" }), "mode"),
        ] {
            let r = app.post(&start, owner, body.clone()).await;
            assert_eq!(r.status, 422, "{body}: {}", r.body);
            assert_eq!(
                r.body["error"]["fields"][0]["field"], field,
                "{body}: {}",
                r.body
            );
        }
        let r = app
            .post(&start, Auth::Bearer(&viewer.token), json!({}))
            .await;
        assert_eq!(r.status, 403);

        // Started, then cancelled before its job ran: nothing is imported.
        let r = app
            .post(&start, Auth::Bearer(&agent.token), json!({}))
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        let r = app.post(&start, owner, json!({})).await;
        assert_eq!((r.status, r.code()), (409, "import_not_uploaded"));
        let r = app.post(&format!("{one}/cancel"), owner, json!({})).await;
        assert_eq!(
            (r.status, &r.body["status"]),
            (200, &json!("cancelled")),
            "{}",
            r.body
        );
        app.drain().await;
        let r = app.get(&one, owner).await;
        assert_eq!(
            (&r.body["status"], &r.body["processed"], &r.body["created"]),
            (&json!("cancelled"), &json!(0), &json!(0))
        );
        let r = app.post(&format!("{one}/cancel"), owner, json!({})).await;
        assert_eq!((r.status, r.code()), (409, "import_over"));
        let finished: Vec<Value> = events(&app, &t)
            .await
            .into_iter()
            .filter(|(n, _)| n == "contact_import.finished")
            .map(|(_, p)| p)
            .collect();
        assert_eq!(finished.len(), 1);
        assert_eq!(finished[0]["status"], "cancelled");
        let list = app.get("/api/v1/contacts", owner).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 0);

        let r = app
            .get(
                &format!("/api/v1/contact-imports/{}", uuid::Uuid::now_v7()),
                owner,
            )
            .await;
        assert_eq!((r.status, r.code()), (404, "not_found"));
    })
    .await;
}

#[tokio::test]
async fn rows_past_the_plans_contact_limit_are_rejected() {
    each_engine(|app| async move {
        let t = app.create_tenant("import-limit").await;
        let op = app.operator_token().await;
        let limits = json!({ "limits": { "messages_per_month": 1000, "agents": 5, "numbers": 1, "contacts": 3 } });
        let r = app.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits).await;
        assert_eq!(r.status, 200, "{}", r.body);
        contact(&app, &t, json!({ "phone": "+447911400000" })).await;
        let mut file = String::from("phone\n");
        for i in 1..=4 {
            file.push_str(&format!("+44791140000{i}\n"));
        }
        let i = upload(&app, &t, &file).await;
        let done = run(&app, &t, i["id"].as_str().unwrap(), json!({})).await;
        assert_eq!((&done["created"], &done["rejected"]), (&json!(2), &json!(2)), "{done}");
        let csv = rejected(&app, Auth::Bearer(&t.owner.token), i["id"].as_str().unwrap()).await;
        assert_eq!(
            csv,
            "phone,error\r\n+447911400003,the plan's contact limit is reached\r\n\
             +447911400004,the plan's contact limit is reached\r\n"
        );
    })
    .await;
}
