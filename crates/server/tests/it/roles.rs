//! The permission matrix, enforced: a viewer cannot change anything, an
//! agent cannot manage the team, and docs/PERMISSIONS.md matches the code.

use crate::openapi_walk::{operations, resolve_path};
use domain::{Permission, Role};
use serde_json::json;
use testkit::{Auth, each_engine};

#[tokio::test]
async fn a_viewer_cannot_change_anything() {
    each_engine(|app| async move {
        let t = app.create_tenant("viewer-walk").await;
        let viewer = app.add_user(&t, Role::Viewer, "viewer").await;
        app.add_user(&t, Role::Agent, "agent").await;
        let r = app
            .post(
                "/api/v1/invites",
                Auth::Bearer(&t.owner.token),
                json!({ "email": "x@viewer-walk.example.com", "role": "agent" }),
            )
            .await;
        assert_eq!(r.status, 201);
        let users_before = app
            .get("/api/v1/users", Auth::Bearer(&t.owner.token))
            .await
            .body;

        let mut probed = 0;
        for op in operations(&app).await {
            let mutating = op.method != reqwest::Method::GET && op.method != reqwest::Method::HEAD;
            if !mutating || op.public || op.is_operator() || op.is_self_service() {
                continue;
            }
            let (path, _) = resolve_path(&app, &op.path, Auth::Bearer(&t.owner.token)).await;
            let r = app
                .request(
                    op.method.clone(),
                    &path,
                    Auth::Bearer(&viewer.token),
                    op.body.clone(),
                    &[],
                )
                .await;
            assert_eq!(
                r.status, 403,
                "viewer {} {} -> {} {}",
                op.method, op.path, r.status, r.text
            );
            assert_eq!(r.code(), "permission_denied");
            probed += 1;
        }
        assert!(probed >= 6, "only {probed} mutating routes probed");
        assert_eq!(
            app.get("/api/v1/users", Auth::Bearer(&t.owner.token))
                .await
                .body,
            users_before
        );
        // Reading is allowed.
        assert_eq!(
            app.get("/api/v1/users", Auth::Bearer(&viewer.token))
                .await
                .status,
            200
        );
    })
    .await;
}

#[tokio::test]
async fn agents_do_not_manage_the_team_and_admins_do_not_touch_owners() {
    each_engine(|app| async move {
        let t = app.create_tenant("roles-team").await;
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        let admin = app.add_user(&t, Role::Admin, "admin").await;
        let r = app
            .post(
                "/api/v1/invites",
                Auth::Bearer(&agent.token),
                json!({ "email": "n@roles-team.example.com", "role": "viewer" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (403, "permission_denied"));
        // An admin may not promote anyone to owner nor change the owner.
        let r = app
            .patch(
                &format!("/api/v1/users/{}", agent.id),
                Auth::Bearer(&admin.token),
                json!({ "role": "owner" }),
            )
            .await;
        assert_eq!(r.status, 403);
        let r = app
            .patch(
                &format!("/api/v1/users/{}", t.owner.id),
                Auth::Bearer(&admin.token),
                json!({ "disabled": true }),
            )
            .await;
        assert_eq!(r.status, 403);
        // The last owner cannot be demoted, even by themself.
        let r = app
            .patch(
                &format!("/api/v1/users/{}", t.owner.id),
                Auth::Bearer(&t.owner.token),
                json!({ "role": "admin" }),
            )
            .await;
        assert_eq!((r.status, r.code()), (422, "last_owner"));
        // A role change signs the user out everywhere.
        let r = app
            .patch(
                &format!("/api/v1/users/{}", agent.id),
                Auth::Bearer(&admin.token),
                json!({ "role": "viewer" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            app.get("/api/v1/me", Auth::Bearer(&agent.token))
                .await
                .status,
            401
        );
    })
    .await;
}

#[test]
fn the_documented_matrix_matches_the_code() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/PERMISSIONS.md"
    ))
    .expect("docs/PERMISSIONS.md");
    for p in Permission::ALL {
        let line = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{p}`")))
            .unwrap_or_else(|| panic!("docs/PERMISSIONS.md has no row for `{p}`"));
        let cells: Vec<&str> = line
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        for (i, role) in [Role::Owner, Role::Admin, Role::Agent, Role::Viewer]
            .into_iter()
            .enumerate()
        {
            let documented = cells.get(i + 1).is_some_and(|c| *c == "yes");
            assert_eq!(
                documented,
                role.allows(p),
                "`{p}` for {role} in docs/PERMISSIONS.md"
            );
        }
    }
}
