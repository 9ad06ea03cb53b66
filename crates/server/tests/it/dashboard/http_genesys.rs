//! The Genesys pages over plain HTTP, on both engines, against the
//! Genesys sandbox: Settings → Genesys is the owner's (agents are refused
//! and not offered the tab); credentials Genesys refuses are said beside
//! the form with what was typed, good ones are kept and the secret is
//! never shown; linking a number shows its webhook URL; the bridge's page
//! shows its figures and conversations; and the inbox thread hands a
//! conversation to Genesys, says so, and takes it back.

use super::client::{Browser, Page, attrs};
use domain::Role;
use serde_json::json;
use testkit::{Auth, GENESYS_CLIENT, GenesysTest, TestTenant, each_engine_with_genesys};

const PNID: &str = "106540352244301";
const WABA: &str = "102290129344301";
const CUSTOMER: &str = "16505558101";
const SETTINGS: &str = "/app/settings/genesys";

/// Posts the credentials form.
async fn save_account(b: &mut Browser, region: &str, client_id: &str, secret: &str) -> Page {
    let csrf = b.get(SETTINGS).await.csrf();
    b.post(
        SETTINGS,
        &[
            ("csrf", &csrf),
            ("region", region),
            ("client_id", client_id),
            ("client_secret", secret),
        ],
    )
    .await
}

/// Posts number `channel`'s link form.
async fn save_link(b: &mut Browser, channel: &str, form: &[(&str, &str)]) -> Page {
    let csrf = b.get(SETTINGS).await.csrf();
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    b.post(&format!("{SETTINGS}/links/{channel}"), &fields)
        .await
}

/// The text of the first element with class `class` in `html`.
fn text_of(html: &str, class: &str) -> String {
    let start = html
        .find(&format!("class=\"{class}\""))
        .unwrap_or_else(|| panic!("no .{class} in {html}"));
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..open + rest[open..].find('<').unwrap()].to_owned()
}

