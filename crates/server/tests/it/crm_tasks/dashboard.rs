//! Tasks in the dashboard over plain HTTP, on both engines: the tabs
//! (mine, all, overdue, done), the create form, the complete and reopen
//! buttons, a task's page and edit form, the contact page's task block,
//! and the assignee's notification.

use crate::crm_notes::conversation;
use crate::dashboard::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn the_dashboard_lists_creates_and_completes_tasks() {
    each_engine(|app| async move {
        let t = app.create_tenant("tasks-dash").await;
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let (contact, _) = conversation(&app, &t, "15550200002", "Hugo").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get("/app/tasks").await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("id=\"create-task\""));
        let csrf = page.csrf();

        let r = b
            .post(
                "/app/tasks",
                &[
                    ("csrf", &csrf),
                    ("title", "Chase invoice"),
                    ("due", "2000-01-01T09:00"),
                    ("assignee", &alice.id),
                    ("back", "/app/tasks?tab=all"),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/tasks?tab=all")),
            "{}",
            r.html
        );
        let all = b.get("/app/tasks?tab=all").await.html;
        assert!(
            all.contains("Chase invoice") && all.contains("2000-01-01 09:00 UTC"),
            "{all}"
        );
        assert!(
            b.get("/app/tasks?tab=overdue")
                .await
                .html
                .contains("Chase invoice")
        );
        assert!(
            !b.get("/app/tasks").await.html.contains("Chase invoice"),
            "not mine"
        );
        let marker = "data-task=\"";
        let start = all.find(marker).unwrap() + marker.len();
        let id = all[start..start + 36].to_owned();

        // From the contact page, a task about the contact.
        let r = b
            .post(
                "/app/tasks",
                &[
                    ("csrf", &csrf),
                    ("title", "Send catalogue"),
                    ("contact_id", &contact),
                    ("back", &format!("/app/contacts/{contact}#tasks")),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let html = b.get(&format!("/app/contacts/{contact}")).await.html;
        assert!(
            html.contains("Send catalogue") && !html.contains("Chase invoice"),
            "{html}"
        );

        let r = b
            .post(
                &format!("/app/tasks/{id}/complete"),
                &[("csrf", &csrf), ("back", "/app/tasks?tab=all")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            !b.get("/app/tasks?tab=all")
                .await
                .html
                .contains("Chase invoice")
        );
        assert!(
            b.get("/app/tasks?tab=done")
                .await
                .html
                .contains("Chase invoice")
        );
        let r = app
            .get(&format!("/api/v1/tasks/{id}"), Auth::ApiKey(&t.api_key))
            .await;
        assert_eq!(r.body["status"], json!("done"));
        assert_eq!(r.body["assignee_user_id"], json!(alice.id));

        // Its page edits it; Alice's list shows what is hers.
        let r = b
            .post(
                &format!("/app/tasks/{id}/update"),
                &[
                    ("csrf", &csrf),
                    ("title", "Chase the invoice"),
                    ("description", ""),
                    ("due", ""),
                    ("assignee", &alice.id),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        assert!(
            b.get(&format!("/app/tasks/{id}"))
                .await
                .html
                .contains("Chase the invoice")
        );
        let mut a = Browser::sign_in(&app, &t.slug, &alice.email, &alice.password).await;
        let r = b
            .post(&format!("/app/tasks/{id}/reopen"), &[("csrf", &csrf)])
            .await;
        assert_eq!(r.status, 303);
        assert!(
            a.get("/app/tasks").await.html.contains("Chase the invoice"),
            "mine"
        );
        assert!(
            a.get("/app/notifications")
                .await
                .html
                .contains("assigned you a task")
        );
    })
    .await;
}
