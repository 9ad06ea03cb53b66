//! Settings → Teams in a real browser (SQLite only, like browser.rs):
//! create a team with a rule and a member ticked, move a conversation to
//! it from the thread, find it given to that member in the inbox list
//! filtered by the team, then say one is away.

use super::browser::sign_in;
use super::webdriver::Browser;
use crate::crm_notes::conversation;
use domain::Role;
use serde_json::json;
use testkit::{Auth, Engine, TestApp};

#[tokio::test]
async fn browser_sets_up_a_team_and_a_moved_conversation_is_assigned_to_its_member() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-teams").await;
    let alice = app.add_user(&t, Role::Agent, "alice").await;
    let r = app
        .patch(
            &format!("/api/v1/users/{}", alice.id),
            Auth::Bearer(&t.owner.token),
            json!({ "name": "Alice Agent" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, conv) = conversation(&app, &t, "15550400002", "Rita Customer").await;

    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // Settings → Teams: create "Support", least busy, Alice ticked.
    b.goto(&format!("{}/app/settings/teams", app.url)).await;
    assert_eq!(b.count("section[data-team]").await, 0);
    b.fill("#create-team input[name=name]", "Support").await;
    b.eval(
        "document.querySelector('#create-team select[name=assignment]').value = 'least_busy'; \
         return true;",
    )
    .await;
    b.click(&format!(
        "#create-team input[name=member][value='{}']",
        alice.id
    ))
    .await;
    assert_eq!(
        b.eval(&format!(
            "return document.querySelector(\"#create-team input[name=member][value='{}']\").checked",
            alice.id
        ))
        .await,
        json!(true)
    );
    b.submit("#create-team button[type=submit]").await;
    assert!(
        b.current_url().await.ends_with("/app/settings/teams"),
        "{}",
        b.current_url().await
    );
    assert_eq!(b.count("#team-error").await, 0, "{}", b.source().await);
    assert_eq!(b.count("section[data-team]").await, 1);
    assert_eq!(b.text("section[data-team] h2").await, "Support");
    assert!(
        b.text("section[data-team] p.small")
            .await
            .contains("Least busy agent")
    );
    assert_eq!(b.count("section[data-team] ul.members li").await, 1);
    assert_eq!(
        b.text("section[data-team] ul.members li").await,
        "Alice Agent · available · 0 open"
    );
    let teams = app.get("/api/v1/teams", Auth::ApiKey(&t.api_key)).await;
    assert_eq!(teams.status, 200, "{}", teams.body);
    let team = teams.body["items"][0].clone();
    assert_eq!(team["name"], json!("Support"), "{team}");
    assert_eq!(team["members"].as_array().unwrap().len(), 1, "{team}");
    let team_id = team["id"].as_str().unwrap().to_owned();
    assert_eq!(
        b.eval("return document.querySelector('section[data-team]').dataset.team")
            .await,
        json!(team_id)
    );
    b.screenshot("teams-settings").await;

    // The thread moves the conversation to the team; its rule gives it to
    // Alice.
    b.goto(&format!("{}/app/inbox/{conv}", app.url)).await;
    b.click(&format!(
        "#route-conversation select[name=team] option[value='{team_id}']"
    ))
    .await;
    b.submit("#route-conversation button").await;
    assert!(
        b.current_url()
            .await
            .contains(&format!("/app/inbox/{conv}")),
        "{}",
        b.current_url().await
    );
    assert_eq!(
        b.eval("return document.querySelector('#route-conversation select[name=team]').value")
            .await,
        json!(team_id),
        "the thread shows its team"
    );
    app.drain().await;

    // The inbox filtered by the team: one row, Alice's, in Support.
    b.goto(&format!("{}/app/inbox?team={team_id}", app.url))
        .await;
    assert_eq!(
        b.eval("return document.getElementById('team-filter').value")
            .await,
        json!(team_id)
    );
    assert_eq!(b.count("#conversations li.conv").await, 1);
    assert_eq!(
        b.eval("return document.querySelector('#conversations li.conv').dataset.id")
            .await,
        json!(conv)
    );
    assert_eq!(
        b.text("#conversations li.conv .assignee").await,
        "Alice Agent · Support"
    );
    let api = app
        .get(
            &format!("/api/v1/conversations/{conv}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(api.status, 200, "{}", api.body);
    assert_eq!(
        api.body["assigned_user_id"],
        json!(alice.id),
        "{}",
        api.body
    );
    b.screenshot("teams-inbox-filtered").await;

    // Back in Settings → Teams, the owner steps away.
    b.goto(&format!("{}/app/settings/teams", app.url)).await;
    assert_eq!(b.text("#my-availability").await, "available");
    b.submit("#availability button[type=submit]").await;
    assert_eq!(b.text("#my-availability").await, "away");
    b.quit().await;
}