/// Customer writes in; the conversation's id once it is stored.
async fn conversation(g: &GenesysTest, t: &TestTenant, text: &str) -> String {
    g.sandbox.send_text(PNID, CUSTOMER, text).unwrap();
    let list = || async {
        g.get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
            .await
            .body
    };
    g.eventually("the message is stored", || async {
        list().await["items"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    })
    .await;
    list().await["items"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn dashboard_genesys_settings_check_credentials_and_link_numbers() {
    each_engine_with_genesys(|g| async move {
        let t = g.create_tenant("dash-genesys").await;
        let channel = g.connect_number(&t, PNID, WABA).await;
        let mut b = Browser::sign_in(&g, &t.slug, &t.owner.email, &t.owner.password).await;
        let r = b.get(SETTINGS).await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/app/settings/genesys\" aria-current=\"page\">Genesys"),
            "the settings tab"
        );
        assert!(r.html.contains("id=\"genesys-not-set\""));
        assert_eq!(attrs(&r.html, "data-channel"), [channel.as_str()]);
        assert_eq!(attrs(&r.html, "data-linked"), ["false"]);

        // An agent may not open it, and is not offered it.
        let agent = g.add_user(&t, Role::Agent, "alex").await;
        let mut a = Browser::sign_in(&g, &t.slug, &agent.email, &agent.password).await;
        let r = a.get(SETTINGS).await;
        assert_eq!(r.status, 403);
        assert!(r.html.contains("settings:manage"), "{}", r.html);
        let r = a.get("/app/settings").await;
        assert_eq!(r.status, 200);
        assert!(!r.html.contains("href=\"/app/settings/genesys\""));
        let csrf = r.csrf();
        let r = a
            .post(
                &format!("{SETTINGS}/links/{channel}"),
                &[("csrf", &csrf), ("routing", "all")],
            )
            .await;
        assert_eq!(r.status, 403);

        // Without credentials a number cannot be linked: said on its card.
        let r = save_link(
            &mut b,
            &channel,
            &[("routing", "all"), ("keywords", "agent")],
        )
        .await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains(&format!("id=\"link-error-{channel}\""))
                && r.html.contains("credentials first"),
            "{}",
            r.html
        );
        assert!(r.html.contains("value=\"agent\""));
        assert!(g.genesys.integrations().is_empty());

        // Refusals are said beside the form, with what was typed (never the secret).
        let r = save_account(&mut b, "eu-west-1", GENESYS_CLIENT.0, "not-the-secret").await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("id=\"genesys-error\""), "{}", r.html);
        assert!(r.html.contains("value=\"eu-west-1\""));
        assert!(r.html.contains(&format!("value=\"{}\"", GENESYS_CLIENT.0)));
        assert!(!r.html.contains("not-the-secret"));
        assert!(
            r.html.contains("id=\"genesys-not-set\""),
            "nothing was kept"
        );
        let r = save_account(&mut b, "http://evil.example", "someone", "x").await;
        assert_eq!(r.status, 422);
        assert!(r.html.contains("id=\"genesys-error\"") && r.html.contains("region"));
        assert!(r.html.contains("value=\"http://evil.example\""));
        let r = save_account(&mut b, "eu-west-1", GENESYS_CLIENT.0, "").await;
        assert_eq!(r.status, 422, "a first secret is required");
        assert!(r.html.contains("client secret: required"), "{}", r.html);

        // Good ones are kept; the secret never comes back.
        let r = save_account(&mut b, "eu-west-1", GENESYS_CLIENT.0, GENESYS_CLIENT.1).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/settings/genesys?done=saved")),
            "{}",
            r.html
        );
        let r = b.get("/app/settings/genesys?done=saved").await;
        assert!(r.html.contains("id=\"genesys-ok\""));
        assert!(r.html.contains("id=\"genesys-verified\""), "{}", r.html);
        assert!(r.html.contains("placeholder=\"leave empty to keep\""));
        assert!(!r.html.contains(GENESYS_CLIENT.1));
        // Left empty, the saved secret is kept (and checked again).
        let r = save_account(&mut b, "mypurecloud.ie", GENESYS_CLIENT.0, "").await;
        assert_eq!(r.status, 303, "{}", r.html);

        // Linking the number creates an integration and shows where Genesys posts.
        let r = save_link(
            &mut b,
            &channel,
            &[("routing", "handover"), ("keywords", "agent, Human")],
        )
        .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/settings/genesys?done=linked")),
            "{}",
            r.html
        );
        let integrations = g.genesys.integrations();
        assert_eq!(integrations.len(), 1);
        let r = b.get("/app/settings/genesys?done=linked").await;
        assert_eq!(attrs(&r.html, "data-linked"), ["true"]);
        assert_eq!(text_of(&r.html, "integration-id"), integrations[0].id);
        let url = text_of(&r.html, "webhook-url");
        assert!(
            url.starts_with(&format!("{}/webhooks/genesys/", g.state.config.public_url)),
            "{url}"
        );
        let api = g
            .get("/api/v1/genesys/links", Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(api.body[0]["webhook_url"], json!(url));
        assert_eq!(text_of(&r.html, "keywords"), "agent, human");
        assert!(
            r.html.contains("value=\"agent, human\""),
            "the form shows them"
        );

        // A refused change is said on the number's card, as typed.
        let long = "a".repeat(41);
        let r = save_link(&mut b, &channel, &[("routing", "all"), ("keywords", &long)]).await;
        assert_eq!(r.status, 422);
        assert!(
            r.html.contains(&format!("id=\"link-error-{channel}\"")),
            "{}",
            r.html
        );
        assert!(r.html.contains(&format!("value=\"{long}\"")));
        // A change keeps the integration.
        let r = save_link(&mut b, &channel, &[("routing", "all"), ("keywords", "")]).await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/settings/genesys?done=changed")
        );
        let r = b.get(SETTINGS).await;
        assert_eq!(
            text_of(&r.html, "routing"),
            "every conversation of this number"
        );
        assert_eq!(g.genesys.integrations().len(), 1);

        // A form without its token is refused.
        let r = b
            .post(&format!("{SETTINGS}/links/{channel}/remove"), &[])
            .await;
        assert_eq!(r.status, 403);
        // Unlinking, then removing the credentials.
        let csrf = b.get(SETTINGS).await.csrf();
        let r = b
            .post(
                &format!("{SETTINGS}/links/{channel}/remove"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/settings/genesys?done=unlinked")
        );
        let r = b.get(SETTINGS).await;
        assert_eq!(attrs(&r.html, "data-linked"), ["false"]);
        let r = b
            .post(&format!("{SETTINGS}/remove"), &[("csrf", &csrf)])
            .await;
        assert_eq!(
            r.location.as_deref(),
            Some("/app/settings/genesys?done=removed")
        );
        let r = b.get(SETTINGS).await;
        assert!(r.html.contains("id=\"genesys-not-set\""));
        assert_eq!(
            g.get("/api/v1/genesys/account", Auth::ApiKey(&t.api_key))
                .await
                .status,
            404
        );
        g.stop().await;
    })
    .await;
}

