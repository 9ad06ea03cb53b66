//! Dashboard flows over plain HTTP, on both engines: suspension shown to
//! the tenant, the operator console's own sign-in, joining from an
//! invitation link.

use super::client::Browser;
use serde_json::json;
use testkit::{Auth, TestApp, each_engine};

#[tokio::test]
async fn dashboard_shows_a_suspended_tenant_why() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-suspend").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let op = app.operator_token().await;
        let r = app
            .post(
                &format!("/api/v1/operator/tenants/{}/suspend", t.id),
                Auth::Bearer(&op),
                json!({ "reason": "Invoice 42 is overdue" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = b.get("/app/inbox").await;
        assert_eq!(r.status, 423);
        assert!(r.html.contains("Invoice 42 is overdue"), "{}", r.html);

        // The operator console signs in with its own form and cookie.
        let mut o = Browser::sign_in_operator(&app).await;
        let r = o.get("/app/operator").await;
        assert_eq!(r.status, 200);
        assert!(r.html.contains("Invoice 42 is overdue") && r.html.contains("Reactivate"));
        let csrf = r.csrf();
        let r = o
            .post(&format!("/app/operator/tenants/{}/reactivate", t.id), &[])
            .await;
        assert_eq!(r.status, 403, "operator forms need their token");
        let r = o
            .post(
                &format!("/app/operator/tenants/{}/reactivate", t.id),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(b.get("/app/inbox").await.status, 200, "reactivated");
        // A tenant session is no operator session.
        assert_eq!(
            b.get("/app/operator").await.location.as_deref(),
            Some("/app/operator/login")
        );
        assert_eq!(o.get("/app/operator/health").await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn dashboard_invitation_link_lets_a_teammate_join() {
    each_engine(|app: TestApp| async move {
        let t = app.create_tenant("dash-join").await;
        let mut o = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let csrf = o.get("/app/settings/team").await.csrf();
        let r = o
            .post(
                "/app/settings/team",
                &[
                    ("csrf", &csrf),
                    ("email", "sam@dash-join.example.com"),
                    ("role", "agent"),
                ],
            )
            .await;
        let start = r
            .html
            .find("/app/accept-invite?token=")
            .expect("the invitation link");
        let end = start + r.html[start..].find('<').unwrap();
        let link = r.html[start..end].to_owned();

        let mut sam = Browser::new(&app);
        let page = sam.get(&link).await;
        assert_eq!(page.status, 200);
        let csrf = page.csrf();
        let token = link.split("token=").nth(1).unwrap();
        let r = sam
            .post(
                "/app/accept-invite",
                &[
                    ("csrf", &csrf),
                    ("token", token),
                    ("name", "Sam"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "the API's password policy applies");
        assert!(r.html.contains("id=\"invite-error\""));
        let r = sam
            .post(
                "/app/accept-invite",
                &[
                    ("csrf", &csrf),
                    ("token", token),
                    ("name", "Sam"),
                    ("password", "a long enough password"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let to = r.location.unwrap();
        assert!(
            to.starts_with("/app/login?tenant=dash-join&email=sam%40dash-join.example.com"),
            "{to}"
        );
        let login = sam.get(&to).await;
        assert!(
            login.html.contains("value=\"sam@dash-join.example.com\""),
            "the sign-in form is filled in"
        );
        let mut sam = Browser::sign_in(
            &app,
            &t.slug,
            "sam@dash-join.example.com",
            "a long enough password",
        )
        .await;
        let inbox = sam.get("/app/inbox").await;
        assert!(inbox.html.contains("Sam") && inbox.html.contains("agent"));
        let r = sam
            .post(
                "/app/accept-invite",
                &[
                    ("csrf", &csrf),
                    ("token", token),
                    ("name", "Sam"),
                    ("password", "a long enough password"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "another browser's form token");
    })
    .await;
}

#[tokio::test]
async fn dashboard_shows_a_customers_photo_through_its_authorised_url() {
    use base64::Engine as _;
    use testkit::{WhatsAppTest, each_engine_with_sandbox};
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("dash-photo").await;
        let other = wa.create_tenant("dash-photo-b").await;
        wa.connect_number(&t, "106540352242922", "102290129340398")
            .await;
        let photo = b"\x89PNG\r\n\x1a\n dashboard photo".to_vec();
        let media = sandbox::InboundMedia {
            mime_type: Some("image/png".into()),
            data_base64: Some(base64::engine::general_purpose::STANDARD.encode(&photo)),
            caption: Some("my receipt".into()),
            ..Default::default()
        };
        let msg = sandbox::InboundMessage::new(
            "106540352242922",
            "16505551234",
            sandbox::InboundContent::Image(media),
        );
        wa.sandbox.send_inbound(msg).unwrap();
        let mut conversation = String::new();
        let mut url = String::new();
        for _ in 0..500 {
            wa.drain().await;
            let r = wa
                .get("/api/v1/conversations", Auth::ApiKey(&t.api_key))
                .await;
            if let Some(id) = r.body["items"][0]["id"].as_str() {
                let m = wa
                    .get(
                        &format!("/api/v1/conversations/{id}/messages"),
                        Auth::ApiKey(&t.api_key),
                    )
                    .await;
                if m.body["items"][0]["media"]["status"] == json!("stored") {
                    conversation = id.to_owned();
                    url = m.body["items"][0]["media"]["url"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(!url.is_empty(), "the photo was stored");

        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get(&format!("/app/inbox/{conversation}")).await;
        assert!(
            page.html.contains(&format!("<img src=\"{url}\"")),
            "{}",
            page.html
        );
        assert!(page.html.contains("my receipt"));
        let img = b.get(&url).await;
        assert_eq!(img.status, 200, "the session cookie opens the media URL");
        assert_eq!(img.headers["content-type"], "image/png");

        let mut b2 =
            Browser::sign_in(&wa, &other.slug, &other.owner.email, &other.owner.password).await;
        assert_eq!(b2.get(&url).await.status, 404, "not another tenant's");
    })
    .await;
}

#[tokio::test]
async fn dashboard_takes_the_tenant_from_the_subdomain() {
    // `each_engine` starts apps without configuration; this needs a base domain.
    let mut engines = vec![testkit::Engine::Sqlite];
    if testkit::pg_admin_url().is_some() {
        engines.push(testkit::Engine::Postgres);
    }
    for engine in engines {
        let app = TestApp::start_with(engine, |c| {
            c.base_domain = Some("switchboard.test".into());
        })
        .await;
        let a = app.create_tenant("dash-sub-a").await;
        let b = app.create_tenant("dash-sub-b").await;
        let port = app.url.rsplit(':').next().unwrap().to_owned();
        let mut on_a = Browser::new(&app);
        on_a.host = Some(format!("dash-sub-a.switchboard.test:{port}"));
        let page = on_a.get("/app/login").await;
        assert!(
            !page.html.contains("name=\"tenant\""),
            "no workspace field on the tenant's own subdomain"
        );
        let csrf = page.csrf();
        let r = on_a
            .post(
                "/app/login",
                &[
                    ("csrf", &csrf),
                    ("email", &a.owner.email),
                    ("password", &a.owner.password),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/inbox")),
            "{}",
            r.html
        );
        assert_eq!(on_a.get("/app/inbox").await.status, 200);

        // B's owner cannot sign in on A's subdomain, and A's session does not
        // work on B's.
        let mut other = Browser::new(&app);
        other.host = on_a.host.clone();
        let csrf = other.get("/app/login").await.csrf();
        let r = other
            .post(
                "/app/login",
                &[
                    ("csrf", &csrf),
                    ("email", &b.owner.email),
                    ("password", &b.owner.password),
                ],
            )
            .await;
        assert_eq!(r.status, 401);
        on_a.host = Some(format!("dash-sub-b.switchboard.test:{port}"));
        let r = on_a.get("/app/inbox").await;
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/app/login")));
        app.stop().await;
    }
}
