//! Settings → Pipelines over plain HTTP, on both engines: the first
//! pipeline's form suggests the stages; pipelines are renamed and their
//! stages added, renamed and moved; a pipeline or stage with deals is kept
//! unless its deals are moved; agents are refused the page.

use super::{create_deal, id, stage};
use crate::dashboard::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn pipelines_are_set_up_in_settings_and_keep_their_deals() {
    each_engine(|app| async move {
        let t = app.create_tenant("deal-settings").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get("/app/deals").await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("id=\"no-pipeline\""), "{}", r.html);
        assert!(r.html.contains("href=\"/app/settings/pipelines\""));

        // The first pipeline's form suggests the usual stages.
        let r = b.get("/app/settings/pipelines").await;
        assert_eq!(r.status, 200);
        assert!(
            r.html.contains("Lead\nQualified\nProposal\nNegotiation"),
            "{}",
            r.html
        );
        let csrf = r.csrf();
        let r = b
            .post(
                "/app/settings/pipelines",
                &[
                    ("csrf", &csrf),
                    ("name", "Sales"),
                    (
                        "stages",
                        "Lead\r\nQualified\r\n\r\nProposal\r\nNegotiation\r\n",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let pipelines = app
            .get("/api/v1/pipelines", Auth::ApiKey(&t.api_key))
            .await
            .body;
        let p = pipelines["items"][0].clone();
        let pid = id(&p);
        let (lead, qualified) = (stage(&p, "Lead"), stage(&p, "Qualified"));
        assert_eq!(
            p["stages"].as_array().unwrap().len(),
            4,
            "blank lines skipped"
        );
        let r = b.get("/app/settings/pipelines").await;
        assert!(
            !r.html.contains("Lead\nQualified"),
            "only the first form suggests"
        );
        // A refusal is shown on the page, with what was typed.
        let r = b
            .post(
                "/app/settings/pipelines",
                &[("csrf", &csrf), ("name", "Sales"), ("stages", "A")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("id=\"pipeline-error\""), "{}", r.html);
        let new_deal = id(&create_deal(
            &app,
            Auth::ApiKey(&t.api_key),
            json!({ "title": "Ana's order", "pipeline_id": pid, "currency": "EUR" }),
        )
        .await);
        assert_eq!(
            b.get("/app/deals")
                .await
                .html
                .matches("<section class=\"stage-col\"")
                .count(),
            4,
            "a column per stage"
        );

        // Settings: the pipeline and a stage with deals are kept, or the
        // deals are moved.
        let r = b
            .post(
                &format!("/app/settings/pipelines/{pid}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("id=\"pipeline-error\""), "{}", r.html);
        let r = b
            .post(
                &format!("/app/settings/pipelines/{pid}/stages/{lead}/delete"),
                &[("csrf", &csrf), ("move_to", "")],
            )
            .await;
        assert_eq!(r.status, 422, "Ana's order is in Lead");
        let r = b
            .post(
                &format!("/app/settings/pipelines/{pid}/stages/{lead}/delete"),
                &[("csrf", &csrf), ("move_to", &qualified)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let d = app
            .get(
                &format!("/api/v1/deals/{new_deal}"),
                Auth::ApiKey(&t.api_key),
            )
            .await
            .body;
        assert_eq!(d["stage_id"], json!(qualified));
        // Rename, add, and move a stage up.
        let r = b
            .post(
                &format!("/app/settings/pipelines/{pid}/stages"),
                &[("csrf", &csrf), ("name", "Closing")],
            )
            .await;
        assert_eq!(r.status, 303);
        let p = app
            .get(
                &format!("/api/v1/pipelines/{pid}"),
                Auth::ApiKey(&t.api_key),
            )
            .await
            .body;
        let closing = stage(&p, "Closing");
        let r = b
            .post(
                &format!("/app/settings/pipelines/{pid}/stages/{closing}/update"),
                &[("csrf", &csrf), ("name", "Signing"), ("position", "0")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let p = app
            .get(
                &format!("/api/v1/pipelines/{pid}"),
                Auth::ApiKey(&t.api_key),
            )
            .await
            .body;
        assert_eq!(p["stages"][0]["name"], json!("Signing"));
        let r = b
            .post(
                &format!("/app/settings/pipelines/{pid}/update"),
                &[("csrf", &csrf), ("name", "Retail")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            b.get("/app/settings/pipelines")
                .await
                .html
                .contains("value=\"Retail\"")
        );
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let mut a = Browser::sign_in(&app, &t.slug, &agent.email, &agent.password).await;
        assert_eq!(a.get("/app/settings/pipelines").await.status, 403);
    })
    .await;
}
