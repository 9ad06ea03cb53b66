//! Outgoing email through a real SMTP server on loopback (testkit's
//! `SmtpCatcher`), and kept for the operator when there is none: the
//! invitation, "forgot password" for users and operators, retries.

use serde_json::{Value, json};
use server::config::Secret;
use testkit::{Auth, Engine, SmtpCatcher, TestApp, engines};

/// A server that sends its email to `smtp`.
async fn app_with_smtp(engine: Engine, smtp: &SmtpCatcher) -> TestApp {
    let url = smtp.url();
    TestApp::start_with(engine, move |c| c.email.smtp_url = Some(Secret::new(url))).await
}

async fn emails(app: &TestApp) -> Vec<Value> {
    let op = app.operator_token().await;
    let r = app.get("/api/v1/operator/emails", Auth::Bearer(&op)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// The token of a link in a mail (`…?token=<token>`).
fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn an_invitation_arrives_by_email_and_its_link_lets_the_person_in() {
    for engine in engines() {
        let smtp = SmtpCatcher::start().await;
        let app = app_with_smtp(engine, &smtp).await;
        let t = app.create_tenant("mail-invite").await;
        let r = app
            .post(
                "/api/v1/invites",
                Auth::Bearer(&t.owner.token),
                json!({ "email": "nadia@mail-invite.example.com", "role": "agent" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        app.drain().await;
        let mail = smtp.wait_for_mail_to("nadia@mail-invite.example.com").await;
        assert_eq!(
            mail.subject(),
            "You are invited to Tenant mail-invite on Switchboard"
        );
        assert!(mail.text().contains("as agent"), "{}", mail.text());
        let link = mail
            .link(&format!(
                "{}/app/accept-invite?token=",
                app.state.config.public_url
            ))
            .unwrap();
        let r = app
            .post("/api/v1/auth/accept-invite", Auth::None, json!({ "token": token_of(&link), "name": "Nadia", "password": "a long enough password" }))
            .await;
        assert!(r.status < 300, "{}", r.body);
        let login = app
            .login(
                "mail-invite",
                "nadia@mail-invite.example.com",
                "a long enough password",
                None,
            )
            .await;
        assert_eq!(login.status, 200, "{}", login.body);
        // The owner's own invitation went the same way, and both are
        // listed as sent, their bodies sealed at rest.
        let list = emails(&app).await;
        assert_eq!(list.len(), 2, "{list:?}");
        assert!(
            list.iter()
                .all(|e| e["status"] == "sent" && e["kind"] == "invitation"),
            "{list:?}"
        );
        let mut tx = app.state.store.system_read().await.unwrap();
        let stored = tx
            .list_emails(store::page::PageRequest::new(None, 10))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            stored.items.iter().all(|e| !e.body.contains("token=")),
            "bodies are sealed"
        );
        app.stop().await;
    }
}

/// A server that says "later" (451) is tried again after a minute; the
/// email goes once.
#[tokio::test]
async fn an_email_the_server_turns_away_for_now_is_tried_again() {
    for engine in engines() {
        let smtp = SmtpCatcher::start().await;
        let app = app_with_smtp(engine, &smtp).await;
        let t = app.create_tenant("mail-retry").await;
        app.drain().await;
        smtp.fail_next(1);
        let r = app
            .post(
                "/api/v1/invites",
                Auth::Bearer(&t.owner.token),
                json!({ "email": "late@mail-retry.example.com", "role": "viewer" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        app.drain().await;
        let invite = |list: &[Value]| {
            list.iter()
                .find(|e| e["to"] == "late@mail-retry.example.com")
                .cloned()
                .unwrap()
        };
        let first = invite(&emails(&app).await);
        assert_eq!(
            (first["status"].as_str(), first["attempts"].as_i64()),
            (Some("queued"), Some(1)),
            "{first}"
        );
        assert!(
            first["last_error"].as_str().unwrap().contains("451"),
            "{first}"
        );
        app.advance(61);
        app.drain().await;
        let mail = smtp.wait_for_mail_to("late@mail-retry.example.com").await;
        assert!(mail.subject().contains("mail-retry"));
        let sent = invite(&emails(&app).await);
        assert_eq!(
            (sent["status"].as_str(), sent["attempts"].as_i64()),
            (Some("sent"), Some(2)),
            "{sent}"
        );
        assert_eq!(
            smtp.mails()
                .iter()
                .filter(|m| m.to.contains(&"late@mail-retry.example.com".to_owned()))
                .count(),
            1
        );
        app.stop().await;
    }
}

/// Without SMTP, emails are kept and the operator reads them.
#[tokio::test]
async fn without_smtp_emails_are_kept_for_the_operator_to_read() {
    for engine in engines() {
        let app = TestApp::start(engine).await;
        let t = app.create_tenant("mail-kept").await;
        app.drain().await;
        let list = emails(&app).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["status"], "kept");
        assert_eq!(list[0]["to"], "owner@mail-kept.example.com");
        assert_eq!(list[0]["tenant_id"], json!(t.id));
        assert!(list[0].get("body").is_none(), "the list carries no bodies");
        let op = app.operator_token().await;
        let one = app
            .get(
                &format!(
                    "/api/v1/operator/emails/{}",
                    list[0]["id"].as_str().unwrap()
                ),
                Auth::Bearer(&op),
            )
            .await;
        assert_eq!(one.status, 200, "{}", one.body);
        assert!(
            one.body["body"]
                .as_str()
                .unwrap()
                .contains("/app/accept-invite?token=sbi_"),
            "{}",
            one.body
        );
        // A tenant cannot read the outbox.
        let r = app
            .get("/api/v1/operator/emails", Auth::Bearer(&t.owner.token))
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
        app.stop().await;
    }
}

/// "Forgot password" sends a one-time link to the account's address only;
/// the answer never tells whether the account exists; using the link signs
/// every session out; it works once and for an hour.
#[tokio::test]
async fn a_user_sets_a_new_password_with_the_emailed_link() {
    for engine in engines() {
        let smtp = SmtpCatcher::start().await;
        let app = app_with_smtp(engine, &smtp).await;
        let t = app.create_tenant("mail-reset").await;
        app.drain().await;
        let before = smtp.mails().len();
        let ask = |email: &str| {
            app.post(
                "/api/v1/auth/forgot-password",
                Auth::None,
                json!({ "tenant": "mail-reset", "email": email }),
            )
        };
        // Unknown addresses and workspaces get the same answer and no mail.
        assert_eq!(ask("nobody@mail-reset.example.com").await.status, 202);
        let r = app
            .post(
                "/api/v1/auth/forgot-password",
                Auth::None,
                json!({ "tenant": "no-such-place", "email": t.owner.email }),
            )
            .await;
        assert_eq!(r.status, 202);
        assert_eq!(ask(&t.owner.email).await.status, 202);
        app.drain().await;
        let mails = smtp.wait_for_mails(before + 1).await;
        assert_eq!(mails.len(), before + 1, "one link, to the owner only");
        let mail = mails.last().unwrap();
        assert_eq!(mail.to, [t.owner.email.as_str()]);
        let link = mail
            .link(&format!(
                "{}/app/reset-password?token=",
                app.state.config.public_url
            ))
            .unwrap();
        let token = token_of(&link);

        let reset = |token: &str, password: &str| {
            app.post(
                "/api/v1/auth/reset-password",
                Auth::None,
                json!({ "token": token, "password": password }),
            )
        };
        let r = reset(&token, "short").await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"));
        // The operators' form does not take a user's link.
        let r = app
            .post(
                "/api/v1/operator/reset-password",
                Auth::None,
                json!({ "token": token, "password": "a brand new password" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (422, "reset_link_invalid"));
        let r = reset(&token, "a brand new password").await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert_eq!(
            app.get("/api/v1/me", Auth::Bearer(&t.owner.token))
                .await
                .status,
            401,
            "old sessions end"
        );
        assert_eq!(
            app.login("mail-reset", &t.owner.email, &t.owner.password, None)
                .await
                .status,
            401
        );
        assert_eq!(
            app.login("mail-reset", &t.owner.email, "a brand new password", None)
                .await
                .status,
            200
        );
        let r = reset(&token, "yet another password").await;
        assert_eq!(
            (r.status, r.code()),
            (422, "reset_link_invalid"),
            "once only"
        );

        // Asking again at once sends nothing more (no flooding an inbox).
        assert_eq!(ask(&t.owner.email).await.status, 202);
        app.drain().await;
        assert_eq!(smtp.mails().len(), before + 1);

        // A link older than an hour does nothing.
        app.advance(5 * 60 + 1);
        assert_eq!(ask(&t.owner.email).await.status, 202);
        app.drain().await;
        let mail = smtp.wait_for_mails(before + 2).await.pop().unwrap();
        let late = token_of(
            &mail
                .link(&format!(
                    "{}/app/reset-password?token=",
                    app.state.config.public_url
                ))
                .unwrap(),
        );
        app.advance(61 * 60);
        let r = reset(&late, "yet another password").await;
        assert_eq!((r.status, r.code()), (422, "reset_link_invalid"));
        app.stop().await;
    }
}

#[tokio::test]
async fn an_operator_sets_a_new_password_with_the_emailed_link() {
    for engine in engines() {
        let smtp = SmtpCatcher::start().await;
        let app = app_with_smtp(engine, &smtp).await;
        let old = app.operator_token().await;
        let r = app
            .post(
                "/api/v1/operator/forgot-password",
                Auth::None,
                json!({ "email": app.operator_email }),
            )
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        let r = app
            .post(
                "/api/v1/operator/forgot-password",
                Auth::None,
                json!({ "email": "someone@else.example.com" }),
            )
            .await;
        assert_eq!(r.status, 202);
        app.drain().await;
        let mail = smtp.wait_for_mail_to(&app.operator_email).await;
        let link = mail
            .link(&format!(
                "{}/app/operator/reset-password?token=",
                app.state.config.public_url
            ))
            .unwrap();
        let r = app
            .post(
                "/api/v1/operator/reset-password",
                Auth::None,
                json!({ "token": token_of(&link), "password": "the operator's new password" }),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert_eq!(
            app.get("/api/v1/operator/plans", Auth::Bearer(&old))
                .await
                .status,
            401,
            "old sessions end"
        );
        let r = app
            .post(
                "/api/v1/operator/login",
                Auth::None,
                json!({ "email": app.operator_email, "password": "the operator's new password" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(smtp.mails().len(), 1, "nothing to the unknown address");
        app.stop().await;
    }
}