#[tokio::test]
async fn dashboard_thread_hands_a_conversation_to_genesys_and_takes_it_back() {
    each_engine_with_genesys(|g| async move {
        let t = g.create_tenant("dash-genesys-thread").await;
        let channel = g.connect_number(&t, PNID, WABA).await;
        let id = conversation(&g, &t, "My parcel never came").await;
        let agent = g.add_user(&t, Role::Agent, "alex").await;
        let mut a = Browser::sign_in(&g, &t.slug, &agent.email, &agent.password).await;
        let thread = format!("/app/inbox/{id}");

        // Not linked: nothing about Genesys.
        let r = a.get(&thread).await;
        assert_eq!(r.status, 200);
        assert!(!r.html.contains("Hand to Genesys") && !r.html.contains("genesys-banner"));

        g.link(&t, &channel, json!({ "routing": "handover" })).await;
        let r = a.get(&thread).await;
        assert!(r.html.contains("id=\"genesys-hand-over\""), "{}", r.html);
        assert!(r.html.contains("Hand to Genesys"));
        assert!(!r.html.contains("id=\"genesys-banner\""));
        // The main menu's entry, for those who read the inbox.
        assert!(r.html.contains("href=\"/app/genesys\""));

        let csrf = r.csrf();
        let r = a
            .post(&format!("{thread}/genesys"), &[("csrf", &csrf)])
            .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some(thread.as_str())),
            "{}",
            r.html
        );
        let r = a.get(&thread).await;
        assert!(r.html.contains("id=\"genesys-banner\""), "{}", r.html);
        assert!(
            r.html.contains("(handed over by Test User)"),
            "who handed it over: {}",
            r.html
        );
        assert!(r.html.contains("id=\"genesys-take-back\"") && r.html.contains("Take back"));
        assert!(!r.html.contains("id=\"genesys-hand-over\""));
        g.eventually("the customer's message reaches Genesys", || async {
            g.genesys
                .inbound()
                .iter()
                .any(|m| m.body.text.as_deref() == Some("My parcel never came"))
        })
        .await;
        g.eventually("the bridge counts it", || async {
            let stats = g
                .get("/api/v1/genesys/stats", Auth::ApiKey(&t.api_key))
                .await;
            stats.body["total_messages"] == json!(1)
        })
        .await;

        // A viewer sees the banner but no button.
        let viewer = g.add_user(&t, Role::Viewer, "vic").await;
        let mut v = Browser::sign_in(&g, &t.slug, &viewer.email, &viewer.password).await;
        let r = v.get(&thread).await;
        assert!(r.html.contains("id=\"genesys-banner\""));
        assert!(!r.html.contains("id=\"genesys-take-back\""));

        // The bridge's page: its figures, and the conversation linking to its thread.
        let r = a.get("/app/genesys").await;
        assert_eq!(r.status, 200, "{}", r.html);
        assert!(
            r.html
                .contains("href=\"/app/genesys\" aria-current=\"page\">Genesys")
        );
        assert!(r.html.contains("id=\"total-mappings\" data-value=\"1\""));
        assert!(
            r.html
                .contains("id=\"active-conversations\" data-value=\"1\"")
        );
        assert!(
            r.html.contains("id=\"total-messages\" data-value=\"1\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"today-messages\" data-value=\"1\""));
        assert!(r.html.contains(&format!("href=\"{thread}\"")));
        assert_eq!(attrs(&r.html, "data-state"), ["open"]);
        assert!(r.html.contains("+16505558101"));

        // Taken back: offered again, and the bridge's page says it ended.
        let csrf = r.csrf();
        let r = a
            .post(&format!("{thread}/genesys/take-back"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.location.as_deref(), Some(thread.as_str()), "{}", r.html);
        let r = a.get(&thread).await;
        assert!(!r.html.contains("id=\"genesys-banner\""));
        assert!(r.html.contains("id=\"genesys-hand-over\""));
        let r = a.get("/app/genesys?state=open").await;
        assert!(r.html.contains("id=\"no-mappings\""));
        assert!(
            r.html
                .contains("id=\"active-conversations\" data-value=\"0\"")
        );
        let r = a.get("/app/genesys").await;
        assert_eq!(attrs(&r.html, "data-state"), ["ended"]);
        assert!(r.html.contains("taken back"));
        let r = a.get("/app/genesys?state=sideways").await;
        assert!(r.html.contains("id=\"mappings-error\""));
        // Taking back what is not with Genesys says why.
        let csrf = r.csrf();
        let r = a
            .post(&format!("{thread}/genesys/take-back"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, 409);
        assert!(r.html.contains("not with Genesys"), "{}", r.html);
        g.stop().await;
    })
    .await;
}
