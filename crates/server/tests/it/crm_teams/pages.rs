//! Settings → Teams over plain HTTP, on both engines: create a team with
//! members (repeated checkboxes), change its rule and members, refusals
//! beside the form, say one is away and back; the thread moves a
//! conversation to a team, whose rule assigns it; the inbox list shows
//! each row's assignee and team and filters by team; an agent reads the
//! page but may not change the teams.

use crate::crm_notes::conversation;
use crate::dashboard::client::Browser;
use domain::Role;
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn the_dashboard_sets_up_teams_routes_a_conversation_and_shows_assignees() {
    each_engine(|app| async move {
        let t = app.create_tenant("team-pages").await;
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let r = app
            .patch(
                &format!("/api/v1/users/{}", alice.id),
                Auth::Bearer(&t.owner.token),
                json!({ "name": "Alice Agent" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let (_, conv) = conversation(&app, &t, "15550400001", "Rita Customer").await;
        let mut b = Browser::sign_in(&app, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get("/app/settings/teams").await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("No teams yet"), "{}", page.html);
        let csrf = page.csrf();
        let create = [
            ("csrf", csrf.as_str()),
            ("name", "Support"),
            ("assignment", "round_robin"),
            ("member", alice.id.as_str()),
            ("member", t.owner.id.as_str()),
        ];
        let r = b.post("/app/settings/teams", &create).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/settings/teams"))
        );
        let r = b.post("/app/settings/teams", &create).await;
        assert_eq!(r.status, 409, "refused beside the form");
        assert!(r.html.contains("id=\"team-error\"") && r.html.contains("exists already"));
        let teams = app.get("/api/v1/teams", Auth::ApiKey(&t.api_key)).await;
        let team = teams.body["items"][0].clone();
        assert_eq!(team["members"].as_array().unwrap().len(), 2, "{team}");
        let team_id = team["id"].as_str().unwrap().to_owned();

        // Least busy, Alice alone.
        let r = b
            .post(
                &format!("/app/settings/teams/{team_id}/update"),
                &[
                    ("csrf", &csrf),
                    ("name", "Support"),
                    ("assignment", "least_busy"),
                    ("member", &alice.id),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.html);
        let page = b.get("/app/settings/teams").await;
        assert!(page.html.contains("Least busy agent"));
        assert!(
            page.html
                .contains("Alice Agent · <span class=\"pill open\">available</span> · 0 open")
        );

        // The thread moves the conversation to the team; the rule gives
        // it to Alice, and the list says so.
        let thread = b.get(&format!("/app/inbox/{conv}")).await;
        assert!(thread.html.contains("id=\"route-conversation\""));
        let r = b
            .post(
                &format!("/app/inbox/{conv}/update"),
                &[("csrf", &csrf), ("action", "route"), ("team", &team_id)],
            )
            .await;
        assert_eq!(r.location, Some(format!("/app/inbox/{conv}")));
        app.drain().await;
        let list = b.get(&format!("/app/inbox?team={team_id}")).await;
        assert_eq!(list.html.matches("<li class=\"conv").count(), 1);
        assert!(
            list.html.contains("Alice Agent · Support"),
            "the row names its assignee and team: {}",
            list.html
        );
        let other = b.get("/app/inbox?assigned=none").await;
        assert_eq!(
            other.html.matches("<li class=\"conv").count(),
            0,
            "nobody's"
        );

        // The owner steps away, and comes back.
        let r = b
            .post(
                "/app/settings/teams/availability",
                &[("csrf", &csrf), ("available", "0")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = b.get("/app/settings/teams").await;
        assert!(
            page.html
                .contains("<strong id=\"my-availability\">away</strong>")
        );
        let me = app
            .get("/api/v1/me/availability", Auth::Bearer(&t.owner.token))
            .await;
        assert_eq!(me.body["available"], json!(false));

        // An agent sees the teams and cannot change them.
        let mut a = Browser::sign_in(&app, &t.slug, &alice.email, &alice.password).await;
        let page = a.get("/app/settings/teams").await;
        assert_eq!(page.status, 200);
        assert!(
            page.html
                .contains("Only admins and owners can change the teams.")
        );
        let r = a
            .post(
                "/app/settings/teams",
                &[("csrf", &page.csrf()), ("name", "Mine")],
            )
            .await;
        assert_eq!(r.status, 403);

        let r = b
            .post(
                &format!("/app/settings/teams/{team_id}/delete"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, 303);
        let teams = app.get("/api/v1/teams", Auth::ApiKey(&t.api_key)).await;
        assert_eq!(teams.body["items"], json!([]));
    })
    .await;
}
