//! The dashboard without JavaScript: the segment editor's buttons re-render
//! the form, "Count" counts what is on screen, "Save" saves; the inbox
//! shows saved searches and saves the current one.

use super::world;
use crate::dashboard::client::Browser;
use testkit::each_engine;

#[tokio::test]
async fn the_segment_editor_and_saved_searches_work_without_javascript() {
    each_engine(|app| async move {
        let t = app.create_tenant("segments-pages").await;
        let w = world::build(&app, &t).await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get("/app/segments").await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("href=\"/app/segments/new\""));
        let page = b.get("/app/segments/new").await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(
            page.html.contains("<strong>4</strong>"),
            "everyone, with no rules"
        );
        let csrf = page.csrf();

        // "Add rule", then "Add group" with its own rule: the form grows.
        let vip = w.vip.to_string();
        let page = b
            .post(
                "/app/segments/new",
                &[
                    ("csrf", &csrf),
                    ("name", "VIP in"),
                    ("any@", "false"),
                    ("action", "add_rule:"),
                ],
            )
            .await;
        assert!(
            page.html.contains("name=\"field@rules[0]\""),
            "{}",
            page.html
        );
        let page = b
            .post(
                "/app/segments/new",
                &[
                    ("csrf", &csrf),
                    ("name", "VIP in"),
                    ("any@", "false"),
                    ("field@rules[0]", "tag"),
                    ("op@rules[0]", "has"),
                    ("value@rules[0]", &vip),
                    ("action", "add_group:"),
                ],
            )
            .await;
        assert!(page.html.contains("name=\"any@rules[1]\""), "{}", page.html);
        assert!(page.html.contains("name=\"field@rules[1].rules[0]\""));
        // A row whose field changed gets that field's operators; Count counts.
        let form = [
            ("csrf", csrf.as_str()),
            ("name", "VIP in"),
            ("any@", "false"),
            ("field@rules[0]", "tag"),
            ("op@rules[0]", "has"),
            ("value@rules[0]", vip.as_str()),
            ("field@rules[1]", "opted_out"),
            ("op@rules[1]", "has"),
            ("value@rules[1]", "false"),
        ];
        let mut counting = form.to_vec();
        counting.push(("action", "count"));
        let page = b.post("/app/segments/new", &counting).await;
        assert!(page.html.contains("<strong>1</strong>"), "{}", page.html);
        assert!(page.html.contains("<option value=\"is\" selected>"));
        // A bad value is shown on its row, and nothing is saved.
        let mut bad = form.to_vec();
        bad[5] = ("value@rules[0]", "");
        bad.push(("action", "save"));
        let page = b.post("/app/segments/new", &bad).await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("the id of a tag"), "{}", page.html);

        let mut saving = form.to_vec();
        saving[7] = ("op@rules[1]", "is");
        saving.push(("action", "save"));
        let page = b.post("/app/segments/new", &saving).await;
        assert_eq!(page.status, 303, "{}", page.html);
        let at = page.location.unwrap();
        let page = b.get(&at).await;
        assert!(page.html.contains("<strong>1</strong>"));
        assert!(page.html.contains("/api/v1/contacts/export.csv?segment="));
        let list = b.get("/app/segments").await;
        assert!(list.html.contains("VIP in"));
        assert!(
            list.html.contains("<td class=\"count\">1</td>"),
            "{}",
            list.html
        );

        // Saved searches: save the current filter, see it above the list.
        let inbox = b.get("/app/inbox?status=pending&q=oat").await;
        assert!(inbox.html.contains("Save this search"));
        let csrf = inbox.csrf();
        let page = b
            .post(
                "/app/saved-searches",
                &[
                    ("csrf", &csrf),
                    ("name", "Oat, pending"),
                    ("filter", "status=pending&q=oat"),
                    ("shared", "1"),
                ],
            )
            .await;
        assert_eq!(page.status, 303);
        assert_eq!(
            page.location.as_deref(),
            Some("/app/inbox?q=oat&status=pending")
        );
        let inbox = b.get("/app/inbox?q=oat&status=pending").await;
        assert!(
            inbox
                .html
                .contains("href=\"/app/inbox?q=oat&#38;status=pending\" aria-current=\"page\""),
            "{}",
            inbox.html
        );
        assert!(inbox.html.contains("Oat, pending"));
        // The contact list exports what it shows.
        let contacts = b.get("/app/contacts").await;
        assert!(
            contacts
                .html
                .contains("formaction=\"/api/v1/contacts/export.csv\"")
        );
    })
    .await;
}
