//! Tags in the dashboard over plain HTTP, on both engines: Settings →
//! Tags (create, refusals beside the form, rename, recolour, delete), the
//! thread's and the contact page's add / remove forms, both lists' tag
//! filter, and what an agent may do there.

use super::conversation;
use crate::dashboard::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn the_dashboard_manages_the_catalogue_and_tags_threads_and_contacts() {
    each_engine(|app| async move {
        let t = app.create_tenant("tag-pages").await;
        let (ana, conv) = conversation(&app, &t, "16505550005", "Ana", json!({})).await;
        let (bo, _) = conversation(&app, &t, "16505550006", "Bo", json!({})).await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get("/app/settings/tags").await;
        assert_eq!(page.status, 200);
        let csrf = page.csrf();
        let r = b
            .post(
                "/app/settings/tags",
                &[("csrf", &csrf), ("name", "VIP"), ("colour", "#e11d48")],
            )
            .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/settings/tags"))
        );
        let r = b
            .post(
                "/app/settings/tags",
                &[("csrf", &csrf), ("name", "vip"), ("colour", "#000000")],
            )
            .await;
        assert_eq!(r.status, 409, "refused beside the form");
        assert!(r.html.contains("id=\"tag-error\"") && r.html.contains("exists already"));
        assert!(
            r.html.contains("value=\"vip\""),
            "the form keeps what was typed"
        );
        let tags = app.get("/api/v1/tags", Auth::Bearer(&t.owner.token)).await;
        let vip = tags.body["items"][0]["id"].as_str().unwrap().to_owned();
        let page = b.get("/app/settings/tags").await;
        assert!(
            page.html.contains("fill=\"#e11d48\""),
            "the chip shows its colour"
        );

        // The thread's header puts it on and takes it off.
        let thread = b.get(&format!("/app/inbox/{conv}")).await;
        assert!(
            thread
                .html
                .contains(&format!("action=\"/app/inbox/{conv}/tags\""))
        );
        let r = b
            .post(
                &format!("/app/inbox/{conv}/tags"),
                &[("csrf", &csrf), ("tag", &vip)],
            )
            .await;
        assert_eq!(r.location, Some(format!("/app/inbox/{conv}#tags")));
        let thread = b.get(&format!("/app/inbox/{conv}")).await;
        assert!(
            thread
                .html
                .contains(&format!("/app/inbox/{conv}/tags/{vip}/remove"))
        );
        let list = b.get(&format!("/app/inbox?status=all&tag={vip}")).await;
        assert!(list.html.contains(&format!("data-id=\"{conv}\"")));
        assert_eq!(
            list.html.matches("<li class=\"conv").count(),
            1,
            "only the tagged one"
        );
        let r = b
            .post(
                &format!("/app/inbox/{conv}/tags/{vip}/remove"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 303);
        let api = app
            .get(
                &format!("/api/v1/conversations/{conv}"),
                Auth::Bearer(&t.owner.token),
            )
            .await;
        assert_eq!(api.body["tags"], json!([]));

        // The contact page too; the contact list filters by it.
        let r = b
            .post(
                &format!("/app/contacts/{ana}/tags"),
                &[("csrf", &csrf), ("tag", &vip)],
            )
            .await;
        assert_eq!(r.location, Some(format!("/app/contacts/{ana}#tags")));
        let page = b.get(&format!("/app/contacts/{ana}")).await;
        assert!(
            page.html
                .contains(&format!("/app/contacts/{ana}/tags/{vip}/remove"))
        );
        let list = b.get(&format!("/app/contacts?tag={vip}")).await;
        assert!(list.html.contains(&format!("/app/contacts/{ana}\"")));
        assert!(!list.html.contains(&format!("/app/contacts/{bo}\"")));
        let list = b.get("/app/contacts").await;
        assert!(list.html.contains(&format!("/app/contacts/{bo}\"")));

        // Renamed and recoloured, then deleted, from the settings page.
        let r = b
            .post(
                &format!("/app/settings/tags/{vip}/update"),
                &[("csrf", &csrf), ("name", "Gold"), ("colour", "#ca8a04")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = b.get(&format!("/app/contacts/{ana}")).await;
        assert!(page.html.contains("Gold") && page.html.contains("fill=\"#ca8a04\""));
        let r = b
            .post(
                &format!("/app/settings/tags/{vip}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = b.get("/app/settings/tags").await;
        assert!(page.html.contains("No tags yet"));

        // Agents read the catalogue but the page offers them no changes.
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        let page = a.get("/app/settings/tags").await;
        assert_eq!(page.status, 200);
        assert!(!page.html.contains("id=\"create-tag\""));
        let r = a
            .post(
                "/app/settings/tags",
                &[
                    ("csrf", &page.csrf()),
                    ("name", "Mine"),
                    ("colour", "#000000"),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
        app.stop().await;
    })
    .await;
}
