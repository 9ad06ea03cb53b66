//! Notes in the dashboard over plain HTTP, on both engines: the note form
//! beside the reply box, notes inline among the messages in time order
//! (escaped, never sent), the contact page's notes, and the mentioned
//! teammate's unread count and notification leading to the note.

use super::{conversation, inbound};
use crate::dashboard::client::Browser;
use domain::Role;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn the_dashboard_shows_notes_inline_and_the_mentioned_teammate_follows_one() {
    each_engine(|app| async move {
        let t = app.create_tenant("notes-dash").await;
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let (contact, conv) = conversation(&app, &t, "15550100003", "Frank").await;
        inbound(&app, &t, &conv, "First question").await;
        app.advance(60);

        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get(&format!("/app/inbox/{conv}")).await;
        assert_eq!(page.status, 200);
        assert!(
            page.html.contains("id=\"note-form\""),
            "a note form beside the reply box"
        );
        let csrf = page.csrf();
        let r = b
            .post(
                &format!("/app/inbox/{conv}/notes"),
                &[
                    ("csrf", &csrf),
                    ("body", "Refund approved, @alice <b>ok</b>"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let at = r.location.unwrap();
        assert!(at.starts_with(&format!("/app/inbox/{conv}#note-")), "{at}");
        app.advance(60);
        inbound(&app, &t, &conv, "Second question").await;

        let page = b.get(&format!("/app/inbox/{conv}")).await.html;
        // The thread, not the conversation list beside it.
        let html = &page[page.find("id=\"messages\"").unwrap()..];
        let first = html.find("First question").unwrap();
        let noted = html.find("Refund approved").unwrap();
        let second = html.find("Second question").unwrap();
        assert!(
            first < noted && noted < second,
            "in time order among the messages"
        );
        assert!(html.contains("Private note"));
        assert!(!html.contains("<b>ok</b>"), "escaped");
        let msgs = app
            .get(
                &format!("/api/v1/conversations/{conv}/messages"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(
            msgs.body["items"].as_array().unwrap().len(),
            2,
            "no outbound message"
        );

        // A note on the contact page; both show there.
        let r = b
            .post(
                &format!("/app/contacts/{contact}/notes"),
                &[("csrf", &csrf), ("body", "Prefers mornings")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let html = b.get(&format!("/app/contacts/{contact}")).await.html;
        assert!(
            html.contains("Prefers mornings") && html.contains("Refund approved"),
            "{html}"
        );

        // Alice sees the count in the header and follows the notification.
        let mut a = Browser::sign_in(&app, &t.slug, &alice.email, &alice.password).await;
        let inbox = a.get("/app/inbox").await.html;
        assert!(inbox.contains("id=\"unread-count\""), "{inbox}");
        let list = a.get("/app/notifications").await;
        assert!(list.html.contains("Frank"), "{}", list.html);
        let marker = "data-notification=\"";
        let start = list.html.find(marker).unwrap() + marker.len();
        let id = &list.html[start..start + 36];
        let r = a
            .post(
                &format!("/app/notifications/{id}/open"),
                &[("csrf", &list.csrf())],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some(at.as_str()));
        assert!(
            !a.get("/app/inbox")
                .await
                .html
                .contains("id=\"unread-count\""),
            "read now"
        );
        // Alice may not change the owner's note: no edit form for her.
        let thread = a.get(&format!("/app/inbox/{conv}")).await.html;
        assert!(
            !thread.contains("/update\" class=\"stack\""),
            "no edit form on others' notes"
        );
    })
    .await;
}
