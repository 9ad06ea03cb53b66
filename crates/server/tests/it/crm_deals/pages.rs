//! The deal pages over plain HTTP (no JavaScript), on both engines: the
//! board with its "Move to" forms and column totals, the list with
//! filters, a deal's page (edit, history, lost with a reason, reopen,
//! won), a deal started from a contact's page, and what viewers and
//! agents are offered.

use super::{contact, create_deal, create_pipeline, id, stage};
use crate::dashboard::client::{Browser, Page, attrs};
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

/// The HTML of the board's column for `stage`.
fn column<'a>(page: &'a Page, stage: &str) -> &'a str {
    let marker = format!("data-stage=\"{stage}\" aria-label");
    let start = page
        .html
        .find(&marker)
        .unwrap_or_else(|| panic!("no column {stage}: {}", page.html));
    let rest = &page.html[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// The id in a `/app/deals/{id}` redirect.
fn deal_of(page: &Page) -> String {
    let at = page.location.as_deref().expect("a redirect");
    at.strip_prefix("/app/deals/")
        .unwrap_or_else(|| panic!("to a deal: {at}"))
        .to_owned()
}

#[tokio::test]
async fn deals_are_worked_on_the_board_and_their_pages_without_javascript() {
    each_engine(|app| async move {
        let t = app.create_tenant("deal-pages").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let p = create_pipeline(
            &app,
            Auth::Bearer(&t.owner.token),
            "Sales",
            &["Lead", "Qualified", "Proposal", "Negotiation"],
        )
        .await;
        let pid = id(&p);
        let (lead, qualified) = (stage(&p, "Lead"), stage(&p, "Qualified"));
        let csrf = b.get("/app/deals").await.csrf();

        // The board: a column per stage; a deal added from its form.
        let r = b.get("/app/deals").await;
        assert_eq!(r.status, 200);
        assert_eq!(
            attrs(&r.html, "aria-label")
                .iter()
                .filter(|a| ["Lead", "Qualified", "Proposal", "Negotiation"].contains(&a.as_str()))
                .count(),
            4
        );
        let r = b
            .post(
                "/app/deals",
                &[
                    ("csrf", &csrf),
                    ("next", "board"),
                    ("pipeline_id", &pid),
                    ("title", "Espresso bar"),
                    ("value", "1,250.50"),
                    ("currency", "eur"),
                    ("stage_id", &lead),
                    ("owner_id", &t.owner.id),
                    ("expected_close_on", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        assert_eq!(
            r.location.as_deref(),
            Some(format!("/app/deals?pipeline={pid}").as_str())
        );
        let r = b
            .post(
                "/app/deals",
                &[
                    ("csrf", &csrf),
                    ("next", "board"),
                    ("pipeline_id", &pid),
                    ("title", "Bad"),
                    ("value", "12.345"),
                    ("currency", "EUR"),
                    ("stage_id", &lead),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "EUR has two decimals");
        assert!(r.html.contains("id=\"deal-error\""));
        assert!(r.html.contains("value=\"Bad\""), "what was typed stays");
        let board = b.get(&format!("/app/deals?pipeline={pid}")).await;
        let col = column(&board, &lead);
        assert!(
            col.contains("Espresso bar") && col.contains("€1,250.50"),
            "{col}"
        );
        assert!(col.contains("<span class=\"count\">1</span>"), "{col}");
        assert!(
            col.contains("<span class=\"total\">€1,250.50</span>"),
            "{col}"
        );
        let deal = attrs(col, "data-deal")[0].clone();

        // "Move to" without a script.
        let r = b
            .post(
                &format!("/app/deals/{deal}/move"),
                &[
                    ("csrf", &csrf),
                    ("next", "board"),
                    ("pipeline", &pid),
                    ("stage_id", &qualified),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let board = b.get(&format!("/app/deals?pipeline={pid}")).await;
        assert!(!column(&board, &lead).contains("Espresso bar"));
        assert!(column(&board, &qualified).contains("Espresso bar"));
        assert!(column(&board, &lead).contains("<span class=\"count\">0</span>"));

        // The deal's page: edit, history, lost (with a reason), reopen, won.
        let url = format!("/app/deals/{deal}");
        let page = b.get(&url).await;
        assert_eq!(page.status, 200);
        assert!(
            page.html.contains("Lead → <strong>Qualified</strong>"),
            "{}",
            page.html
        );
        let r = b
            .post(
                &format!("{url}/update"),
                &[
                    ("csrf", &csrf),
                    ("title", "Espresso bar (2)"),
                    ("value", "2000"),
                    ("currency", "USD"),
                    ("owner_id", ""),
                    ("expected_close_on", "2026-06-30"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let d = app
            .get(&format!("/api/v1/deals/{deal}"), Auth::ApiKey(&t.api_key))
            .await
            .body;
        assert_eq!(d["value_minor"], json!(200_000));
        assert_eq!(d["currency"], json!("USD"));
        assert_eq!(d["owner_id"], json!(null));
        assert_eq!(d["expected_close_on"], json!("2026-06-30"));
        let r = b
            .post(&format!("{url}/lost"), &[("csrf", &csrf), ("reason", " ")])
            .await;
        assert_eq!(r.status, 422, "a reason is needed");
        assert!(r.html.contains("id=\"deal-error\""));
        let r = b
            .post(
                &format!("{url}/lost"),
                &[("csrf", &csrf), ("reason", "Budget cut")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = b.get(&url).await;
        assert!(
            page.html.contains("id=\"lost-reason\">Budget cut"),
            "{}",
            page.html
        );
        assert!(page.html.contains("id=\"reopen-deal\""));
        assert!(
            !page.html.contains("id=\"move-deal\""),
            "a closed deal is not moved"
        );
        assert_eq!(
            b.post(&format!("{url}/reopen"), &[("csrf", &csrf)])
                .await
                .status,
            303
        );
        assert_eq!(
            b.post(&format!("{url}/won"), &[("csrf", &csrf)])
                .await
                .status,
            303
        );
        let page = b.get(&url).await;
        assert!(
            page.html.contains("id=\"deal-status\">won"),
            "{}",
            page.html
        );
        let board = b.get(&format!("/app/deals?pipeline={pid}")).await;
        assert!(
            !board.html.contains("Espresso bar"),
            "the board shows open deals"
        );
        assert!(board.html.contains(">1 won</a>"), "{}", board.html);
        let list = b
            .get(&format!("/app/deals?view=list&pipeline={pid}&status=won"))
            .await;
        assert_eq!(list.status, 200);
        assert!(list.html.contains("Espresso bar (2)"), "{}", list.html);
        let list = b.get("/app/deals?view=list&status=lost").await;
        assert!(!list.html.contains("Espresso bar"));

        // From a contact's page: "New deal", with the contact filled in.
        let ana = contact(&app, &t, "15550003333", "Ana Lima").await;
        let page = b.get(&format!("/app/contacts/{ana}")).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(
            page.html
                .contains(&format!("href=\"/app/deals/new?contact_id={ana}\""))
        );
        let form = b.get(&format!("/app/deals/new?contact_id={ana}")).await;
        assert_eq!(form.status, 200);
        assert!(
            form.html
                .contains(&format!("name=\"contact_id\" value=\"{ana}\""))
        );
        assert!(form.html.contains("Ana Lima"));
        let r = b
            .post(
                "/app/deals",
                &[
                    ("csrf", &csrf),
                    ("contact_id", &ana),
                    ("title", "Ana's order"),
                    ("stage_id", &lead),
                    ("value", "99"),
                    ("currency", "EUR"),
                    ("owner_id", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let new_deal = deal_of(&r);
        let page = b.get(&format!("/app/contacts/{ana}")).await;
        assert!(
            page.html
                .contains(&format!("href=\"/app/deals/{new_deal}\"")),
            "{}",
            page.html
        );
        assert!(
            page.html.contains("Ana&#x27;s order")
                || page.html.contains("Ana&#39;s order")
                || page.html.contains("Ana's order")
        );
    })
    .await;
}

#[tokio::test]
async fn viewers_see_the_board_without_its_forms_and_agents_not_the_settings() {
    each_engine(|app| async move {
        let t = app.create_tenant("deal-pages-roles").await;
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let p = create_pipeline(&app, Auth::Bearer(&t.owner.token), "Sales", &["Lead", "Won over"]).await;
        let d = create_deal(
            &app,
            Auth::Bearer(&t.owner.token),
            json!({ "title": "Watched", "pipeline_id": id(&p), "currency": "GBP", "value_minor": 5 }),
        )
        .await;
        let mut v = Browser::sign_in(&app, &t.slug, &viewer.email, &viewer.password).await;
        let board = v.get("/app/deals").await;
        assert_eq!(board.status, 200);
        assert!(board.html.contains("Watched") && board.html.contains("£0.05"), "{}", board.html);
        assert!(!board.html.contains("class=\"move"), "no Move to form for a viewer");
        assert!(!board.html.contains("draggable"), "nor dragging");
        assert!(!board.html.contains("id=\"create-deal\""));
        let csrf = v.get("/app/settings/security").await.csrf();
        let r = v
            .post(
                &format!("/app/deals/{}/move", id(&d)),
                &[("csrf", &csrf), ("stage_id", &stage(&p, "Won over"))],
            )
            .await;
        assert_eq!(r.status, 403);
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        assert_eq!(a.get("/app/settings/pipelines").await.status, 403);
        assert!(a.get("/app/deals").await.html.contains("draggable=\"true\""));
    })
    .await;
}
