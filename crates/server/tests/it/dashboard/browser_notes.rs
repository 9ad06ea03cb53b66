//! Private notes in a real browser (SQLite only, like browser.rs): a note
//! with an `@mention` written beside the reply box shows inline in the
//! thread as a private note and is never sent; the mentioned teammate
//! signs in, sees the unread count, follows the notification to it, and
//! makes and completes a task from the contact's page.

use super::browser::sign_in;
use super::webdriver::Browser;
use crate::crm_notes::{conversation, inbound};
use domain::Role;
use serde_json::json;
use testkit::{Auth, Engine, TestApp};

#[tokio::test]
async fn browser_writes_a_private_note_and_the_mentioned_teammate_follows_it() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-notes").await;
    let alice = app.add_user(&t, Role::Agent, "alice").await;
    let (contact, conv) = conversation(&app, &t, "15550300001", "Ivy Customer").await;
    inbound(&app, &t, &conv, "Can I change my delivery address?").await;
    app.advance(30);

    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.goto(&format!("{}/app/inbox/{conv}", app.url)).await;
    b.fill(
        "#note-text",
        "Address change needs a manager: @alice can you approve?",
    )
    .await;
    b.submit("#add-note").await;
    let url = b.current_url().await;
    assert!(url.contains(&format!("/app/inbox/{conv}#note-")), "{url}");
    let note_id = url.rsplit("#note-").next().unwrap().to_owned();

    // Inline, after the customer's message, and marked as a private note.
    assert_eq!(b.count("#messages li.note").await, 1);
    assert!(
        b.text(&format!("#note-{note_id}"))
            .await
            .contains("@alice can you approve?")
    );
    assert_eq!(
        b.eval(&format!(
            "const m = document.querySelector('#messages li.msg'); \
             const n = document.getElementById('note-{note_id}'); \
             return !!(m.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING);"
        ))
        .await,
        json!(true),
        "after the message it followed"
    );
    assert_eq!(
        b.eval(&format!(
            "return getComputedStyle(document.getElementById('note-{note_id}')).backgroundColor;"
        ))
        .await,
        json!("rgb(255, 244, 196)"),
        "a yellow bubble"
    );
    assert!(
        b.text(&format!("#note-{note_id} .kind"))
            .await
            .contains("Private note")
    );
    // Never sent: no outbound message exists.
    assert_eq!(b.count("#messages li.msg.out").await, 0);
    let msgs = app
        .get(
            &format!("/api/v1/conversations/{conv}/messages"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    let items = msgs.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", msgs.body);
    assert_eq!(items[0]["direction"], json!("in"));
    b.screenshot("note-in-thread").await;

    // Alice signs in: the header counts it; the notification leads to it.
    b.submit("form[action='/app/logout'] button").await;
    sign_in(&app, &b, &t.slug, &alice.email, &alice.password).await;
    assert_eq!(b.text("#unread-count").await, "1");
    b.submit("#notifications-link").await;
    assert!(b.current_url().await.ends_with("/app/notifications"));
    assert!(b.text("#notifications").await.contains("Ivy Customer"));
    b.screenshot("notifications").await;
    b.submit("#notifications button.open").await;
    let url = b.current_url().await;
    assert!(
        url.ends_with(&format!("/app/inbox/{conv}#note-{note_id}")),
        "{url}"
    );
    assert!(b.try_find(&format!("#note-{note_id}")).await.is_some());
    assert!(b.try_find("#unread-count").await.is_none(), "read now");

    // On the contact's page: the note, and a task made from its block.
    b.goto(&format!("{}/app/contacts/{contact}", app.url)).await;
    assert!(
        b.text("#contact-notes")
            .await
            .contains("@alice can you approve?")
    );
    b.fill(
        "#create-contact-task input[name=title]",
        "Approve the new address",
    )
    .await;
    b.submit("#create-contact-task button[type=submit]").await;
    assert!(b.text("#tasks").await.contains("Approve the new address"));
    b.screenshot("contact-notes-and-tasks").await;
    b.goto(&format!("{}/app/tasks", app.url)).await;
    assert!(
        b.text("#task-list")
            .await
            .contains("Approve the new address"),
        "mine"
    );
    b.submit("#task-list button.complete").await;
    assert_eq!(b.count("#task-list li").await, 0, "done, off the open list");
    b.goto(&format!("{}/app/tasks?tab=done", app.url)).await;
    assert_eq!(b.count("#task-list li.done").await, 1);
    b.screenshot("tasks-done").await;
    b.quit().await;
    app.stop().await;
}
