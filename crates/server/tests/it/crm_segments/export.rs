//! The CSV export: streamed page by page, every contact once, tags and
//! attributes in columns, formula cells made text, filters and segments
//! applied, audited.

use super::world;
use domain::TenantId;
use serde_json::{Map, json};
use store::inbox::NewContact;
use testkit::{Auth, TestApp, TestTenant, each_engine};

/// Rows (header first) of an export.
async fn export(app: &TestApp, t: &TestTenant, query: &str) -> Vec<Vec<String>> {
    let r = app
        .get(
            &format!("/api/v1/contacts/export.csv{query}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    let kind = r.headers["content-type"].to_str().unwrap();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(r.text.as_bytes());
    reader
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn names(rows: &[Vec<String>]) -> Vec<String> {
    let mut n: Vec<String> = rows[1..].iter().map(|r| r[1].clone()).collect();
    n.sort();
    n
}

#[tokio::test]
async fn the_export_streams_every_contact_with_tags_attributes_and_safe_cells() {
    each_engine(|app| async move {
        let t = app.create_tenant("segments-export").await;
        let w = world::build(&app, &t).await;
        // More contacts than one page of the export, and a hostile one.
        let tenant: TenantId = t.id.parse().unwrap();
        let mut tx = app.state.store.tenant(tenant).await.unwrap();
        let none = Map::new();
        for i in 0..1_203 {
            let wa = format!("4420700{i:05}");
            let name = format!("Bulk {i}");
            let c = NewContact {
                wa_id: &wa,
                name: Some(&name),
                email: None,
                language: None,
                attributes: &none,
            };
            tx.insert_manual_contact(&c, w.now).await.unwrap().unwrap();
        }
        let evil = json!({"city": "@SUM(1+1)*cmd|' /C calc'!A0"});
        let evil = evil.as_object().unwrap();
        let c = NewContact {
            wa_id: "15550000999",
            name: Some("=HYPERLINK(\"http://x\")"),
            email: None,
            language: None,
            attributes: evil,
        };
        tx.insert_manual_contact(&c, w.now).await.unwrap().unwrap();
        tx.commit().await.unwrap();

        let r = app
            .get("/api/v1/contacts/export.csv", Auth::Bearer(&t.owner.token))
            .await;
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("contacts.csv")
        );
        let rows = export(&app, &t, "").await;
        assert_eq!(
            rows[0],
            [
                "id",
                "name",
                "profile_name",
                "wa_id",
                "phone",
                "email",
                "language",
                "opted_out",
                "created_at",
                "tags",
                "plan",
                "score",
                "vip_since",
                "newsletter",
                "city"
            ]
        );
        assert_eq!(rows.len(), 1 + 4 + 1_203 + 1);
        let mut ids: Vec<&String> = rows[1..].iter().map(|r| &r[0]).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), rows.len() - 1, "every contact exactly once");
        let ana = rows.iter().find(|r| r[1] == "Ana").unwrap();
        assert_eq!(&ana[3..5], ["351910000001", "+351910000001"]);
        assert_eq!(&ana[7..8], ["false"]);
        assert_eq!(
            &ana[9..],
            ["VIP", "gold", "9", "2025-06-01", "true", "Lisbon"]
        );
        let bad = rows.iter().find(|r| r[3] == "15550000999").unwrap();
        assert_eq!(bad[1], "'=HYPERLINK(\"http://x\")");
        assert_eq!(bad[14], "'@SUM(1+1)*cmd|' /C calc'!A0");

        // Filters, as the contact list sends them, and segments.
        assert_eq!(
            names(&export(&app, &t, &format!("?tag={}", w.cold)).await),
            ["Duarte"]
        );
        assert_eq!(
            names(&export(&app, &t, "?opted_out=true&tag=&q=").await),
            ["Bruno"]
        );
        assert_eq!(names(&export(&app, &t, "?q=ANA").await), ["Ana"]);
        assert_eq!(
            names(&export(&app, &t, "?attr.plan=gold&attr.score.gte=8").await),
            ["Ana"]
        );
        let r = app
            .post(
                "/api/v1/segments",
                Auth::ApiKey(&t.api_key),
                json!({"name": "VIPs!", "rules": [{"field": "tag", "op": "has", "value": w.vip}]}),
            )
            .await;
        let segment = r.body["id"].as_str().unwrap().to_owned();
        let r = app
            .get(
                &format!("/api/v1/contacts/export.csv?segment={segment}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("segment-vips.csv")
        );
        let rows = export(&app, &t, &format!("?segment={segment}&opted_out=false")).await;
        assert_eq!(names(&rows), ["Ana"]);

        for (query, status) in [
            (format!("?segment={}", domain::SegmentId::new()), 404),
            ("?tag=abc".to_owned(), 422),
            ("?attr.score=lots".to_owned(), 422),
            ("?attr.nope=1".to_owned(), 422),
        ] {
            let r = app
                .get(
                    &format!("/api/v1/contacts/export.csv{query}"),
                    Auth::ApiKey(&t.api_key),
                )
                .await;
            assert_eq!(r.status, status, "{query}: {}", r.text);
        }

        let r = app
            .get(
                "/api/v1/audit-log?action=contact.export",
                Auth::Bearer(&t.owner.token),
            )
            .await;
        let entries = r.body["items"].as_array().unwrap();
        assert_eq!(entries.len(), 8, "{}", r.body);
        assert_eq!(entries[0]["details"]["segment_id"], json!(segment));
        assert_eq!(entries[0]["details"]["rows"], json!(1));
        assert_eq!(entries.last().unwrap()["details"]["rows"], json!(1_208));
    })
    .await;
}
